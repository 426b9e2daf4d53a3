/**
 * A node kept open to serve: its ledger (checkpoints on the default
 * cadence), the coordination service over it with the agencies' protocols,
 * on the real clock. The server and anything else long-running open a node
 * here; the short CLI commands open only what they need.
 */
import type { AccountService } from './accounts.ts';
import { CoordinationService } from './coordination.ts';
import { DeadlineClock, type DeadlineLogger, type Timer } from './deadline-clock.ts';
import type { LedgerService } from './ledger.ts';
import { openNodeDir, type NodeDir } from './node-dir.ts';
import { openNodeAccounts } from './node-accounts.ts';
import { openNodeLedger } from './node-ledger.ts';
import { loadProtocolBook } from './protocol-files.ts';
import { readWitnessing } from './witness-config.ts';
import { WitnessPublisher, type PublisherOptions } from './witness-publisher.ts';
import { WitnessService } from './witness-service.ts';

export interface LiveNodeOptions {
  /** the agencies' protocols (a folder as `concord protocol test` reads); without them requests get no verdict */
  readonly policiesDir?: string;
  readonly clock?: () => number;
  /**
   * run the deadline clock: unanswered requests escalate and unacknowledged
   * urgent notices go up the chain at their time (a server does; a test
   * that wants the record still may not); `timer` replaces Node's
   * setTimeout, so a test with an injected clock moves time itself
   */
  readonly deadlines?: { readonly logger?: DeadlineLogger; readonly timer?: Timer };
  /** how checkpoints are sent to this node's witnesses (DIR/witnesses.json), if it has any */
  readonly witnessing?: PublisherOptions;
}

export interface LiveNode {
  readonly node: NodeDir;
  readonly ledger: LedgerService;
  readonly coordination: CoordinationService;
  /** the node's users, sessions and API tokens (DIR/accounts.db) */
  readonly accounts: AccountService;
  /** the node as a witness of other logs (POST /add-checkpoint) */
  readonly witness: WitnessService;
  /** sends this node's checkpoints to its witnesses and collects their cosignatures; inactive without witnesses */
  readonly publisher: WitnessPublisher;
  /** the deadline clock, when the node runs one */
  readonly deadlines: DeadlineClock | undefined;
  /** open until close() is called */
  readonly open: () => boolean;
  /** waits for the command under way, signs a last checkpoint if the log grew, closes the ledger */
  close(): Promise<void>;
}

export async function openLiveNode(dataDir: string, opts: LiveNodeOptions = {}): Promise<LiveNode> {
  const node = openNodeDir(dataDir);
  const protocols = opts.policiesDir !== undefined ? await loadProtocolBook(opts.policiesDir) : undefined;
  const ledger = await openNodeLedger(node, opts.clock !== undefined ? { clock: opts.clock } : {});
  let coordination: CoordinationService;
  try {
    coordination = await CoordinationService.open(ledger, {
      sealing: node.sealing,
      ...(protocols !== undefined ? { protocols } : {}),
      ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    });
  } catch (e) {
    await ledger.close();
    throw e;
  }
  let accounts: AccountService;
  try {
    accounts = openNodeAccounts(node, opts.clock !== undefined ? { clock: opts.clock } : {});
  } catch (e) {
    await ledger.close();
    throw e;
  }
  const deadlines =
    opts.deadlines !== undefined
      ? new DeadlineClock(coordination, {
          ...(opts.deadlines.logger !== undefined ? { logger: opts.deadlines.logger } : {}),
          ...(opts.deadlines.timer !== undefined ? { timer: opts.deadlines.timer } : {}),
        })
      : undefined;
  deadlines?.start();
  const witness = new WitnessService(node, opts.clock !== undefined ? { clock: opts.clock } : {});
  let publisher: WitnessPublisher;
  try {
    publisher = new WitnessPublisher(node, ledger, readWitnessing(node.dir), opts.witnessing ?? {});
    if (publisher.active) await publisher.start();
  } catch (e) {
    await deadlines?.stop();
    await ledger.close();
    await accounts.close();
    throw e;
  }
  let open = true;
  let closing: Promise<void> | undefined;
  return {
    node,
    ledger,
    coordination,
    accounts,
    witness,
    publisher,
    deadlines,
    open: () => open,
    close() {
      closing ??= (async () => {
        open = false;
        // no deadline fires once shutting down; the one running finishes
        await deadlines?.stop();
        // witnesses are not waited for: what they have not cosigned yet they get from the size they last saw, next time
        await publisher.close();
        await coordination.idle();
        try {
          await ledger.close();
        } finally {
          await accounts.close();
        }
      })();
      return closing;
    },
  };
}
