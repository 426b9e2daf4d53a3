/**
 * The embedded ledger store: better-sqlite3, WAL, synchronous=FULL, with
 * group commit. Entries, their disclosures and the full tiles they complete
 * are written in one transaction. Partial tiles are never written: the right
 * edge of the tree is derived at open from the last (< 256) entries and the
 * roots of the full tiles, so a batch writes little more than its rows.
 *
 * Appends queued while the event loop turns are built on this thread
 * (canonical text, leaf hashes, tiles) in chunks, each sent to the writer
 * thread as soon as it is built (batch-writer.ts). The writer thread commits
 * whatever has queued up in one transaction, so this thread builds while the
 * last group is fsynced and the group grows when the disk is slow.
 *
 * Commit point: the COMMIT of the batch's transaction (an fsync of the WAL
 * under synchronous=FULL). Before it nothing of the batch exists; after it
 * all of it does, and only then are the appends acknowledged. Opening a store
 * always rebuilds the in-memory right edge of the tree from what is
 * committed, so the normal open path is also the crash-recovery path; a
 * failed batch makes the store recover the same way before it goes on.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { ConcordError } from '../../errors.ts';
import { buildEntry, parseDraft, type BuiltEntry, type Disclosure, type EntryDraft, type JsonValue } from '../../ledger/entry.ts';
import { leafHashText, type Hash, type NodeId } from '../../ledger/merkle.ts';
import { ExpandedTile, TILE_HEIGHT, TILE_WIDTH, TileEdge, tileCount, type FullTile, type TileId } from '../../ledger/tiles.ts';
import type { Appended, EntryFilter, LedgerStore, StoredCheckpoint, StoredEntry } from '../store.ts';
import type { CheckpointWrite, DisclosureRow, TileRow, WriteRefusal, WriteSink } from './batch-writer.ts';
import { LedgerWriter } from './writer-thread.ts';

export interface SqliteStoreOptions {
  /** path of the database file */
  readonly path: string;
  /** required when creating a new log; checked against the stored one otherwise */
  readonly origin?: string;
  readonly create?: boolean;
  /** milliseconds since the epoch; injected so replays and tests control time */
  readonly clock?: () => number;
  /** 16 random bytes per sealed field */
  readonly salt?: () => Uint8Array;
  /** how many expanded tiles to keep in memory (each at most 16 KiB) */
  readonly tileCacheSize?: number;
  /**
   * A read-only view of what is on disk, for verification: no recovery, no
   * appends; sizes and tiles are read as stored, however inconsistent.
   */
  readonly readonly?: boolean;
  /** where writes go (default: the process's writer thread); tests put a stand-in here */
  readonly writer?: (path: string) => WriteSink;
}

/** the entries table and its index (the ledger bench's raw reference inserts into the same) */
export const ENTRIES_SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  idx INTEGER PRIMARY KEY,
  received TEXT NOT NULL,
  type TEXT NOT NULL,
  incident TEXT,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_incident ON entries(incident, idx) WHERE incident IS NOT NULL;
`;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
${ENTRIES_SCHEMA}
CREATE TABLE IF NOT EXISTS disclosures (
  idx INTEGER NOT NULL,
  path TEXT NOT NULL,
  salt TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (idx, path)
);
-- full tiles only; tile_key = level * 2^44 + index (C2SP tlog-tiles coordinates);
-- root = the hash of the subtree the tile spans (the tile's hash one level up)
CREATE TABLE IF NOT EXISTS tiles (tile_key INTEGER PRIMARY KEY, hashes BLOB NOT NULL, root BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL);
`;

/**
 * Creates the database of a new log (`concord init`), and nothing else: a
 * store never creates its database when it opens, so a node whose database
 * went missing cannot quietly start a new log.
 */
export function createLedgerDatabase(path: string, origin: string): void {
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (e) {
    throw new ConcordError('BAD_INPUT', `cannot create ledger ${path}: ${(e as Error).message}`, undefined, { cause: e });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    if (db.prepare("SELECT 1 FROM meta WHERE key = 'origin'").get() !== undefined) {
      throw new ConcordError('DATA_DIR_EXISTS', `${path} already holds a ledger`);
    }
    db.prepare("INSERT INTO meta (key, value) VALUES ('origin', ?), ('format', '1')").run(origin);
  } finally {
    db.close();
  }
}

