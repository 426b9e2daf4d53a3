/**
 * Replays a scenario through the same application layer the server uses:
 * first a dry run that keeps nothing (so an invalid step is reported with
 * its line and nothing is appended), then the real run into the node's
 * ledger, with the clock set to each step's time.
 */
import { ConcordError, isConcordError } from '../errors.ts';
import type { EntryDraft } from '../ledger/entry.ts';
import { EMPTY_ROOT } from '../ledger/merkle/hash.ts';
import type { ProtocolBook } from '../policy/index.ts';
import type { Appended, LedgerStore } from '../store/store.ts';
import { CoordinationService, type EventLedger } from './coordination.ts';
import { initNodeDir, isNodeDir, openNodeDir } from './node-dir.ts';
import { openNodeLedger } from './node-ledger.ts';
import { loadProtocolBook } from './protocol-files.ts';
import type { Scenario, ScenarioStep } from './scenario.ts';
import { isRecipient, nextEscalationDeadline, type Command, type RecordedEvent } from '../domain/index.ts';

export interface ScenarioRunOptions {
  /** create the data directory with this origin if it is not a node yet (after the dry run passes) */
  readonly origin?: string;
  /** replay only the steps at or before this time (deadlines up to it still escalate) */
  readonly until?: string;
}

export interface ScenarioRunResult {
  readonly steps: number;
  readonly refusedAsExpected: number;
  readonly escalations: number;
  readonly entries: number;
  readonly incidents: readonly string[];
  readonly service: CoordinationService;
}

/**
 * A ledger that numbers and times entries but keeps nothing: for the dry run.
 * It starts where the node's ledger stands (its world, its size, its last
 * receive time), so the dry run decides every step exactly as the real run will.
 */
class DryRunLedger implements EventLedger {
  constructor(
    private readonly clock: () => number,
    readonly store: LedgerStore | undefined,
    private size: number,
    private lastReceivedMs: number,
  ) {}
  async append(drafts: readonly EntryDraft[]): Promise<Appended[]> {
    // receive times never go backwards, as in the store
    this.lastReceivedMs = Math.max(this.clock(), this.lastReceivedMs);
    const received = new Date(this.lastReceivedMs).toISOString();
    return drafts.map(() => ({ index: this.size++, received, text: '', leafHash: EMPTY_ROOT }));
  }
}

async function loadProtocols(scenario: Scenario): Promise<ProtocolBook | undefined> {
  if (!scenario.protocolsDir) return undefined;
  try {
    return await loadProtocolBook(scenario.protocolsDir);
  } catch (e) {
    if (e instanceof ConcordError)
      throw new ConcordError(e.code, `${scenario.file}: protocols: ${e.message}`, e.details === undefined ? undefined : { ...e.details }, { cause: e });
    throw e;
  }
}

function refuse(scenario: Scenario, step: ScenarioStep, message: string): never {
  throw new ConcordError('BAD_INPUT', `${scenario.file}:${step.line}: ${step.command.type} at ${step.at}: ${message}`);
}

/** the commands a step stands for: itself, or one per notification its selector matches */
function expand(scenario: Scenario, step: ScenarioStep, service: CoordinationService): Command[] {
  const sel = step.select;
  if (!sel) return [step.command];
  const c = step.command;
  const acknowledging = c.type === 'notification.acknowledge';
  const target = acknowledging ? ['created', 'delivered'] : ['created'];
  const world = service.world;
  const now = service.now();
  const matches = Object.values(world.notifications)
    .filter(
      (n) =>
        // what is addressed to the actor: to them, to a post they hold, or to their agency as a whole
        isRecipient(world, c.actor, n, now) &&
        target.includes(n.status) &&
        (sel.order === undefined || n.order === sel.order) &&
        (sel.request === undefined || n.request === sel.request) &&
        (sel.topic === undefined || n.topic === sel.topic) &&
        (sel.person === undefined || n.recipient.person === sel.person),
    )
    .sort((a, b) => a.index - b.index);
  if (matches.length === 0) {
    const to = acknowledging && c.actor.person !== undefined ? `${c.actor.person} (${c.actor.agency})` : c.actor.agency;
    refuse(scenario, step, `no notification to ${to} matches ${JSON.stringify(sel)}`);
  }
  return matches.map((n) => ({ ...c, notificationId: n.id }) as Command);
}

