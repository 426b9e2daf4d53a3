import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash, nodeHash, type Hash } from '../../../src/ledger/merkle/hash.ts';
import type { MemoryTree } from '../../../src/ledger/merkle/memory-tree.ts';
import {
  consistencyProof,
  consistencyProofLength,
  consistencyProofRanges,
  inclusionProof,
  inclusionProofLength,
  inclusionProofRanges,
} from '../../../src/ledger/merkle/proof.ts';
import { nodeKey, nodesForRanges, type NodeId } from '../../../src/ledger/merkle/ranges.ts';
import { rootHash } from '../../../src/ledger/merkle/tree-hash.ts';
import { verifyConsistency, verifyInclusion } from '../../../src/ledger/merkle/verify.ts';
import { invalid, MAX_LEAVES, REF, TREE } from './fixtures.ts';
import { refNodeHash, refPath, refSplit, refSubproof } from './reference.ts';

// ---------------------------------------------------------------------------
// Shapes of proofs and the node-fetching split.

test('proof ranges match the RFC recursion; known sizes', () => {
  assert.deepEqual(inclusionProofRanges(0, 1), []);
  assert.deepEqual(inclusionProofRanges(2, 3), [[0, 2]]);
  assert.deepEqual(inclusionProofRanges(0, 3), [
    [1, 2],
    [2, 3],
  ]);
  assert.deepEqual(inclusionProofRanges(5, 8), [
    [4, 5],
    [6, 8],
    [0, 4],
  ]);
  assert.deepEqual(consistencyProofRanges(3, 3), []);
  assert.deepEqual(consistencyProofRanges(0, 0), []);
  assert.deepEqual(consistencyProofRanges(4, 8), [[4, 8]]);
  assert.deepEqual(consistencyProofRanges(6, 8), [
    [4, 6],
    [6, 8],
    [0, 4],
  ]);
  assert.deepEqual(consistencyProofRanges(3, 7), [
    [2, 3],
    [3, 4],
    [0, 2],
    [4, 7],
  ]);
  for (let n = 1; n <= 70; n++) {
    for (let m = 0; m < n; m++) {
      assert.deepEqual(inclusionProofRanges(m, n), refPath(m, 0, n), `PATH(${m}, D[${n}])`);
      assert.equal(inclusionProofLength(m, n), refPath(m, 0, n).length, `PATH(${m}, D[${n}]) length`);
      assert.deepEqual(consistencyProofRanges(m + 1, n), refSubproof(m + 1, 0, n, true), `PROOF(${m + 1}, D[${n}])`);
      assert.equal(consistencyProofLength(m + 1, n), refSubproof(m + 1, 0, n, true).length, `PROOF(${m + 1}, D[${n}]) length`);
    }
  }
  assert.throws(() => inclusionProofRanges(5, 5), invalid('index = size', /not below tree size/));
  assert.throws(() => inclusionProofRanges(0, 0), invalid('empty tree'));
  assert.throws(() => consistencyProofRanges(0, 5), invalid('from size 0', /empty tree/));
  assert.throws(() => consistencyProofRanges(6, 5), invalid('old > new', /larger/));
  assert.throws(() => consistencyProof(2, 2 ** 53, () => EMPTY_ROOT), invalid('unsafe size'));
});

/** a lookup that records what it was asked for and serves only fetched nodes */
function fetchedLookup(ids: readonly NodeId[], source: MemoryTree): { lookup: (id: NodeId) => Hash; asked: string[] } {
  const fetched = new Map(ids.map((id) => [nodeKey(id), source.node(id)] as const));
  const asked: string[] = [];
  return {
    asked,
    lookup: (id) => {
      asked.push(nodeKey(id));
      const h = fetched.get(nodeKey(id));
      if (h === undefined) assert.fail(`node ${nodeKey(id)} was needed but not in nodesForRanges`);
      return h;
    },
  };
}