const TILE_KEY_SHIFT = 2 ** 44;
/** the tiles table's key of a tile: level * 2^44 + index */
export const tileKey = (id: TileId): number => id.level * TILE_KEY_SHIFT + id.index;
/** the tile a tiles table key names */
export const tileOfKey = (key: number): TileId => ({ level: Math.floor(key / TILE_KEY_SHIFT), index: key % TILE_KEY_SHIFT });
const READ_CHUNK = 2048;

/**
 * The most entries built before they are sent to the writer thread (tuned
 * with `npm run bench -- ledger`). With N appenders that each wait for their
 * answer, about half are committed while the other half is built: two
 * fsyncs per N appends, but building and committing overlap. Measured on 2
 * cores with 100 appenders, one transaction for all N is slower: 115,000
 * appends/s sent at once, 113,000-119,000 streamed into one open
 * transaction in chunks of 25, against 123,000-138,000 for two lanes.
 */
const SEND_CHUNK = 50;
/** how often a batch is built again after finding another process appended first */
const MAX_STALE_RETRIES = 5;

interface Pending {
  readonly drafts: readonly EntryDraft[];
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

export class SqliteLedgerStore implements LedgerStore {
  readonly origin: string;
  private readonly db: Database.Database;
  private readonly reader: Database.Database;
  private readonly clock: () => number;
  private readonly salt: () => Uint8Array;
  private readonly cacheSize: number;
  /** the tree as committed: what size(), proofs and tiles answer from */
  private edge: TileEdge;
  /** the leaf hash of the last committed entry */
  private lastLeaf: Hash | undefined;
  private readonly readonlyView: boolean;
  private readonly path: string;
  private writer: WriteSink | undefined;
  private readonly openWriter: (path: string) => WriteSink;
  /** calls whose batch had no answer (the writer thread stopped): what they would have stored */
  private uncertain = new Map<Pending, Appended[]>();
  private lastReceivedMs: number;
  private queue: Pending[] = [];
  private inFlight: InFlight[] = [];
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
  private readonly cache = new Map<number, ExpandedTile>();
  private partialCache = new Map<number, ExpandedTile>();
  /** the root of `edge`, worked out once per committed edge */
  private rootOfEdge: { readonly edge: TileEdge; readonly root: Hash } | undefined;
  private readonly stmts: ReturnType<SqliteLedgerStore['prepare']>;

  private constructor(db: Database.Database, reader: Database.Database, origin: string, opts: SqliteStoreOptions) {
    this.db = db;
    this.reader = reader;
    this.origin = origin;
    this.path = opts.path;
    this.openWriter = opts.writer ?? ((path) => new LedgerWriter(path));
    this.clock = opts.clock ?? Date.now;
    this.salt = opts.salt ?? (() => randomBytes(16));
    this.cacheSize = opts.tileCacheSize ?? 4096;
    this.readonlyView = opts.readonly ?? false;
    this.stmts = this.prepare();
    const recovered = this.readonlyView ? { edge: new TileEdge(0, []), lastReceivedMs: 0, lastLeaf: undefined } : this.recover();
    this.edge = recovered.edge;
    this.lastLeaf = recovered.lastLeaf;
    this.lastReceivedMs = recovered.lastReceivedMs;
  }

  static open(opts: SqliteStoreOptions): SqliteLedgerStore {
    // a read-only view still opens read-write so SQLite can recover a WAL left by a crash
    let db: Database.Database;
    try {
      db = new Database(opts.path, { fileMustExist: !opts.create });
    } catch (e) {
      throw new ConcordError('DATA_DIR_MISSING', `cannot open ledger ${opts.path}: ${(e as Error).message}`);
    }
    let reader: Database.Database | undefined;
    try {
      // a database without the ledger's tables (an empty or foreign file) is left as it is unless asked to create one
      const holdsLedger = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
      if (!holdsLedger && !opts.create) throw new ConcordError('DATA_DIR_MISSING', `${opts.path} holds no ledger`);
      if (!opts.readonly) {
        db.pragma('journal_mode = WAL');
        // durability: every COMMIT fsyncs the WAL before it returns
        db.pragma('synchronous = FULL');
        if (opts.create) db.exec(SCHEMA);
      }
      db.pragma('busy_timeout = 5000');
      const row = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'origin'").get();
      let origin = row?.value;
      if (origin === undefined) {
        if (!opts.create || !opts.origin) throw new ConcordError('DATA_DIR_MISSING', `${opts.path} holds no ledger`);
        db.prepare("INSERT INTO meta (key, value) VALUES ('origin', ?), ('format', '1')").run(opts.origin);
        origin = opts.origin;
      } else if (opts.origin !== undefined && opts.origin !== origin) {
        throw new ConcordError('LEDGER_CORRUPT', `log origin is "${origin}", expected "${opts.origin}"`);
      }
      reader = new Database(opts.path, { readonly: true, fileMustExist: true });
      reader.pragma('busy_timeout = 5000');
      return new SqliteLedgerStore(db, reader, origin, opts);
    } catch (e) {
      // recovery refusing (LEDGER_CORRUPT) must not leave the read connection open
      reader?.close();
      db.close();
      if (e instanceof ConcordError) throw e;
      throw new ConcordError('LEDGER_CORRUPT', `cannot open ledger ${opts.path}: ${(e as Error).message}`);
    }
  }

