import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_ROOT, leafHash, leafHashText, nodeHash, type Hash } from '../../../src/ledger/merkle/hash.ts';
import { rootHash } from '../../../src/ledger/merkle/tree-hash.ts';
import { VECTORS } from './fixtures.ts';
import { refLeafHash, sha256 } from './reference.ts';

// ---------------------------------------------------------------------------
// rfc6962-vectors.json (transparency-dev/merkle testonly/constants.go, rfc6962_test.go)

test('rfc6962-vectors.json: hasher vectors', () => {
  const computed: Record<string, Hash> = {
    'RFC6962 Empty': EMPTY_ROOT,
    'RFC6962 Empty Leaf': leafHash(new Uint8Array(0)),
    'RFC6962 Leaf': leafHash(Buffer.from('L123456')),
    'RFC6962 Node': nodeHash(Buffer.from('N123'), Buffer.from('N456')),
  };
  assert.equal(VECTORS.hasherVectors.length, 4, 'rfc6962-vectors.json: hasherVectors count');
  for (const v of VECTORS.hasherVectors) {
    const got = computed[v.desc];
    assert.ok(got !== undefined, `rfc6962-vectors.json: hasher vector "${v.desc}" is not handled by this test`);
    assert.equal(got.toString('hex'), v.want, `rfc6962-vectors.json: hasher vector "${v.desc}"`);
  }
  assert.equal(rootHash(0, () => assert.fail('no node is needed')).toString('hex'), sha256().toString('hex'), 'tlog_test.go TestEmptyTree');
});

test('property: leafHash and leafHashText equal SHA-256(0x00 || entry) for any size of entry', () => {
  const big = Buffer.alloc(200_000, 7); // past the scratch buffer
  assert.deepEqual(leafHash(big), refLeafHash(big));
  assert.deepEqual(leafHashText('é'.repeat(40_000)), refLeafHash(Buffer.from('é'.repeat(40_000))));
  // lone surrogates: encoded as U+FFFD, as Buffer.from encodes them
  for (const t of ['\ud800', 'x\udc00y', '\ud83d\ude00\ud800', '\u0000'])
    assert.deepEqual(leafHashText(t), refLeafHash(Buffer.from(t, 'utf8')), JSON.stringify(t));
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), fc.uint8Array({ maxLength: 3000 }), (text, bytes) => {
      assert.deepEqual(leafHashText(text), refLeafHash(Buffer.from(text, 'utf8')));
      assert.deepEqual(leafHash(bytes), refLeafHash(bytes));
      // results are fresh buffers, not views of a reused scratch buffer
      const a = leafHash(bytes);
      const b = leafHashText(text);
      leafHash(Buffer.from('other'));
      assert.deepEqual(a, refLeafHash(bytes));
      assert.deepEqual(b, refLeafHash(Buffer.from(text, 'utf8')));
    }),
    { numRuns: 300 },
  );
});

test('rfc6962_test.go: hasher collisions', () => {
  const h1 = leafHash(Buffer.from('Hello'));
  const h2 = leafHash(Buffer.from('World'));
  assert.notDeepEqual(h1, h2, 'different leaves, different hashes');
  const sub = nodeHash(h1, h2);
  assert.notDeepEqual(sub, leafHash(Buffer.concat([h1, h2])), 'a node is not the leaf of its children (second preimage)');
  assert.notDeepEqual(sub, nodeHash(h2, h1), 'order of children matters');
});
