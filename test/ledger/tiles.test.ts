/**
 * TileEdge against the reference MemoryTree (src/ledger/merkle/memory-tree.ts): whatever
 * the batch sizes, it reports exactly the full tiles of the tree, in the
 * order they complete, each with the root of the subtree it spans, and its
 * root() is MTH of the leaves so far. Rebuilt the way the SQLite store
 * rebuilds it at open (the level-0 partial tile from the last leaves, each
 * higher one from the roots of the full tiles below, as stored), it goes on
 * exactly as the edge that never stopped.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EMPTY_ROOT, type Hash } from '../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { ExpandedTile, HASH_SIZE, TILE_HEIGHT, TILE_WIDTH, TileEdge, tileCount, type FullTile } from '../../src/ledger/tiles.ts';

/** leaves for sizes across the first level-1 tile (65,536 leaves) and a little beyond */
const MAX = TILE_WIDTH ** 2 + 2048;
const leaves: Hash[] = Array.from({ length: MAX }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());
const tree = MemoryTree.fromLeaves(leaves);

/** C2SP tlog-tiles: level-L tile n holds the hashes of subtrees (8L, 256n + i), and spans subtree (8L + 8, n) */
function referenceTile(level: number, index: number): FullTile {
  const hashes = Array.from({ length: TILE_WIDTH }, (_, i) => tree.node({ level: TILE_HEIGHT * level, index: index * TILE_WIDTH + i }));
  return { id: { level, index }, hashes: Buffer.concat(hashes), root: tree.node({ level: TILE_HEIGHT * (level + 1), index }) };
}

/**
 * The full tiles that complete when the tree grows from `from` to `to`
 * leaves, in the order an edge completes them: by the leaf that completes
 * them, and for one leaf from level 0 up.
 */
function referenceTilesBetween(from: number, to: number): FullTile[] {
  const out: Array<{ end: number; tile: FullTile }> = [];
  for (let level = 0; TILE_WIDTH ** (level + 1) <= to; level++) {
    const span = TILE_WIDTH ** (level + 1);
    for (let index = Math.floor(from / span); (index + 1) * span <= to; index++) {
      out.push({ end: (index + 1) * span, tile: referenceTile(level, index) });
    }
  }
  return out.sort((a, b) => a.end - b.end || a.tile.id.level - b.tile.id.level).map((x) => x.tile);
}

/** the partial tile at `level` for `size` leaves, from the reference */
function referencePartial(size: number, level: number): Buffer | undefined {
  const { full, partialWidth } = tileCount(size, level);
  if (partialWidth === 0) return undefined;
  return Buffer.concat(Array.from({ length: partialWidth }, (_, i) => tree.node({ level: TILE_HEIGHT * level, index: full * TILE_WIDTH + i })));
}

/**
 * The edge as SqliteLedgerStore.recover() derives it: level 0 from the
 * leaves of the last (< 256) entries, level L from the root column of the
 * stored full tiles at level L - 1. `stored` is every tile an edge reported.
 */
function rebuildLikeTheStore(size: number, stored: readonly FullTile[]): TileEdge {
  const roots = new Map(stored.map((t) => [`${t.id.level}/${t.id.index}`, t.root]));
  const partials: Buffer[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    const { full, partialWidth } = tileCount(size, level);
    if (partialWidth === 0) continue;
    const first = full * TILE_WIDTH;
    const hashes = Array.from({ length: partialWidth }, (_, i) =>
      level === 0 ? (leaves[first + i] as Hash) : (roots.get(`${level - 1}/${first + i}`) as Hash),
    );
    assert.ok(
      hashes.every((h) => h !== undefined),
      `the roots level ${level} is derived from were all reported`,
    );
    partials[level] = Buffer.concat(hashes);
  }
  return new TileEdge(size, partials);
}

const ids = (tiles: readonly FullTile[]): string[] => tiles.map((t) => `${t.id.level}/${t.id.index}`);

/** appends one batch and checks what it reported, its size, root and partial tiles against the reference */
function appendAndCheck(edge: TileEdge, count: number, label: string): FullTile[] {
  const from = edge.size;
  const to = from + count;
  const got = edge.append(leaves.slice(from, to));
  const want = referenceTilesBetween(from, to);
  assert.deepEqual(ids(got), ids(want), `${label}: tiles completed by ${from}..${to}`);
  got.forEach((t, i) => {
    const w = want[i] as FullTile;
    assert.ok(t.hashes.equals(w.hashes), `${label}: hashes of tile ${ids([t])}`);
    assert.ok(t.root.equals(w.root), `${label}: root of tile ${ids([t])}`);
  });
  assert.equal(edge.size, to);
  assert.ok(edge.root().equals(tree.root(to)), `${label}: root at ${to}`);
  for (let level = 0; level < 3; level++) {
    const p = edge.partialTile(level);
    const r = referencePartial(to, level);
    assert.ok(r === undefined ? p === undefined : p?.equals(r), `${label}: partial tile at level ${level}, size ${to}`);
  }
  return got;
}

/** batch sizes; an empty batch is a valid call */
const batches = (max: number): fc.Arbitrary<number[]> => fc.array(fc.nat(max), { maxLength: 8 });

