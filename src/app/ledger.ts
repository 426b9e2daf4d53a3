/**
 * The ledger use cases: append (with automatic checkpoints), sign a
 * checkpoint, prove inclusion and consistency, export a bundle. The CLI and
 * the server both call this; nothing else writes the ledger.
 *
 * The node never signs a tree that contradicts a checkpoint it signed before.
 * It keeps its latest signed checkpoint apart from the database
 * (kept-checkpoint.ts) and, when it opens and before every signature, checks
 * that the tree the database holds is consistent with it: a consistency
 * proof from the stored tiles (the right edge rebuilt from the entries),
 * verified against the kept root; or, for a tree grown in memory from one
 * so checked, by construction (requireConsistent). A log cut short, a database emptied or
 * replaced, entries rewritten together with their tiles: each is refused,
 * LEDGER_CORRUPT naming what was found, and the node neither signs nor
 * appends. docs/ledger-format.md says what this stops and what only
 * witnesses can.
 */
import { ConcordError } from '../errors.ts';
import { openCheckpoint, signCheckpoint } from '../ledger/checkpoint.ts';
import type { EntryDraft } from '../ledger/entry.ts';
import { EMPTY_ROOT, leafHash, type Hash } from '../ledger/merkle/hash.ts';
import { consistencyProofRanges, inclusionProof, inclusionProofRanges } from '../ledger/merkle/proof.ts';
import { nodesForRanges, type NodeId } from '../ledger/merkle/ranges.ts';
import { EdgeCache, hashRange, rootHash } from '../ledger/merkle/tree-hash.ts';
import { verifyConsistency } from '../ledger/merkle/verify.ts';
import type { Signer, Verifier } from '../ledger/note.ts';
import { BUNDLE_FORMAT, type Bundle, type BundleEntry } from '../ledger/bundle.ts';
import type { Appended, LedgerStore, Receipt, StoredCheckpoint } from '../store/store.ts';
import { SqliteLedgerStore } from '../store/sqlite/ledger-store.ts';
import { openKept, readKeptCheckpoint, replaceKeptCheckpoint, startKeptWriter, type KeptCheckpoint } from './kept-checkpoint.ts';
import { locateRewrite } from './rewrite.ts';
import { initNodeDir, loadSigner, loadVerifier, openNodeDir, type NodeDir } from './node-dir.ts';

export interface CheckpointPolicy {
  /** sign when this many ms have passed since the last checkpoint and the log grew (0: never on a timer) */
  readonly everyMs: number;
  /**
   * At most this many entries are ever stored that no signed checkpoint
   * covers (0: no limit, checkpoints only on the timer or on demand). A
   * checkpoint is signed once half as many are uncovered; an append that
   * would go beyond the limit waits until one is signed. A single append
   * larger than the limit goes alone, when everything before it is covered.
   */
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
/** how often a signature is tried again after another process of the node kept one first */
const MAX_KEPT_RACES = 5;

function afterTheirNextBatch(): Promise<void> {
  // one microtask: every caller woken with this append has run by then, and
  // the first of them scheduled the store's flush; this setImmediate comes after it
  return new Promise((resolve) => queueMicrotask(() => setImmediate(resolve)));
}

/** where the node keeps its latest signed checkpoint, and the one it holds now */
export interface KeptState {
  readonly dir: string;
  kept: KeptCheckpoint;
}

export class LedgerService {
  readonly store: LedgerStore;
  readonly verifier: Verifier;
  private readonly signer: Signer | undefined;
  private readonly policy: CheckpointPolicy;
  /** the latest checkpoint this node signed, as kept outside the database; absent for a service over a bare store (tests) */
  private readonly keeping: KeptState | undefined;
  /** the latest size signed */
  private signed = 0;
  /** the size acknowledged to appenders so far */
  private acknowledged = 0;
  /** entries sent to the store and not yet answered */
  private outstanding = 0;
  /** appends that would go beyond the count limit, in arrival order, until a checkpoint is signed */
  private readonly waiting: Array<{ readonly n: number; readonly go: () => void; readonly refuse: (e: unknown) => void }> = [];
  /** close() waiting for the appends above to be answered */
  private readonly whenIdle: Array<() => void> = [];
  /** the signing under way (settled when its checkpoint is kept) */
  private signing: Promise<void> | undefined;
  private signingByCount = false;
  /** how many entries are answered while a checkpoint is signed by count, lately (it tells when to start the next) */
  private arrivingWhileSigning = 0;
  /**
   * A lineage of the store's committed tree (store.ts CommittedRoot) known
   * to extend `kept`: one of its trees was checked against it by a proof,
   * or signed as it. Every later tree of that lineage was grown from that
   * one by appends committed here, so it extends it too.
   */
  private extending: { readonly lineage: number; readonly kept: KeptCheckpoint } | undefined;
  /** the log was found inconsistent with what this node signed: it signs and appends nothing more */
  private unusable: ConcordError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly edges = new Map<number, EdgeCache>();
  private readonly signedListeners = new Set<(checkpoint: StoredCheckpoint) => void>();
  /** the largest size the listeners were told of */
  private announced = 0;

