/**
 * The ledger use cases: append (with automatic checkpoints), sign a
 * checkpoint, prove inclusion and consistency, export a bundle. The CLI and
 * the server both call this; nothing else writes the ledger.
 */
import { ConcordError } from '../errors.ts';
import { openCheckpoint, signCheckpoint } from '../ledger/checkpoint.ts';
import type { EntryDraft } from '../ledger/entry.ts';
import { leafHash, type Hash } from '../ledger/merkle/hash.ts';
import { consistencyProofRanges, inclusionProof, inclusionProofRanges } from '../ledger/merkle/proof.ts';
import { nodesForRanges, type NodeId } from '../ledger/merkle/ranges.ts';
import { EdgeCache, hashRange, rootHash } from '../ledger/merkle/tree-hash.ts';
import type { Signer, Verifier } from '../ledger/note.ts';
import { BUNDLE_FORMAT, type Bundle, type BundleEntry } from '../ledger/bundle.ts';
import type { Appended, LedgerStore, StoredCheckpoint } from '../store/store.ts';
import { SqliteLedgerStore } from '../store/sqlite/ledger-store.ts';
import { initNodeDir, loadSigner, loadVerifier, openNodeDir, type NodeDir } from './node-dir.ts';

export interface CheckpointPolicy {
  /** sign when this many ms have passed since the last checkpoint and the log grew (0: never on a timer) */
  readonly everyMs: number;
  /** sign as soon as this many entries are not yet covered by a checkpoint (0: never by count) */
  readonly everyEntries: number;
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = { everyMs: 1000, everyEntries: 1000 };
/** checkpoints only when asked (and on close): for short commands that read or sign once */
export const ON_DEMAND_CHECKPOINTS: CheckpointPolicy = { everyMs: 0, everyEntries: 0 };

export interface OpenLedgerOptions {
  readonly clock?: () => number;
  readonly checkpoints?: CheckpointPolicy;
  readonly tileCacheSize?: number;
}

export interface InclusionProof {
  readonly index: number;
  readonly size: number;
  readonly leafHash: Hash;
  readonly proof: Hash[];
  readonly root: Hash;
}

export interface ConsistencyProof {
  readonly from: number;
  readonly to: number;
  readonly proof: Hash[];
  readonly fromRoot: Hash;
  readonly toRoot: Hash;
}

/**
 * Resolves once the callers that an answered append woke have appended again
 * and their next batch has gone to the writer (in the same turn of the event
 * loop, right after it). Signing a checkpoint takes ~150 µs of this thread;
 * done before that batch is built, it holds the batch up while the writer
 * thread sits idle.
 */
function afterTheirNextBatch(): Promise<void> {
  // one microtask: every caller woken with this append has run by then, and
  // the first of them scheduled the store's flush; this setImmediate comes after it
  return new Promise((resolve) => queueMicrotask(() => setImmediate(resolve)));
}

export class LedgerService {
  readonly store: LedgerStore;
  readonly verifier: Verifier;
  private readonly signer: Signer | undefined;
  private readonly policy: CheckpointPolicy;
  private checkpointed = 0;
  private signing: Promise<StoredCheckpoint> | undefined;
  private signingByCount = false;
  /** entries asked for since the last signing by count began */
  private uncovered = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly edges = new Map<number, EdgeCache>();

  constructor(store: LedgerStore, verifier: Verifier, signer: Signer | undefined, policy: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY) {
    this.store = store;
    this.verifier = verifier;
    this.signer = signer;
    this.policy = policy;
  }

  /** Opens the ledger of a data directory, with its signer. */
  static async open(dataDir: string | NodeDir, opts: OpenLedgerOptions = {}): Promise<LedgerService> {
    const node = typeof dataDir === 'string' ? openNodeDir(dataDir) : dataDir;
    const signer = loadSigner(node);
    const store = SqliteLedgerStore.open({
      path: node.dbPath,
      origin: node.origin,
      create: true,
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.tileCacheSize ? { tileCacheSize: opts.tileCacheSize } : {}),
    });
    const service = new LedgerService(store, loadVerifier(node), signer, opts.checkpoints ?? DEFAULT_CHECKPOINT_POLICY);
    await service.start();
    return service;
  }

  private async start(): Promise<void> {
    this.checkpointed = (await this.store.latestCheckpoint())?.size ?? 0;
    if (this.signer && this.policy.everyMs > 0) {
      this.timer = setInterval(() => {
        void this.checkpointIfGrown().catch(() => undefined);
      }, this.policy.everyMs);
      this.timer.unref();
    }
  }

