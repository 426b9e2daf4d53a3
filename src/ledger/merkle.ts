/**
 * RFC 9162 §2.1 Merkle tree hashing, inclusion proofs and consistency proofs.
 *
 * Pure and synchronous. The store keeps complete-subtree hashes (in tiles)
 * and may have to fetch them asynchronously, so proof work is split in two:
 * `inclusionProofRanges` / `consistencyProofRanges` + `nodesForRanges` say
 * which complete subtrees are needed; `inclusionProof` / `consistencyProof` /
 * `hashRange` compose the answer from a synchronous lookup over what was
 * fetched. A proof needs O(log n) node hashes and never a rescan.
 *
 * Sizes and indexes are JS numbers: non-negative safe integers (< 2^53). The
 * arithmetic below therefore avoids the 32-bit bitwise operators except
 * where a value is known to fit.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import { ConcordError } from '../errors.ts';

/** a SHA-256 digest, 32 bytes */
export type Hash = Buffer;

export const HASH_SIZE = 32;

/** RFC 9162 §2.1.1: MTH({}) = HASH(), the hash of the empty string. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** a complete, aligned subtree: covers leaves [index * 2^level, (index + 1) * 2^level) */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** a synchronous lookup of complete-subtree hashes (from a cache, tiles already fetched, or MemoryTree) */
export type NodeLookup = (id: NodeId) => Hash;

/** a leaf range [lo, hi) */
export type Range = readonly [number, number];

// ---------------------------------------------------------------------------
// Hashing. The one-shot crypto.hash over a reused scratch buffer measured
// ~650 ns for a 65-byte node against ~1,100-1,400 ns for createHash with
// update() calls (Node 20, 33/65-byte inputs): the cost is the JS/C++
// crossings and the result object, not SHA-256 itself. Asking for the digest
// as a latin1 ('binary') string, one char per byte, and copying it into a pooled Buffer
// costs about half of asking for a Buffer (~0.48 against ~1.0 µs), which
// allocates a fresh ArrayBuffer each time. Reusing module-level scratch is
// safe because hashing is synchronous.

/** SHA-256 of `data` as a pooled 32-byte Buffer */
function sha256(data: Uint8Array): Hash {
  return Buffer.from(oneShotHash('sha256', data, 'binary'), 'latin1');
}

/** SHA-256 of `data` written into `out` at `offset` */
function sha256Into(data: Uint8Array, out: Buffer, offset: number): void {
  out.write(oneShotHash('sha256', data, 'binary'), offset, HASH_SIZE, 'latin1');
}

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeScratch[0] = 0x01;
// Larger entries are streamed into createHash: copying them would cost more
// than the two update() calls it saves.
const LEAF_SCRATCH_MAX = 64 * 1024;
let leafScratch = Buffer.alloc(1 + 1024);

/** RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)). The prefix keeps a leaf from passing for an interior node. */
export function leafHash(entry: Uint8Array): Hash {
  const n = entry.length;
  if (n >= LEAF_SCRATCH_MAX) return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
  if (n + 1 > leafScratch.length) {
    leafScratch = Buffer.alloc(Math.min(LEAF_SCRATCH_MAX, Math.max(n + 1, 2 * leafScratch.length)));
  }
  leafScratch[0] = 0x00;
  leafScratch.set(entry, 1);
  return sha256(leafScratch.subarray(0, n + 1));
}

/**
 * leafHash of a string's UTF-8 bytes (an entry's canonical JSON text). The
 * prefix goes in as the string "\0" (UTF-8: one 0x00 byte), so the text is
 * encoded once, inside the hash call: ~0.9 µs for a 320-character entry
 * against ~1.35 µs for encoding it into a scratch buffer first (Node 20).
 * A lone surrogate encodes as U+FFFD either way, as Buffer.from does.
 */
export function leafHashText(text: string): Hash {
  return Buffer.from(oneShotHash('sha256', '\0' + text, 'binary'), 'latin1');
}

/** RFC 9162 §2.1.1: HASH(0x01 || MTH(left) || MTH(right)). Returns a fresh buffer. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeScratch.set(left, 1);
    nodeScratch.set(right, 1 + HASH_SIZE);
    return sha256(nodeScratch);
  }
  // Only test vectors hash children that are not digests (RFC 6962 hasher tests).
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** nodeHash of two 32-byte children, written into `out` at `offset` (no Buffer per node) */
export function nodeHashInto(left: Uint8Array, right: Uint8Array, out: Buffer, offset: number): void {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  sha256Into(nodeScratch, out, offset);
}

