import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_ROOT, nodeHash, type Hash } from '../../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../../src/ledger/merkle/memory-tree.ts';
import { inclusionProof, inclusionProofRanges } from '../../../src/ledger/merkle/proof.ts';
import { rangeNodes, type NodeId } from '../../../src/ledger/merkle/ranges.ts';
import { EdgeCache, hashRange, rootHash } from '../../../src/ledger/merkle/tree-hash.ts';
import { invalid, MAX_LEAVES, REF, TREE } from './fixtures.ts';
import { refSplit } from './reference.ts';

test('property: root from rangeNodes/hashRange equals the reference MTH, for every aligned range', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: MAX_LEAVES }), (size) => {
      assert.deepEqual(
        rootHash(size, (id) => TREE.node(id)),
        REF.mth(0, size),
      );
      assert.deepEqual(TREE.root(size), REF.mth(0, size));
      // every range of the MTH recursion, down the right edge
      let lo = 0;
      while (size - lo > 1) {
        assert.deepEqual(
          hashRange(lo, size, (id) => TREE.node(id)),
          REF.mth(lo, size),
          `MTH(D[${lo}:${size}])`,
        );
        const nodes = rangeNodes(lo, size);
        let pos = lo;
        for (const { level, index } of nodes) {
          assert.equal(index * 2 ** level, pos, 'contiguous, aligned');
          pos += 2 ** level;
        }
        assert.equal(pos, size, 'covers the range');
        lo += refSplit(size - lo);
      }
    }),
    { numRuns: 200 },
  );
});

test('node lookups that return nothing or the wrong size are PROOF_INVALID, not a crash', () => {
  assert.throws(() => rootHash(5, () => undefined as unknown as Hash), invalid('missing node', /returned undefined/));
  assert.throws(() => inclusionProof(1, 5, () => Buffer.alloc(31)), invalid('short node', /returned 31 bytes/));
  assert.throws(() => TREE.node({ level: 13, index: 0 }), invalid('node beyond size'));
  assert.throws(() => TREE.node({ level: 0, index: MAX_LEAVES }), invalid('leaf beyond size'));
  assert.throws(() => TREE.node({ level: -1, index: 0 }), invalid('negative level'));
  assert.throws(() => TREE.root(MAX_LEAVES + 1), invalid('root beyond size', /larger than/));
  assert.throws(() => new MemoryTree().append(Buffer.alloc(3)), invalid('short leaf hash'));
  assert.deepEqual(new MemoryTree().root(), EMPTY_ROOT);
});

test('EdgeCache: proofs are the same with and without it; a cache of another size is not used', () => {
  for (const size of [1, 2, 3, 5, 1000, 4097, 5999]) {
    const edge = new EdgeCache(size);
    const lookup = (id: NodeId): Hash => TREE.node(id);
    assert.deepEqual(rootHash(size, lookup, edge), REF.mth(0, size));
    for (const index of [0, 1, size >> 1, size - 2, size - 1].filter((i) => i >= 0 && i < size)) {
      assert.deepEqual(inclusionProof(index, size, lookup, edge), inclusionProof(index, size, lookup), `size ${size} index ${index}`);
    }
    const wrong = new EdgeCache(size + 1);
    wrong.set(0, EMPTY_ROOT);
    assert.deepEqual(rootHash(size, lookup, wrong), REF.mth(0, size), 'foreign-size cache ignored');
    // Once the root is known, every incomplete edge range is cached: a proof
    // looks up only its complete siblings and hashes nothing.
    let lo = 0;
    while (size - lo > 1) {
      if ((size - lo) & (size - lo - 1)) assert.deepEqual(edge.get(lo), REF.mth(lo, size), `edge cache holds MTH(D[${lo}:${size}])`);
      lo += refSplit(size - lo);
    }
    for (const index of [0, size - 1]) {
      let lookups = 0;
      inclusionProof(index, size, (id) => (lookups++, TREE.node(id)), edge);
      const complete = inclusionProofRanges(index, size).filter(([a, b]) => ((b - a) & (b - a - 1)) === 0).length;
      assert.equal(lookups, complete, `size ${size} index ${index}: lookups with a warm edge cache`);
    }
  }
  // The cache is trusted for its size: a planted value shows it is consulted.
  const planted = new EdgeCache(7);
  planted.set(4, EMPTY_ROOT);
  assert.deepEqual(
    rootHash(7, (id) => TREE.node(id), planted),
    nodeHash(TREE.node({ level: 2, index: 0 }), EMPTY_ROOT),
  );
});
