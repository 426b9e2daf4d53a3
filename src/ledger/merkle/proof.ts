/**
 * RFC 9162 §2.1.3.1 inclusion proofs and §2.1.4.1 consistency proofs,
 * computed from complete-subtree hashes. Pure and synchronous.
 *
 * The store keeps complete-subtree hashes (in tiles) and may have to fetch
 * them asynchronously, so proof work is split in two:
 * `inclusionProofRanges` / `consistencyProofRanges` + `nodesForRanges`
 * (ranges.ts) say which complete subtrees are needed; `inclusionProof` /
 * `consistencyProof` / `hashRange` (tree-hash.ts) compose the answer from a
 * synchronous lookup over what was fetched. A proof needs O(log n) node
 * hashes and never a rescan. Checking a proof from outside is verify.ts.
 */
import type { Hash } from './hash.ts';
import { checkSize, floorLog2, invalid, isPowerOfTwo, splitPoint, trailingZeros, type Range } from './ranges.ts';
import { hashRange, lookup, type EdgeCache, type NodeLookup } from './tree-hash.ts';

/** the hash of a range that the proof recursion produced: one lookup if it is a complete subtree */
function rangeHash(lo: number, hi: number, node: NodeLookup, edge: EdgeCache | undefined): Hash {
  const width = hi - lo;
  if (isPowerOfTwo(width)) return lookup(node, trailingZeros(width), lo / width);
  return hashRange(lo, hi, node, edge);
}

// ---------------------------------------------------------------------------
// Inclusion proofs, RFC 9162 §2.1.3.

/** RFC 9162 §2.1.3.2 step 1 (leaf_index < tree_size), with both safe integers; PROOF_INVALID otherwise */
export function checkInclusionArgs(index: unknown, size: unknown): asserts index is number {
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

/** 0 < oldSize <= newSize (or both 0), both safe integers; PROOF_INVALID otherwise */
export function checkConsistencyArgs(oldSize: unknown, newSize: unknown): asserts oldSize is number {
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