// ---------------------------------------------------------------------------
// Safe-integer bit arithmetic (values up to 2^53 do not fit the 32-bit
// bitwise operators).

const TWO_32 = 2 ** 32;
/** POW2[e] = 2^e; a table because `2 ** e` with a variable e is a Math.pow call (~45 ns) */
const POW2: readonly number[] = Array.from({ length: 64 }, (_, e) => 2 ** e);

function pow2(e: number): number {
  return POW2[e] as number;
}

/** floor(log2(n)) for a safe integer n >= 1 */
function floorLog2(n: number): number {
  return n < TWO_32 ? 31 - Math.clz32(n) : 63 - Math.clz32(Math.floor(n / TWO_32));
}

/** number of trailing zero bits of a safe integer n >= 1 */
function trailingZeros(n: number): number {
  const low = n >>> 0; // n mod 2^32, exact for safe integers
  if (low !== 0) return 31 - Math.clz32(low & -low);
  const high = Math.floor(n / TWO_32);
  return 32 + 31 - Math.clz32(high & -high);
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && pow2(trailingZeros(n)) === n;
}

/** RFC 9162 §2.1.1: k, the largest power of two smaller than n (n >= 2) */
function splitPoint(n: number): number {
  return pow2(floorLog2(n - 1));
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

function invalid(message: string): never {
  throw new ConcordError('PROOF_INVALID', message);
}

function checkSize(n: unknown, name: string): asserts n is number {
  if (!isSize(n)) invalid(`${name} ${String(n)} is not a non-negative safe integer`);
}

/**
 * A range [lo, hi) is a node of the RFC 9162 §2.1.1 MTH recursion (for some
 * tree size) exactly when lo is a multiple of the smallest power of two
 * >= hi - lo: each split puts a power of two on the left, so every right
 * part starts on a boundary at least as large as itself.
 */
function checkRange(lo: unknown, hi: unknown): asserts lo is number {
  checkSize(lo, 'range start');
  checkSize(hi, 'range end');
  if (hi <= lo) invalid(`range [${lo}, ${hi}) is empty or reversed`);
  const width = hi - lo;
  const align = width === 1 ? 1 : 2 * splitPoint(width);
  if (lo % align !== 0) invalid(`range [${lo}, ${hi}) is not aligned as in the RFC 9162 MTH recursion (start must be a multiple of ${align})`);
}

function lookup(node: NodeLookup, level: number, index: number): Hash {
  const h = node({ level, index });
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    invalid(`node lookup for level ${level} index ${index} returned ${h instanceof Uint8Array ? `${h.length} bytes` : String(h)}, not a ${HASH_SIZE}-byte hash`);
  }
  return h;
}

// ---------------------------------------------------------------------------
// Tree hashes from complete subtrees.

/**
 * The complete subtrees that make up [lo, hi), split as RFC 9162 §2.1.1 MTH
 * does (the largest power of two smaller than n on the left), left to right.
 * They are the binary digits of hi - lo, largest first.
 */
export function rangeNodes(lo: number, hi: number): NodeId[] {
  checkRange(lo, hi);
  const out: NodeId[] = [];
  let rest = hi - lo;
  let pos = lo;
  while (rest > 0) {
    const level = floorLog2(rest);
    const width = pow2(level);
    out.push({ level, index: pos / width });
    pos += width;
    rest -= width;
  }
  return out;
}

/**
 * Hashes of the incomplete subtrees on the right edge of one tree size,
 * MTH(D[lo:size]) keyed by lo. RFC 9162 proofs hash these from complete
 * subtrees (they change with every append, so they are not stored as
 * nodes); every proof at the same size needs the same few, so a caller that
 * serves many proofs for one checkpoint keeps one EdgeCache for it. A cache
 * is only ever used for its own size; it must not outlive the tree data it
 * was filled from.
 */
export class EdgeCache {
  readonly size: number;
  private readonly byStart = new Map<number, Hash>();

  constructor(size: number) {
    checkSize(size, 'tree size');
    this.size = size;
  }

