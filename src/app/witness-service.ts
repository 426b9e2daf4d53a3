/**
 * The witness role of a node (C2SP tlog-witness): judges add-checkpoint
 * requests for the logs DIR/witnesses.json lists, cosigns those consistent
 * with the latest checkpoint it cosigned for that log, and keeps, per log:
 *
 *   DIR/witness/logs/<origin hash>.note   the latest cosigned checkpoint, with the
 *                                         log's signature and this witness's cosignature
 *   DIR/witness/evidence/...              refused requests of a log whose signature
 *                                         verified (tlog-witness: "MAY log the request
 *                                         ... as it might be proof of log misbehavior"),
 *                                         and signed evidence files (ledger/evidence.ts)
 *                                         when a checkpoint contradicts the one cosigned
 *
 * tlog-witness: checking the old size against the latest checkpoint and
 * persisting the new one "must be performed atomically": requests for one
 * origin run one at a time here (one serving process per data directory),
 * and the commit point of a cosignature is the rename of the new .note
 * file, before the cosignature is returned.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConcordError, isConcordError } from '../errors.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { makeEvidence, serializeEvidence } from '../ledger/evidence.ts';
import type { Signer, Verifier } from '../ledger/note.ts';
import {
  cosignJudged,
  formatTlogSize,
  judgeAddCheckpoint,
  originHash,
  parseAddCheckpoint,
  TLOG_SIZE_CONTENT_TYPE,
  type CosignedState,
  type WitnessedLog,
} from '../ledger/witness-protocol.ts';
import { writeFileAtomically } from './atomic-file.ts';
import { checkLogKey, loadOrCreateWitnessSigner, readWitnessing, WITNESS_CONFIG_FILE } from './witness-config.ts';
import type { NodeDir } from './node-dir.ts';

export interface WitnessAnswer {
  readonly status: 200 | 400 | 403 | 404 | 409 | 422;
  /** 200: the cosignature line(s); 409: the size; else the reason */
  readonly body: string;
  readonly contentType: string;
  /** where the refused request was kept, if it was */
  readonly evidence?: string;
}

export interface WitnessServiceOptions {
  readonly clock?: () => number;
}

export class WitnessService {
  private readonly node: NodeDir;
  private readonly clock: () => number;
  private signer: Signer | undefined;
  private logs = new Map<string, WitnessedLog>();
  private configStamp = '';
  private readonly states = new Map<string, CosignedState | null>();
  /** one request per origin at a time: the check of the old size and the write of the new state are one step */
  private readonly queues = new Map<string, Promise<unknown>>();
  private evidenceCount = 0;

  constructor(node: NodeDir, opts: WitnessServiceOptions = {}) {
    this.node = node;
    this.clock = opts.clock ?? Date.now;
  }

  private get logsDir(): string {
    return join(this.node.dir, 'witness', 'logs');
  }

  private get evidenceDir(): string {
    return join(this.node.dir, 'witness', 'evidence');
  }

