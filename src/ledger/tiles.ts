/**
 * The Merkle tree kept as C2SP tlog-tiles (height 8): the level-L tile n holds
 * the 256 hashes MTH(D[(n*256+i) * 256^L : (n*256+i+1) * 256^L]). A proof on
 * any log size needs O(log n) tiles, never a rescan. Pure: the store reads and
 * writes the tile bytes; this module does the arithmetic and the hashing.
 */
import { EMPTY_ROOT, HASH_SIZE, nodeHash, nodeHashInto, type Hash } from './merkle/hash.ts';
import type { NodeId } from './merkle/ranges.ts';

export { HASH_SIZE };

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 1 << TILE_HEIGHT;

export interface TileId {
  readonly level: number;
  readonly index: number;
}

/** a full tile: 256 hashes and the hash of the subtree they span */
export interface FullTile {
  readonly id: TileId;
  readonly hashes: Buffer;
  readonly root: Hash;
}

/** C2SP tlog-tiles: the partial tile at level l for size s has floor(s / 256^l) mod 256 hashes */
export function tileCount(size: number, level: number): { full: number; partialWidth: number } {
  const atLevel = Math.floor(size / TILE_WIDTH ** level);
  return { full: Math.floor(atLevel / TILE_WIDTH), partialWidth: atLevel % TILE_WIDTH };
}

/** how many tile levels a tree of this size has (levels with at least one hash) */
export function tileLevels(size: number): number {
  let levels = 0;
  for (let n = size; n > 0; n = Math.floor(n / TILE_WIDTH)) levels++;
  return levels;
}

/** the tile that holds the complete subtree hash `id`, and where inside it */
export function locateNode(id: NodeId): { tile: TileId; height: number; offset: number } {
  const tileLevel = Math.floor(id.level / TILE_HEIGHT);
  const height = id.level - tileLevel * TILE_HEIGHT; // level inside the tile, 0..7
  const perTile = TILE_WIDTH >>> height; // nodes of that height in one tile
  return {
    tile: { level: tileLevel, index: Math.floor(id.index / perTile) },
    height,
    offset: id.index % perTile,
  };
}

/**
 * A tile with its inner levels: level 0 = the tile's own hashes, level h has
 * floor(width / 2^h) complete nodes. Computed once when a tile is loaded
 * (at most 255 hashes) so later proofs are lookups.
 *
 * A partial tile grows with every append; given the expansion of an earlier
 * width of the same tile (`prefix`), only the nodes the new hashes complete
 * are computed. The prefix is used only if its hashes are exactly the first
 * hashes of this tile (compared, not assumed).
 */
export class ExpandedTile {
  readonly width: number;
  private readonly levels: Buffer[];

  constructor(hashes: Buffer, prefix?: ExpandedTile) {
    if (hashes.length % HASH_SIZE !== 0 || hashes.length === 0 || hashes.length > TILE_WIDTH * HASH_SIZE) {
      throw new RangeError(`tile of ${hashes.length} bytes is not 1-256 hashes`);
    }
    this.width = hashes.length / HASH_SIZE;
    this.levels = [hashes];
    const reused =
      prefix !== undefined && prefix.width <= this.width && hashes.subarray(0, prefix.levels[0]!.length).equals(prefix.levels[0]!) ? prefix : undefined;
    let below = hashes;
    for (let h = 1; h <= TILE_HEIGHT; h++) {
      const n = (below.length / HASH_SIZE) >>> 1;
      if (n === 0) break;
      const out = Buffer.allocUnsafe(n * HASH_SIZE);
      const known = reused?.levels[h];
      const from = known === undefined ? 0 : known.length / HASH_SIZE;
      if (known !== undefined) known.copy(out, 0);
      for (let i = from; i < n; i++) {
        nodeHashInto(
          below.subarray(2 * i * HASH_SIZE, (2 * i + 1) * HASH_SIZE),
          below.subarray((2 * i + 1) * HASH_SIZE, (2 * i + 2) * HASH_SIZE),
          out,
          i * HASH_SIZE,
        );
      }
      this.levels.push(out);
      below = out;
    }
  }

  /** the node `offset` at `height` inside this tile, or undefined if the tile is too narrow to hold it */
  node(height: number, offset: number): Hash | undefined {
    const level = this.levels[height];
    if (level === undefined || (offset + 1) * HASH_SIZE > level.length) return undefined;
    return level.subarray(offset * HASH_SIZE, (offset + 1) * HASH_SIZE);
  }

  /** the hash of the whole tile: defined only for a full tile */
  root(): Hash | undefined {
    return this.width === TILE_WIDTH ? this.node(TILE_HEIGHT, 0) : undefined;
  }

  get bytes(): number {
    let n = 0;
    for (const l of this.levels) n += l.length;
    return n;
  }
}