  get origin(): string {
    return this.store.origin;
  }

  /** Appends drafts atomically; resolves once they are durable. */
  append(drafts: readonly EntryDraft[]): Promise<Appended[]> {
    const appended = this.store.append(drafts);
    if (this.signer && this.policy.everyEntries > 0) {
      this.uncovered += drafts.length;
      // one signing by count at a time; it covers whatever is committed when it runs
      if (this.uncovered >= this.policy.everyEntries && !this.signingByCount) {
        this.signingByCount = true;
        this.uncovered = 0;
        void appended
          .then(afterTheirNextBatch)
          .then(() => this.checkpointIfGrown())
          .catch(() => undefined)
          .finally(() => {
            this.signingByCount = false;
          });
      }
    }
    return appended;
  }

  private async checkpointIfGrown(): Promise<void> {
    if ((await this.store.size()) > this.checkpointed) await this.checkpoint();
  }

  /** Signs a checkpoint for the current size (or returns the latest if the log has not grown). */
  checkpoint(): Promise<StoredCheckpoint> {
    // one signing at a time; a caller arriving mid-signing waits and then signs the newer size
    const run = async (): Promise<StoredCheckpoint> => {
      const size = await this.store.size();
      const latest = await this.store.latestCheckpoint();
      if (latest && latest.size === size) return latest;
      if (!this.signer) throw new ConcordError('KEY_INVALID', 'this node has no signer key');
      const root = await this.rootAt(size);
      const note = signCheckpoint({ origin: this.origin, size, root, extensions: [] }, this.signer);
      const cp = { size, root, note };
      await this.store.saveCheckpoint(cp);
      this.checkpointed = Math.max(this.checkpointed, size);
      return cp;
    };
    const next = (this.signing ?? Promise.resolve(undefined)).then(run, run);
    this.signing = next;
    return next;
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return this.store.latestCheckpoint();
  }

  private async lookup(ranges: ReadonlyArray<readonly [number, number]>, size: number): Promise<(id: NodeId) => Hash> {
    const local = this.store.nodeLookup?.(size);
    if (local) return local;
    // a remote store: fetch exactly the nodes the ranges need, in one round trip
    const ids = nodesForRanges(ranges);
    const hashes = await this.store.nodes(ids, size);
    const byKey = new Map<string, Hash>();
    ids.forEach((id, i) => byKey.set(`${id.level}/${id.index}`, hashes[i] as Hash));
    return (id) => {
      const h = byKey.get(`${id.level}/${id.index}`);
      if (!h) throw new ConcordError('LEDGER_CORRUPT', `node ${id.level}/${id.index} was not fetched`);
      return h;
    };
  }

  async rootAt(size: number): Promise<Hash> {
    await this.checkSize(size);
    const committed = this.store.committedRoot?.();
    if (committed !== undefined && committed.size === size) return committed.root;
    const ranges: Array<readonly [number, number]> = size > 0 ? [[0, size]] : [];
    return rootHash(size, await this.lookup(ranges, size));
  }

  private async checkSize(size: number): Promise<number> {
    const current = await this.store.size();
    if (!Number.isSafeInteger(size) || size < 0 || size > current) {
      throw new ConcordError('BAD_INPUT', `tree size ${size} is not between 0 and the log's ${current} entries`);
    }
    return current;
  }

