/**
 * Where a log that contradicts the node's kept checkpoint was rewritten, for
 * the message that refuses to go on: one pass over the entries the kept
 * checkpoint covers, rebuilding the tree and comparing it with the stored
 * tiles as they complete, then with the signed checkpoints the database
 * holds. Only run when the consistency check has already failed.
 */
import { leafHashText, type Hash } from '../ledger/merkle/hash.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import type { Verifier } from '../ledger/note.ts';
import { HASH_SIZE, TileEdge } from '../ledger/tiles.ts';
import type { LedgerStore } from '../store/store.ts';
import type { KeptCheckpoint } from './kept-checkpoint.ts';

/** what was found, in words; undefined when nothing could be pinned down */
export async function locateRewrite(store: LedgerStore, kept: KeptCheckpoint, verifier?: Verifier): Promise<string | undefined> {
  const size = Math.min(kept.size, await store.size());
  // the signed checkpoints the database holds, by size (those that still verify)
  const signed = new Map<number, Hash>();
  for (const cp of await store.checkpoints()) {
    if (cp.size > size) continue;
    try {
      if (verifier !== undefined) openCheckpoint(cp.note, [verifier], store.origin);
      signed.set(cp.size, cp.root);
    } catch {
      // a checkpoint row whose note does not verify proves nothing
    }
  }
  signed.set(kept.size, kept.root);
  const edge = new TileEdge(0, []);
  let index = 0;
  for await (const stored of store.entries(0, size)) {
    if (stored.index !== index) return `entry ${index} is missing from ledger.db`;
    for (const t of edge.append([leafHashText(stored.text)])) {
      const tile = await store.tile(t.id);
      if (tile === undefined) return `tile ${t.id.level}/${t.id.index} is missing from ledger.db`;
      if (!tile.equals(t.hashes)) {
        if (t.id.level === 0) {
          for (let i = 0; i < t.hashes.length / HASH_SIZE; i++) {
            const a = t.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
            if (!a.equals(tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
              return `entry ${t.id.index * 256 + i} no longer hashes to the tree stored for it (its text was changed)`;
            }
          }
        }
        return `tile ${t.id.level}/${t.id.index} does not match the entries below it`;
      }
    }
    index++;
    const root = signed.get(index);
    if (root !== undefined && !edge.root().equals(root)) {
      return `the entries before index ${index} were rewritten, tiles and all: they no longer make the root this node signed at size ${index}`;
    }
  }
  if (index < size) return `entry ${index} is missing from ledger.db`;
  return undefined;
}