test('property: nodesForRanges names exactly the nodes that proof composition looks up (fetch, then compose)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: MAX_LEAVES }), fc.nat(), fc.nat(), (size, a, b) => {
      const index = a % size;
      const incl = nodesForRanges(inclusionProofRanges(index, size));
      const f1 = fetchedLookup(incl, TREE);
      assert.deepEqual(inclusionProof(index, size, f1.lookup), REF.hashes(refPath(index, 0, size)));
      assert.deepEqual(new Set(f1.asked), new Set(incl.map(nodeKey)));
      assert.equal(new Set(incl.map(nodeKey)).size, incl.length, 'deduplicated');

      const old = 1 + (b % size);
      const cons = nodesForRanges(consistencyProofRanges(old, size));
      const f2 = fetchedLookup(cons, TREE);
      assert.deepEqual(consistencyProof(old, size, f2.lookup), REF.hashes(refSubproof(old, 0, size, true)));
      assert.deepEqual(new Set(f2.asked), new Set(cons.map(nodeKey)));

      const roots = nodesForRanges([[0, size]]);
      assert.deepEqual(rootHash(size, fetchedLookup(roots, TREE).lookup), REF.mth(0, size));
    }),
    { numRuns: 300 },
  );
  assert.deepEqual(
    nodesForRanges([
      [0, 4],
      [0, 4],
      [4, 6],
    ]).map(nodeKey),
    ['2/0', '1/2'],
  );
});

test('property: generated proofs equal the reference and verify (sizes up to 6000)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: MAX_LEAVES }), fc.nat(), fc.nat(), (size, a, b) => {
      const index = a % size;
      const root = REF.mth(0, size);
      const proof = TREE.inclusionProof(index, size);
      assert.deepEqual(proof, REF.hashes(refPath(index, 0, size)));
      verifyInclusion(REF.leaves[index] as Buffer, index, size, proof, root);

      const old = 1 + (b % size);
      const cproof = TREE.consistencyProof(old, size);
      assert.deepEqual(cproof, REF.hashes(refSubproof(old, 0, size, true)));
      verifyConsistency(old, size, cproof, REF.mth(0, old), root);
    }),
    { numRuns: 500 },
  );
});

test('sizes near 2^53: proof arithmetic stays exact (a tree whose leaves are all equal)', () => {
  // With identical leaves every complete subtree of level l has the same hash,
  // so node hashes for astronomically large trees are consistent and cheap.
  const levels: Hash[] = [leafHash(Buffer.from('same'))];
  for (let l = 1; l <= 53; l++) levels.push(nodeHash(levels[l - 1] as Hash, levels[l - 1] as Hash));
  const lookup = (id: NodeId): Hash => {
    assert.ok(Number.isSafeInteger(id.index) && (id.index + 1) * 2 ** id.level <= Number.MAX_SAFE_INTEGER, `node ${nodeKey(id)} outside the tree`);
    return levels[id.level] as Hash;
  };
  const sizes = [Number.MAX_SAFE_INTEGER, 2 ** 52 + 1, 2 ** 40 + 12345, 2 ** 33 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 31 + 7];
  const ref = (lo: number, hi: number): Hash => {
    // MTH of identical leaves by the RFC recursion, in O(log n) steps
    if (hi - lo === 1) return levels[0] as Hash;
    const k = refSplit(hi - lo);
    return refNodeHash(levels[Math.log2(k)] as Hash, ref(lo + k, hi));
  };
  for (const size of sizes) {
    const root = rootHash(size, lookup);
    assert.deepEqual(root, ref(0, size), `root of ${size}`);
    for (const index of [0, 1, size - 1, size - 2, Math.floor(size / 3), 2 ** 31, 2 ** 32 - 1]) {
      if (index >= size) continue;
      assert.deepEqual(inclusionProofRanges(index, size), refPath(index, 0, size), `PATH(${index}, D[${size}])`);
      const proof = inclusionProof(index, size, lookup);
      verifyInclusion(levels[0] as Hash, index, size, proof, root);
    }
    for (const old of [1, 2, 3, size - 1, Math.floor(size / 2), 2 ** 31 + 1, 2 ** 32 + 3]) {
      if (old > size) continue;
      assert.deepEqual(consistencyProofRanges(old, size), refSubproof(old, 0, size, true), `PROOF(${old}, D[${size}])`);
      const proof = consistencyProof(old, size, lookup);
      verifyConsistency(old, size, proof, rootHash(old, lookup), root);
    }
  }
});
