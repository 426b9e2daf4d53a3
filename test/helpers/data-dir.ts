/**
 * Test data directories built through the real code path (initNodeDir +
 * LedgerService), and raw access to their SQLite file for tampering.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LedgerService } from '../../src/app/ledger.ts';
import { initNodeDir, loadSigner, openNodeDir } from '../../src/app/node-dir.ts';
import type { EntryDraft } from '../../src/ledger/entry.ts';
import { leafHashText, type Hash } from '../../src/ledger/merkle/hash.ts';
import type { Signer } from '../../src/ledger/note.ts';
import { TileEdge } from '../../src/ledger/tiles.ts';
import { tileKey as storeTileKey, tileOfKey } from '../../src/store/sqlite/schema.ts';

/** A temporary directory under os.tmpdir(); call `cleanup` in after(). */
export function tempRoot(prefix = 'concord-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export const ORIGIN = 'concord.test.example/ledger';
export const START_MS = Date.parse('2026-06-01T21:00:00.000Z');

/**
 * The i-th test draft. Every third has a sealed phone number; every tenth
 * (offset 1) seals a whole caller object and, inside it, the phone again
 * (nested sealing); bodies carry non-ASCII text so byte changes hit
 * multi-byte characters too.
 */
export function draftAt(i: number): EntryDraft {
  const base = { type: 'note.recorded', actor: { agency: 'city-pd', person: `p-${i % 7}` }, incident: 'inc-1' };
  if (i % 10 === 1) {
    return {
      ...base,
      type: 'call.received',
      body: { n: i, caller: { name: `Zoë Ångström ${i}`, phone: `+1-555-01${String(i).padStart(3, '0')}` }, summary: 'officer needs help ✓' },
      sealed: ['/caller', '/caller/phone'],
    };
  }
  if (i % 3 === 0) {
    return { ...base, body: { n: i, phone: `+1-555-02${String(i).padStart(3, '0')}`, text: `unit ${i} on scene` }, sealed: ['/phone'] };
  }
  return { ...base, claimed: '2026-06-01T20:59:58Z', body: { n: i, text: `entry ${i}: “quoted” — done`, list: [i, i * 2, { deep: true }] } };
}

export interface BuiltDir {
  readonly dir: string;
  readonly size: number;
  /** sizes with a stored signed checkpoint (0, the empty log, first; the last one is `size`) */
  readonly checkpointSizes: readonly number[];
}

/**
 * Builds a data directory of `size` entries through LedgerService: appends
 * in batches, signing a checkpoint whenever the log reaches one of
 * `checkpointAt`, and a last one on close. Each batch gets its own receive
 * time (a clock that advances 5 ms a call). Batches are 1..37 entries, or
 * `batch` entries when given (a large log in few commits).
 */
export async function buildDataDir(dir: string, size: number, checkpointAt: readonly number[] = [], batch?: number): Promise<BuiltDir> {
  initNodeDir(dir, ORIGIN);
  let now = START_MS;
  const ledger = await LedgerService.open(dir, { clock: () => (now += 5), checkpoints: { everyMs: 0, everyEntries: 0 } });
  const stops = [...new Set([...checkpointAt.filter((s) => s > 0 && s < size), size])].sort((a, b) => a - b);
  let at = 0;
  for (const stop of stops) {
    while (at < stop) {
      const n = Math.min(stop - at, batch ?? 1 + (at % 37));
      await ledger.append(Array.from({ length: n }, (_, k) => draftAt(at + k)));
      at += n;
    }
    await ledger.checkpoint();
  }
  await ledger.close();
  // the empty log's checkpoint, signed when the node was made, comes first
  return { dir, size, checkpointSizes: [0, ...stops] };
}

/** A fresh copy of a built directory, so every tamper starts from the same bytes. */
export function copyDir(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

/** Runs `fn` on a separate read-write connection to DIR/ledger.db. */
export function withDb<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, 'ledger.db'));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The node's own checkpoint signer (keys/log.key). */
export function nodeSigner(dir: string): Signer {
  return loadSigner(openNodeDir(dir));
}

/** the tiles table's primary key: level * 2^44 + index (C2SP tlog-tiles coordinates) */
export function tileKey(level: number, index: number): number {
  return storeTileKey({ level, index });
}

/** a stored (full) tile: its 256 hashes and the root the level above is derived from */
export interface TileRow {
  readonly level: number;
  readonly index: number;
  readonly hashes: Buffer;
  readonly root: Buffer;
}

export function tileRows(db: Database.Database): TileRow[] {
  return db
    .prepare<[], { tile_key: number; hashes: Buffer; root: Buffer }>('SELECT tile_key, hashes, root FROM tiles ORDER BY tile_key')
    .all()
    .map((r) => ({ ...tileOfKey(r.tile_key), hashes: r.hashes, root: r.root }));
}

export function putTile(db: Database.Database, level: number, index: number, hashes: Buffer, root: Buffer): void {
  db.prepare('INSERT OR REPLACE INTO tiles (tile_key, hashes, root) VALUES (?, ?, ?)').run(tileKey(level, index), hashes, root);
}

/**
 * What an attacker with the disk does after editing entries: recompute every
 * full tile (hashes and root) from the entries as they now are, so tiles and
 * entries agree. Partial tiles are never stored, so there are none to forge.
 */
export function rewriteTiles(db: Database.Database): void {
  const texts = db.prepare<[], { text: string }>('SELECT text FROM entries ORDER BY idx').all();
  const leaves: Hash[] = texts.map((r) => leafHashText(r.text));
  const tiles = new TileEdge(0, []).append(leaves);
  db.prepare('DELETE FROM tiles').run();
  for (const t of tiles) putTile(db, t.id.level, t.id.index, t.hashes, t.root);
}

/** Writes bytes into a TEXT column as they are, valid UTF-8 or not. */
export function setText(db: Database.Database, sql: string, bytes: Buffer, ...params: unknown[]): void {
  db.prepare(sql.replace('?', 'CAST(? AS TEXT)')).run(bytes, ...params);
}

/** `buf` with the byte at `pos` replaced by a different one (`delta` 0..254 picks which). */
export function changeByte(buf: Buffer, pos: number, delta: number): Buffer {
  const out = Buffer.from(buf);
  const old = out[pos] as number;
  out[pos] = (old + 1 + (delta % 255)) % 256;
  return out;
}