  get(lo: number): Hash | undefined {
    return this.byStart.get(lo);
  }

  set(lo: number, h: Hash): void {
    this.byStart.set(lo, h);
  }
}

/**
 * MTH(D[lo:hi]) (RFC 9162 §2.1.1) from complete-subtree hashes; lo must be
 * aligned as in the MTH recursion. Folds right to left (smallest subtree
 * first) because MTH nests to the right: MTH = H(A, H(B, C)) for the parts
 * A > B > C. Each partial fold is MTH(D[pos:hi]), so with an EdgeCache for
 * size hi every edge range met on the way is kept. No intermediate arrays:
 * this runs inside every proof.
 */
export function hashRange(lo: number, hi: number, node: NodeLookup, edge?: EdgeCache): Hash {
  if (lo === 0 && hi === 0) return EMPTY_ROOT;
  checkRange(lo, hi);
  const cache = edge !== undefined && edge.size === hi ? edge : undefined;
  if (cache !== undefined) {
    const known = cache.get(lo);
    if (known !== undefined) return known;
  }
  let rest = hi - lo;
  let pos = hi;
  let acc: Hash | undefined;
  while (rest > 0) {
    const level = trailingZeros(rest);
    const width = pow2(level);
    pos -= width;
    rest -= width;
    if (acc === undefined) {
      acc = lookup(node, level, pos / width);
      continue;
    }
    const known = cache?.get(pos);
    if (known !== undefined) {
      acc = known;
      continue;
    }
    acc = nodeHash(lookup(node, level, pos / width), acc);
    cache?.set(pos, acc);
  }
  return acc as Hash;
}

/** MTH of the first `size` leaves; EMPTY_ROOT for size 0 (RFC 9162 §2.1.1) */
export function rootHash(size: number, node: NodeLookup, edge?: EdgeCache): Hash {
  checkSize(size, 'tree size');
  return size === 0 ? EMPTY_ROOT : hashRange(0, size, node, edge);
}

/** the hash of a range that the proof recursion produced: one lookup if it is a complete subtree */
function rangeHash(lo: number, hi: number, node: NodeLookup, edge: EdgeCache | undefined): Hash {
  const width = hi - lo;
  if (isPowerOfTwo(width)) return lookup(node, trailingZeros(width), lo / width);
  return hashRange(lo, hi, node, edge);
}

// ---------------------------------------------------------------------------
// Inclusion proofs, RFC 9162 §2.1.3.

function checkInclusionArgs(index: unknown, size: unknown): asserts index is number {
  checkSize(index, 'leaf index');
  checkSize(size, 'tree size');
  if (index >= size) invalid(`leaf index ${index} is not below tree size ${size}`);
}

/**
 * RFC 9162 §2.1.3.1 PATH(m, D[n]) as leaf ranges, in proof order (the leaf's
 * sibling first, the root's child last). The recursion is walked top-down
 * and then reversed, because PATH puts the deeper part first.
 */
export function inclusionProofRanges(index: number, size: number): Array<readonly [number, number]> {
  checkInclusionArgs(index, size);
  const out: Array<readonly [number, number]> = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      out.push([mid, hi]);
      hi = mid;
    } else {
      out.push([lo, mid]);
      lo = mid;
    }
  }
  return out.reverse();
}

/** the number of hashes in PATH(index, D[size]) */
export function inclusionProofLength(index: number, size: number): number {
  checkInclusionArgs(index, size);
  let n = 0;
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) hi = mid;
    else lo = mid;
    n++;
  }
  return n;
}

/** RFC 9162 §2.1.3.1 PATH(index, D[size]) composed from complete-subtree hashes */
export function inclusionProof(index: number, size: number, node: NodeLookup, edge?: EdgeCache): Hash[] {
  checkInclusionArgs(index, size);
  const out: Hash[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      out.push(rangeHash(mid, hi, node, edge));
      hi = mid;
    } else {
      // A left sibling is always a complete subtree of width mid - lo.
      out.push(lookup(node, floorLog2(mid - lo), lo / (mid - lo)));
      lo = mid;
    }
  }
  return out.reverse();
}

// ---------------------------------------------------------------------------
// Consistency proofs, RFC 9162 §2.1.4.

