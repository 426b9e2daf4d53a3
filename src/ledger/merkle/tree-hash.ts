/**
 * MTH (RFC 9162 §2.1.1) of a leaf range or a whole tree, composed from the
 * hashes of its complete subtrees, and the cache of the right-edge hashes
 * that every proof at one tree size shares. Pure and synchronous: the
 * hashes come from a lookup over what the caller already holds.
 */
import { EMPTY_ROOT, HASH_SIZE, nodeHash, type Hash } from './hash.ts';
import { checkRange, checkSize, invalid, pow2, trailingZeros, type NodeId } from './ranges.ts';

/** a synchronous lookup of complete-subtree hashes (from a cache, tiles already fetched, or MemoryTree) */
export type NodeLookup = (id: NodeId) => Hash;

/** a node's hash from `node`, checked: a lookup that returns no 32-byte hash is PROOF_INVALID */
export function lookup(node: NodeLookup, level: number, index: number): Hash {
  const h = node({ level, index });
  if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
    invalid(
      `node lookup for level ${level} index ${index} returned ${h instanceof Uint8Array ? `${h.length} bytes` : String(h)}, not a ${HASH_SIZE}-byte hash`,
    );
  }
  return h;
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