  async inclusionProof(index: number, size?: number): Promise<InclusionProof> {
    const treeSize = size ?? (await this.store.size());
    await this.checkSize(treeSize);
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new ConcordError('BAD_INPUT', `index ${index} is not in a tree of ${treeSize} entries`);
    }
    const ranges = inclusionProofRanges(index, treeSize);
    const get = await this.lookup([...ranges, [0, treeSize]], treeSize);
    const stored = await this.store.entry(index);
    if (!stored) throw new ConcordError('LEDGER_CORRUPT', `entry ${index} is missing`);
    return {
      index,
      size: treeSize,
      leafHash: leafHash(Buffer.from(stored.text, 'utf8')),
      proof: inclusionProof(index, treeSize, get, this.edgeCache(treeSize)),
      root: rootHash(treeSize, get, this.edgeCache(treeSize)),
    };
  }

  /** the proof alone, for hot paths (no entry read, no root) */
  async inclusionPath(index: number, size: number): Promise<Hash[]> {
    const get = await this.lookup(inclusionProofRanges(index, size), size);
    return inclusionProof(index, size, get, this.edgeCache(size));
  }

  /**
   * Every proof at one tree size hashes the same few right-edge ranges; keep
   * them for the last few sizes asked about (the latest checkpoint, mostly).
   */
  private edgeCache(size: number): EdgeCache {
    let c = this.edges.get(size);
    if (c === undefined) {
      c = new EdgeCache(size);
      this.edges.set(size, c);
      if (this.edges.size > 8) this.edges.delete(this.edges.keys().next().value as number);
    }
    return c;
  }

  async consistencyProof(from: number, to?: number): Promise<ConsistencyProof> {
    const toSize = to ?? (await this.store.size());
    await this.checkSize(toSize);
    if (!Number.isSafeInteger(from) || from < 1 || from > toSize) {
      // RFC 9162 §2.1.4 defines consistency from a non-empty tree only
      throw new ConcordError('BAD_INPUT', `the older tree size ${from} must be between 1 and the newer size ${toSize}`);
    }
    const ranges = consistencyProofRanges(from, toSize);
    const get = await this.lookup([...ranges, [0, from], [0, toSize]], toSize);
    return {
      from,
      to: toSize,
      proof: ranges.map(([lo, hi]) => hashRange(lo, hi, get)),
      fromRoot: rootHash(from, get),
      toRoot: rootHash(toSize, get),
    };
  }

  /**
   * A bundle of selected entries against the latest checkpoint (signed now
   * if the log grew), with inclusion proofs, disclosures and, optionally,
   * the older checkpoints with consistency proofs.
   */
  async exportBundle(select: { readonly indexes?: readonly number[]; readonly all?: boolean; readonly history?: boolean }): Promise<Bundle> {
    const cp = await this.checkpoint();
    const opened = openCheckpoint(cp.note, [this.verifier], this.origin);
    const size = opened.checkpoint.size;
    let indexes: number[];
    if (select.all) {
      indexes = Array.from({ length: size }, (_, i) => i);
    } else {
      indexes = [...new Set(select.indexes ?? [])].sort((a, b) => a - b);
      for (const i of indexes) {
        if (!Number.isSafeInteger(i) || i < 0 || i >= size) throw new ConcordError('BAD_INPUT', `index ${i} is not in the log (size ${size})`);
      }
    }
    const entries: BundleEntry[] = [];
    for (const index of indexes) {
      const stored = await this.store.entry(index);
      if (!stored) throw new ConcordError('LEDGER_CORRUPT', `entry ${index} is missing`);
      const disclosures = stored.text.includes('"$sealed"') ? await this.store.disclosures(index) : [];
      entries.push({
        index,
        entry: stored.text,
        inclusion_proof: (await this.inclusionPath(index, size)).map((h) => h.toString('base64')),
        ...(disclosures.length > 0 ? { disclosures } : {}),
      });
    }
    const consistency = [];
    if (select.history) {
      for (const old of await this.store.checkpoints()) {
        if (old.size === 0 || old.size >= size) continue; // RFC 9162 defines consistency only from a non-empty tree
        const p = await this.consistencyProof(old.size, size);
        consistency.push({ checkpoint: old.note, proof: p.proof.map((h) => h.toString('base64')) });
      }
    }
    return {
      format: BUNDLE_FORMAT,
      checkpoint: cp.note,
      verifier_keys: [this.verifier.verifierKey],
      entries,
      ...(consistency.length > 0 ? { consistency } : {}),
    };
  }

  /** Stops the timer, signs a last checkpoint if the log grew, closes the store. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.signer) await this.checkpointIfGrown();
    await this.signing?.catch(() => undefined);
    await this.store.close();
  }
}

/** Opens the ledger of a data directory, runs `use`, and closes it whatever happens. */
export async function withLedger<T>(dataDir: string | NodeDir, opts: OpenLedgerOptions, use: (ledger: LedgerService) => Promise<T>): Promise<T> {
  const ledger = await LedgerService.open(dataDir, opts);
  try {
    return await use(ledger);
  } finally {
    await ledger.close();
  }
}

/**
 * A new node as `concord init` makes it: keys, configuration, the ledger
 * database and a first signed checkpoint (of the empty log).
 */
export async function initNode(dir: string, origin: string): Promise<{ readonly node: NodeDir; readonly checkpoint: StoredCheckpoint }> {
  const node = initNodeDir(dir, origin);
  const checkpoint = await withLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, (ledger) => ledger.checkpoint());
  return { node, checkpoint };
}
