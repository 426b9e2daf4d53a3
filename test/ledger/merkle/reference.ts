/**
 * The independent reference: RFC 9162 §2.1 transcribed as plain recursion,
 * with its own SHA-256 calls and no shared code with src/ledger/merkle/.
 */
import { createHash } from 'node:crypto';

export function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}
export const refLeafHash = (d: Uint8Array): Buffer => sha256(Buffer.from([0]), d);
export const refNodeHash = (l: Uint8Array, r: Uint8Array): Buffer => sha256(Buffer.from([1]), l, r);

/** k: the largest power of two smaller than n (n > 1), by repeated doubling */
export function refSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) by the RFC recursion; memo keyed by range since the leaves never change */
export class RefTree {
  private readonly memo = new Map<string, Buffer>();
  constructor(readonly leaves: readonly Buffer[]) {}

  mth(lo: number, hi: number): Buffer {
    if (hi - lo === 0) return sha256();
    if (hi - lo === 1) return this.leaves[lo] as Buffer;
    const key = `${lo},${hi}`;
    let h = this.memo.get(key);
    if (h === undefined) {
      const k = refSplit(hi - lo);
      h = refNodeHash(this.mth(lo, lo + k), this.mth(lo + k, hi));
      this.memo.set(key, h);
    }
    return h;
  }

  hashes(ranges: ReadonlyArray<readonly [number, number]>): Buffer[] {
    return ranges.map(([lo, hi]) => this.mth(lo, hi));
  }
}

/** RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]) as ranges, proof order */
export function refPath(m: number, lo: number, hi: number): Array<[number, number]> {
  if (hi - lo <= 1) return [];
  const k = refSplit(hi - lo);
  if (m < k) return [...refPath(m, lo, lo + k), [lo + k, hi]];
  return [...refPath(m - k, lo + k, hi), [lo, lo + k]];
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b) as ranges, proof order */
export function refSubproof(m: number, lo: number, hi: number, b: boolean): Array<[number, number]> {
  const n = hi - lo;
  if (m === n) return b ? [] : [[lo, hi]];
  const k = refSplit(n);
  if (m <= k) return [...refSubproof(m, lo, lo + k, b), [lo + k, hi]];
  return [...refSubproof(m - k, lo + k, hi, false), [lo, lo + k]];
}

/**
 * What the RFC verifiers compute from a proof depends only on which side of
 * the path each proof node sits (and, for consistency, whether the old root
 * seeds the walk). Two (index, size) pairs with the same shape run the
 * same hash computation, so a proof for one verifies for the other: RFC 9162
 * proofs do not commit to the tree size on their own (a checkpoint signs
 * size and root together). Every other change must be rejected.
 */
export function inclusionShape(index: number, size: number): string {
  return refPath(index, 0, size)
    .map(([lo]) => (lo > index ? 'R' : 'L'))
    .join('');
}
export function consistencyShape(oldSize: number, newSize: number): string {
  if (oldSize === newSize) return '='; // any equal sizes: empty proof, equal roots
  const ranges = refSubproof(oldSize, 0, newSize, true);
  const seededByOldRoot = (oldSize & (oldSize - 1)) === 0;
  return `${seededByOldRoot ? 'root' : 'proof'}:${ranges
    .slice(seededByOldRoot ? 0 : 1)
    .map(([, hi]) => (hi <= oldSize ? 'L' : 'R'))
    .join('')}`;
}