  constructor(store: LedgerStore, verifier: Verifier, signer: Signer | undefined, policy: CheckpointPolicy = DEFAULT_CHECKPOINT_POLICY, keeping?: KeptState) {
    this.store = store;
    this.verifier = verifier;
    this.signer = signer;
    this.policy = policy;
    this.keeping = keeping;
  }

  /**
   * Opens the ledger of a data directory, with its signer. The database
   * must be there: a node whose ledger.db is missing or empty has lost its
   * history, and starting a new log under the same key would sign a fork of
   * it; LEDGER_CORRUPT instead.
   */
  static async open(dataDir: string | NodeDir, opts: OpenLedgerOptions = {}): Promise<LedgerService> {
    const node = typeof dataDir === 'string' ? openNodeDir(dataDir) : dataDir;
    const signer = loadSigner(node);
    const verifier = loadVerifier(node);
    const kept = readKeptCheckpoint(node.dir, verifier, node.origin);
    let store: SqliteLedgerStore;
    try {
      store = SqliteLedgerStore.open({
        path: node.dbPath,
        origin: node.origin,
        create: false,
        ...(opts.clock ? { clock: opts.clock } : {}),
        ...(opts.tileCacheSize ? { tileCacheSize: opts.tileCacheSize } : {}),
      });
    } catch (e) {
      if (e instanceof ConcordError && e.code === 'DATA_DIR_MISSING') {
        throw new ConcordError(
          'LEDGER_CORRUPT',
          `${node.dbPath} is missing or holds no ledger, though this node signed a checkpoint at size ${kept.size}: its history is gone, and it will not start a new log under the same key (restore ledger.db from a backup)`,
          undefined,
          { cause: e },
        );
      }
      throw e;
    }
    const service = new LedgerService(store, verifier, signer, opts.checkpoints ?? DEFAULT_CHECKPOINT_POLICY, { dir: node.dir, kept });
    try {
      await service.start();
    } catch (e) {
      await store.close();
      throw e;
    }
    return service;
  }

  private async start(): Promise<void> {
    const size = await this.store.size();
    this.acknowledged = size;
    const stored = await this.store.latestCheckpoint();
    const keeping = this.keeping;
    if (keeping !== undefined) {
      // a checkpoint of this log the database holds beyond the kept one is ours too (signed by our key):
      // the file was put back to an older one; the node is bound by the newer
      if (stored !== undefined && stored.size > keeping.kept.size) {
        keeping.kept = openKept(stored.note, this.verifier, this.origin, `the checkpoint at size ${stored.size} in ledger.db`);
      }
      await this.requireConsistent(size);
      // recovery: a crash after the kept file took a checkpoint and before the database did
      if (stored === undefined || stored.size < keeping.kept.size) await this.store.saveCheckpoint(keeping.kept);
      this.signed = keeping.kept.size;
    } else {
      this.signed = stored?.size ?? 0;
    }
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

  /** Appends drafts atomically, with the receipts that answer for them (store.ts Receipt); resolves once they are durable. */
  append(drafts: readonly EntryDraft[], receipts?: readonly Receipt[]): Promise<Appended[]> {
    if (this.unusable) return Promise.reject(this.unusable);
    if (!this.signer || this.policy.everyEntries <= 0) return this.store.append(drafts, receipts);
    const n = drafts.length;
    if (this.waiting.length === 0 && this.fits(n)) {
      this.outstanding += n;
      return this.send(drafts, receipts);
    }
    return new Promise<void>((go, refuse) => {
      this.waiting.push({ n, go, refuse });
      this.signByCount();
    }).then(() => this.send(drafts, receipts));
  }

  /** entries stored or on their way that no signed checkpoint covers, were n more sent now */
  private fits(n: number): boolean {
    const uncovered = Math.max(0, this.acknowledged - this.signed) + this.outstanding;
    return uncovered === 0 || uncovered + n <= this.policy.everyEntries;
  }

  /** sends drafts already counted in `outstanding` */
  private send(drafts: readonly EntryDraft[], receipts?: readonly Receipt[]): Promise<Appended[]> {
    const n = drafts.length;
    const appended = this.store.append(drafts, receipts);
    void appended.then(
      (a) => {
        this.outstanding -= n;
        const last = a[a.length - 1];
        if (last !== undefined && last.index + 1 > this.acknowledged) this.acknowledged = last.index + 1;
        this.signByCount();
        this.notifyIdle();
      },
      () => {
        this.outstanding -= n;
        this.admitWaiting();
        this.notifyIdle();
      },
    );
    return appended;
  }

  private notifyIdle(): void {
    if (this.outstanding === 0 && this.waiting.length === 0) for (const done of this.whenIdle.splice(0)) done();
  }

  /** lets through, in order, the waiting appends that now fit */
  private admitWaiting(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.n)) {
      const next = this.waiting.shift()!;
      // counted now, so the next one is judged with it; sent by its own continuation
      this.outstanding += next.n;
      next.go();
    }
  }

