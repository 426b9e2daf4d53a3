/**
 * The write side of the SQLite ledger store, as seen from the main thread:
 * group commit, the retries after a failed batch, and shutting down. The
 * store (ledger-store.ts) answers reads from `edge`, the tree as committed,
 * which only this file moves.
 *
 * States and transitions (the fields that hold each in brackets):
 *
 *   idle        nothing queued, in flight, to retry or held; no flush scheduled (`idle`)
 *   queued      append() checked the drafts and queued the call [queue]; a
 *               flush runs once the event loop turns (setImmediate
 *               [flushScheduled]), so every append of one turn shares a group
 *   in flight   flush() cuts the queue into batches of at most SEND_CHUNK
 *               entries; send() builds each (canonical text, leaf hashes,
 *               full tiles) on `building`, the edge after every batch already
 *               sent, and posts it to the writer thread [inFlight]. The writer
 *               thread commits whatever batches have queued up in one
 *               transaction, so this thread builds while the last is fsynced.
 *               Checkpoints saved meanwhile are held [checkpointQueue] and go
 *               right behind the next batch, to share its commit.
 *   committed   settle() without a refusal: `edge` and `lastLeaf` move to the
 *               batch's, its callers are answered; back to queued or idle
 *   broken      settle() with a refusal [broken]: the batches still in flight
 *               were built on it and will be refused too. Each call is sent
 *               again [retry] (built on the failed batch; stale with retries
 *               left; one of several in a failed batch, now alone to find the
 *               call at fault), or rejected, or, if nobody answered (the
 *               writer thread stopped), kept as uncertain [uncertain]. Nothing
 *               is sent while broken.
 *   recovering  the last batch in flight is answered: recoverAfterFailure()
 *               reads the committed log again with the same code that opens
 *               the store, acknowledges the uncertain calls that are on disk,
 *               and queues the rest (retry, then queue) in their order: queued
 *   unusable    recovery failed [unusable]: every queued and later append is
 *               rejected with its error, for good
 *   closing     close() [closing]: no more appends or checkpoints; waits until
 *               idle [drained], then closes the line to the writer thread
 *
 * Commit point: the COMMIT of the writer thread's transaction (batch-writer.ts;
 * an fsync of the WAL under synchronous=FULL). Here it is observed in one
 * place, settle() without a refusal: the only place the committed tree moves
 * forward and the only place a call is acknowledged, except the uncertain
 * calls that recovery finds on disk. A check that must hold of what is
 * acknowledged goes there; a check of what is built goes in send().
 */
import { ConcordError } from '../../errors.ts';
import { buildEntry, parseDraft, type BuiltEntry, type EntryDraft } from '../../ledger/entry.ts';
import { leafHashPrefixed, type Hash } from '../../ledger/merkle/hash.ts';
import { TileEdge, type FullTile } from '../../ledger/tiles.ts';
import type { Appended, Receipt, StoredCheckpoint } from '../store.ts';
import {
  packedLeaf,
  packTexts,
  type CheckpointWrite,
  type DisclosureRow,
  type ReceiptRow,
  type TileRow,
  type WriteRefusal,
  type WriteSink,
} from './batch-writer.ts';
import { tileKey } from './schema.ts';

/**
 * The most entries built before they are sent to the writer thread (tuned
 * with `npm run bench -- ledger`). With N appenders that each wait for their
 * answer, about half are committed while the other half is built: two
 * fsyncs per N appends, but building and committing overlap. On 2 cores
 * with 100 appenders and the machine quiet, this measured a ratio of 0.408
 * against raw batched inserts, and one batch of all 100 (256 here) 0.392;
 * with the disk contended by other work, one batch did better (0.44-0.46
 * against 0.30-0.51). The quiet figure is the one the bench reports.
 */
const SEND_CHUNK = 50;
/** how often a batch is built again after finding another process appended first */
const MAX_STALE_RETRIES = 5;

