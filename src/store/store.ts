/**
 * The store contract: one interface, implemented by the embedded SQLite store
 * and (later) the PostgreSQL store. test/store/contract.ts runs the same
 * suite against every implementation.
 */
import type { Disclosure, EntryDraft } from '../ledger/entry.ts';
import type { Hash } from '../ledger/merkle/hash.ts';
import type { NodeId } from '../ledger/merkle/ranges.ts';
import type { TileId } from '../ledger/tiles.ts';

/** what an append acknowledges: the entry is durably stored at `index` */
export interface Appended {
  readonly index: number;
  readonly received: string;
  readonly text: string;
  readonly leafHash: Hash;
}

export interface StoredEntry {
  readonly index: number;
  /** the exact canonical JSON text that was hashed */
  readonly text: string;
}

/** the committed tree of a store that keeps its right edge in memory (LedgerStore.committedRoot) */
export interface CommittedRoot {
  readonly size: number;
  readonly root: Hash;
  /**
   * Two roots of one lineage are of one tree, the later grown from the
   * earlier by appends this store committed, so it extends it. The number
   * moves on when the store reads its tree from disk again (after a failed
   * batch, or another process appending).
   */
  readonly lineage: number;
}

export interface StoredCheckpoint {
  readonly size: number;
  readonly root: Hash;
  /** the signed note, exactly as signed */
  readonly note: string;
}

export interface EntryFilter {
  readonly incident?: string;
  /** only entries received at or before this RFC 3339 time */
  readonly receivedUntil?: string;
}

/**
 * What a retried request needs to get its first answer back after a
 * restart: stored in the same transaction as the entries of the command it
 * answered, so they are stored together or not at all. Not part of any
 * entry (nothing of it is hashed into the log): `id` is a hash of the
 * caller and their Idempotency-Key, `fingerprint` a hash of the request.
 */
export interface Receipt {
  readonly id: string;
  readonly fingerprint: string;
  /** its first entry, as an offset into the drafts of the append call */
  readonly first: number;
  /** how many consecutive entries it covers */
  readonly count: number;
}

export interface StoredReceipt {
  readonly id: string;
  readonly fingerprint: string;
  /** the index of its first entry */
  readonly index: number;
  readonly count: number;
}

export interface LedgerStore {
  /** the log origin (C2SP checkpoint origin line) */
  readonly origin: string;
  /** entries durably stored */
  size(): Promise<number>;
  /**
   * Appends the drafts as consecutive entries, all or none. Concurrent calls
   * are group-committed: batched into one transaction, each call resolving
   * only after its batch is durable.
   */
  append(drafts: readonly EntryDraft[], receipts?: readonly Receipt[]): Promise<Appended[]>;
  /** the receipt stored under `id`, if any (Receipt) */
  receipt(id: string): Promise<StoredReceipt | undefined>;
  /** entries [from, to) in index order, read lazily */
  entries(from: number, to: number, filter?: EntryFilter): AsyncIterable<StoredEntry>;
  /** the same entries in chunks, one await per chunk rather than per entry: for readers of many (projections) */
  entryChunks(from: number, to: number, filter?: EntryFilter): AsyncIterable<readonly StoredEntry[]>;
  entry(index: number): Promise<StoredEntry | undefined>;
  disclosures(index: number): Promise<Disclosure[]>;
  /** the disclosures of the entries [from, to), by index (one read for a run of entries, as the readers of revealed entries take them) */
  disclosuresIn(from: number, to: number): Promise<ReadonlyMap<number, Disclosure[]>>;
  /** complete-subtree hashes for a tree of `size` (each id must be complete within size) */
  nodes(ids: readonly NodeId[], size: number): Promise<Hash[]>;
  /**
   * The same hashes looked up synchronously, for a store whose tiles are
   * local: a proof then costs no round trip. A remote store leaves it out.
   */
  nodeLookup?(size: number): (id: NodeId) => Hash;
  /**
   * The committed size and its root, for a store that keeps the right edge
   * of the tree in memory (the root then costs a hash per complete subtree,
   * not a walk of the tiles). Undefined where it does not.
   */
  committedRoot?(): CommittedRoot | undefined;
  /** the stored tile bytes (for verification and, later, the tlog-tiles endpoint) */
  tile(id: TileId): Promise<Buffer | undefined>;
  saveCheckpoint(cp: StoredCheckpoint): Promise<void>;
  checkpoints(): Promise<StoredCheckpoint[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  close(): Promise<void>;
}
