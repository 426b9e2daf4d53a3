/** The in-memory reference tree. */
import { checkHash, HASH_SIZE, leafHash, nodeHashOfPairInto, type Hash } from './hash.ts';
import { consistencyProof, inclusionProof } from './proof.ts';
import { checkSize, invalid, isSize, pow2, type NodeId } from './ranges.ts';
import { EdgeCache, rootHash, type NodeLookup } from './tree-hash.ts';

/**
 * The hashes of one tree level, back to back in one growable buffer: 32
 * bytes per hash instead of ~470 for a Buffer object each (a 1M-leaf tree
 * took 940 MB RSS as arrays of Buffers, 64 MB of hashes this way).
 */
class HashColumn {
  private bytes = Buffer.alloc(HASH_SIZE * 1024);
  length = 0;

  push(h: Uint8Array): void {
    this.reserve(this.length + 1);
    this.bytes.set(h, this.length * HASH_SIZE);
    this.length++;
  }

  /** appends HASH(0x01 || below[2i] || below[2i + 1]) for the next i */
  pushParentOf(below: HashColumn, i: number): void {
    this.reserve(this.length + 1);
    nodeHashOfPairInto(below.bytes, 2 * i * HASH_SIZE, this.bytes, this.length * HASH_SIZE);
    this.length++;
  }

  /**
   * A view, not a copy: hashes never change once written, and a buffer
   * replaced by growth stays alive for the views into it.
   */
  get(i: number): Hash {
    return this.bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }

  private reserve(n: number): void {
    if (n * HASH_SIZE <= this.bytes.length) return;
    const grown = Buffer.alloc(Math.max(n * HASH_SIZE, 2 * this.bytes.length));
    this.bytes.copy(grown, 0, 0, this.length * HASH_SIZE);
    this.bytes = grown;
  }
}

/**
 * An in-memory tree: leaf hashes plus the complete-subtree levels, computed
 * lazily and kept. The simple reference for tests and for a verifier that
 * rebuilds a log from its entries; `node` is a NodeLookup for every
 * complete subtree of the current size. Returned hashes are views into the
 * tree's storage: copy before mutating one.
 */
export class MemoryTree {
  /** levels[l].get(i) = hash of the complete subtree (l, i); levels[0] holds the leaves */
  private readonly levels: HashColumn[] = [new HashColumn()];
  /** the size for which every complete subtree has been hashed */
  private hashedSize = 0;
  /** bound once so root() and proofs allocate no closure */
  private readonly lookupNode: NodeLookup = (id) => this.node(id);
  /** right-edge hashes of the size last asked about; still valid after appends, as leaves never change */
  private edge: EdgeCache | undefined;

  static fromLeaves(leaves: Iterable<Hash>): MemoryTree {
    const t = new MemoryTree();
    for (const leaf of leaves) t.append(leaf);
    return t;
  }

  get size(): number {
    return (this.levels[0] as HashColumn).length;
  }

  /** appends a leaf hash (see leafHash) */
  append(leaf: Hash): void {
    checkHash(leaf, 'leaf hash');
    (this.levels[0] as HashColumn).push(leaf);
  }

  /** appends an entry's bytes; returns its leaf hash */
  appendEntry(entry: Uint8Array): Hash {
    const h = leafHash(entry);
    (this.levels[0] as HashColumn).push(h);
    return h;
  }

  leaf(index: number): Hash {
    return this.node({ level: 0, index });
  }

  node(id: NodeId): Hash {
    const { level, index } = id;
    const size = this.size;
    if (!Number.isSafeInteger(level) || level < 0 || level > 53 || !isSize(index) || (index + 1) * pow2(level) > size) {
      invalid(`node level ${level} index ${index} is not a complete subtree of a tree of size ${size}`);
    }
    if (this.hashedSize !== size) this.hashLevels();
    return (this.levels[level] as HashColumn).get(index);
  }

  root(size: number = this.size): Hash {
    return rootHash(size, this.lookupNode, this.edgeFor(size));
  }

  inclusionProof(index: number, size: number = this.size): Hash[] {
    return inclusionProof(index, size, this.lookupNode, this.edgeFor(size));
  }

  consistencyProof(oldSize: number, newSize: number = this.size): Hash[] {
    return consistencyProof(oldSize, newSize, this.lookupNode, this.edgeFor(newSize));
  }

  private edgeFor(size: number): EdgeCache {
    checkSize(size, 'tree size');
    if (size > this.size) invalid(`tree size ${size} is larger than the ${this.size} leaves held`);
    if (this.edge?.size !== size) this.edge = new EdgeCache(size);
    return this.edge;
  }

  /** hashes every complete subtree not yet hashed; each node is hashed once over the tree's life */
  private hashLevels(): void {
    for (let l = 1; ; l++) {
      const below = this.levels[l - 1] as HashColumn;
      const want = Math.floor(below.length / 2);
      if (want === 0) break;
      if (this.levels.length <= l) this.levels.push(new HashColumn());
      const level = this.levels[l] as HashColumn;
      for (let i = level.length; i < want; i++) level.pushParentOf(below, i);
    }
    this.hashedSize = this.size;
  }
}
