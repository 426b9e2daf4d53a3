/**
 * The write side of the SQLite ledger store: one connection that commits
 * batches of built entries (with the full tiles they complete) and
 * checkpoints. It runs on the writer thread (workers/writer-worker.ts), so
 * the fsync of each COMMIT never blocks the thread that builds the next
 * batch.
 *
 * Commit point: the COMMIT of a batch's transaction, which fsyncs the WAL
 * (synchronous=FULL). A batch is all or nothing: it checks, inside its write
 * transaction, that the log on disk ends exactly where the batch begins, so a
 * batch built on an edge that is stale (another process appended, or the
 * batch before it failed) writes nothing.
 */
import Database from 'better-sqlite3';
import { leafHashText } from '../../ledger/merkle/hash.ts';

/** one sealed value kept beside its entry: index, JSON pointer, salt, JSON text of the value */
export type DisclosureRow = readonly [index: number, path: string, salt: string, value: string];
/** one receipt: its id, the request's fingerprint, the index of its first entry, how many */
export type ReceiptRow = readonly [id: string, fingerprint: string, index: number, count: number];
/** one full tile: key (level * 2^44 + index), its 256 hashes, the root of the subtree it spans */
export type TileRow = readonly [key: number, hashes: Uint8Array, root: Uint8Array];

/**
 * A batch's canonical texts as UTF-8 in one buffer, each behind a 0x00 byte
 * (RFC 9162's leaf prefix, so a leaf hash is SHA-256 of one slice): one
 * buffer passes between threads for a fraction of what 50 strings cost
 * (each a rope to flatten and a string to clone).
 */
export interface PackedTexts {
  readonly bytes: Uint8Array;
  /** where each text ends in `bytes`; text i starts one byte (its prefix) after text i - 1 ends */
  readonly ends: Uint32Array;
}

/** packs texts that hold no lone surrogate (canonical JSON never does), so they unpack exactly */
export function packTexts(texts: readonly string[]): PackedTexts {
  let size = texts.length;
  for (const t of texts) size += Buffer.byteLength(t, 'utf8');
  const bytes = Buffer.allocUnsafeSlow(size);
  const ends = new Uint32Array(texts.length);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    bytes[at++] = 0x00;
    at += bytes.write(texts[i] as string, at, 'utf8');
    ends[i] = at;
  }
  return { bytes, ends };
}

/** text i of a packed batch, with its 0x00 prefix */
export function packedLeaf(p: PackedTexts, i: number): Uint8Array {
  return p.bytes.subarray(i === 0 ? 0 : (p.ends[i - 1] as number), p.ends[i]);
}

/** the texts of a packed batch as UTF-8 bytes, without their prefix (views of the packed buffer) */
export function packedTextBytes(p: PackedTexts): Buffer[] {
  const bytes = Buffer.from(p.bytes.buffer, p.bytes.byteOffset, p.bytes.byteLength);
  const out = new Array<Buffer>(p.ends.length);
  for (let i = 0, from = 0; i < p.ends.length; i++) {
    out[i] = bytes.subarray(from + 1, p.ends[i]);
    from = p.ends[i] as number;
  }
  return out;
}

/** the texts of a packed batch */
export function unpackTexts(p: PackedTexts): string[] {
  return packedTextBytes(p).map((b) => b.toString('utf8'));
}

/**
 * Consecutive entries, column by column (cheaper to pass between threads
 * than one array per row): entry i goes to index expectedSize + i.
 */
export interface BatchWrite {
  /** the log size the batch was built on: where its first entry goes */
  readonly expectedSize: number;
  /**
   * the leaf hash of the entry the batch was built on (index expectedSize - 1;
   * null on an empty log): the size alone would let a batch commit on top of
   * another writer's entry, with tiles hashed over one it never saw
   */
  readonly base: Uint8Array | null;
  readonly received: string;
  /** the canonical texts (moved to the writer thread when sent: LedgerWriter.batch) */
  readonly texts: PackedTexts;
  /** the entries' types, joined by newlines (a type is never empty and never holds one) */
  readonly types: string;
  /** the entries' incidents, joined by newlines, each empty for none (an incident id is never empty and never holds one) */
  readonly incidents: string;
  readonly disclosures: readonly DisclosureRow[];
  readonly receipts: readonly ReceiptRow[];
  readonly tiles: readonly TileRow[];
}