function checkConsistencyArgs(oldSize: unknown, newSize: unknown): asserts oldSize is number {
  checkSize(oldSize, 'old tree size');
  checkSize(newSize, 'new tree size');
  if (oldSize > newSize) invalid(`old tree size ${oldSize} is larger than new tree size ${newSize}`);
  // RFC 9162 §2.1.4 defines PROOF(m, D[n]) for 0 < m <= n only: every tree
  // extends the empty one, so there is nothing to prove from size 0. Callers
  // that accept old size 0 (C2SP tlog-witness) decide that before asking.
  if (oldSize === 0 && newSize > 0) invalid('consistency proofs from the empty tree are not defined (RFC 9162 §2.1.4: 0 < m)');
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true) as leaf ranges
 * in proof order. Walked top-down, then reversed, as SUBPROOF puts the
 * recursive part first. Empty for m = n.
 */
export function consistencyProofRanges(oldSize: number, newSize: number): Array<readonly [number, number]> {
  checkConsistencyArgs(oldSize, newSize);
  const out: Array<readonly [number, number]> = [];
  if (oldSize === newSize) return out;
  let lo = 0;
  let hi = newSize;
  let wholeOld = true; // SUBPROOF's b: is [lo, oldSize) the entire old tree?
  for (;;) {
    if (oldSize === hi) {
      // SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b = true the verifier already has it.
      if (!wholeOld) out.push([lo, hi]);
      break;
    }
    const mid = lo + splitPoint(hi - lo);
    if (oldSize <= mid) {
      out.push([mid, hi]);
      hi = mid;
    } else {
      out.push([lo, mid]);
      lo = mid;
      wholeOld = false;
    }
  }
  return out.reverse();
}

/** the number of hashes in PROOF(oldSize, D[newSize]) */
export function consistencyProofLength(oldSize: number, newSize: number): number {
  checkConsistencyArgs(oldSize, newSize);
  if (oldSize === newSize) return 0;
  let n = 0;
  let lo = 0;
  let hi = newSize;
  let wholeOld = true;
  for (;;) {
    if (oldSize === hi) return wholeOld ? n : n + 1;
    const mid = lo + splitPoint(hi - lo);
    if (oldSize <= mid) hi = mid;
    else {
      lo = mid;
      wholeOld = false;
    }
    n++;
  }
}

/** RFC 9162 §2.1.4.1 PROOF(oldSize, D[newSize]) composed from complete-subtree hashes */
export function consistencyProof(oldSize: number, newSize: number, node: NodeLookup, edge?: EdgeCache): Hash[] {
  const ranges = consistencyProofRanges(oldSize, newSize);
  const out: Hash[] = new Array<Hash>(ranges.length);
  for (let i = 0; i < ranges.length; i++) {
    const [lo, hi] = ranges[i] as Range;
    out[i] = rangeHash(lo, hi, node, edge);
  }
  return out;
}

/** all complete subtrees needed to hash the given ranges, deduplicated, in first-use order */
export function nodesForRanges(ranges: ReadonlyArray<readonly [number, number]>): NodeId[] {
  const seen = new Set<string>();
  const out: NodeId[] = [];
  for (const [lo, hi] of ranges) {
    for (const id of rangeNodes(lo, hi)) {
      const key = nodeKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(id);
    }
  }
  return out;
}

