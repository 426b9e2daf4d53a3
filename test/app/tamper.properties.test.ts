/**
 * Property: for random edits, deletions and truncations of the stored rows
 * and files of a node, either verify reports the damage or the node refuses
 * to go on; and whatever verify says, the node never signs a checkpoint that
 * contradicts one it signed before. There is never a silent OK followed by a
 * signature over a rewritten history.
 *
 * (Not generated here, because no check on the directory alone can catch it:
 * putting back an older checkpoint of the log as the kept one together with
 * a cut at that size. docs/ledger-format.md says so; witnesses stop it.)
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { LedgerService } from '../../src/app/ledger.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { verifyDataDir } from '../../src/app/verify.ts';
import { isConcordError } from '../../src/errors.ts';
import { buildDataDir, changeByte, copyDir, draftAt, rewriteTiles, tempRoot, withDb, type BuiltDir } from '../helpers/data-dir.ts';

const root = tempRoot('concord-tamper-');
after(() => root.cleanup());

const SIZE = 300;
let tpl: BuiltDir;
/** the entries the node signed before the tampering, as they were */
let texts: string[];
before(async () => {
  tpl = await buildDataDir(join(root.path, 'template'), SIZE, [100, 257]);
  texts = withDb(tpl.dir, (db) =>
    db
      .prepare<[], { text: string }>('SELECT text FROM entries ORDER BY idx')
      .all()
      .map((r) => r.text),
  );
});

type Db = Parameters<Parameters<typeof withDb>[1]>[0];
type Damage = { readonly name: string; readonly apply: (dir: string) => void };

const idx = fc.integer({ min: 0, max: SIZE - 1 });
/** a change made through SQLite, to a database that is still there and still a ledger (an earlier damage may have taken it) */
const inDb = (name: string, f: (db: Db) => void): Damage => ({
  name,
  apply: (dir) => {
    if (!existsSync(join(dir, 'ledger.db'))) return;
    withDb(dir, (db) => {
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'entries'").get() !== undefined) f(db);
    });
  },
});

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.tuple(idx, fc.nat(), fc.nat(254)).map(([i, pos, delta]) =>
    inDb(`byte of entry ${i}`, (db) => {
      const row = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?').get(i);
      if (row === undefined) return;
      const t = Buffer.from(row.text, 'utf8');
      db.prepare('UPDATE entries SET text = CAST(? AS TEXT) WHERE idx = ?').run(changeByte(t, pos % t.length, delta), i);
    }),
  ),
  fc.tuple(idx, fc.nat(), fc.nat(254)).map(([i, pos, delta]) =>
    inDb(`byte of entry ${i}, tiles rewritten`, (db) => {
      const row = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?').get(i);
      if (row === undefined) return;
      const t = Buffer.from(row.text, 'utf8');
      db.prepare('UPDATE entries SET text = CAST(? AS TEXT) WHERE idx = ?').run(changeByte(t, pos % t.length, delta), i);
      rewriteTiles(db);
    }),
  ),
  fc
    .tuple(idx, fc.constantFrom('received', 'type', 'incident'))
    .map(([i, col]) => inDb(`${col} column of entry ${i}`, (db) => db.prepare(`UPDATE entries SET ${col} = 'x' || coalesce(${col}, '') WHERE idx = ?`).run(i))),
  fc
    .tuple(idx, fc.integer({ min: 1, max: 40 }))
    .map(([i, n]) => inDb(`entries ${i}..${i + n - 1} deleted`, (db) => db.prepare('DELETE FROM entries WHERE idx >= ? AND idx < ?').run(i, i + n))),
  fc.tuple(idx, fc.boolean()).map(([i, tiles]) =>
    inDb(`tail cut at ${i}${tiles ? ', tiles rewritten' : ''}`, (db) => {
      db.prepare('DELETE FROM entries WHERE idx >= ?').run(i);
      db.prepare('DELETE FROM disclosures WHERE idx >= ?').run(i);
      db.prepare('DELETE FROM checkpoints WHERE size > ?').run(i);
      if (tiles) rewriteTiles(db);
    }),
  ),
  // 300 entries make one full tile (0/0)
  fc.constant(inDb(`the tile deleted`, (db) => db.prepare('DELETE FROM tiles').run())),
  fc.tuple(fc.nat(), fc.nat(8191)).map(([_n, pos]) =>
    inDb(`a tile byte changed`, (db) => {
      const row = db.prepare<[], { tile_key: number; hashes: Buffer }>('SELECT tile_key, hashes FROM tiles ORDER BY tile_key LIMIT 1').get();
      if (row) db.prepare('UPDATE tiles SET hashes = ? WHERE tile_key = ?').run(changeByte(row.hashes, pos % row.hashes.length, 7), row.tile_key);
    }),
  ),
  fc.constantFrom(100, 257, 300).map((s) => inDb(`checkpoint ${s} deleted`, (db) => db.prepare('DELETE FROM checkpoints WHERE size = ?').run(s))),
  fc.tuple(fc.constantFrom(100, 257, 300), fc.nat()).map(([s, pos]) =>
    inDb(`checkpoint ${s} note changed`, (db) => {
      const row = db.prepare<[number], { note: string }>('SELECT note FROM checkpoints WHERE size = ?').get(s);
      if (row) db.prepare('UPDATE checkpoints SET note = CAST(? AS TEXT) WHERE size = ?').run(changeByte(Buffer.from(row.note), pos % row.note.length, 3), s);
    }),
  ),
  fc
    .nat()
    .map((n) =>
      inDb(`a disclosure deleted`, (db) =>
        db.prepare('DELETE FROM disclosures WHERE rowid = (SELECT rowid FROM disclosures ORDER BY idx LIMIT 1 OFFSET ?)').run(n % 50),
      ),
    ),
  fc
    .nat()
    .map((n) =>
      inDb(`a disclosure changed`, (db) =>
        db.prepare(`UPDATE disclosures SET value = '"forged"' WHERE rowid = (SELECT rowid FROM disclosures ORDER BY idx LIMIT 1 OFFSET ?)`).run(n % 50),
      ),
    ),
  fc.constantFrom<Damage>(
    { name: 'ledger.db deleted', apply: (dir) => ['ledger.db', 'ledger.db-wal', 'ledger.db-shm'].forEach((f) => rmSync(join(dir, f), { force: true })) },
    { name: 'the WAL deleted', apply: (dir) => ['ledger.db-wal', 'ledger.db-shm'].forEach((f) => rmSync(join(dir, f), { force: true })) },
    {
      name: 'ledger.db emptied',
      apply: (dir) => {
        writeFileSync(join(dir, 'ledger.db'), '');
        ['ledger.db-wal', 'ledger.db-shm'].forEach((f) => rmSync(join(dir, f), { force: true }));
      },
    },
    { name: 'kept checkpoint deleted', apply: (dir) => rmSync(join(dir, 'checkpoint'), { force: true }) },
  ),
  fc.nat().map((n) => ({
    name: `kept checkpoint truncated at ${n}`,
    apply: (dir: string) => {
      if (existsSync(join(dir, 'checkpoint'))) truncateSync(join(dir, 'checkpoint'), n % readFileSync(join(dir, 'checkpoint')).length);
    },
  })),
  fc.tuple(fc.nat(), fc.nat(254)).map(([pos, delta]) => ({
    name: `a byte of the kept checkpoint changed`,
    apply: (dir: string) => {
      if (!existsSync(join(dir, 'checkpoint'))) return;
      const b = readFileSync(join(dir, 'checkpoint'));
      writeFileSync(join(dir, 'checkpoint'), changeByte(b, pos % b.length, delta));
    },
  })),
);

