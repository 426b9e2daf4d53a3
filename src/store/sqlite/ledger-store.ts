/**
 * The embedded ledger store: better-sqlite3, WAL, synchronous=FULL, with
 * group commit. Entries, their disclosures and the full tiles they complete
 * are written in one transaction. Partial tiles are never written: the right
 * edge of the tree is derived at open from the last (< 256) entries and the
 * roots of the full tiles, so a batch writes little more than its rows.
 *
 * This file opens the database, derives the committed tree from it (open and
 * recovery, `recover`) and answers the reads: entries, disclosures, tiles,
 * proof nodes, checkpoints. Appends and checkpoints go through the append
 * pipeline (append-pipeline.ts): group commit on the writer thread, retries
 * after a failed batch, closing.
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
import type { Disclosure, EntryDraft, JsonValue } from '../../ledger/entry.ts';
import { leafHashText, type Hash } from '../../ledger/merkle/hash.ts';
import type { NodeId } from '../../ledger/merkle/ranges.ts';
import { ExpandedTile, TILE_HEIGHT, TILE_WIDTH, TileEdge, tileCount, type TileId } from '../../ledger/tiles.ts';
import type { Appended, CommittedRoot, EntryFilter, LedgerStore, Receipt, StoredCheckpoint, StoredEntry, StoredReceipt } from '../store.ts';
import { AppendPipeline, type CommittedTree } from './append-pipeline.ts';
import type { WriteSink } from './batch-writer.ts';
import { RECEIPTS_SCHEMA, SCHEMA, tileKey, tileOfKey } from './schema.ts';
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

const READ_CHUNK = 2048;

/**
 * The receive time of the last entry, which the next entries may not precede.
 * Read from the entry's text (what its leaf hash covers), not from the
 * received column beside it: a column edited on disk must not move the clock.
 */
function lastReceivedMs(idx: number | null, text: unknown): number {
  if (idx === null) return 0;
  let received: unknown;
  try {
    received = typeof text === 'string' ? (JSON.parse(text) as { received?: unknown }).received : undefined;
  } catch {
    received = undefined;
  }
  const ms = typeof received === 'string' ? Date.parse(received) : NaN;
  if (Number.isNaN(ms)) throw new ConcordError('LEDGER_CORRUPT', `entry ${idx} has no readable receive time`);
  return ms;
}

/** a row of the disclosures table as a Disclosure (its value is stored as JSON text) */
const disclosureOfRow = (path: string, salt: string, value: string): Disclosure => ({ path, salt, value: JSON.parse(value) as JsonValue });

export class SqliteLedgerStore implements LedgerStore {
  readonly origin: string;
  private readonly db: Database.Database;
  private readonly reader: Database.Database;
  private readonly cacheSize: number;
  private readonly readonlyView: boolean;
  /** appends and checkpoints; holds the tree as committed (`pipeline.edge`), which the reads answer from */
  private readonly pipeline: AppendPipeline;
  private closing: Promise<void> | undefined;
  private readonly cache = new Map<number, ExpandedTile>();
  /** the partial tiles of `partialCacheEdge`, expanded (dropped when the committed edge moves) */
  private partialCache = new Map<number, { readonly index: number; readonly tile: ExpandedTile }>();
  /** the partial tiles expanded at the edge before, which the next expansions extend */
  private partialPrefixes = new Map<number, { readonly index: number; readonly tile: ExpandedTile }>();
  private partialCacheEdge: TileEdge | undefined;
  /** the root of the committed edge, worked out once per edge */
  private rootOfEdge: { readonly edge: TileEdge; readonly root: Hash } | undefined;
  private readonly stmts: ReturnType<SqliteLedgerStore['prepare']>;
  private getReceipt: Database.Statement<[string], { fingerprint: string; idx: number; count: number }> | undefined;