describe('TileEdge', () => {
  it('the empty edge has the empty root and no partial tile', () => {
    const edge = new TileEdge(0, []);
    assert.ok(edge.root().equals(EMPTY_ROOT));
    assert.equal(edge.partialTile(0), undefined);
    assert.deepEqual(edge.append([]), []);
  });

  it('property: any split into batches gives the full tiles and the root of the reference tree', () => {
    fc.assert(
      fc.property(batches(700), (sizes) => {
        const edge = new TileEdge(0, []);
        const all: FullTile[] = [];
        for (const n of sizes) all.push(...appendAndCheck(edge, n, `batches ${sizes.join(',')}`));
        // every full tile exactly once, whatever the split
        assert.deepEqual(ids(all), ids(referenceTilesBetween(0, edge.size)));
      }),
      { numRuns: 100 },
    );
  });

  it('property: an edge rebuilt as the store does at open continues exactly as the one that never stopped', () => {
    fc.assert(
      fc.property(batches(700), batches(700), (before, after) => {
        const edge = new TileEdge(0, []);
        const stored: FullTile[] = [];
        for (const n of before) stored.push(...edge.append(leaves.slice(edge.size, edge.size + n)));
        const rebuilt = rebuildLikeTheStore(edge.size, stored);
        assert.ok(rebuilt.root().equals(edge.root()), `root at ${edge.size}`);
        for (const n of after) {
          const a = edge.append(leaves.slice(edge.size, edge.size + n));
          const b = appendAndCheck(rebuilt, n, `rebuilt at ${before.reduce((x, y) => x + y, 0)}, then ${after.join(',')}`);
          assert.deepEqual(b, a);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('property: across the first level-1 tile (65,536 leaves), split and rebuilt anywhere, the same tiles and roots', () => {
    // the edge up to `start` in one or two batches, then small batches across 65,536
    const around = fc.record({
      start: fc.integer({ min: TILE_WIDTH ** 2 - 600, max: TILE_WIDTH ** 2 - 1 }),
      firstSplit: fc.nat(),
      rebuildAfter: fc.nat(8),
      steps: fc.array(fc.nat(160), { minLength: 1, maxLength: 8 }),
      extra: fc.nat(300),
    });
    fc.assert(
      fc.property(around, ({ start, firstSplit, rebuildAfter, steps, extra }) => {
        const sizes = [firstSplit % start, start - (firstSplit % start), ...steps];
        // one more batch if the steps stop short of completing tile 1/0
        const short = TILE_WIDTH ** 2 - sizes.reduce((x, y) => x + y, 0);
        if (short > 0) sizes.push(short + extra);
        const label = `batches ${sizes.join(',')}, rebuilt after ${rebuildAfter}`;
        let edge = new TileEdge(0, []);
        const stored: FullTile[] = [];
        sizes.forEach((n, i) => {
          if (i === rebuildAfter) edge = rebuildLikeTheStore(edge.size, stored);
          stored.push(...appendAndCheck(edge, n, label));
        });
        assert.deepEqual(ids(stored), ids(referenceTilesBetween(0, edge.size)), label);
        assert.ok(ids(stored).includes('1/0'), 'the level-1 tile completed');
      }),
      { numRuns: 8 },
    );
  });

  it('a clone appends without moving the original (the store commits the clone only after COMMIT)', () => {
    const edge = new TileEdge(0, []);
    edge.append(leaves.slice(0, 300));
    const clone = edge.clone();
    clone.append(leaves.slice(300, 700));
    assert.equal(edge.size, 300);
    assert.ok(edge.root().equals(tree.root(300)));
    assert.ok(edge.partialTile(0)?.equals(referencePartial(300, 0) as Buffer));
    assert.ok(clone.root().equals(tree.root(700)));
    // and the original still continues correctly
    appendAndCheck(edge, 500, 'original after its clone grew');
  });

  it('refuses partial tiles whose widths do not fit the size', () => {
    const h = (n: number): Buffer => Buffer.alloc(n * HASH_SIZE, 7);
    assert.ok(new TileEdge(300, [h(44), h(1)]).size === 300);
    assert.throws(() => new TileEdge(300, [h(43), h(1)]), RangeError);
    assert.throws(() => new TileEdge(300, [h(44)]), RangeError);
    assert.throws(() => new TileEdge(300, [h(44), h(2)]), RangeError);
    assert.ok(new TileEdge(256, [undefined, h(1)]).size === 256);
  });
});

describe('ExpandedTile', () => {
  const hashes = (n: number, seed: number): Buffer => Buffer.concat(Array.from({ length: n }, (_, i) => createHash('sha256').update(`${seed}:${i}`).digest()));
  const allNodes = (t: ExpandedTile): Array<Buffer | undefined> => {
    const out: Array<Buffer | undefined> = [];
    for (let h = 0; h <= TILE_HEIGHT; h++) for (let i = 0; i < TILE_WIDTH >>> h; i++) out.push(t.node(h, i));
    return out;
  };

  it('extending the expansion of a prefix gives every node a fresh expansion gives; a prefix of other hashes is not used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: TILE_WIDTH }), fc.integer({ min: 1, max: TILE_WIDTH }), fc.boolean(), (a, b, same) => {
        const [short, long] = a <= b ? [a, b] : [b, a];
        const tile = hashes(long, 1);
        const prefix = new ExpandedTile(same ? tile.subarray(0, short * HASH_SIZE) : hashes(short, 2));
        assert.deepEqual(allNodes(new ExpandedTile(tile, prefix)), allNodes(new ExpandedTile(tile)));
      }),
    );
  });
});