async function replay(
  scenario: Scenario,
  service: CoordinationService,
  setClock: (iso: string) => void,
  until: string | undefined,
): Promise<{ steps: number; refused: number; escalations: number }> {
  let steps = 0;
  let refused = 0;
  let escalations = 0;
  const escalateUntil = async (t: string): Promise<void> => {
    // each overdue request escalates at its own deadline, in time order
    for (;;) {
      // only requests that can escalate: one at the top of its chain keeps a passed deadline forever
      const due = nextEscalationDeadline(service.world, t);
      if (due === undefined) return;
      setClock(due);
      const done = await service.escalateOverdue();
      if (done.length === 0) return;
      escalations += done.length;
    }
  };
  for (const step of scenario.steps) {
    if (until !== undefined && step.at > until) break;
    await escalateUntil(step.at);
    setClock(step.at);
    try {
      for (const command of expand(scenario, step, service)) await service.execute(command);
      if (step.expectRefused) refuse(scenario, step, `expected to be refused with ${step.expectRefused}, but it was accepted`);
    } catch (e) {
      if (!isConcordError(e)) throw e;
      if (e.message.startsWith(`${scenario.file}:`)) throw e;
      if (step.expectRefused !== e.code)
        refuse(scenario, step, step.expectRefused ? `refused with ${e.code} (${e.message}), expected ${step.expectRefused}` : `${e.code}: ${e.message}`);
      refused++;
    }
    steps++;
  }
  if (until !== undefined) await escalateUntil(until);
  return { steps, refused, escalations };
}

export async function runScenario(scenario: Scenario, dataDir: string, opts: ScenarioRunOptions = {}): Promise<ScenarioRunResult> {
  const protocols = await loadProtocols(scenario);
  // steps' times are in toISOString form (scenario.ts); --until may carry an offset or another precision
  const until = opts.until === undefined ? undefined : new Date(Date.parse(opts.until)).toISOString();
  const first = scenario.steps[0]?.at;
  let now = first ? Date.parse(first) : Date.now();
  const clock = (): number => now;
  const setClock = (iso: string): void => {
    now = Date.parse(iso);
  };

  // a new node is checked before its directory is created; the ledger it gets is empty, so once is enough
  const newNode = !isNodeDir(dataDir);
  if (newNode) {
    if (opts.origin === undefined) throw new ConcordError('DATA_DIR_MISSING', `${dataDir} is not a Concord data directory`);
    // a new node: check every step against an empty world before the directory is even created
    const dry = await CoordinationService.open(new DryRunLedger(clock, undefined, 0, 0), { ...(protocols ? { protocols } : {}), clock });
    await replay(scenario, dry, setClock, until);
    initNodeDir(dataDir, opts.origin);
    setClock(first ?? new Date().toISOString());
  }
  const { sealing } = openNodeDir(dataDir);
  const ledger = await openNodeLedger(dataDir, { clock });
  try {
    const sizeBefore = await ledger.store.size();
    const latest = await ledger.store.entry(sizeBefore - 1);
    const lastReceived = latest ? (JSON.parse(latest.text) as { received: string }).received : undefined;
    if (lastReceived !== undefined && first && Date.parse(lastReceived) > Date.parse(first)) {
      throw new ConcordError(
        'BAD_INPUT',
        `${dataDir} already holds entries received up to ${lastReceived}, after the scenario starts (${first}); replay into a new data directory`,
      );
    }

    // the world the ledger holds, projected once for both runs
    const service = await CoordinationService.open(ledger, { ...(protocols ? { protocols } : {}), clock, sealing });

    // 1. dry run on top of what the ledger holds: every step must pass before anything is written
    if (!newNode || sizeBefore > 0) {
      const dryLedger = new DryRunLedger(clock, ledger.store, sizeBefore, lastReceived ? Date.parse(lastReceived) : 0);
      const dry = CoordinationService.from(dryLedger, service.world, { ...(protocols ? { protocols } : {}), clock, sealing });
      await replay(scenario, dry, setClock, until);
    }

    // 2. the real run
    setClock(first ?? new Date().toISOString());
    const r = await replay(scenario, service, setClock, until);
    return {
      steps: r.steps,
      refusedAsExpected: r.refused,
      escalations: r.escalations,
      entries: (await ledger.store.size()) - sizeBefore,
      incidents: Object.keys(service.world.incidents),
      service,
    };
  } finally {
    await ledger.close();
  }
}

export interface ScenarioMemoryRun {
  readonly service: CoordinationService;
  /** every event the replay recorded, in ledger order, with the index and receive time it was given */
  readonly recorded: readonly RecordedEvent[];
}

/**
 * Replays a scenario into a ledger that keeps nothing (the dry run's), for
 * tests and tools that need the world a scenario builds and the events that
 * built it, without a data directory. `newId` makes the ids the scenario
 * leaves unnamed (notifications) predictable.
 */
export async function replayInMemory(scenario: Scenario, opts: { readonly newId?: (prefix: string) => string } = {}): Promise<ScenarioMemoryRun> {
  const protocols = await loadProtocols(scenario);
  const first = scenario.steps[0]?.at;
  let now = first ? Date.parse(first) : 0;
  const clock = (): number => now;
  const service = await CoordinationService.open(new DryRunLedger(clock, undefined, 0, 0), {
    ...(protocols ? { protocols } : {}),
    clock,
    ...(opts.newId ? { newId: opts.newId } : {}),
  });
  const recorded: RecordedEvent[] = [];
  service.subscribe((r) => recorded.push(r));
  await replay(
    scenario,
    service,
    (iso) => {
      now = Date.parse(iso);
    },
    undefined,
  );
  return { service, recorded };
}