  /**
   * The cadence by count: once the limit is near (what is on its way and
   * 1.5 times what arrives while signing would fill it, or a quarter of it is
   * uncovered, whichever is later) or an append waits for a signature, sign one checkpoint covering
   * everything committed by then, and when it is done look again at once. A signature
   * that fails is not retried in a loop: the waiting appends are refused
   * with its error, and the next answered append tries again.
   */
  private signByCount(): void {
    if (this.unusable) {
      for (const w of this.waiting.splice(0)) w.refuse(this.unusable);
      this.notifyIdle();
      return;
    }
    if (this.signingByCount) return;
    const uncovered = this.acknowledged - this.signed;
    const limit = this.policy.everyEntries;
    // start early enough that what is on its way and what arrives while signing (half as much
    // again as the moving average: a signature's time varies with the disk's) fit under the
    // limit, and no earlier than a quarter of it (each signature costs this thread about a
    // millisecond: twice the average left fewer waits but cost more in signatures than they saved)
    const start = Math.max(limit / 4, limit - 1.5 * this.arrivingWhileSigning - this.outstanding);
    if (uncovered <= 0 || (uncovered < start && this.waiting.length === 0)) {
      this.admitWaiting();
      return;
    }
    this.signingByCount = true;
    // a node signing by count signs often while appends keep its main thread busy: from now on its kept
    // checkpoint is written on a thread of its own (a short command that signs once never starts it)
    if (this.keeping !== undefined) startKeptWriter();
    const from = this.acknowledged;
    void afterTheirNextBatch()
      .then(async () => {
        if ((await this.store.size()) <= this.signed) return;
        // stored in the database meanwhile; a failure there is repaired when the node next opens
        (await this.sign()).stored.catch(() => undefined);
      })
      .then(
        () => {
          // a moving average of the entries answered while a checkpoint was signed
          this.arrivingWhileSigning = Math.round((3 * this.arrivingWhileSigning + (this.acknowledged - from)) / 4);
          this.signingByCount = false;
          this.admitWaiting();
          this.signByCount();
        },
        (e: unknown) => {
          this.signingByCount = false;
          for (const w of this.waiting.splice(0)) w.refuse(e);
          this.notifyIdle();
        },
      );
  }

  private async checkpointIfGrown(): Promise<void> {
    if ((await this.store.size()) > this.signed) await this.checkpoint();
  }

  /**
   * The tree the database holds at `size` is consistent with the kept
   * checkpoint (RFC 9162 §2.1.4: a consistency proof from the stored tiles,
   * verified against the kept root and the root of the tree now); else the
   * node stops, naming what it finds.
   *
   * A tree grown here, batch by batch, from one already checked against (or
   * signed as) the kept checkpoint extends it by construction: its root is
   * the committed one of the lineage in `extending`, and no proof is built
   * (a proof from tiles this process wrote could say nothing more). A tree
   * read from disk again, or a kept checkpoint another process signed, is
   * checked in full. Returns the lineage the tree is of, when it is the
   * store's committed one.
   */
  private async requireConsistent(size: number, root?: Hash): Promise<number | undefined> {
    const keeping = this.keeping;
    if (keeping === undefined) return undefined;
    const kept = keeping.kept;
    const refuse = (why: string): never => {
      this.unusable = new ConcordError(
        'LEDGER_CORRUPT',
        `${why}; this node will not sign or append over a log that contradicts what it signed (run concord verify ${keeping.dir})`,
      );
      throw this.unusable;
    };
    if (size < kept.size) {
      refuse(
        `ledger.db holds ${size} entries, but this node signed a checkpoint at size ${kept.size} (${keeping.dir}/checkpoint): entries ${size}..${kept.size - 1} were removed`,
      );
    }
    const now = root ?? (await this.rootAt(size));
    const committed = this.store.committedRoot?.();
    const lineage = committed !== undefined && committed.size === size && committed.root.equals(now) ? committed.lineage : undefined;
    if (lineage !== undefined && this.extending?.kept === kept && this.extending.lineage === lineage) return lineage;
    try {
      if (kept.size === 0) {
        if (!kept.root.equals(EMPTY_ROOT)) throw new Error('the kept checkpoint of the empty log has another root');
      } else {
        const proof = size === kept.size ? [] : await this.consistencyPath(kept.size, size);
        verifyConsistency(kept.size, size, proof, kept.root, now);
      }
    } catch (e) {
      const where = await locateRewrite(this.store, kept, this.verifier).catch(() => undefined);
      refuse(
        `the tree of ${size} entries in ledger.db is not consistent with the checkpoint this node signed at size ${kept.size}${where !== undefined ? `: ${where}` : ` (${(e as Error).message})`}`,
      );
    }
    if (lineage !== undefined) this.extending = { lineage, kept };
    return lineage;
  }