  private constructor(db: Database.Database, reader: Database.Database, origin: string, opts: SqliteStoreOptions) {
    this.db = db;
    this.reader = reader;
    this.origin = origin;
    this.cacheSize = opts.tileCacheSize ?? 4096;
    this.readonlyView = opts.readonly ?? false;
    this.stmts = this.prepare();
    const openWriter = opts.writer ?? ((path) => new LedgerWriter(path));
    this.pipeline = new AppendPipeline({
      origin,
      log: { recover: () => this.recover(), textAt: (index) => this.stmts.getEntry.get(index)?.text },
      openWriter: () => openWriter(opts.path),
      clock: opts.clock ?? Date.now,
      salt: opts.salt ?? (() => randomBytes(16)),
      readonly: this.readonlyView,
    });
  }

  /** batches committed and the entries in them (the writer thread may commit several batches in one transaction) */
  get commits(): { readonly batches: number; readonly entries: number } {
    return this.pipeline.commits;
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
        // a ledger made before receipts were kept gets their table (nothing else changes)
        else if (holdsLedger) db.exec(RECEIPTS_SCHEMA);
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
      tileRoots: r
        .prepare<[number, number], [number, Buffer]>('SELECT tile_key, root FROM tiles WHERE tile_key >= ? AND tile_key < ? ORDER BY tile_key')
        .raw(true),
      entryTexts: r.prepare<[number, number], [number, string]>('SELECT idx, text FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx').raw(true),
      getTile: r.prepare<[number], { hashes: Buffer }>('SELECT hashes FROM tiles WHERE tile_key = ?'),
      firstTileFrom: r.prepare<[number, number], { tile_key: number }>(
        'SELECT tile_key FROM tiles WHERE tile_key >= ? AND tile_key < ? ORDER BY tile_key LIMIT 1',
      ),
      getTileRow: r.prepare<[number], { hashes: Buffer; root: Buffer }>('SELECT hashes, root FROM tiles WHERE tile_key = ?'),
      maxIndex: db.prepare<[], { idx: number | null; text: unknown }>('SELECT idx, text FROM entries ORDER BY idx DESC LIMIT 1'),
      tileExists: r.prepare<[number], { one: number }>('SELECT 1 AS one FROM tiles WHERE tile_key = ?'),
      readRange: r.prepare<[number, number, number], { idx: number; text: string }>(
        'SELECT idx, text FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx LIMIT ?',
      ),
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
      getDisclosures: r.prepare<[number], { path: string; salt: string; value: string }>(
        'SELECT path, salt, value FROM disclosures WHERE idx = ? ORDER BY path',
      ),
      // rows as arrays (raw): a run of entries brings hundreds, and an object per row cost more than reading it
      disclosuresIn: r
        .prepare<[number, number], [number, string, string, string]>(
          'SELECT idx, path, salt, value FROM disclosures WHERE idx >= ? AND idx < ? ORDER BY idx, path',
        )
        .raw(true),
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
  private recover(): CommittedTree {
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
    return {
      edge,
      lastReceivedMs: last ? lastReceivedMs(last.idx, last.text) : 0,
      lastLeaf: typeof last?.text === 'string' ? leafHashText(last.text) : undefined,
    };
  }

  async size(): Promise<number> {
    return this.committedSize();
  }

  private committedSize(): number {
    if (!this.readonlyView) return this.pipeline.edge.size;
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

  append(drafts: readonly EntryDraft[], receipts?: readonly Receipt[]): Promise<Appended[]> {
    return this.pipeline.append(drafts, receipts);
  }

  async receipt(id: string): Promise<StoredReceipt | undefined> {
    // prepared on first use: a ledger opened read-only may predate the table
    if (this.getReceipt === undefined) {
      const exists = this.reader.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'receipts'").get() !== undefined;
      if (!exists) return undefined;
      this.getReceipt = this.reader.prepare<[string], { fingerprint: string; idx: number; count: number }>(
        'SELECT fingerprint, idx, count FROM receipts WHERE id = ?',
      );
    }
    const r = this.getReceipt.get(id);
    return r === undefined ? undefined : { id, fingerprint: r.fingerprint, index: r.idx, count: r.count };
  }

  async *entries(from: number, to: number, filter: EntryFilter = {}): AsyncIterable<StoredEntry> {
    for await (const chunk of this.entryChunks(from, to, filter)) yield* chunk;
  }

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
    return this.stmts.getDisclosures.all(index).map((r) => disclosureOfRow(r.path, r.salt, r.value));
  }

  async disclosuresIn(from: number, to: number): Promise<ReadonlyMap<number, Disclosure[]>> {
    const out = new Map<number, Disclosure[]>();
    for (const [idx, path, salt, value] of this.stmts.disclosuresIn.all(from, to)) {
      const d = disclosureOfRow(path, salt, value);
      const list = out.get(idx);
      if (list === undefined) out.set(idx, [d]);
      else list.push(d);
    }
    return out;
  }

  async nodes(ids: readonly NodeId[], size: number): Promise<Hash[]> {
    return ids.map(this.nodeLookup(size));
  }

  committedRoot(): CommittedRoot | undefined {
    if (this.readonlyView) return undefined;
    const edge = this.pipeline.edge;
    if (this.rootOfEdge?.edge !== edge) this.rootOfEdge = { edge, root: edge.root() };
    return { size: edge.size, root: this.rootOfEdge.root, lineage: this.pipeline.lineage };
  }

  /** the tiles are local: nodes are looked up synchronously */
  nodeLookup(size: number): (id: NodeId) => Hash {
    if (this.readonlyView) throw new ConcordError('LEDGER_CLOSED', 'a read-only view serves no proofs');
    const committed = this.pipeline.edge.size;
    if (size > committed) throw new ConcordError('BAD_INPUT', `tree size ${size} is beyond the log's ${committed} entries`);
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
    const edge = this.pipeline.edge;
    const full = Math.floor(edge.size / TILE_WIDTH ** (level + 1));
    if (index >= full) {
      // the partial tile at this level lives in memory (the edge)
      if (this.partialCacheEdge !== edge) {
        // the expansions of the last edge stay as prefixes: the tiles at the new edge mostly extend them
        this.partialPrefixes = this.partialCache;
        this.partialCache = new Map();
        this.partialCacheEdge = edge;
      }
      let t = this.partialCache.get(level);
      if (t === undefined || t.index !== index) {
        const bytes = edge.partialTile(level);
        if (bytes === undefined) return undefined;
        const before = this.partialPrefixes.get(level);
        t = { index, tile: new ExpandedTile(bytes, before?.index === index ? before.tile : undefined) };
        this.partialCache.set(level, t);
      }
      return t.tile;
    }
    const key = tileKey({ level, index });
    let t = this.cache.get(key);
    // full tiles never change; eviction is first-in first-out (a hit does not
    // reorder the map: that would cost more than the rare reload it saves)
    if (t !== undefined) return t;
    const row = this.stmts.getTile.get(key);
    if (!row) return undefined;
    // a tile completed since it was last expanded as a partial one extends that expansion
    const before = this.partialCache.get(level) ?? this.partialPrefixes.get(level);
    t = new ExpandedTile(row.hashes, before?.index === index ? before.tile : undefined);
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
    const edge = this.pipeline.edge;
    const { full } = tileCount(edge.size, id.level);
    if (id.index >= full) return id.index === full ? edge.partialTile(id.level) : undefined;
    return this.stmts.getTile.get(tileKey(id))?.hashes;
  }

  saveCheckpoint(cp: StoredCheckpoint): Promise<void> {
    return this.pipeline.saveCheckpoint(cp);
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
    await this.pipeline.close();
    this.endSnapshot();
    this.reader.close();
    this.db.close();
  }
}