export interface CheckpointWrite {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
}

/**
 * Why a write stored nothing, or (`unknown`) why nobody can say: the writer
 * thread stopped before it answered, so the write may have been committed.
 */
export type WriteRefusal =
  | { readonly kind: 'stale'; readonly onDisk: number }
  | { readonly kind: 'checkpoint_conflict' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

/** where a store sends its writes: the writer thread (LedgerWriter), or a stand-in in tests */
export interface WriteSink {
  batch(batch: BatchWrite): Promise<WriteRefusal | undefined>;
  checkpoint(checkpoint: CheckpointWrite): Promise<WriteRefusal | undefined>;
  close(): Promise<void>;
}

/** the most entries one INSERT statement writes (3 parameters each, and 2 for them all) */
const ROWS_PER_INSERT = 50;

class Refused extends Error {
  constructor(readonly refusal: WriteRefusal) {
    super(refusal.kind);
  }
}

const asBuffer = (u: Uint8Array): Buffer => (Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));

/** one write of a group: a batch of entries or a checkpoint */
export type Write = { readonly batch: BatchWrite } | { readonly checkpoint: CheckpointWrite };

export class BatchWriter {
  private readonly db: Database.Database;
  private readonly writeAll: Database.Transaction<(writes: readonly Write[]) => void>;
  private readonly writeGroup: Database.Transaction<(writes: readonly Write[]) => Array<WriteRefusal | undefined>>;

  constructor(path: string) {
    this.db = new Database(path, { fileMustExist: true });
    this.db.pragma('journal_mode = WAL');
    // durability: every COMMIT fsyncs the WAL before it returns
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    const db = this.db;
    const lastEntry = db.prepare<[], { idx: number; text: string }>('SELECT idx, text FROM entries ORDER BY idx DESC LIMIT 1');
    // entries go in several rows per statement: one call into SQLite for up to
    // ROWS_PER_INSERT rows instead of one each (a statement per row count, prepared once);
    // a text is bound as the UTF-8 bytes it came in and stored as TEXT by the CAST, with
    // no decoding into a string and encoding back
    const insertRows = new Map<number, Database.Statement<unknown[]>>();
    const insertStatement = (rows: number): Database.Statement<unknown[]> => {
      let stmt = insertRows.get(rows);
      if (stmt === undefined) {
        stmt = db.prepare<unknown[]>(
          `INSERT INTO entries (idx, received, type, incident, text) VALUES ${Array.from({ length: rows }, (_, k) => `(@first + ${k}, @received, ?, ?, CAST(? AS TEXT))`).join(', ')}`,
        );
        insertRows.set(rows, stmt);
      }
      return stmt;
    };
    const insertDisclosure = db.prepare<[number, string, string, string]>('INSERT INTO disclosures (idx, path, salt, value) VALUES (?, ?, ?, ?)');
    const insertReceipt = db.prepare<[string, string, number, number]>('INSERT INTO receipts (id, fingerprint, idx, count) VALUES (?, ?, ?, ?)');
    const putTile = db.prepare<[number, Buffer, Buffer]>('INSERT INTO tiles (tile_key, hashes, root) VALUES (?, ?, ?)');
    const getCheckpoint = db.prepare<[number], { root: Buffer }>('SELECT root FROM checkpoints WHERE size = ?');
    const insertCheckpoint = db.prepare<[number, Buffer, string]>('INSERT INTO checkpoints (size, root, note) VALUES (?, ?, ?)');

    const batchRows = (b: BatchWrite): void => {
      const last = lastEntry.get();
      const onDisk = (last?.idx ?? -1) + 1;
      if (onDisk !== b.expectedSize) throw new Refused({ kind: 'stale', onDisk });
      if (last !== undefined && (b.base === null || !leafHashText(last.text).equals(b.base))) throw new Refused({ kind: 'stale', onDisk });
      const texts = packedTextBytes(b.texts);
      const n = texts.length;
      const types = n === 0 ? [] : b.types.split('\n');
      const incidents = n === 0 ? [] : b.incidents.split('\n');
      if (types.length !== n || incidents.length !== n)
        throw new Error(`a batch of ${n} texts came with ${types.length} types and ${incidents.length} incidents`);
      for (let from = 0; from < n; from += ROWS_PER_INSERT) {
        const rows = Math.min(ROWS_PER_INSERT, n - from);
        // the first index and the receive time are bound once for the statement (@first, @received), the rest row by row
        const params: unknown[] = new Array(rows * 3);
        for (let r = 0, i = from; r < rows; r++, i++) {
          params[r * 3] = types[i];
          params[r * 3 + 1] = incidents[i] || null;
          params[r * 3 + 2] = texts[i];
        }
        insertStatement(rows).run(params, { first: b.expectedSize + from, received: b.received });
      }
      for (const [idx, path, salt, value] of b.disclosures) insertDisclosure.run(idx, path, salt, value);
      for (const [id, fingerprint, idx, count] of b.receipts) insertReceipt.run(id, fingerprint, idx, count);
      for (const [key, hashes, root] of b.tiles) putTile.run(key, asBuffer(hashes), asBuffer(root));
    };
    const checkpointRow = (c: CheckpointWrite): void => {
      const existing = getCheckpoint.get(c.size);
      if (existing) {
        if (!existing.root.equals(c.root)) throw new Refused({ kind: 'checkpoint_conflict' });
        return;
      }
      insertCheckpoint.run(c.size, asBuffer(c.root), c.note);
    };
    const writeOne = (w: Write): void => ('checkpoint' in w ? checkpointRow(w.checkpoint) : batchRows(w.batch));
    // the usual group: every write lands. No savepoint around each, which would copy every page the write
    // changes into a statement journal (the append ratio in 4 alternating pairs: 0.491 mean without, 0.465
    // with); a write that throws marks the group, which is rolled back whole and written again write by write
    this.writeAll = db.transaction((writes: readonly Write[]) => {
      for (const w of writes) {
        try {
          writeOne(w);
        } catch (e) {
          throw new WriteFailed(e);
        }
      }
    });
    // write by write: better-sqlite3 runs a transaction called inside another in a SAVEPOINT, so a write
    // that throws leaves no trace and the group goes on
    const writeEach = db.transaction(writeOne);
    this.writeGroup = db.transaction((writes: readonly Write[]) => {
      const out: Array<WriteRefusal | undefined> = [];
      let failedBatch: WriteRefusal | undefined;
      for (const w of writes) {
        if ('checkpoint' in w) {
          out.push(attempt(() => writeEach(w)));
        } else if (failedBatch) {
          // built on the batch that was refused: it cannot land either
          out.push({ kind: 'stale', onDisk: -1 });
        } else {
          failedBatch = attempt(() => writeEach(w));
          out.push(failedBatch);
        }
      }
      return out;
    });
  }