  /**
   * Signs a checkpoint for the current size (or returns the latest if the log
   * has not grown): checked against the kept checkpoint, kept (the commit
   * point), then stored in the database; resolves once it is stored there too.
   */
  async checkpoint(): Promise<StoredCheckpoint> {
    const { checkpoint, stored } = await this.sign();
    await stored;
    const size = await this.store.size();
    if (checkpoint.size > size) {
      // another process appended and signed beyond what this one has read: its proofs could not be given here
      throw new ConcordError(
        'LEDGER_CONTENDED',
        `another process appended to this node and signed a checkpoint at size ${checkpoint.size} while this one read ${size} entries; run the command again`,
      );
    }
    return checkpoint;
  }

  /**
   * One signing at a time: a caller arriving mid-signing waits, then signs
   * the newer size. A signing ends when the checkpoint is kept; storing it
   * in the database (`stored`) overlaps the next appends and the next
   * signing. A crash before it is stored loses nothing: opening puts the
   * kept checkpoint back into the database.
   */
  private sign(): Promise<{ readonly checkpoint: StoredCheckpoint; readonly stored: Promise<void> }> {
    const run = async (): Promise<{ checkpoint: StoredCheckpoint; stored: Promise<void> }> => {
      if (this.unusable) throw this.unusable;
      const size = await this.store.size();
      const keeping = this.keeping;
      if (keeping !== undefined && keeping.kept.size > size) {
        // taken from another process of this node that appended and signed beyond what this one has read (opening checked the log on disk)
        return { checkpoint: { size: keeping.kept.size, root: keeping.kept.root, note: keeping.kept.note }, stored: Promise.resolve() };
      }
      if (keeping !== undefined && keeping.kept.size === size) {
        await this.requireConsistent(size);
        return { checkpoint: { size, root: keeping.kept.root, note: keeping.kept.note }, stored: Promise.resolve() };
      }
      if (keeping === undefined) {
        const latest = await this.store.latestCheckpoint();
        if (latest && latest.size === size) return { checkpoint: latest, stored: Promise.resolve() };
      }
      if (!this.signer) throw new ConcordError('KEY_INVALID', 'this node has no signer key');
      const root = await this.rootAt(size);
      const lineage = await this.requireConsistent(size, root);
      const note = signCheckpoint({ origin: this.origin, size, root, extensions: [] }, this.signer);
      const checkpoint = { size, root, note };
      if (keeping !== undefined) {
        for (let tries = 1; ; tries++) {
          const theirs = await replaceKeptCheckpoint(keeping.dir, keeping.kept, note, this.verifier, this.origin);
          if (theirs === undefined) break;
          // another process of this node signed meanwhile, after checking its tree against the
          // checkpoint kept before, as this one did: go on from it, checking this tree against it
          if (tries > MAX_KEPT_RACES) {
            throw new ConcordError(
              'LEDGER_CONTENDED',
              `another process keeps signing checkpoints of this node (${keeping.dir}/checkpoint changed ${tries} times while this one signed); nothing was signed`,
            );
          }
          keeping.kept = theirs;
          if (theirs.size >= size) {
            // it covers this tree already; the note signed here never left this process
            if (theirs.size === size) await this.requireConsistent(size, root);
            this.signed = Math.max(this.signed, theirs.size);
            this.admitWaiting();
            return { checkpoint: { size: theirs.size, root: theirs.root, note: theirs.note }, stored: Promise.resolve() };
          }
          await this.requireConsistent(size, root);
        }
        keeping.kept = { note, size, root };
        // the tree just signed is of `lineage` (when it was the committed one): the trees grown from it extend what is kept now
        this.extending = lineage === undefined ? undefined : { lineage, kept: keeping.kept };
      }
      this.signed = Math.max(this.signed, size);
      this.admitWaiting();
      return { checkpoint, stored: this.store.saveCheckpoint(checkpoint).then(() => undefined) };
    };
    // after the commit point, whoever publishes checkpoints (witnessing) hears of each new one, also one
    // another process of this node signed and this one took up
    const next = (this.signing ?? Promise.resolve()).then(run, run).then((r) => {
      if (r.checkpoint.size > this.announced) {
        this.announced = r.checkpoint.size;
        for (const listener of this.signedListeners) listener(r.checkpoint);
      }
      return r;
    });
    this.signing = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  }

