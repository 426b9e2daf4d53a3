/**
 * What the Merkle tests share: the transparency-dev/merkle vectors, a tree of
 * 6000 leaves held both by MemoryTree and by the reference, and the
 * assertions on PROOF_INVALID.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isConcordError } from '../../../src/errors.ts';
import { leafHash } from '../../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../../src/ledger/merkle/memory-tree.ts';
import { refLeafHash, RefTree } from './reference.ts';

// Copied with their licence and provenance: test/vectors/transparency-dev-merkle/PROVENANCE.md
export const MERKLE = new URL('../../vectors/transparency-dev-merkle/', import.meta.url);
export const TESTDATA = new URL('testdata/', MERKLE);

// A shared tree for the properties: leaves "leaf 0" ... as in golang.org/x/mod tlog_test.go.
export const MAX_LEAVES = 6000;
export const LEAF_DATA = Array.from({ length: MAX_LEAVES }, (_, i) => Buffer.from(`leaf ${i}`));
export const REF = new RefTree(LEAF_DATA.map(refLeafHash));
export const TREE = MemoryTree.fromLeaves(LEAF_DATA.map((d) => leafHash(d)));

/** for assert.throws: the error is PROOF_INVALID, its message matching `re` when given */
export function invalid(label: string, re?: RegExp) {
  return (e: unknown): boolean => {
    assert.ok(isConcordError(e, 'PROOF_INVALID'), `${label}: expected ConcordError PROOF_INVALID, got ${String(e)}`);
    if (re !== undefined) assert.match(e.message, re, label);
    return true;
  };
}

export function flipBit(h: Buffer, bit: number): Buffer {
  const c = Buffer.from(h);
  c[bit >> 3] = (c[bit >> 3] as number) ^ (1 << (bit & 7));
  return c;
}

// ---------------------------------------------------------------------------
// rfc6962-vectors.json (transparency-dev/merkle testonly/constants.go, rfc6962_test.go)

export interface Rfc6962Vectors {
  leafInputsHex: string[];
  nodeHashesByLevel: string[][];
  rootHashesBySize: string[];
  hasherVectors: Array<{ desc: string; input: string; want: string }>;
}
export const VECTORS = JSON.parse(readFileSync(new URL('rfc6962-vectors.json', MERKLE), 'utf8')) as Rfc6962Vectors;
export const VECTOR_LEAVES = VECTORS.leafInputsHex.map((h) => Buffer.from(h, 'hex'));
export const VECTOR_TREE = MemoryTree.fromLeaves(VECTOR_LEAVES.map((d) => leafHash(d)));
