/**
 * Publishing a node's checkpoints through its witnesses (C2SP tlog-witness,
 * client side; docs/witnesses.md). After the node signs a checkpoint it
 * sends it to each witness in DIR/witnesses.json with a consistency proof
 * from the size that witness last cosigned, handles 409 by resending from
 * the size the witness names, retries a witness that is down or refuses
 * with exponential backoff, and collects the cosignatures. A checkpoint
 * cosigned by `quorum` witnesses is the node's witnessed checkpoint.
 *
 * Two states, both visible (status(), GET /v1/witnessing and headers of
 * GET /checkpoint): durable, the latest checkpoint the node signed (its
 * entries are on disk and it is bound by it); witnessed, the latest one
 * cosigned by the quorum. Appends never wait for witnesses: a witness that
 * is down delays witnessing, never an append.
 *
 * Persisted, each written atomically before it is relied on:
 *   DIR/witnessing/<hash of name>.json   per witness: the size it last cosigned
 *                                        (or told us in a 409) and its recent cosignatures
 *   DIR/witnessed-checkpoint             the latest witnessed checkpoint, with the
 *                                        log's signature and the quorum's cosignatures
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { openNote, parseVerifierKey, type Verifier } from '../ledger/note.ts';
import { parseJsonStrict } from '../ledger/strict-json.ts';
import { formatAddCheckpoint, parseTlogSize } from '../ledger/witness-protocol.ts';
import type { StoredCheckpoint } from '../store/store.ts';
import { writeFileAtomically } from './atomic-file.ts';
import type { LedgerService } from './ledger.ts';
import type { NodeDir } from './node-dir.ts';
import type { WitnessConfig, WitnessingConfig } from './witness-config.ts';

export const WITNESSED_CHECKPOINT_FILE = 'witnessed-checkpoint';
/** cosignatures kept per witness, newest first: enough for the quorum to meet on one size while the log moves on */
const RECENT = 16;

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

export interface PublisherOptions {
  readonly fetch?: typeof fetch;
  readonly backoff?: BackoffOptions;
  /** how long one add-checkpoint call may take */
  readonly timeoutMs?: number;
  readonly log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

interface Cosigned {
  readonly size: number;
  readonly root: string;
  readonly line: string;
}

interface WitnessState {
  /** the size of the latest checkpoint the witness cosigned for this log, as far as we know */
  size: number;
  recent: Cosigned[];
}

interface Witness {
  readonly config: WitnessConfig;
  readonly verifier: Verifier;
  readonly file: string;
  state: WitnessState;
  failures: number;
  lastError: string | undefined;
  nextAttempt: number | undefined;
  running: Promise<void> | undefined;
}

export interface WitnessingStatus {
  readonly durable: { readonly size: number } | null;
  readonly witnessed: { readonly size: number; readonly cosignatures: number } | null;
  readonly quorum: number;
  readonly witnesses: ReadonlyArray<{
    readonly name: string;
    readonly url: string;
    readonly size: number;
    readonly cosigned: number | null;
    readonly error: string | null;
    readonly next_attempt: string | null;
  }>;
}

export class WitnessPublisher {
  private readonly node: NodeDir;
  private readonly ledger: LedgerService;
  private readonly config: WitnessingConfig;
  private readonly witnesses: Witness[];
  private readonly fetch: typeof fetch;
  private readonly backoff: BackoffOptions;
  private readonly timeoutMs: number;
  private readonly log: PublisherOptions['log'];
  private latest: StoredCheckpoint | undefined;
  /** notes of recent checkpoints by size, to attach cosignatures to */
  private readonly notes = new Map<number, StoredCheckpoint>();
  private witnessed: { size: number; note: string; cosignatures: number } | undefined;
  private closed = false;
  private wake: () => void = () => undefined;
  private woken: Promise<void> = Promise.resolve();
  private readonly aborts = new Set<AbortController>();
  private unsubscribe: (() => void) | undefined;
  private readonly waiters: Array<{ size: number; done: () => void }> = [];

  constructor(node: NodeDir, ledger: LedgerService, config: WitnessingConfig, opts: PublisherOptions = {}) {
    this.node = node;
    this.ledger = ledger;
    this.config = config;
    this.fetch = opts.fetch ?? fetch;
    this.backoff = opts.backoff ?? { initialMs: 500, maxMs: 30_000 };
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.log = opts.log;
    const dir = join(node.dir, 'witnessing');
    this.witnesses = config.witnesses.map((c) => {
      const file = join(dir, `${createHash('sha256').update(c.name).digest('hex').slice(0, 32)}.json`);
      return {
        config: c,
        verifier: parseVerifierKey(c.key),
        file,
        state: readState(file, c.key),
        failures: 0,
        lastError: undefined,
        nextAttempt: undefined,
        running: undefined,
      };
    });
    this.resetWake();
  }