  /** the logs this node witnesses, read again when witnesses.json changed (`concord witness add-log` while serving) */
  private currentLogs(): Map<string, WitnessedLog> {
    const path = join(this.node.dir, WITNESS_CONFIG_FILE);
    let stamp = 'none';
    try {
      const st = statSync(path);
      stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch {
      // no file: no logs
    }
    if (stamp !== this.configStamp) {
      const logs = new Map<string, WitnessedLog>();
      for (const l of readWitnessing(this.node.dir).logs) {
        const existing = logs.get(l.origin);
        logs.set(l.origin, { origin: l.origin, verifiers: [...(existing?.verifiers ?? []), checkLogKey(l.key)] });
      }
      this.logs = logs;
      this.configStamp = stamp;
      this.states.clear();
    }
    return this.logs;
  }

  /** the latest checkpoint cosigned for a log, from memory or its file (checked: the log's signature must verify) */
  stateOf(origin: string): CosignedState | undefined {
    const cached = this.states.get(origin);
    if (cached !== undefined) return cached ?? undefined;
    const log = this.currentLogs().get(origin);
    const path = join(this.logsDir, `${originHash(origin)}.note`);
    let note: string;
    try {
      note = readFileSync(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      this.states.set(origin, null);
      return undefined;
    }
    if (log === undefined) return undefined;
    try {
      const c = openCheckpoint(note, log.verifiers, origin).checkpoint;
      const state = { size: c.size, root: c.root, note };
      this.states.set(origin, state);
      return state;
    } catch (e) {
      throw new ConcordError('DATA_DIR_UNUSABLE', `${path} is not a checkpoint of ${origin} this witness cosigned: ${(e as Error).message}`);
    }
  }

  /** the witness's cosigner vkey (type 0x04), making the key on first need */
  cosignerKey(): string {
    return this.witnessSigner().cosignerVerifierKey;
  }

  private witnessSigner(): Signer {
    this.signer ??= loadOrCreateWitnessSigner(this.node);
    return this.signer;
  }

  /** the latest cosigned checkpoint of the log whose origin hashes to `hash` (monitoring), or undefined */
  latestByHash(hash: string): string | undefined {
    for (const origin of this.currentLogs().keys()) if (originHash(origin) === hash) return this.stateOf(origin)?.note;
    return undefined;
  }

  /** The add-checkpoint call: judge, persist (the commit point), answer. */
  async addCheckpoint(body: Uint8Array): Promise<WitnessAnswer> {
    let req;
    try {
      req = parseAddCheckpoint(body);
    } catch (e) {
      if (isConcordError(e, 'BAD_INPUT')) return text(400, e.message);
      throw e;
    }
    // the origin as the note says it, to queue on; a note that does not parse is refused by judge below without state
    const origin = /^([^\n]*)\n/.exec(req.note)?.[1] ?? '';
    return this.serialised(origin, async () => {
      const logs = this.currentLogs();
      const judged = judgeAddCheckpoint(
        req,
        (o) => logs.get(o),
        (o) => this.stateOf(o),
      );
      if (judged.kind === 'cosign') {
        const nowSeconds = Math.floor(this.clock() / 1000);
        const { line, state } = cosignJudged(judged, this.witnessSigner(), nowSeconds);
        mkdirSync(this.logsDir, { recursive: true, mode: 0o755 });
        // commit point: the new latest checkpoint is on disk before the cosignature leaves
        await writeFileAtomically(join(this.logsDir, `${originHash(judged.origin)}.note`), state.note);
        this.states.set(judged.origin, state);
        return { status: 200, body: line, contentType: 'text/plain; charset=utf-8' };
      }
      let evidence: string | undefined;
      if (judged.signed !== undefined && judged.origin !== undefined) {
        evidence = await this.keepRefused(judged.origin, judged.status, judged.reason, body, req.proof, judged.signed.note);
      }
      if (judged.status === 409) {
        return { status: 409, body: formatTlogSize(judged.size ?? 0), contentType: TLOG_SIZE_CONTENT_TYPE, ...(evidence ? { evidence } : {}) };
      }
      return { ...text(judged.status, judged.reason), ...(evidence ? { evidence } : {}) };
    });
  }

  private serialised<T>(key: string, run: () => Promise<T>): Promise<T> {
    const before = this.queues.get(key) ?? Promise.resolve();
    const mine = before.then(run, run);
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return mine;
  }

  /**
   * Keeps a refused request of a log whose signature verified: the request
   * as received and why; and, when it contradicts the checkpoint cosigned
   * before (a split view, or a proof that fails), a signed evidence file.
   */
  private async keepRefused(origin: string, status: number, reason: string, body: Uint8Array, proof: readonly Buffer[], note: string): Promise<string> {
    mkdirSync(this.evidenceDir, { recursive: true, mode: 0o755 });
    const now = this.clock();
    const stem = `${new Date(now).toISOString().replace(/[:.]/g, '-')}-${originHash(origin).slice(0, 16)}-${status}-${process.pid}-${++this.evidenceCount}`;
    const record = {
      received: new Date(now).toISOString(),
      origin,
      status,
      reason,
      request: Buffer.from(body).toString('utf8'),
    };
    const requestPath = join(this.evidenceDir, `${stem}.request.json`);
    await writeFileAtomically(requestPath, `${JSON.stringify(record, null, 2)}\n`);
    const state = this.stateOf(origin);
    const log = this.currentLogs().get(origin);
    if (status !== 422 || state === undefined || log === undefined) return requestPath;
    const evidence = makeEvidence({
      first: state.note,
      second: note,
      proof,
      logVerifiers: log.verifiers as Verifier[],
      observer: this.witnessSigner(),
      observed: new Date(now).toISOString(),
    });
    if (evidence === undefined) return requestPath;
    const evidencePath = join(this.evidenceDir, `${stem}.${evidence.kind}.evidence.json`);
    await writeFileAtomically(evidencePath, serializeEvidence(evidence));
    return evidencePath;
  }
}

function text(status: WitnessAnswer['status'], body: string): WitnessAnswer {
  return { status, body, contentType: 'text/plain; charset=utf-8' };
}