/** a stable string key for a NodeId ("level/index"), for maps of fetched hashes */
export function nodeKey(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

// ---------------------------------------------------------------------------
// Verification. Every argument may come from an untrusted peer or bundle:
// it is checked before any hashing, and any defect is a PROOF_INVALID with
// the precise reason, never a crash or an unbounded loop.

function checkHash(h: unknown, name: string): asserts h is Uint8Array {
  if (!(h instanceof Uint8Array)) invalid(`${name} is not a byte array`);
  if (h.length !== HASH_SIZE) invalid(`${name} has ${h.length} bytes, expected ${HASH_SIZE}`);
}

function checkProof(proof: unknown, expected: number, what: string): asserts proof is readonly Uint8Array[] {
  if (!Array.isArray(proof)) invalid(`${what} proof is not an array`);
  if (proof.length !== expected) invalid(`${what} proof has ${proof.length} hashes, expected ${expected}`);
  for (let i = 0; i < proof.length; i++) checkHash(proof[i], `${what} proof hash ${i}`);
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

function hex(h: Uint8Array): string {
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength).toString('hex');
}

/**
 * RFC 9162 §2.1.3.2: verifies that `leaf` (a leaf hash) is at `index` in the
 * tree of `size` leaves whose root is `root`. Throws PROOF_INVALID.
 */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): void {
  checkInclusionArgs(index, size); // step 1: leaf_index < tree_size
  checkHash(leaf, 'leaf hash');
  checkHash(root, 'root hash');
  // The proof length is fixed by (index, size); checking it first gives a
  // precise reason and bounds the work before any hashing.
  checkProof(proof, inclusionProofLength(index, size), 'inclusion');

  // Steps 2-4: fn walks the leaf's position and sn the last leaf's up the
  // tree; where they coincide (fn == sn) the path runs along the right edge,
  // where the tree is not full and levels are skipped.
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) invalid('inclusion proof is longer than the path to the root');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 5.
  if (sn !== 0) invalid('inclusion proof is shorter than the path to the root');
  if (!sameHash(r, root)) invalid(`inclusion proof leads to root ${hex(r)}, expected ${hex(root)}`);
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of `oldSize` leaves with root
 * `oldRoot` is a prefix of the tree of `newSize` leaves with root `newRoot`.
 * Equal sizes need an empty proof and equal roots. Throws PROOF_INVALID.
 */