  private prepare() {
    const db = this.db;
    const r = this.reader;
    return {
      tileRoots: r.prepare<[number, number], [number, Buffer]>('SELECT tile_key, root FROM tiles WHERE tile_key >= ? AND tile_key < ? ORDER BY tile_key').raw(true),
      entryTexts: r.prepare<[number, number], [number, string]>('SELECT idx, text FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx').raw(true),
      getTile: r.prepare<[number], { hashes: Buffer }>('SELECT hashes FROM tiles WHERE tile_key = ?'),
      firstTileFrom: r.prepare<[number, number], { tile_key: number }>('SELECT tile_key FROM tiles WHERE tile_key >= ? AND tile_key < ? ORDER BY tile_key LIMIT 1'),
      getTileRow: r.prepare<[number], { hashes: Buffer; root: Buffer }>('SELECT hashes, root FROM tiles WHERE tile_key = ?'),
      maxIndex: db.prepare<[], { idx: number | null; received: string | null; text: string | null }>('SELECT idx, received, text FROM entries ORDER BY idx DESC LIMIT 1'),
      tileExists: r.prepare<[number], { one: number }>('SELECT 1 AS one FROM tiles WHERE tile_key = ?'),
      readRange: r.prepare<[number, number, number], { idx: number; text: string }>('SELECT idx, text FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx LIMIT ?'),
      readIncident: r.prepare<[string, number, number, number], { idx: number; text: string }>(
        'SELECT idx, text FROM entries WHERE incident = ? AND idx >= ? AND idx < ? ORDER BY idx LIMIT ?',
      ),
      readRangeUntil: r.prepare<[number, number, string, number], { idx: number; text: string }>(
        'SELECT idx, text FROM entries WHERE idx >= ? AND idx < ? AND received <= ? ORDER BY idx LIMIT ?',
      ),
      readIncidentUntil: r.prepare<[string, number, number, string, number], { idx: number; text: string }>(
        'SELECT idx, text FROM entries WHERE incident = ? AND idx >= ? AND idx < ? AND received <= ? ORDER BY idx LIMIT ?',
      ),
      getEntry: r.prepare<[number], { idx: number; text: string }>('SELECT idx, text FROM entries WHERE idx = ?'),
      getDisclosures: r.prepare<[number], { path: string; salt: string; value: string }>('SELECT path, salt, value FROM disclosures WHERE idx = ? ORDER BY path'),
      allCheckpoints: r.prepare<[], { size: number; root: Buffer; note: string }>('SELECT size, root, note FROM checkpoints ORDER BY size'),
      latestCheckpoint: r.prepare<[], { size: number; root: Buffer; note: string }>('SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1'),
      readerMaxIndex: r.prepare<[], { idx: number | null }>('SELECT max(idx) AS idx FROM entries'),
    };
  }