let copies = 0;
const outcomes = new Map<string, number>();

describe('tampering: the property', () => {
  it('verify reports the damage or the node refuses to go on; the node never signs against what it signed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(damage, { minLength: 1, maxLength: 3 }), async (damages) => {
        const dir = copyDir(tpl.dir, join(root.path, `case-${copies++}`));
        try {
          // the WAL of the template may hold recent pages: keep the copy as the node left it
          for (const d of damages) d.apply(dir);
          const what = damages.map((d) => d.name).join(' + ');
          let reported = false;
          try {
            reported = !(await verifyDataDir(dir)).ok;
          } catch (e) {
            // verify refusing to read the directory at all is a report too
            assert.ok(isConcordError(e), `${what}: verify crashed: ${String(e)}`);
            reported = true;
          }
          let ledger: LedgerService;
          try {
            ledger = await LedgerService.open(dir);
          } catch (e) {
            assert.ok(isConcordError(e), `${what}: opening crashed: ${String(e)}`);
            outcomes.set(reported ? 'reported, refused' : 'refused', (outcomes.get(reported ? 'reported, refused' : 'refused') ?? 0) + 1);
            return;
          }
          try {
            let cp;
            let added;
            try {
              [added] = await ledger.append([draftAt(SIZE + 1000)]);
              cp = await ledger.checkpoint();
            } catch (e) {
              assert.ok(isConcordError(e), `${what}: signing crashed: ${String(e)}`);
              outcomes.set('refused to sign', (outcomes.get('refused to sign') ?? 0) + 1);
              return;
            }
            // it signed: the tree of the entries it signed before, as they were, and the one just added
            // (worked out apart from the store, whose tiles the damage may have touched)
            const tree = MemoryTree.fromLeaves([]);
            for (const t of texts) tree.appendEntry(Buffer.from(t, 'utf8'));
            tree.appendEntry(Buffer.from(added!.text, 'utf8'));
            assert.equal(cp.size, SIZE + 1, `${what}: signed at size ${cp.size}`);
            assert.ok(cp.root.equals(tree.root()), `${what}: signed a tree that is not the history it signed plus the new entry`);
            // only what harms nothing may pass unreported: a checkpoint row the kept checkpoint stands in for, a WAL already checkpointed
            // (a checkpoint row changed and then deleted is only deleted; one deleted and then changed was changed nowhere)
            const lasting = damages.filter((d, i) => {
              const row = /^checkpoint (\d+) /.exec(d.name)?.[1];
              return row === undefined || !damages.some((other, j) => j !== i && other.name === `checkpoint ${row} deleted`);
            });
            assert.ok(reported || lasting.every((d) => /^checkpoint (100|257|300) deleted$|^the WAL deleted$/.test(d.name)), `${what}: a silent OK`);
            outcomes.set(
              reported ? 'reported, signed the history it signed' : 'benign',
              (outcomes.get(reported ? 'reported, signed the history it signed' : 'benign') ?? 0) + 1,
            );
          } finally {
            await ledger.close().catch(() => undefined);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 120 },
    );
  });

  it('the runs met refusals, reports and benign damage alike', () => {
    if (process.env.PROP_DEBUG) console.log(outcomes);
    assert.ok((outcomes.get('reported, refused') ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get('reported, signed the history it signed') ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok(existsSync(tpl.dir));
  });
});
