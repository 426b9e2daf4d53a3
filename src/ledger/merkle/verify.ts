/**
 * Verification of inclusion (RFC 9162 §2.1.3.2) and consistency (RFC 9162
 * §2.1.4.2) proofs. Every argument may come from an untrusted peer or
 * bundle: it is checked before any hashing, and any defect is a
 * PROOF_INVALID with the precise reason, never a crash or an unbounded loop.
 */
import { checkHash, EMPTY_ROOT, nodeHash, type Hash } from './hash.ts';
import { checkConsistencyArgs, checkInclusionArgs, consistencyProofLength, inclusionProofLength } from './proof.ts';
import { invalid, isPowerOfTwo } from './ranges.ts';

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