  /**
   * Rebuilds the right edge of the tree from what is committed: the level-0
   * partial tile from the last entries' hashes, each higher partial tile from
   * the roots of the full tiles below it. Checks the full tiles the entries
   * need are there.
   */
  private recover(): { edge: TileEdge; lastReceivedMs: number; lastLeaf: Hash | undefined } {
    const last = this.stmts.maxIndex.get();
    const size = last?.idx === null || last?.idx === undefined ? 0 : last.idx + 1;
    const partials: Array<Buffer | undefined> = [];
    for (let level = 0; TILE_WIDTH ** level <= size; level++) {
      const { full, partialWidth } = tileCount(size, level);
      if (full > 0 && !this.stmts.tileExists.get(tileKey({ level, index: full - 1 }))) {
        throw new ConcordError('LEDGER_CORRUPT', `tile ${level}/${full - 1} is missing for a log of ${size} entries`);
      }
      if (partialWidth === 0) continue;
      const first = full * TILE_WIDTH; // first hash of the partial tile, counted at this level
      let hashes: Buffer[];
      if (level === 0) {
        const rows = this.stmts.entryTexts.all(first, first + partialWidth);
        if (rows.length !== partialWidth || rows.some((r, i) => r[0] !== first + i)) {
          throw new ConcordError('LEDGER_CORRUPT', `entries ${first}..${first + partialWidth - 1} are not all stored`);
        }
        hashes = rows.map((r) => leafHashText(r[1]));
      } else {
        const from = tileKey({ level: level - 1, index: first });
        const rows = this.stmts.tileRoots.all(from, from + partialWidth);
        if (rows.length !== partialWidth || rows.some((r, i) => r[0] !== from + i)) {
          throw new ConcordError('LEDGER_CORRUPT', `full tiles at level ${level - 1} from ${first} are not all stored for a log of ${size} entries`);
        }
        hashes = rows.map((r) => r[1]);
      }
      partials[level] = Buffer.concat(hashes);
    }
    let edge: TileEdge;
    try {
      edge = new TileEdge(size, partials);
    } catch (e) {
      throw new ConcordError('LEDGER_CORRUPT', (e as Error).message);
    }
    return { edge, lastReceivedMs: last?.received ? Date.parse(last.received) : 0, lastLeaf: typeof last?.text === 'string' ? leafHashText(last.text) : undefined };
  }

  async size(): Promise<number> {
    return this.committedSize();
  }

  private committedSize(): number {
    if (!this.readonlyView) return this.edge.size;
    const last = this.stmts.readerMaxIndex.get();
    return last?.idx === null || last?.idx === undefined ? 0 : Number(last.idx) + 1;
  }

  /**
   * For verification: every read on this read-only view until endSnapshot()
   * sees the database as it was now (one SQLite read transaction), so a
   * node appending meanwhile cannot make the reads disagree with each other.
   */
  beginSnapshot(): void {
    if (!this.readonlyView) throw new ConcordError('LEDGER_CLOSED', 'only a read-only view reads a snapshot');
    this.reader.exec('BEGIN');
    // the snapshot starts with the first read
    this.stmts.readerMaxIndex.get();
  }

  endSnapshot(): void {
    if (this.reader.inTransaction) this.reader.exec('COMMIT');
  }

