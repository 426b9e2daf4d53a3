import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isConcordError } from '../../../src/errors.ts';
import { leafHashText, type Hash } from '../../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../../src/ledger/merkle/memory-tree.ts';
import { rootHash } from '../../../src/ledger/merkle/tree-hash.ts';
import { BatchWriter, unpackTexts, type WriteSink } from '../../../src/store/sqlite/batch-writer.ts';
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

  it('two stores appending to one file at once: every append lands once, at consecutive indexes, and the tree matches', async () => {
    const path = join(root, 'contended.db');
    const a = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true });
    const b = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
    const d = (who: string, i: number) => ({ type: 'note.recorded', actor: { agency: who }, body: { i } });
    // many callers on both at once: batches are in flight on both, each built on an edge the other makes stale
    const calls: Array<Promise<{ index: number; text: string }[]>> = [];
    for (let i = 0; i < 300; i++) {
      calls.push(a.append([d('a', i)]));
      calls.push(b.append([d('b', i), d('b', i)]));
    }
    const settled = await Promise.allSettled(calls);
    const stored = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const refused = settled.filter((r) => r.status === 'rejected');
    // a store gives up after five stale rounds in a row; whatever it refused it did not write
    const indexes = stored.map((e) => e.index).sort((x, y) => x - y);
    assert.deepEqual(
      indexes,
      Array.from({ length: indexes.length }, (_, i) => i),
      'acknowledged indexes are 0..n-1, each once',
    );
    assert.ok(stored.length >= 600, `most appends land (${stored.length} entries, ${refused.length} calls refused)`);
    await a.close();
    await b.close();
    const c = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
    assert.equal(await c.size(), indexes.length, 'nothing unacknowledged was written');
    const tree = new MemoryTree();
    for await (const e of c.entries(0, indexes.length)) tree.append(leafHashText(e.text));
    const byIndex = new Map(stored.map((e) => [e.index, e.text]));
    for await (const e of c.entries(0, indexes.length)) assert.equal(e.text, byIndex.get(e.index), `entry ${e.index} is the acknowledged text`);
    assert.ok(rootHash(indexes.length, c.nodeLookup(indexes.length)).equals(tree.root()), 'stored tiles give the root of the entries');
    await c.close();
  });

  it('a batch that fails to commit stores nothing, its callers hear why, and the appends behind it still land', async () => {
    const path = join(root, 'failing.db');
    const s = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true });
    await s.append([{ type: 'note.recorded', actor: { agency: 'a' }, body: {} }]);
    // the disk refuses one kind of row, as a full disk or an I/O error would refuse a commit
    withFile(path, (db) =>
      db.exec("CREATE TRIGGER refuse BEFORE INSERT ON entries WHEN NEW.type = 'note.refused' BEGIN SELECT RAISE(ABORT, 'disk says no'); END;"),
    );
    const ok = (i: number) => s.append([{ type: 'note.recorded', actor: { agency: 'a' }, body: { i } }]);
    const first = [ok(1), ok(2)];
    await new Promise((r) => setImmediate(r)); // those two are in flight now
    const doomed = s.append([{ type: 'note.refused', actor: { agency: 'a' }, body: {} }]);
    await new Promise((r) => setImmediate(r));
    const behind = [ok(3), ok(4), ok(5)]; // probably in the doomed call's batch: they must not share its fate
    await Promise.all(first);
    await assert.rejects(doomed, (e: unknown) => isConcordError(e) && e.code === 'LEDGER_CORRUPT' && /nothing was stored: .*disk says no/.test(e.message));
    const landed = (await Promise.all(behind)).flat();
    assert.deepEqual(
      landed.map((a) => a.index),
      [3, 4, 5],
      'the batch built on the failed one is built again at the right indexes',
    );
    withFile(path, (db) => db.exec('DROP TRIGGER refuse'));
    assert.equal((await s.append([{ type: 'note.recorded', actor: { agency: 'a' }, body: {} }]))[0]?.index, 6);
    await s.close();
    const again = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
    assert.equal(await again.size(), 7);
    for await (const e of again.entries(0, 7)) assert.ok(!e.text.includes('note.refused'));
    await again.close();
  });

  it('a batch nobody answered (the writer thread stopped) is acknowledged if it was committed, sent again if not, never stored twice', async () => {
    for (const committedBeforeStopping of [true, false]) {
      const path = join(root, `unanswered-${committedBeforeStopping}.db`);
      let stop = 1; // the first batch after the marker goes unanswered
      const writer = (p: string): WriteSink => {
        const real = new BatchWriter(p);
        return {
          async batch(b) {
            if (stop > 0 && unpackTexts(b.texts).some((t) => t.includes('"unanswered"'))) {
              stop--;
              if (committedBeforeStopping) real.write([{ batch: b }]);
              return { kind: 'unknown', message: 'the writer thread stopped: test' };
            }
            return real.write([{ batch: b }])[0];
          },
          async checkpoint(c) {
            return real.write([{ checkpoint: c }])[0];
          },
          async close() {
            real.close();
          },
        };
      };
      const s = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true, writer });
      await s.append([{ type: 'note.recorded', actor: { agency: 'a' }, body: {} }]);
      const [a, b] = await Promise.all([
        s.append([{ type: 'note.recorded', actor: { agency: 'a' }, body: { unanswered: true } }]),
        s.append([{ type: 'note.recorded', actor: { agency: 'a' }, body: { n: 2 } }]),
      ]);
      assert.deepEqual([a?.[0]?.index, b?.[0]?.index], [1, 2], `${committedBeforeStopping ? 'committed' : 'not committed'}: each append lands once, in order`);
      await s.close();
      const again = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
      assert.equal(await again.size(), 3);
      await again.close();
    }
  });

  it('a checkpoint saved while appends are in flight goes to the writer right behind the next batch (one commit), or alone once nothing follows', async () => {
    const path = join(root, 'checkpoint-rides.db');
    // what the writer thread is sent, in order; '|' marks the end of the synchronous run that sent a batch
    const sent: string[] = [];
    const answers: Array<() => void> = [];
    const writer = (p: string): WriteSink => {
      const real = new BatchWriter(p);
      return {
        batch(b) {
          sent.push(`batch ${b.expectedSize}`);
          queueMicrotask(() => sent.push('|'));
          // held until the test answers, as a commit in progress would be
          return new Promise((resolve) => answers.push(() => resolve(real.write([{ batch: b }])[0])));
        },
        async checkpoint(c) {
          sent.push(`checkpoint ${c.size}`);
          return real.write([{ checkpoint: c }])[0];
        },
        async close() {
          real.close();
        },
      };
    };
    const s = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true, writer });
    const d = { type: 'note.recorded', actor: { agency: 'a' }, body: {} };
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    try {
      const first = s.append([d]);
      await turn();
      answers.shift()?.();
      await first;
      // an appender keeps appending: its next append is in flight when the checkpoint for size 1 is saved
      const second = s.append([d]);
      await turn();
      const saved = s.saveCheckpoint({ size: 1, root: Buffer.alloc(32, 1), note: 'note for size 1\n' });
      await turn();
      assert.deepEqual(sent, ['batch 0', '|', 'batch 1', '|'], 'held while the batch before it is in flight');
      const third = second.then(() => s.append([d]));
      answers.shift()?.();
      await second;
      await turn();
      assert.deepEqual(
        sent.slice(4),
        ['batch 2', 'checkpoint 1', '|'],
        'sent in the same run as the next batch: the writer thread takes both in one transaction',
      );
      await saved;
      answers.shift()?.();
      await third;
      // nothing in flight: a checkpoint goes at once
      await s.saveCheckpoint({ size: 3, root: Buffer.alloc(32, 3), note: 'note for size 3\n' });
      assert.deepEqual(sent.slice(7), ['checkpoint 3']);
      assert.deepEqual(
        (await s.checkpoints()).map((c) => c.size),
        [1, 3],
      );
    } finally {
      await s.close();
    }
  });

  it('close() takes no more appends, finishes those it has, and answers every caller once closed', async () => {
    const path = join(root, 'closing.db');
    const s = SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true });
    const d = { type: 'note.recorded', actor: { agency: 'a' }, body: {} };
    const taken = s.append([d, d]);
    const first = s.close();
    const second = s.close();
    await assert.rejects(s.append([d]), (e: unknown) => isConcordError(e) && e.code === 'LEDGER_CLOSED');
    assert.deepEqual(
      (await taken).map((a) => a.index),
      [0, 1],
    );
    await Promise.all([first, second]);
    const again = SqliteLedgerStore.open({ path, origin: 'x.example/log' });
    assert.equal(await again.size(), 2);
    await again.close();
  });

  it('a ledger made before receipts were kept gets their table when opened for writing, and reads answer "none" before that', async () => {
    const path = join(root, 'before-receipts.db');
    const s = SqliteLedgerStore.open({ path, origin: 'old.example/log', create: true });
    await s.append([{ type: 'note.recorded', actor: { agency: 'city-pd' }, body: { n: 1 } }]);
    await s.close();
    const db = new Database(path);
    db.exec('DROP TABLE receipts');
    db.close();
    const ro = SqliteLedgerStore.open({ path, readonly: true });
    try {
      assert.equal(await ro.receipt('r-1'), undefined);
    } finally {
      await ro.close();
    }
    const rw = SqliteLedgerStore.open({ path, origin: 'old.example/log' });
    try {
      await rw.append([{ type: 'note.recorded', actor: { agency: 'city-pd' }, body: { n: 2 } }], [{ id: 'r-1', fingerprint: 'f', first: 0, count: 1 }]);
      assert.deepEqual(await rw.receipt('r-1'), { id: 'r-1', fingerprint: 'f', index: 1, count: 1 });
    } finally {
      await rw.close();
    }
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
      for (const a of await store.append(Array.from({ length: n }, (_, j) => ({ type: 'note.recorded', actor: { agency: 'a' }, body: { n: i + j } }))))
        leaves.push(a.leafHash);
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
      const root = rootHash(leaves.length, store.nodeLookup(leaves.length));
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
      {
        name: 'the last full tile is missing',
        damage: 'DELETE FROM tiles WHERE tile_key = ?',
        params: [tileKey(0, 2)],
        reason: /tile 0\/2 is missing for a log of 785 entries/,
      },
      {
        name: 'a full tile the level-1 partial tile is derived from is missing',
        damage: 'DELETE FROM tiles WHERE tile_key = ?',
        params: [tileKey(0, 0)],
        reason: /full tiles at level 0 from 0 are not all stored for a log of 785 entries/,
      },
      {
        name: 'an entry of the level-0 partial tile is missing',
        damage: 'DELETE FROM entries WHERE idx = ?',
        params: [770],
        reason: /entries 768\.\.784 are not all stored/,
      },
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
          assert.throws(
            () => SqliteLedgerStore.open({ path, origin: 'x.example/log' }),
            (e) => isConcordError(e, 'LEDGER_CORRUPT') && c.reason.test(e.message),
          );
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