  get quorum(): number {
    return this.config.quorum;
  }

  /** does this node publish through witnesses at all? */
  get active(): boolean {
    return this.witnesses.length > 0 && this.config.quorum > 0;
  }

  async start(): Promise<void> {
    mkdirSync(join(this.node.dir, 'witnessing'), { recursive: true, mode: 0o755 });
    this.readWitnessed();
    const cp = await this.ledger.latestCheckpoint();
    if (cp !== undefined) this.remember(cp);
    this.unsubscribe = this.ledger.onSigned((c) => {
      this.remember(c);
      this.wake();
    });
    for (const w of this.witnesses) w.running = this.run(w);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    for (const a of this.aborts) a.abort();
    this.wake();
    await Promise.all(this.witnesses.map((w) => w.running));
    for (const w of this.waiters.splice(0)) w.done();
  }

  /** resolves once a checkpoint of at least `size` is witnessed (or the publisher closes) */
  whenWitnessed(size: number): Promise<void> {
    if ((this.witnessed?.size ?? -1) >= size || this.closed) return Promise.resolve();
    return new Promise((done) => this.waiters.push({ size, done }));
  }

  /** the note GET /checkpoint serves: the witnessed checkpoint once there is one, else the latest durable one */
  served(): { note: string; witnessed: boolean } | undefined {
    if (this.witnessed !== undefined) return { note: this.witnessed.note, witnessed: true };
    return this.latest !== undefined ? { note: this.latest.note, witnessed: false } : undefined;
  }

  /** the latest witnessed checkpoint (the log's signature and the quorum's cosignatures), if any */
  witnessedCheckpoint(): { size: number; note: string } | undefined {
    return this.witnessed;
  }

  status(): WitnessingStatus {
    return {
      durable: this.latest !== undefined ? { size: this.latest.size } : null,
      witnessed: this.witnessed !== undefined ? { size: this.witnessed.size, cosignatures: this.witnessed.cosignatures } : null,
      quorum: this.config.quorum,
      witnesses: this.witnesses.map((w) => ({
        name: w.config.name,
        url: w.config.url,
        size: w.state.size,
        cosigned: w.state.recent[0]?.size ?? null,
        error: w.lastError ?? null,
        next_attempt: w.nextAttempt !== undefined ? new Date(w.nextAttempt).toISOString() : null,
      })),
    };
  }

  private remember(cp: StoredCheckpoint): void {
    if (this.latest === undefined || cp.size >= this.latest.size) this.latest = cp;
    this.notes.set(cp.size, cp);
    // the few newest: cosignatures arrive for recent checkpoints only
    while (this.notes.size > RECENT * 2) this.notes.delete(Math.min(...this.notes.keys()));
  }