export function verifyConsistency(oldSize: number, newSize: number, proof: readonly Hash[], oldRoot: Hash, newRoot: Hash): void {
  checkConsistencyArgs(oldSize, newSize);
  checkHash(oldRoot, 'old root hash');
  checkHash(newRoot, 'new root hash');
  checkProof(proof, consistencyProofLength(oldSize, newSize), 'consistency');

  if (oldSize === newSize) {
    // SUBPROOF(m, D[m], true) = {}: the same tree, so the same root.
    if (!sameHash(oldRoot, newRoot)) invalid(`roots of the same size ${oldSize} differ: ${hex(oldRoot)} vs ${hex(newRoot)}`);
    // RFC 9162 §2.1.1: MTH({}) = HASH(); C2SP tlog-witness requires it too.
    if (oldSize === 0 && !sameHash(oldRoot, EMPTY_ROOT)) invalid(`root of the empty tree is ${hex(oldRoot)}, expected ${hex(EMPTY_ROOT)}`);
    return;
  }

  // Step 2: for a power-of-two old size the old root is itself the first
  // node of the path, so the proof omits it; start from oldRoot instead of
  // prepending it (no copy of the proof).
  let start = 0;
  let seed: Uint8Array = oldRoot;
  if (!isPowerOfTwo(oldSize)) {
    seed = proof[0] as Uint8Array;
    start = 1;
  }
  // Steps 3-4: fn is the last old leaf, sn the last new leaf; levels where fn
  // is a right child are inside the old tree's first node and are skipped.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 5: fr rebuilds the old root, sr the new one, from the same path.
  let fr: Uint8Array = seed;
  let sr: Uint8Array = seed;
  // Step 6.
  for (let i = start; i < proof.length; i++) {
    const c = proof[i] as Uint8Array;
    if (sn === 0) invalid('consistency proof is longer than the path to the new root');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      // c lies beyond the old tree: it grows the new root only.
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  // Step 7.
  if (sn !== 0) invalid('consistency proof is shorter than the path to the new root');
  if (!sameHash(fr, oldRoot)) invalid(`consistency proof leads to old root ${hex(fr)}, expected ${hex(oldRoot)}`);
  if (!sameHash(sr, newRoot)) invalid(`consistency proof leads to new root ${hex(sr)}, expected ${hex(newRoot)}`);
}

// ---------------------------------------------------------------------------

/**
 * The hashes of one tree level, back to back in one growable buffer: 32
 * bytes per hash instead of ~470 for a Buffer object each (a 1M-leaf tree
 * took 940 MB RSS as arrays of Buffers, 64 MB of hashes this way).
 */
class HashColumn {
  private bytes = Buffer.alloc(HASH_SIZE * 1024);
  length = 0;

  push(h: Uint8Array): void {
    this.reserve(this.length + 1);
    this.bytes.set(h, this.length * HASH_SIZE);
    this.length++;
  }

  /** appends HASH(0x01 || below[2i] || below[2i + 1]) for the next i */
  pushParentOf(below: HashColumn, i: number): void {
    this.reserve(this.length + 1);
    // Both children are adjacent in `below`: one copy fills the node input.
    below.bytes.copy(nodeScratch, 1, 2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE);
    sha256Into(nodeScratch, this.bytes, this.length * HASH_SIZE);
    this.length++;
  }

  /**
   * A view, not a copy: hashes never change once written, and a buffer
   * replaced by growth stays alive for the views into it.
   */
  get(i: number): Hash {
    return this.bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }

  private reserve(n: number): void {
    if (n * HASH_SIZE <= this.bytes.length) return;
    const grown = Buffer.alloc(Math.max(n * HASH_SIZE, 2 * this.bytes.length));
    this.bytes.copy(grown, 0, 0, this.length * HASH_SIZE);
    this.bytes = grown;
  }
}

/**
 * An in-memory tree: leaf hashes plus the complete-subtree levels, computed
 * lazily and kept. The simple reference for tests and for a verifier that
 * rebuilds a log from its entries; `node` is a NodeLookup for every
 * complete subtree of the current size. Returned hashes are views into the
 * tree's storage: copy before mutating one.
 */
export class MemoryTree {
  /** levels[l].get(i) = hash of the complete subtree (l, i); levels[0] holds the leaves */
  private readonly levels: HashColumn[] = [new HashColumn()];
  /** the size for which every complete subtree has been hashed */
  private hashedSize = 0;
  /** bound once so root() and proofs allocate no closure */
  private readonly lookupNode: NodeLookup = (id) => this.node(id);
  /** right-edge hashes of the size last asked about; still valid after appends, as leaves never change */
  private edge: EdgeCache | undefined;

  static fromLeaves(leaves: Iterable<Hash>): MemoryTree {
    const t = new MemoryTree();
    for (const leaf of leaves) t.append(leaf);
    return t;
  }

  get size(): number {
    return (this.levels[0] as HashColumn).length;
  }

  /** appends a leaf hash (see leafHash) */
  append(leaf: Hash): void {
    checkHash(leaf, 'leaf hash');
    (this.levels[0] as HashColumn).push(leaf);
  }

  /** appends an entry's bytes; returns its leaf hash */
  appendEntry(entry: Uint8Array): Hash {
    const h = leafHash(entry);
    (this.levels[0] as HashColumn).push(h);
    return h;
  }

  leaf(index: number): Hash {
    return this.node({ level: 0, index });
  }

  node(id: NodeId): Hash {
    const { level, index } = id;
    const size = this.size;
    if (!Number.isSafeInteger(level) || level < 0 || level > 53 || !isSize(index) || (index + 1) * pow2(level) > size) {
      invalid(`node level ${level} index ${index} is not a complete subtree of a tree of size ${size}`);
    }
    if (this.hashedSize !== size) this.hashLevels();
    return (this.levels[level] as HashColumn).get(index);
  }

  root(size: number = this.size): Hash {
    return rootHash(size, this.lookupNode, this.edgeFor(size));
  }

  inclusionProof(index: number, size: number = this.size): Hash[] {
    return inclusionProof(index, size, this.lookupNode, this.edgeFor(size));
  }

  consistencyProof(oldSize: number, newSize: number = this.size): Hash[] {
    return consistencyProof(oldSize, newSize, this.lookupNode, this.edgeFor(newSize));
  }

  private edgeFor(size: number): EdgeCache {
    checkSize(size, 'tree size');
    if (size > this.size) invalid(`tree size ${size} is larger than the ${this.size} leaves held`);
    if (this.edge?.size !== size) this.edge = new EdgeCache(size);
    return this.edge;
  }

  /** hashes every complete subtree not yet hashed; each node is hashed once over the tree's life */
  private hashLevels(): void {
    for (let l = 1; ; l++) {
      const below = this.levels[l - 1] as HashColumn;
      const want = Math.floor(below.length / 2);
      if (want === 0) break;
      if (this.levels.length <= l) this.levels.push(new HashColumn());
      const level = this.levels[l] as HashColumn;
      for (let i = level.length; i < want; i++) level.pushParentOf(below, i);
    }
    this.hashedSize = this.size;
  }
}