  append(drafts: readonly EntryDraft[]): Promise<Appended[]> {
    if (this.closing) return Promise.reject(new ConcordError('LEDGER_CLOSED', 'the ledger is closed'));
    if (this.readonlyView) return Promise.reject(new ConcordError('LEDGER_CLOSED', 'the ledger is open read-only'));
    if (this.unusable) return Promise.reject(this.unusable);
    let checked: EntryDraft[];
    try {
      checked = drafts.map((d) => parseDraft(d));
    } catch (e) {
      return Promise.reject(e);
    }
    if (checked.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ drafts: checked, resolve, reject, stale: 0, alone: false });
      this.scheduleFlush();
    });
  }

  /** the tree after every batch sent to the writer thread: where the next batch is built */
  private get building(): TileEdge {
    return this.inFlight[this.inFlight.length - 1]?.edgeAfter ?? this.edge;
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
    const results: Appended[][] = [];
    const leaves: Hash[] = [];
    const texts: string[] = [];
    const types: string[] = [];
    const incidents: Array<string | null> = [];
    const disclosures: DisclosureRow[] = [];
    for (const call of batch) {
      let built: BuiltEntry[];
      try {
        built = [];
        for (const d of call.drafts) built.push(buildEntry(d, expectedSize + leaves.length + built.length, this.origin, received, this.salt));
      } catch (e) {
        call.reject(e);
        continue;
      }
      const out: Appended[] = [];
      for (const b of built) {
        const h = leafHashText(b.text);
        leaves.push(h);
        texts.push(b.text);
        types.push(b.entry.type);
        incidents.push(b.entry.incident ?? null);
        for (const d of b.disclosures) disclosures.push([b.entry.index, d.path, d.salt, JSON.stringify(d.value)]);
        out.push({ index: b.entry.index, received, text: b.text, leafHash: h });
      }
      calls.push(call);
      results.push(out);
    }
    if (calls.length === 0) return;
    this.writer ??= this.openWriter(this.path);
    const edgeAfter = this.building.clone();
    const tiles: TileRow[] = edgeAfter.append(leaves).map((t: FullTile) => [tileKey(t.id), t.hashes, t.root]);
    const base = this.buildingLast;
    this.lastReceivedMs = receivedMs;
    const flight: InFlight = { calls, results, edgeAfter, lastLeaf: leaves[leaves.length - 1] as Hash, entries: leaves.length };
    this.inFlight.push(flight);
    void this.writer.batch({ expectedSize, base: base ?? null, received, texts, types, incidents, disclosures, tiles }).then((refusal) => this.settle(flight, refusal));
  }

  /** the writer thread answered a batch (answers come in the order batches were sent) */
  private settle(flight: InFlight, refusal: WriteRefusal | undefined): void {
    this.inFlight.shift();
    if (refusal === undefined) {
      // committed: only now does the tree move forward and do callers hear of it
      this.edge = flight.edgeAfter;
      this.lastLeaf = flight.lastLeaf;
      this.partialCache = new Map();
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
      const recovered = this.recover();
      if (this.uncertain.size > 0) again = again.filter((call) => !this.settleFromDisk(call));
      this.edge = recovered.edge;
      this.lastLeaf = recovered.lastLeaf;
      this.lastReceivedMs = Math.max(this.lastReceivedMs, recovered.lastReceivedMs);
      this.partialCache = new Map();
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
    if (results === undefined || !results.every((r) => this.stmts.getEntry.get(r.index)?.text === r.text)) return false;
    call.resolve(results);
    return true;
  }

  private notifyIfDrained(): void {
    if (!this.idle) return;
    const waiting = this.drained;
    this.drained = [];
    for (const done of waiting) done();
  }

  async *entries(from: number, to: number, filter: EntryFilter = {}): AsyncIterable<StoredEntry> {
    for await (const chunk of this.entryChunks(from, to, filter)) yield* chunk;
  }

  /** entries in chunks: one await per chunk rather than per entry, for bulk readers (verify, projections) */
  async *entryChunks(from: number, to: number, filter: EntryFilter = {}): AsyncIterable<StoredEntry[]> {
    let next = Math.max(0, from);
    const end = Math.min(to, this.committedSize());
    while (next < end) {
      const s = this.stmts;
      const rows =
        filter.incident !== undefined
          ? filter.receivedUntil !== undefined
            ? s.readIncidentUntil.all(filter.incident, next, end, filter.receivedUntil, READ_CHUNK)
            : s.readIncident.all(filter.incident, next, end, READ_CHUNK)
          : filter.receivedUntil !== undefined
            ? s.readRangeUntil.all(next, end, filter.receivedUntil, READ_CHUNK)
            : s.readRange.all(next, end, READ_CHUNK);
      if (rows.length === 0) return;
      yield rows.map((r) => ({ index: r.idx, text: r.text }));
      next = (rows[rows.length - 1] as { idx: number }).idx + 1;
      if (rows.length < READ_CHUNK) return;
    }
  }

  async entry(index: number): Promise<StoredEntry | undefined> {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.committedSize()) return undefined;
    const r = this.stmts.getEntry.get(index);
    return r ? { index: r.idx, text: r.text } : undefined;
  }

  async disclosures(index: number): Promise<Disclosure[]> {
    return this.stmts.getDisclosures.all(index).map((r) => ({ path: r.path, salt: r.salt, value: JSON.parse(r.value) as JsonValue }));
  }

  async nodes(ids: readonly NodeId[], size: number): Promise<Hash[]> {
    return ids.map(this.nodeLookup(size));
  }

  committedRoot(): { readonly size: number; readonly root: Hash } | undefined {
    if (this.readonlyView) return undefined;
    const edge = this.edge;
    if (this.rootOfEdge?.edge !== edge) this.rootOfEdge = { edge, root: edge.root() };
    return { size: edge.size, root: this.rootOfEdge.root };
  }

  /** the tiles are local: nodes are looked up synchronously */
  nodeLookup(size: number): (id: NodeId) => Hash {
    if (this.readonlyView) throw new ConcordError('LEDGER_CLOSED', 'a read-only view serves no proofs');
    if (size > this.edge.size) throw new ConcordError('BAD_INPUT', `tree size ${size} is beyond the log's ${this.edge.size} entries`);
    return (id) => this.node(id, size);
  }

  private node(id: NodeId, size: number): Hash {
    if ((id.index + 1) * 2 ** id.level > size) throw new ConcordError('BAD_INPUT', `node ${id.level}/${id.index} is not complete in a tree of ${size}`);
    // locateNode inlined: this runs ~20 times per proof
    const tileLevel = Math.floor(id.level / TILE_HEIGHT);
    const height = id.level - tileLevel * TILE_HEIGHT;
    const perTile = TILE_WIDTH >>> height;
    const tileIndex = Math.floor(id.index / perTile);
    const expanded = this.expandedTile(tileLevel, tileIndex);
    const h = expanded?.node(height, id.index - tileIndex * perTile);
    if (h === undefined) throw new ConcordError('LEDGER_CORRUPT', `tile ${tileLevel}/${tileIndex} does not hold node ${id.level}/${id.index}`);
    return h;
  }

  private expandedTile(level: number, index: number): ExpandedTile | undefined {
    const full = Math.floor(this.edge.size / TILE_WIDTH ** (level + 1));
    if (index >= full) {
      // the partial tile at this level lives in memory (the edge)
      let t = this.partialCache.get(level);
      if (t === undefined) {
        const bytes = this.edge.partialTile(level);
        if (bytes === undefined) return undefined;
        t = new ExpandedTile(bytes);
        this.partialCache.set(level, t);
      }
      return t;
    }
    const key = tileKey({ level, index });
    let t = this.cache.get(key);
    // full tiles never change; eviction is first-in first-out (a hit does not
    // reorder the map: that would cost more than the rare reload it saves)
    if (t !== undefined) return t;
    const row = this.stmts.getTile.get(key);
    if (!row) return undefined;
    t = new ExpandedTile(row.hashes);
    this.cache.set(key, t);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as number);
    return t;
  }

  /**
   * Stored full tiles that a log of `size` entries does not make (left behind
   * when entries were removed), first per level; for verification.
   */
  tilesBeyond(size: number): TileId[] {
    const out: TileId[] = [];
    for (let level = 0; level < 8; level++) {
      const full = Math.floor(size / TILE_WIDTH ** (level + 1));
      const row = this.stmts.firstTileFrom.get(tileKey({ level, index: full }), tileKey({ level: level + 1, index: 0 }));
      if (row) out.push(tileOfKey(row.tile_key));
    }
    return out;
  }

  /** a full tile's row as stored (hashes and root), for verification */
  storedTile(id: TileId): { hashes: Buffer; root: Buffer } | undefined {
    return this.stmts.getTileRow.get(tileKey(id));
  }

  /** a full tile as stored, or the partial tile at the edge (C2SP tlog-tiles) */
  async tile(id: TileId): Promise<Buffer | undefined> {
    if (this.readonlyView) return this.stmts.getTile.get(tileKey(id))?.hashes;
    const { full } = tileCount(this.edge.size, id.level);
    if (id.index >= full) return id.index === full ? this.edge.partialTile(id.level) : undefined;
    return this.stmts.getTile.get(tileKey(id))?.hashes;
  }

  async saveCheckpoint(cp: StoredCheckpoint): Promise<void> {
    if (this.closing) throw new ConcordError('LEDGER_CLOSED', 'the ledger is closed');
    if (this.readonlyView) throw new ConcordError('LEDGER_CLOSED', 'the ledger is open read-only');
    const writer = (this.writer ??= this.openWriter(this.path));
    const checkpoint: CheckpointWrite = { size: cp.size, root: cp.root, note: cp.note };
    const refusal =
      this.inFlight.length > 0 || this.queue.length > 0
        ? await new Promise<WriteRefusal | undefined>((done) => this.checkpointQueue.push({ checkpoint, done }))
        : await writer.checkpoint(checkpoint);
    if (refusal?.kind === 'checkpoint_conflict') throw new ConcordError('LEDGER_CORRUPT', `a checkpoint for size ${cp.size} with another root is already stored`);
    if (refusal !== undefined) throw new ConcordError('LEDGER_CORRUPT', `checkpoint not stored: ${refusal.kind === 'failed' ? refusal.message : refusal.kind}`);
  }

  async checkpoints(): Promise<StoredCheckpoint[]> {
    return this.stmts.allCheckpoints.all().map((r) => ({ size: r.size, root: r.root, note: r.note }));
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const r = this.stmts.latestCheckpoint.get();
    return r ? { size: r.size, root: r.root, note: r.note } : undefined;
  }

  /** takes no more appends, waits for those already taken, then closes (every call gets the same promise) */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    if (!this.idle) await new Promise<void>((resolve) => this.drained.push(resolve));
    await this.writer?.close();
    this.endSnapshot();
    this.reader.close();
    this.db.close();
  }
}
