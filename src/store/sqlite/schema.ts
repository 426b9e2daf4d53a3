/**
 * The SQLite ledger's tables, as the store (ledger-store.ts) creates and
 * reads them and the writer thread (batch-writer.ts) writes them.
 */
import type { TileId } from '../../ledger/tiles.ts';

/** the entries table and its index (the ledger bench's raw reference inserts into the same) */
export const ENTRIES_SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  idx INTEGER PRIMARY KEY,
  received TEXT NOT NULL,
  type TEXT NOT NULL,
  incident TEXT,
  text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_incident ON entries(incident, idx) WHERE incident IS NOT NULL;
`;

/** Idempotency-Key receipts (store.ts Receipt), written with the entries they answer; added to older ledgers when opened for writing */
export const RECEIPTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS receipts (id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, idx INTEGER NOT NULL, count INTEGER NOT NULL);
`;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
${ENTRIES_SCHEMA}
CREATE TABLE IF NOT EXISTS disclosures (
  idx INTEGER NOT NULL,
  path TEXT NOT NULL,
  salt TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (idx, path)
);
-- full tiles only; tile_key = level * 2^44 + index (C2SP tlog-tiles coordinates);
-- root = the hash of the subtree the tile spans (the tile's hash one level up)
CREATE TABLE IF NOT EXISTS tiles (tile_key INTEGER PRIMARY KEY, hashes BLOB NOT NULL, root BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note TEXT NOT NULL);
${RECEIPTS_SCHEMA}`;

const TILE_KEY_SHIFT = 2 ** 44;
/** the tiles table's key of a tile: level * 2^44 + index */
export const tileKey = (id: TileId): number => id.level * TILE_KEY_SHIFT + id.index;
/** the tile a tiles table key names */
export const tileOfKey = (key: number): TileId => ({ level: Math.floor(key / TILE_KEY_SHIFT), index: key % TILE_KEY_SHIFT });