  private resetWake(): void {
    this.woken = new Promise<void>((resolve) => {
      this.wake = () => {
        resolve();
        this.resetWake();
      };
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      void this.woken.then(() => {
        if (this.closed) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  }

  /** one witness: submit the latest checkpoint until it is cosigned; wait for the next; back off on failures */
  private async run(w: Witness): Promise<void> {
    while (!this.closed) {
      const target = this.latest;
      const last = w.state.recent[0];
      if (target === undefined || (last !== undefined && last.size === target.size && last.root === target.root.toString('base64'))) {
        await this.woken;
        continue;
      }
      try {
        await this.submit(w, target);
        if (w.failures > 0) this.log?.info({ witness: w.config.name, size: target.size }, 'witness cosigned again');
        w.failures = 0;
        w.lastError = undefined;
        w.nextAttempt = undefined;
      } catch (e) {
        if (this.closed) return;
        w.failures++;
        w.lastError = (e as Error).message;
        // exponential backoff with jitter, so witnesses that came back are not hit all at once
        const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** Math.min(w.failures - 1, 20)) * (0.75 + Math.random() / 2);
        w.nextAttempt = Date.now() + delay;
        this.log?.warn({ witness: w.config.name, size: target.size, err: w.lastError, retryInMs: Math.round(delay) }, 'witness did not cosign');
        await this.sleep(delay);
      }
    }
  }

  private async submit(w: Witness, target: StoredCheckpoint): Promise<void> {
    // a 409 names the witness's size; one resend from it, and a second 409 is a failure (the witness moves while we talk)
    for (let attempt = 0; attempt < 3; attempt++) {
      const old = w.state.size;
      if (old > target.size) {
        throw new Error(
          `the witness has cosigned size ${old} of this log, beyond its latest checkpoint (${target.size}): the log was rolled back, or another process signed`,
        );
      }
      const proof = old > 0 && old < target.size ? (await this.ledger.consistencyProof(old, target.size)).proof : [];
      const body = formatAddCheckpoint({ oldSize: old, proof, note: target.note });
      const abort = new AbortController();
      this.aborts.add(abort);
      const timer = setTimeout(() => abort.abort(), this.timeoutMs);
      let status: number;
      let text: string;
      try {
        const res = await this.fetch(`${w.config.url}/add-checkpoint`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body,
          signal: abort.signal,
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        throw new Error(
          `cannot reach ${w.config.url}: ${(e as Error).message}${(e as { cause?: { code?: string } }).cause?.code ? ` (${(e as { cause: { code: string } }).cause.code})` : ''}`,
        );
      } finally {
        clearTimeout(timer);
        this.aborts.delete(abort);
      }
      if (status === 200) {
        await this.accept(w, target, text);
        return;
      }
      if (status === 409) {
        const size = parseTlogSize(text);
        if (size === old) throw new Error(`409 naming the size we sent (${old})`);
        w.state = { ...w.state, size };
        await this.saveState(w);
        continue;
      }
      let detail = text.slice(0, 500);
      try {
        detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? detail);
      } catch {
        // not a problem document: the text as it came
      }
      throw new Error(`${status}: ${detail}`);
    }
    throw new Error('the witness answered 409 again and again');
  }

  /** a 200 body: cosignature lines; only those by the configured key, verified over the checkpoint, count */
  private async accept(w: Witness, target: StoredCheckpoint, body: string): Promise<void> {
    const lines = body.split('\n').filter((l) => l !== '');
    const mine = lines.find((l) => {
      try {
        const opened = openNote(`${target.note}${l}\n`, [w.verifier]);
        return opened.verified.some((s) => s.type === 'cosignature/v1' && s.timestamp !== 0);
      } catch {
        return false;
      }
    });
    if (mine === undefined) throw new Error('200 without a valid cosignature by the configured witness key');
    const entry: Cosigned = { size: target.size, root: target.root.toString('base64'), line: `${mine}\n` };
    w.state = { size: target.size, recent: [entry, ...w.state.recent.filter((c) => c.size !== target.size)].slice(0, RECENT) };
    await this.saveState(w);
    await this.collect();
  }

  private async saveState(w: Witness): Promise<void> {
    await writeFileAtomically(w.file, `${JSON.stringify({ name: w.config.name, key: w.config.key, ...w.state })}\n`);
  }

  /** the largest recent size cosigned by the quorum becomes the witnessed checkpoint (written before it is served) */
  private async collect(): Promise<void> {
    const sizes = [...this.notes.keys()].sort((a, b) => b - a);
    for (const size of sizes) {
      if (this.witnessed !== undefined && size <= this.witnessed.size) return;
      const cp = this.notes.get(size)!;
      const root = cp.root.toString('base64');
      const lines = this.witnesses.map((w) => w.state.recent.find((c) => c.size === size && c.root === root)?.line).filter((l): l is string => l !== undefined);
      if (lines.length < this.config.quorum) continue;
      const note = `${cp.note}${lines.join('')}`;
      // commit point of "witnessed": the rename of the file; only then is it served
      await writeFileAtomically(join(this.node.dir, WITNESSED_CHECKPOINT_FILE), note);
      this.witnessed = { size, note, cosignatures: lines.length };
      for (const waiter of this.waiters.filter((x) => x.size <= size)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.done();
      }
      return;
    }
  }

  private readWitnessed(): void {
    const path = join(this.node.dir, WITNESSED_CHECKPOINT_FILE);
    if (!existsSync(path)) return;
    const note = readFileSync(path, 'utf8');
    try {
      const opened = openCheckpoint(note, [this.ledger.verifier, ...this.witnesses.map((w) => w.verifier)], this.node.origin);
      const cosignatures = opened.signatures.filter((s) => s.type === 'cosignature/v1').length;
      this.witnessed = { size: opened.checkpoint.size, note, cosignatures };
    } catch (e) {
      this.log?.warn({ err: (e as Error).message }, `${path} does not verify; it is ignored until a checkpoint is witnessed again`);
    }
  }
}

/** DIR/witnessed-checkpoint as it stands, if there is one (checked by whoever uses it) */
export function readWitnessedNote(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, WITNESSED_CHECKPOINT_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function readState(file: string, key: string): WitnessState {
  if (!existsSync(file)) return { size: 0, recent: [] };
  try {
    const o = parseJsonStrict(readFileSync(file, 'utf8')) as { key?: unknown; size?: unknown; recent?: unknown };
    // another key is another witness: what the old one saw says nothing about it
    if (o.key !== key || !Number.isSafeInteger(o.size) || !Array.isArray(o.recent)) return { size: 0, recent: [] };
    return { size: o.size as number, recent: o.recent as Cosigned[] };
  } catch {
    return { size: 0, recent: [] };
  }
}
