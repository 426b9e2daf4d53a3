import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isConcordError } from '../../../src/errors.ts';
import { MemoryTree, rootHash, type Hash } from '../../../src/ledger/merkle.ts';
import { SqliteLedgerStore } from '../../../src/store/sqlite/ledger-store.ts';
import { tileKey, tileRows } from '../../helpers/data-dir.ts';
import type { LedgerStore } from '../../../src/store/store.ts';
import { storeContract } from '../contract.ts';

const root = mkdtempSync(join(tmpdir(), 'concord-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const paths = new WeakMap<LedgerStore, { path: string; origin: string }>();

storeContract('sqlite', {
  async create({ origin, clock }) {
    const path = join(root, `ledger-${n++}.db`);
    const store = SqliteLedgerStore.open({ path, origin, create: true, ...(clock ? { clock } : {}) });
    paths.set(store, { path, origin });
    return store;
  },
  async reopen(store) {
    const p = paths.get(store);
    if (!p) throw new Error('unknown store');
    await store.close();
    const again = SqliteLedgerStore.open({ path: p.path, origin: p.origin });
    paths.set(again, p);
    return again;
  },
});

describe('sqlite store', () => {
  it('sees appends made by another process (connection) and continues the log', async () => {
    const path = join(root, 'shared.db');
    const a = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true });
    const b = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
    const d = { type: 'note.recorded', actor: { agency: 'a' }, body: {} };
    await a.append([d, d]);
    const [fromB] = await b.append([d]);
    assert.equal(fromB?.index, 2, 'b caught up with a before writing');
    const [fromA] = await a.append([d]);
    assert.equal(fromA?.index, 3);
    await a.close();
    await b.close();
  });

  it('refuses to open a file that is not a ledger, and a ledger with another origin', async () => {
    const path = join(root, 'other.db');
    const s = SqliteLedgerStore.open({ path, origin: 'one.example/log', create: true });
    await s.close();
    assert.throws(() => SqliteLedgerStore.open({ path, origin: 'two.example/log' }), /origin/);
    assert.throws(() => SqliteLedgerStore.open({ path: join(root, 'nope.db') }), /nope\.db/);
  });

  /** runs `fn` on a separate read-write connection, as someone holding the disk would */
  function withFile<T>(path: string, fn: (db: Database.Database) => T): T {
    const db = new Database(path);
    try {
      return fn(db);
    } finally {
      db.close();
    }
  }

  /** a log of 3 full level-0 tiles and 17 entries after them, appended in uneven batches; its leaf hashes */
  async function threeTilesAndSome(name: string): Promise<{ path: string; leaves: Hash[] }> {
    const path = join(root, name);
    const store = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true });
    const leaves: Hash[] = [];
    const total = 3 * 256 + 17;
    for (let i = 0, k = 0; i < total; k++) {
      const n = Math.min(total - i, [1, 255, 97, 300, 13][k % 5] as number);
      for (const a of await store.append(Array.from({ length: n }, (_, j) => ({ type: 'note.recorded', actor: { agency: 'a' }, body: { n: i + j } })))) leaves.push(a.leafHash);
      i += n;
    }
    await store.close();
    return { path, leaves };
  }

  it('stores the full tiles only, each with its root; reopened, it derives the partial tiles from the entries and the roots', async () => {
    const { path, leaves } = await threeTilesAndSome('tiles.db');
    const tree = MemoryTree.fromLeaves(leaves);
    const rows = withFile(path, tileRows);
    assert.deepEqual(
      rows.map((t) => `${t.level}/${t.index}`),
      ['0/0', '0/1', '0/2'],
      'no partial tile is stored: not 0/3 (17 entries), not 1/0 (3 roots)',
    );
    for (const t of rows) {
      assert.ok(t.hashes.equals(Buffer.concat(leaves.slice(t.index * 256, t.index * 256 + 256))), `hashes of tile 0/${t.index}`);
      assert.ok(t.root.equals(tree.node({ level: 8, index: t.index })), `root of tile 0/${t.index}`);
    }
    const store = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
    try {
      assert.equal(await store.size(), leaves.length);
      // the edge the store derived: C2SP tlog-tiles partial tiles 0/3 and 1/0
      assert.ok((await store.tile({ level: 0, index: 3 }))?.equals(Buffer.concat(leaves.slice(768))));
      assert.ok((await store.tile({ level: 1, index: 0 }))?.equals(Buffer.concat(rows.map((t) => t.root))));
      const root = rootHash(leaves.length, (id) => store.node(id, leaves.length));
      assert.ok(root.equals(tree.root()));
    } finally {
      await store.close();
    }
  });

  describe('refuses to open for appends when the edge cannot be derived (LEDGER_CORRUPT), writing nothing', () => {
    /** the files under `root` this process holds open (Linux: /proc/self/fd) */
    const openFiles = (under: string): string[] =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.startsWith(under) ? [target] : [];
        } catch {
          return [];
        }
      });
    const cases: Array<{ name: string; damage: string; params: number[]; reason: RegExp }> = [
      { name: 'the last full tile is missing', damage: 'DELETE FROM tiles WHERE tile_key = ?', params: [tileKey(0, 2)], reason: /tile 0\/2 is missing for a log of 785 entries/ },
      {
        name: 'a full tile the level-1 partial tile is derived from is missing',
        damage: 'DELETE FROM tiles WHERE tile_key = ?',
        params: [tileKey(0, 0)],
        reason: /full tiles at level 0 from 0 are not all stored for a log of 785 entries/,
      },
      { name: 'an entry of the level-0 partial tile is missing', damage: 'DELETE FROM entries WHERE idx = ?', params: [770], reason: /entries 768\.\.784 are not all stored/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const { path } = await threeTilesAndSome(`refuse-${cases.indexOf(c)}.db`);
        const snapshot = (): string =>
          withFile(path, (db) =>
            JSON.stringify([
              db.prepare('SELECT count(*) AS n, max(idx) AS last FROM entries').get(),
              db.prepare('SELECT tile_key, hashes, root FROM tiles ORDER BY tile_key').all(),
              db.prepare('SELECT count(*) AS n FROM checkpoints').get(),
            ]),
          );
        withFile(path, (db) => db.prepare(c.damage).run(...c.params));
        const before = snapshot();
        const procFs = existsSync('/proc/self/fd');
        const held = procFs ? openFiles(path) : [];
        for (let attempt = 0; attempt < 3; attempt++) {
          assert.throws(() => SqliteLedgerStore.open({ path, origin: 'x.example/log' }), (e) => isConcordError(e, 'LEDGER_CORRUPT') && c.reason.test(e.message));
        }
        assert.equal(snapshot(), before, 'nothing was written');
        // a refused open leaves no connection behind (it would hold the file, and leak on every retry)
        if (procFs) assert.deepEqual(openFiles(path), held);
        // the read-only view, for verification, still opens
        const view = SqliteLedgerStore.open({ path, readonly: true });
        await view.close();
      });
    }
  });
});