/** each receipt covers entries of its own call, and names itself once */
function checkReceipts(receipts: readonly Receipt[], drafts: number): void {
  if (receipts.length === 0) return;
  const ids = new Set<string>();
  for (const r of receipts) {
    const fits = Number.isSafeInteger(r.first) && Number.isSafeInteger(r.count) && r.first >= 0 && r.count >= 1 && r.first + r.count <= drafts;
    if (!fits) throw new ConcordError('BAD_INPUT', `receipt ${r.id} covers entries ${r.first}..${r.first + r.count - 1} of an append of ${drafts}`);
    if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > 128 || typeof r.fingerprint !== 'string' || r.fingerprint.length > 128) {
      throw new ConcordError('BAD_INPUT', 'a receipt id and fingerprint are strings of 1 to 128 characters');
    }
    if (ids.has(r.id)) throw new ConcordError('BAD_INPUT', `receipt ${r.id} is named twice in one append`);
    ids.add(r.id);
  }
}

/** the committed log as read from disk, at open and after a failed batch */
export interface CommittedTree {
  readonly edge: TileEdge;
  /** the leaf hash of the last committed entry */
  readonly lastLeaf: Hash | undefined;
  /** when the last committed entry was received, in milliseconds since the epoch (0 on an empty log) */
  readonly lastReceivedMs: number;
}

/** what the pipeline reads from disk, through the store */
export interface CommittedLog {
  /** the committed tree, derived again from what is stored (LEDGER_CORRUPT when it cannot be) */
  recover(): CommittedTree;
  /** the canonical text stored at `index`, if any */
  textAt(index: number): string | undefined;
}

export interface AppendPipelineOptions {
  readonly origin: string;
  readonly log: CommittedLog;
  /** opened on the first write */
  readonly openWriter: () => WriteSink;
  readonly clock: () => number;
  readonly salt: () => Uint8Array;
  /** a read-only view: refuses every write and reads nothing at open */
  readonly readonly: boolean;
}

interface Pending {
  readonly drafts: readonly EntryDraft[];
  readonly receipts: readonly Receipt[];
  readonly resolve: (a: Appended[]) => void;
  readonly reject: (e: unknown) => void;
  /** times this append was refused because the log on disk had moved on */
  stale: number;
  /** its batch failed: it goes again in a batch of its own, so only a call that fails alone is refused */
  alone: boolean;
}

/** a batch sent to the writer thread and not yet answered */
interface InFlight {
  readonly calls: readonly Pending[];
  readonly results: readonly Appended[][];
  /** the tree edge once this batch is committed */
  readonly edgeAfter: TileEdge;
  /** the leaf hash of its last entry */
  readonly lastLeaf: Hash;
  readonly entries: number;
}

export class AppendPipeline {
  private readonly origin: string;
  private readonly log: CommittedLog;
  private readonly openWriter: () => WriteSink;
  private readonly clock: () => number;
  private readonly salt: () => Uint8Array;
  private readonly readonlyView: boolean;
  private writer: WriteSink | undefined;
  /** the tree as committed: what the store's reads answer from */
  private committedEdge: TileEdge;
  /** moves on each time `committedEdge` is read again from disk instead of grown by a batch committed here */
  private committedLineage = 0;
  /** the leaf hash of the last committed entry */
  private lastLeaf: Hash | undefined;
  private lastReceivedMs: number;
  private queue: Pending[] = [];
  private inFlight: InFlight[] = [];
  /** calls whose batch had no answer (the writer thread stopped): what they would have stored */
  private uncertain = new Map<Pending, Appended[]>();
  /** a batch failed: later ones fail too (they were built on it); the store recovers once all are answered */
  private broken = false;
  /** appends to send again after recovery, in their original order */
  private retry: Pending[] = [];
  /** recovery failed: the store takes no more appends */
  private unusable: ConcordError | undefined;
  private drained: Array<() => void> = [];
  /**
   * checkpoints to store, held while appends are in flight so that each goes
   * to the writer thread right behind the next batch and shares its commit
   * (sent at once, each would cost a commit of its own)
   */
  private checkpointQueue: Array<{ readonly checkpoint: CheckpointWrite; readonly done: (r: WriteRefusal | undefined) => void }> = [];
  /** batches committed and the entries in them (the writer thread may commit several batches in one transaction) */
  readonly commits = { batches: 0, entries: 0 };
  private flushScheduled = false;
  private closing: Promise<void> | undefined;