  /**
   * Writes a group in one transaction: BEGIN IMMEDIATE, each write in order,
   * COMMIT (one fsync for the group). For each write: undefined when it is
   * stored, or why it is not. A batch built on a refused one is refused too.
   * When a write of a group throws, the whole group is rolled back and
   * written again write by write, each in a savepoint.
   */
  write(writes: readonly Write[]): Array<WriteRefusal | undefined> {
    try {
      this.writeAll.immediate(writes);
      return writes.map(() => undefined);
    } catch (e) {
      if (!(e instanceof WriteFailed)) {
        // BEGIN or COMMIT failed: nothing of the group is stored
        const refusal: WriteRefusal = { kind: 'failed', message: (e as Error).message };
        return writes.map(() => refusal);
      }
      // a write failed and the group was rolled back: one alone has its own reason, a group is written again write by write
      if (writes.length === 1) return [refusalOf(e.cause)];
    }
    try {
      return this.writeGroup.immediate(writes);
    } catch (e) {
      // BEGIN or COMMIT failed this time
      const refusal: WriteRefusal = { kind: 'failed', message: (e as Error).message };
      return writes.map(() => refusal);
    }
  }

  close(): void {
    this.db.close();
  }
}

/** a write inside the group threw (`cause`): the group is rolled back */
class WriteFailed extends Error {
  constructor(override readonly cause: unknown) {
    super((cause as Error)?.message ?? String(cause));
  }
}

function refusalOf(e: unknown): WriteRefusal {
  if (e instanceof Refused) return e.refusal;
  return { kind: 'failed', message: (e as Error).message };
}

function attempt(write: () => void): WriteRefusal | undefined {
  try {
    write();
    return undefined;
  } catch (e) {
    return refusalOf(e);
  }
}
