import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash, type Hash } from '../../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../../src/ledger/merkle/memory-tree.ts';
import { rootHash } from '../../../src/ledger/merkle/tree-hash.ts';
import { verifyConsistency, verifyInclusion } from '../../../src/ledger/merkle/verify.ts';
import { LEAF_DATA, REF, VECTOR_LEAVES, VECTOR_TREE, VECTORS } from './fixtures.ts';
import { refLeafHash, RefTree } from './reference.ts';

// ---------------------------------------------------------------------------
// rfc6962-vectors.json (transparency-dev/merkle testonly/constants.go, rfc6962_test.go)

test('rfc6962-vectors.json: leaf hashes, node hashes by level, roots by size', () => {
  assert.equal(VECTOR_LEAVES.length, 8, 'rfc6962-vectors.json: leafInputsHex count');
  VECTOR_LEAVES.forEach((d, i) => {
    assert.equal(leafHash(d).toString('hex'), VECTORS.nodeHashesByLevel[0]?.[i], `rfc6962-vectors.json: leaf hash ${i}`);
  });
  VECTORS.nodeHashesByLevel.forEach((hashes, level) => {
    hashes.forEach((want, index) => {
      assert.equal(VECTOR_TREE.node({ level, index }).toString('hex'), want, `rfc6962-vectors.json: nodeHashesByLevel[${level}][${index}]`);
    });
  });
  const ref = new RefTree(VECTOR_LEAVES.map(refLeafHash));
  VECTORS.rootHashesBySize.forEach((want, size) => {
    assert.equal(VECTOR_TREE.root(size).toString('hex'), want, `rfc6962-vectors.json: rootHashesBySize[${size}] (MemoryTree)`);
    assert.equal(rootHash(size, (id) => VECTOR_TREE.node(id)).toString('hex'), want, `rfc6962-vectors.json: rootHashesBySize[${size}] (rootHash)`);
    assert.equal(ref.mth(0, size).toString('hex'), want, `rfc6962-vectors.json: rootHashesBySize[${size}] (reference)`);
  });
  assert.equal(VECTORS.rootHashesBySize.length, 9, 'rfc6962-vectors.json: rootHashesBySize count');
});

test('MemoryTree: appends after proofs keep earlier roots and proofs valid', () => {
  const t = new MemoryTree();
  const roots: Hash[] = [t.root()];
  for (let i = 0; i < 300; i++) {
    t.appendEntry(LEAF_DATA[i] as Buffer);
    roots.push(t.root());
    if (i % 17 === 0) {
      const old = 1 + (i >> 1);
      verifyConsistency(old, t.size, t.consistencyProof(old), roots[old] as Hash, t.root());
    }
  }
  roots.forEach((r, n) => assert.deepEqual(r, REF.mth(0, n), `root ${n}`));
  verifyInclusion(t.leaf(123), 123, 200, t.inclusionProof(123, 200), roots[200] as Hash);
});