  constructor(opts: AppendPipelineOptions) {
    this.origin = opts.origin;
    this.log = opts.log;
    this.openWriter = opts.openWriter;
    this.clock = opts.clock;
    this.salt = opts.salt;
    this.readonlyView = opts.readonly;
    // opening runs recovery: the same code as after a failed batch (recoverAfterFailure)
    const recovered = this.readonlyView ? { edge: new TileEdge(0, []), lastReceivedMs: 0, lastLeaf: undefined } : this.log.recover();
    this.committedEdge = recovered.edge;
    this.lastLeaf = recovered.lastLeaf;
    this.lastReceivedMs = recovered.lastReceivedMs;
  }

  /** the tree as committed (a new object each time it moves) */
  get edge(): TileEdge {
    return this.committedEdge;
  }

  /**
   * Two edges of one lineage are of one tree: the later was grown from the
   * earlier by batches committed here (settle), so it extends it. Recovery
   * reads the tree from disk again (what another process or a hand on the
   * disk left there) and starts a new lineage.
   */
  get lineage(): number {
    return this.committedLineage;
  }

  append(drafts: readonly EntryDraft[], receipts: readonly Receipt[] = []): Promise<Appended[]> {
    if (this.closing) return Promise.reject(new ConcordError('LEDGER_CLOSED', 'the ledger is closed'));
    if (this.readonlyView) return Promise.reject(new ConcordError('LEDGER_CLOSED', 'the ledger is open read-only'));
    if (this.unusable) return Promise.reject(this.unusable);
    let checked: EntryDraft[];
    try {
      checked = drafts.map((d) => parseDraft(d));
      checkReceipts(receipts, checked.length);
    } catch (e) {
      return Promise.reject(e);
    }
    if (checked.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ drafts: checked, receipts, resolve, reject, stale: 0, alone: false });
      this.scheduleFlush();
    });
  }

  /** the tree after every batch sent to the writer thread: where the next batch is built */
  private get building(): TileEdge {
    return this.inFlight[this.inFlight.length - 1]?.edgeAfter ?? this.committedEdge;
  }

  /** the leaf hash of the last entry in `building`: a batch commits only on top of exactly that entry */
  private get buildingLast(): Hash | undefined {
    return this.inFlight[this.inFlight.length - 1]?.lastLeaf ?? this.lastLeaf;
  }

  /** nothing queued, in flight, waiting to be sent again or about to be flushed */
  private get idle(): boolean {
    return this.queue.length === 0 && this.inFlight.length === 0 && this.retry.length === 0 && this.checkpointQueue.length === 0 && !this.flushScheduled;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // group commit: everything queued until the event loop turns goes in one batch
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    // Sent in chunks, each as soon as it is built: the writer thread commits
    // the first while this thread builds the next, and takes every chunk
    // that queued up meanwhile in one transaction. So the group committed
    // grows with the load and this thread never waits for an fsync.
    while (!this.broken && this.queue.length > 0) {
      let taken = 0;
      let n = 0;
      while (taken < this.queue.length) {
        const call = this.queue[taken] as Pending;
        if (n > 0 && (call.alone || n + call.drafts.length > SEND_CHUNK)) break;
        n += call.drafts.length;
        taken++;
        if (call.alone) break;
      }
      this.send(this.queue.splice(0, taken));
    }
    // behind the batches just sent (the writer thread takes them together), or alone if none was
    if (this.checkpointQueue.length > 0 && this.writer !== undefined) {
      for (const c of this.checkpointQueue.splice(0)) void this.writer.checkpoint(c.checkpoint).then(c.done);
    }
    this.notifyIfDrained();
  }

  /** builds a batch on the edge of everything sent so far and sends it to the writer thread */
  private send(batch: Pending[]): void {
    const receivedMs = Math.max(this.clock(), this.lastReceivedMs);
    const received = new Date(receivedMs).toISOString();
    const expectedSize = this.building.size;
    const calls: Pending[] = [];
    const builtByCall: BuiltEntry[][] = [];
    const texts: string[] = [];
    const types: string[] = [];
    const incidents: string[] = [];
    const disclosures: DisclosureRow[] = [];
    for (const call of batch) {
      let built: BuiltEntry[];
      try {
        built = [];
        for (const d of call.drafts) built.push(buildEntry(d, expectedSize + texts.length + built.length, this.origin, received, this.salt));
      } catch (e) {
        call.reject(e);
        continue;
      }
      for (const b of built) {
        texts.push(b.text);
        types.push(b.entry.type);
        incidents.push(b.entry.incident ?? '');
        for (const d of b.disclosures) disclosures.push([b.entry.index, d.path, d.salt, JSON.stringify(d.value)]);
      }
      calls.push(call);
      builtByCall.push(built);
    }
    if (calls.length === 0) return;
    // the texts go to the writer thread packed in one buffer, and are hashed where they lie
    const packed = packTexts(texts);
    const leaves: Hash[] = [];
    for (let i = 0; i < texts.length; i++) leaves.push(leafHashPrefixed(packedLeaf(packed, i)));
    const results: Appended[][] = [];
    const receipts: ReceiptRow[] = [];
    let k = 0;
    calls.forEach((call, c) => {
      const built = builtByCall[c] as BuiltEntry[];
      const out: Appended[] = [];
      for (const b of built) out.push({ index: b.entry.index, received, text: b.text, leafHash: leaves[k++] as Hash });
      for (const r of call.receipts) receipts.push([r.id, r.fingerprint, (out[r.first] as Appended).index, r.count]);
      results.push(out);
    });
    this.writer ??= this.openWriter();
    const edgeAfter = this.building.clone();
    // a hash is a slice of Node's shared pool: passed as it is, the whole 8 KB pool would be copied
    const tiles: TileRow[] = edgeAfter.append(leaves).map((t: FullTile) => [tileKey(t.id), t.hashes, new Uint8Array(t.root)]);
    const base = this.buildingLast;
    this.lastReceivedMs = receivedMs;
    const flight: InFlight = { calls, results, edgeAfter, lastLeaf: leaves[leaves.length - 1] as Hash, entries: leaves.length };
    this.inFlight.push(flight);
    void this.writer
      .batch({
        expectedSize,
        base: base === undefined ? null : new Uint8Array(base),
        received,
        texts: packed,
        types: types.join('\n'),
        incidents: incidents.join('\n'),
        disclosures,
        receipts,
        tiles,
      })
      .then((refusal) => this.settle(flight, refusal));
  }

  /** the writer thread answered a batch (answers come in the order batches were sent) */
  private settle(flight: InFlight, refusal: WriteRefusal | undefined): void {
    this.inFlight.shift();
    if (refusal === undefined) {
      // committed: only now does the tree move forward and do callers hear of it
      this.committedEdge = flight.edgeAfter;
      this.lastLeaf = flight.lastLeaf;
      this.commits.batches++;
      this.commits.entries += flight.entries;
      flight.calls.forEach((call, i) => call.resolve(flight.results[i] as Appended[]));
    } else {
      const cause = !this.broken;
      this.broken = true;
      flight.calls.forEach((call, i) => {
        if (refusal.kind === 'unknown') {
          // committed or not, nobody said: recovery looks on disk before sending it again
          this.uncertain.set(call, flight.results[i] as Appended[]);
          this.retry.push(call);
        } else if (!cause) {
          // built on the batch that failed: not this append's fault, send it again
          this.retry.push(call);
        } else if (refusal.kind === 'stale' && call.stale < MAX_STALE_RETRIES) {
          // another process appended since we last looked: catch up from disk, build again
          call.stale++;
          this.retry.push(call);
        } else if (refusal.kind === 'failed' && flight.calls.length > 1) {
          // one batch, one fate: find out which calls fail on their own
          call.alone = true;
          this.retry.push(call);
        } else {
          call.reject(
            refusal.kind === 'stale'
              ? new ConcordError('LEDGER_CONTENDED', 'append failed, nothing was stored: another process keeps appending to this ledger')
              : new ConcordError('LEDGER_CORRUPT', `append failed, nothing was stored: ${refusal.kind === 'failed' ? refusal.message : refusal.kind}`),
          );
        }
      });
    }
    if (this.broken && this.inFlight.length === 0) this.recoverAfterFailure();
    // the callers just answered append again before the flush runs: held checkpoints go with their batch
    if (this.queue.length > 0 || this.retry.length > 0 || this.checkpointQueue.length > 0) this.scheduleFlush();
    this.notifyIfDrained();
  }

  /** every batch sent has been answered and one failed: start again from what is on disk */
  private recoverAfterFailure(): void {
    let again = this.retry.concat(this.queue);
    this.retry = [];
    this.queue = [];
    try {
      const recovered = this.log.recover();
      if (this.uncertain.size > 0) again = again.filter((call) => !this.settleFromDisk(call));
      this.committedEdge = recovered.edge;
      this.committedLineage++;
      this.lastLeaf = recovered.lastLeaf;
      this.lastReceivedMs = Math.max(this.lastReceivedMs, recovered.lastReceivedMs);
      this.broken = false;
      this.queue = again;
    } catch (e) {
      this.unusable = e instanceof ConcordError ? e : new ConcordError('LEDGER_CORRUPT', (e as Error).message);
      for (const call of again) call.reject(this.unusable);
    }
  }

  /**
   * A call whose batch had no answer: if every entry it would have stored is
   * on disk as built, the batch was committed; acknowledge it rather than
   * append it twice. True when the call is settled.
   */
  private settleFromDisk(call: Pending): boolean {
    const results = this.uncertain.get(call);
    this.uncertain.delete(call);
    if (results === undefined || !results.every((r) => this.log.textAt(r.index) === r.text)) return false;
    call.resolve(results);
    return true;
  }

  private notifyIfDrained(): void {
    if (!this.idle) return;
    const waiting = this.drained;
    this.drained = [];
    for (const done of waiting) done();
  }

  /** stores a checkpoint, in the same commit as the next batch when appends are under way */
  async saveCheckpoint(cp: StoredCheckpoint): Promise<void> {
    if (this.closing) throw new ConcordError('LEDGER_CLOSED', 'the ledger is closed');
    if (this.readonlyView) throw new ConcordError('LEDGER_CLOSED', 'the ledger is open read-only');
    const writer = (this.writer ??= this.openWriter());
    const checkpoint: CheckpointWrite = { size: cp.size, root: cp.root, note: cp.note };
    const refusal =
      this.inFlight.length > 0 || this.queue.length > 0
        ? await new Promise<WriteRefusal | undefined>((done) => this.checkpointQueue.push({ checkpoint, done }))
        : await writer.checkpoint(checkpoint);
    if (refusal?.kind === 'checkpoint_conflict')
      throw new ConcordError('LEDGER_CORRUPT', `a checkpoint for size ${cp.size} with another root is already stored`);
    if (refusal !== undefined) throw new ConcordError('LEDGER_CORRUPT', `checkpoint not stored: ${refusal.kind === 'failed' ? refusal.message : refusal.kind}`);
  }

  /** takes no more appends or checkpoints, waits for those already taken, then closes the line to the writer thread */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (!this.idle) await new Promise<void>((resolve) => this.drained.push(resolve));
    await this.writer?.close();
  }
}
