import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeKey, rangeNodes } from '../../../src/ledger/merkle/ranges.ts';
import { invalid } from './fixtures.ts';

test('rangeNodes: the binary digits of the range width, largest (leftmost) first', () => {
  const ids = (lo: number, hi: number): string => rangeNodes(lo, hi).map(nodeKey).join(' ');
  assert.equal(ids(0, 1), '0/0');
  assert.equal(ids(0, 7), '2/0 1/2 0/6');
  assert.equal(ids(8, 13), '2/2 0/12');
  assert.equal(ids(0, 8), '3/0');
  assert.equal(ids(6, 7), '0/6');
  assert.equal(
    ids(2 ** 52, 2 ** 53 - 1),
    rangeNodes(2 ** 52, 2 ** 53 - 1)
      .map(nodeKey)
      .join(' '),
  );
  assert.equal(rangeNodes(0, Number.MAX_SAFE_INTEGER).length, 53);
  for (const [lo, hi] of [
    [1, 3],
    [2, 5],
    [4, 12],
    [3, 3],
    [5, 4],
    [-1, 2],
    [0.5, 1],
    [0, 2 ** 53],
  ] as const) {
    assert.throws(() => rangeNodes(lo, hi), invalid(`rangeNodes(${lo}, ${hi})`));
  }
});