  /** calls `listener` with every checkpoint this service signs, once it is kept; returns the unsubscribe */
  onSigned(listener: (checkpoint: StoredCheckpoint) => void): () => void {
    this.signedListeners.add(listener);
    return () => this.signedListeners.delete(listener);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const kept = this.keeping?.kept;
    return kept !== undefined ? { size: kept.size, root: kept.root, note: kept.note } : this.store.latestCheckpoint();
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

  /** the proof nodes alone, from the stored tiles (the roots are known to the caller) */
  private async consistencyPath(from: number, to: number): Promise<Hash[]> {
    const ranges = consistencyProofRanges(from, to);
    const get = await this.lookup(ranges, to);
    return ranges.map(([lo, hi]) => hashRange(lo, hi, get));
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
  async exportBundle(select: {
    readonly indexes?: readonly number[];
    readonly all?: boolean;
    /** every entry of this incident (as of the checkpoint) */
    readonly incident?: string;
    readonly history?: boolean;
    /** rest the bundle on this checkpoint of the log (a witnessed one, with its cosignatures) instead of the latest */
    readonly checkpoint?: string;
  }): Promise<Bundle> {
    const cp = select.checkpoint !== undefined ? await this.checkpointOfLog(select.checkpoint) : await this.checkpoint();
    const opened = openCheckpoint(cp.note, [this.verifier], this.origin);
    const size = opened.checkpoint.size;
    let indexes: number[];
    if (select.all) {
      indexes = Array.from({ length: size }, (_, i) => i);
    } else {
      const chosen = new Set(select.indexes ?? []);
      if (select.incident !== undefined) {
        // every entry of the incident the checkpoint covers (the store's incident column, checked against the text by verify)
        const before = chosen.size;
        for await (const e of this.store.entries(0, size, { incident: select.incident })) chosen.add(e.index);
        if (chosen.size === before) throw new ConcordError('BAD_INPUT', `incident ${select.incident} has no entries in the log (size ${size})`);
      }
      indexes = [...chosen].sort((a, b) => a - b);
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

  /**
   * A checkpoint note of this log given from outside (the witnessed one):
   * signed by the log, and with the root the log has at its size, else
   * BAD_INPUT; cosignatures it carries are kept as they are.
   */
  private async checkpointOfLog(note: string): Promise<StoredCheckpoint> {
    const opened = openCheckpoint(note, [this.verifier], this.origin);
    if (!opened.signatures.some((s) => s.type === 'ed25519')) throw new ConcordError('BAD_INPUT', 'the checkpoint is not signed by this log');
    const { size, root } = opened.checkpoint;
    if (size > (await this.store.size()) || !(await this.rootAt(size)).equals(root)) {
      throw new ConcordError('BAD_INPUT', `the checkpoint at size ${size} is not one of this log's trees`);
    }
    return { size, root, note };
  }

  /** Stops the timer, signs a last checkpoint if the log grew (and is consistent), closes the store. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    try {
      // the appends on their way and those waiting for a signature are answered first, and covered below
      if (this.outstanding > 0 || this.waiting.length > 0) await new Promise<void>((done) => this.whenIdle.push(done));
      if (this.signer && !this.unusable) await this.checkpointIfGrown();
    } finally {
      await this.signing?.catch(() => undefined);
      await this.store.close();
    }
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
 * A new node as `concord init` makes it: keys, the ledger database, a first
 * signed checkpoint (of the empty log) kept beside it and stored in it, and
 * the configuration.
 */
export async function initNode(dir: string, origin: string): Promise<{ readonly node: NodeDir; readonly checkpoint: StoredCheckpoint }> {
  const node = initNodeDir(dir, origin);
  const checkpoint = await withLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, (ledger) => ledger.checkpoint());
  return { node, checkpoint };
}
