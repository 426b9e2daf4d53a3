/**
 * The shape of an RFC 9162 tree, without hashes: complete subtrees (NodeId),
 * the leaf ranges of the MTH recursion, and the checks that keep sizes,
 * indexes and ranges from outside within them.
 *
 * Sizes and indexes are JS numbers: non-negative safe integers (< 2^53). The
 * arithmetic below therefore avoids the 32-bit bitwise operators except
 * where a value is known to fit.
 */
import { ConcordError } from '../../errors.ts';

/** a complete, aligned subtree: covers leaves [index * 2^level, (index + 1) * 2^level) */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** a leaf range [lo, hi) */
export type Range = readonly [number, number];

// ---------------------------------------------------------------------------
// Safe-integer bit arithmetic (values up to 2^53 do not fit the 32-bit
// bitwise operators).

const TWO_32 = 2 ** 32;
/** POW2[e] = 2^e; a table because `2 ** e` with a variable e is a Math.pow call (~45 ns) */
const POW2: readonly number[] = Array.from({ length: 64 }, (_, e) => 2 ** e);

export function pow2(e: number): number {
  return POW2[e] as number;
}

/** floor(log2(n)) for a safe integer n >= 1 */
export function floorLog2(n: number): number {
  return n < TWO_32 ? 31 - Math.clz32(n) : 63 - Math.clz32(Math.floor(n / TWO_32));
}

/** number of trailing zero bits of a safe integer n >= 1 */
export function trailingZeros(n: number): number {
  const low = n >>> 0; // n mod 2^32, exact for safe integers
  if (low !== 0) return 31 - Math.clz32(low & -low);
  const high = Math.floor(n / TWO_32);
  return 32 + 31 - Math.clz32(high & -high);
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && pow2(trailingZeros(n)) === n;
}

/** RFC 9162 §2.1.1: k, the largest power of two smaller than n (n >= 2) */
export function splitPoint(n: number): number {
  return pow2(floorLog2(n - 1));
}

// ---------------------------------------------------------------------------
// Checks: a size, index or range that does not fit is PROOF_INVALID with the
// precise reason, never a crash or an unbounded loop.

export function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export function invalid(message: string): never {
  throw new ConcordError('PROOF_INVALID', message);
}

export function checkSize(n: unknown, name: string): asserts n is number {
  if (!isSize(n)) invalid(`${name} ${String(n)} is not a non-negative safe integer`);
}

/**
 * A range [lo, hi) is a node of the RFC 9162 §2.1.1 MTH recursion (for some
 * tree size) exactly when lo is a multiple of the smallest power of two
 * >= hi - lo: each split puts a power of two on the left, so every right
 * part starts on a boundary at least as large as itself.
 */
export function checkRange(lo: unknown, hi: unknown): asserts lo is number {
  checkSize(lo, 'range start');
  checkSize(hi, 'range end');
  if (hi <= lo) invalid(`range [${lo}, ${hi}) is empty or reversed`);
  const width = hi - lo;
  const align = width === 1 ? 1 : 2 * splitPoint(width);
  if (lo % align !== 0) invalid(`range [${lo}, ${hi}) is not aligned as in the RFC 9162 MTH recursion (start must be a multiple of ${align})`);
}

// ---------------------------------------------------------------------------
// Complete subtrees of a range.

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