/**
 * Adds the `width`-th hash of a tile to `fold`, the roots of its complete
 * subtrees: every subtree the hash completes (one per trailing 1 bit of
 * width - 1) merges into its parent.
 */
function foldIn(fold: Hash[], hash: Hash, width: number): void {
  fold.push(hash);
  for (let w = width; (w & 1) === 0; w >>= 1) {
    const right = fold.pop() as Hash;
    const left = fold.pop() as Hash;
    fold.push(nodeHash(left, right));
  }
}

/**
 * The right edge of the tree: the partial tile at every level. Appending
 * leaves fills level 0; a full tile's root moves up a level. Tiles that a
 * batch touched are reported so the store writes exactly those.
 */
export class TileEdge {
  private size_: number;
  /** partial[level] = the hashes of the partial tile at that level */
  private readonly partial: Buffer[][];
  /**
   * folds[level] = the roots of the complete subtrees the partial tile's
   * hashes make so far, largest first (one per 1 bit of its width): each
   * hash pushed merges what it completes, so a tile's root is ready when its
   * last hash arrives, instead of 255 hashes at once on one append
   */
  private readonly folds: Hash[][];

  constructor(size: number, partialTiles: ReadonlyArray<Buffer | undefined>) {
    this.size_ = size;
    this.partial = [];
    this.folds = [];
    const levels = tileLevels(size);
    for (let l = 0; l < levels; l++) {
      const { partialWidth } = tileCount(size, l);
      const bytes = partialTiles[l];
      const have = bytes ? bytes.length / HASH_SIZE : 0;
      if (have !== partialWidth) throw new RangeError(`partial tile at level ${l} has ${have} hashes, size ${size} needs ${partialWidth}`);
      const hashes: Buffer[] = [];
      const fold: Hash[] = [];
      for (let i = 0; i < partialWidth; i++) {
        const h = (bytes as Buffer).subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
        hashes.push(h);
        foldIn(fold, h, i + 1);
      }
      this.partial.push(hashes);
      this.folds.push(fold);
    }
  }

  get size(): number {
    return this.size_;
  }

  /** a copy to append to; the original stays as it was until the copy is committed */
  clone(): TileEdge {
    const c = new TileEdge(0, []);
    c.size_ = this.size_;
    for (const p of this.partial) c.partial.push(p.slice());
    for (const f of this.folds) c.folds.push(f.slice());
    return c;
  }

  /**
   * Appends leaf hashes; returns the tiles this completed (full, 256 hashes,
   * with their root), in order. Partial tiles are not returned: they are
   * derived from the entries and the full tiles whenever a store opens.
   */
  append(leaves: readonly Hash[]): FullTile[] {
    const completed: FullTile[] = [];
    for (const leaf of leaves) {
      this.push(0, leaf, completed);
      this.size_++;
    }
    return completed;
  }

  private push(level: number, hash: Hash, completed: FullTile[]): void {
    while (this.partial.length <= level) {
      this.partial.push([]);
      this.folds.push([]);
    }
    const tile = this.partial[level] as Buffer[];
    const fold = this.folds[level] as Hash[];
    tile.push(hash);
    foldIn(fold, hash, tile.length);
    if (tile.length === TILE_WIDTH) {
      const bytes = Buffer.concat(tile);
      // the index of this tile: tiles of this level completed before it
      const index = Math.floor(this.countAt(level) / TILE_WIDTH) - 1;
      const root = fold[0] as Hash;
      completed.push({ id: { level, index }, hashes: bytes, root });
      this.partial[level] = [];
      this.folds[level] = [];
      this.push(level + 1, root, completed);
    }
  }

  /** hashes at `level` once the leaf being pushed is counted */
  private countAt(level: number): number {
    return Math.floor((this.size_ + 1) / TILE_WIDTH ** level);
  }

  /**
   * The root of the tree at the edge's size. The size splits into complete
   * subtrees, largest first; the fold of each level's partial tile holds
   * exactly those of its level, largest first, and the levels follow one
   * another from the top down. So the root is those subtree roots merged
   * from the right: one hash per subtree, no tile expanded.
   */
  root(): Hash {
    let root: Hash | undefined;
    for (let level = 0; level < this.folds.length; level++) {
      const fold = this.folds[level] as Hash[];
      for (let i = fold.length - 1; i >= 0; i--) root = root === undefined ? (fold[i] as Hash) : nodeHash(fold[i] as Hash, root);
    }
    return root ?? EMPTY_ROOT;
  }

  /** the partial tile at a level (undefined if none) */
  partialTile(level: number): Buffer | undefined {
    const hashes = this.partial[level];
    return hashes && hashes.length > 0 ? Buffer.concat(hashes) : undefined;
  }
}
