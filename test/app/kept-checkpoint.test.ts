/**
 * Whoever holds the disk without the key cannot make the node sign a history
 * that contradicts one it signed: every way of rewriting, cutting, emptying
 * or replacing ledger.db is refused when the node opens (or before it signs),
 * exit 3 from the CLI, and nothing is appended or signed after it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LedgerService, ON_DEMAND_CHECKPOINTS } from '../../src/app/ledger.ts';
import { KEPT_CHECKPOINT_FILE, readKeptCheckpoint } from '../../src/app/kept-checkpoint.ts';
import { initNodeDir, loadVerifier, openNodeDir } from '../../src/app/node-dir.ts';
import { SLOT_BYTES, SLOTTED_FILE_BYTES, slotBytes, slotsOfFile } from '../../src/app/kept-slots.ts';
import { isConcordError } from '../../src/errors.ts';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { cli } from '../helpers/cli.ts';
import { ORIGIN, buildDataDir, copyDir, draftAt, nodeSigner, rewriteTiles, tempRoot, withDb, type BuiltDir } from '../helpers/data-dir.ts';
import { verifyDataDir } from '../../src/app/verify.ts';
import { signCheckpoint } from '../../src/ledger/checkpoint.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';

const root = tempRoot('concord-kept-');
after(() => root.cleanup());

const SIZE = 600; // two full level-0 tiles and a partial one
let tpl: BuiltDir;
/** the template's entry texts, in order */
let tplTexts: string[];
before(async () => {
  tpl = await buildDataDir(join(root.path, 'template'), SIZE, [100, 300]);
  tplTexts = withDb(tpl.dir, (db) =>
    db
      .prepare<[], { text: string }>('SELECT text FROM entries ORDER BY idx')
      .all()
      .map((r) => r.text),
  );
});

let copies = 0;
function copy(): string {
  return copyDir(tpl.dir, join(root.path, `copy-${copies++}`));
}

/** opening the node is refused with LEDGER_CORRUPT matching `why`; the database is as it was */
async function refusedToOpen(dir: string, why: RegExp): Promise<void> {
  const count = (): unknown =>
    withDb(dir, (db) =>
      db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'entries'").get() ? db.prepare('SELECT count(*) AS n FROM entries').get() : 'no ledger',
    );
  const sizeBefore = existsSync(join(dir, 'ledger.db')) ? count() : undefined;
  await assert.rejects(LedgerService.open(dir), (e: unknown) => {
    assert.ok(isConcordError(e, 'LEDGER_CORRUPT'), String(e));
    assert.match(e.message, why);
    return true;
  });
  if (sizeBefore !== undefined) assert.deepEqual(count(), sizeBefore);
}

/** the CLI appending one entry is refused with exit 3 and one line */
async function appendRefused(dir: string, why: RegExp): Promise<void> {
  const out = await cli(['append', '--data', dir, '--ndjson', '-'], { stdin: `${JSON.stringify(draftAt(0))}\n` });
  assert.equal(out.code, 3, out.stderr);
  assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
  assert.match(out.stderr, why);
}

/** the notes in the kept checkpoint's slots (undefined for an empty or damaged one) */
function keptSlots(dir: string): Array<string | undefined> {
  return slotsOfFile(readFileSync(join(dir, KEPT_CHECKPOINT_FILE))).map((s) => ('note' in s ? s.note : undefined));
}

/** the size a note says (its signatures are checked where the node reads it) */
function sizeOf(note: string | undefined): number | undefined {
  return note === undefined ? undefined : Number(note.split('\n')[1]);
}

/** two services of one node on a copy of the template, as two processes hold it, each signing only when asked */
async function twoServices(): Promise<{ dir: string; a: LedgerService; b: LedgerService }> {
  const dir = copy();
  const a = await LedgerService.open(dir, { checkpoints: ON_DEMAND_CHECKPOINTS });
  return { dir, a, b: await LedgerService.open(dir, { checkpoints: ON_DEMAND_CHECKPOINTS }) };
}

function keptSize(dir: string): number {
  const node = openNodeDir(dir);
  return readKeptCheckpoint(node.dir, loadVerifier(node), node.origin).size;
}

describe('the kept checkpoint', () => {
  it('a new node keeps the checkpoint of its empty log; the kept one follows every signature', async () => {
    assert.equal(keptSize(tpl.dir), SIZE);
    const fresh = join(root.path, 'fresh');
    initNodeDir(fresh, ORIGIN);
    assert.deepEqual(keptSlots(fresh).map(sizeOf), [0, undefined], 'slot 1 holds the empty log, slot 2 nothing');
    const dir = copy();
    const inode = statSync(join(dir, KEPT_CHECKPOINT_FILE)).ino;
    const ledger = await LedgerService.open(dir);
    const slots: Array<Array<number | undefined>> = [];
    for (let k = 1; k <= 3; k++) {
      await ledger.append([draftAt(SIZE + k - 1)]);
      const cp = await ledger.checkpoint();
      assert.equal(cp.size, SIZE + k);
      assert.ok(keptSlots(dir).includes(cp.note));
      slots.push(keptSlots(dir).map(sizeOf));
    }
    // each written over the slot of the one before the latest, in place: the same file, the same size, no temporary file
    assert.deepEqual(slots, [
      [SIZE + 1, SIZE],
      [SIZE + 1, SIZE + 2],
      [SIZE + 3, SIZE + 2],
    ]);
    assert.equal(statSync(join(dir, KEPT_CHECKPOINT_FILE)).ino, inode);
    assert.equal(statSync(join(dir, KEPT_CHECKPOINT_FILE)).size, SLOTTED_FILE_BYTES);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.includes('.tmp-')),
      [],
    );
    await ledger.close();
    assert.equal(keptSize(dir), SIZE + 3);
  });

  it('a node signing by count (its kept-checkpoint thread started) keeps every checkpoint it signs', async () => {
    const dir = copy();
    const ledger = await LedgerService.open(dir);
    // the 1,000-entry limit uncovered: a signature by count, written by the thread it starts
    await ledger.append(Array.from({ length: 1000 }, (_, k) => draftAt(SIZE + k)));
    const cp = await ledger.checkpoint();
    assert.equal(cp.size, SIZE + 1000);
    assert.ok(keptSlots(dir).includes(cp.note));
    assert.equal(keptSize(dir), SIZE + 1000);
    await ledger.close();
  });

  it('a write cut short (the latest slot damaged): the node goes on from the other slot, verify reports it, the next signature writes over it', async () => {
    const dir = copy();
    let ledger = await LedgerService.open(dir);
    await ledger.append([draftAt(SIZE)]);
    await ledger.checkpoint();
    await ledger.close();
    const latest = keptSlots(dir)
      .map(sizeOf)
      .indexOf(SIZE + 1);
    // a power loss in the middle of the slot's write: its first half new, the rest as it was
    const file = readFileSync(join(dir, KEPT_CHECKPOINT_FILE));
    file.fill('x', latest * SLOT_BYTES + 40, latest * SLOT_BYTES + 120);
    writeFileSync(join(dir, KEPT_CHECKPOINT_FILE), file);
    const report = await verifyDataDir(dir);
    assert.equal(report.ok, false);
    assert.match(report.problems.map((p) => p.reason).join('\n'), new RegExp(`slot ${latest + 1} holds no checkpoint of this log`));
    // the other slot holds the checkpoint at SIZE, the database the one at SIZE + 1: the newer binds the node
    ledger = await LedgerService.open(dir);
    assert.equal((await ledger.latestCheckpoint())?.size, SIZE + 1);
    await ledger.append([draftAt(SIZE + 1)]);
    assert.equal((await ledger.checkpoint()).size, SIZE + 2);
    await ledger.close();
    assert.deepEqual(keptSlots(dir).map(sizeOf).sort(), [SIZE, SIZE + 2], 'written over the damaged slot');
    assert.equal((await verifyDataDir(dir)).ok, true);
  });

  it('a kept checkpoint of one note alone (an older node, or written by hand) is read, and its first signature makes it two slots', async () => {
    const dir = copy();
    const note = readKeptCheckpoint(dir, loadVerifier(openNodeDir(dir)), ORIGIN).note;
    writeFileSync(join(dir, KEPT_CHECKPOINT_FILE), note);
    assert.equal((await verifyDataDir(dir)).ok, true);
    const ledger = await LedgerService.open(dir);
    await ledger.append([draftAt(SIZE)]);
    await ledger.checkpoint();
    await ledger.close();
    assert.equal(statSync(join(dir, KEPT_CHECKPOINT_FILE)).size, SLOTTED_FILE_BYTES);
    assert.deepEqual(keptSlots(dir).map(sizeOf), [SIZE, SIZE + 1]);
    assert.equal((await verifyDataDir(dir)).ok, true);
  });

  it('a kept checkpoint that cannot be written: nothing is signed, said in one line', async () => {
    const dir = copy();
    const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
    try {
      await ledger.append([draftAt(SIZE)]);
      // in the file's place, something no signature can be written into
      rmSync(join(dir, KEPT_CHECKPOINT_FILE));
      mkdirSync(join(dir, KEPT_CHECKPOINT_FILE));
      await assert.rejects(
        ledger.checkpoint(),
        (e: unknown) => isConcordError(e, 'DATA_DIR_UNUSABLE') && /cannot keep the checkpoint in .*checkpoint \(.*\); nothing was signed/.test(e.message),
      );
      assert.equal((await ledger.store.latestCheckpoint())?.size, SIZE);
    } finally {
      await ledger.close().catch(() => undefined);
    }
  });

  it('two slots saying one size with two roots (a fork under the node key): refused, and verify says so', async () => {
    const dir = copy();
    const kept = readKeptCheckpoint(dir, loadVerifier(openNodeDir(dir)), ORIGIN);
    const other = signCheckpoint({ origin: ORIGIN, size: SIZE, root: Buffer.alloc(32, 7), extensions: [] }, nodeSigner(dir));
    writeFileSync(join(dir, KEPT_CHECKPOINT_FILE), Buffer.concat([slotBytes(kept.note), slotBytes(other)]));
    await refusedToOpen(dir, /two checkpoints of size 600 with different roots/);
    assert.match((await verifyDataDir(dir)).problems.map((p) => p.reason).join('\n'), /two checkpoints of size 600 with different roots/);
  });

  it('an entry edited in the partial tile, the checkpoints table deleted, then an append: refused, exit 3', async () => {
    const dir = copy();
    withDb(dir, (db) => {
      const row = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?').get(SIZE - 3)!;
      db.prepare('UPDATE entries SET text = ? WHERE idx = ?').run(row.text.replace('"n":', '"n":1'), SIZE - 3);
      db.prepare('DELETE FROM checkpoints').run();
    });
    await refusedToOpen(dir, /not consistent with the checkpoint this node signed at size 600/);
    await appendRefused(dir, /not consistent with the checkpoint this node signed/);
  });

  it('an entry edited in a full tile with every tile recomputed to match: refused, naming where', async () => {
    const dir = copy();
    withDb(dir, (db) => {
      const row = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?').get(42)!;
      db.prepare('UPDATE entries SET text = ? WHERE idx = ?').run(row.text.replace('"n":', '"n":1'), 42);
      rewriteTiles(db);
      db.prepare('DELETE FROM checkpoints').run();
    });
    await refusedToOpen(dir, /entries before index 600 were rewritten, tiles and all/);
    // with the database's own checkpoints left in place, the first one it no longer matches is named
    const kept = copy();
    withDb(kept, (db) => {
      const row = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?').get(42)!;
      db.prepare('UPDATE entries SET text = ? WHERE idx = ?').run(row.text.replace('"n":', '"n":1'), 42);
      rewriteTiles(db);
    });
    await refusedToOpen(kept, /entries before index 100 were rewritten/);
  });

  it('an entry edited in a full tile, tiles left alone: the node goes on signing the history it signed', async () => {
    // the stored tiles still make the signed tree; only verify can say the row no longer matches it
    const dir = copy();
    withDb(dir, (db) => {
      const row = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?').get(42)!;
      db.prepare('UPDATE entries SET text = ? WHERE idx = ?').run(row.text.replace('"n":', '"n":1'), 42);
    });
    const ledger = await LedgerService.open(dir);
    await ledger.append([draftAt(SIZE)]);
    const before = readKeptCheckpoint(tpl.dir, ledger.verifier, ORIGIN);
    const after = await ledger.checkpoint();
    const proof = await ledger.consistencyProof(before.size, after.size);
    assert.ok(proof.fromRoot.equals(before.root), 'the new checkpoint extends the signed history, not the edited row');
    await ledger.close();
    const out = await cli(['verify', dir]);
    assert.equal(out.code, 1);
    assert.match(out.stdout, /entry 42/);
  });

  it('a cut tail (entries, tiles and checkpoints deleted): refused, and verify names the rollback', async () => {
    const dir = copy();
    withDb(dir, (db) => {
      db.prepare('DELETE FROM entries WHERE idx >= 250').run();
      db.prepare('DELETE FROM tiles WHERE tile_key >= 0').run();
      db.prepare('DELETE FROM checkpoints WHERE size > 100').run();
      rewriteTiles(db);
    });
    await refusedToOpen(dir, /ledger\.db holds 250 entries, but this node signed a checkpoint at size 600.*entries 250\.\.599 were removed/);
    await appendRefused(dir, /entries 250\.\.599 were removed/);
    const out = await cli(['verify', dir]);
    assert.equal(out.code, 1, out.stdout);
    assert.match(out.stdout, /checkpoint.*600.*removed|rolled back/);
  });

  it('a deleted, emptied or replaced database: refused, not recreated', async () => {
    const deleted = copy();
    rmSync(join(deleted, 'ledger.db'));
    await refusedToOpen(deleted, /ledger\.db is missing or holds no ledger.*will not start a new log/);
    assert.equal(existsSync(join(deleted, 'ledger.db')), false, 'not recreated');
    await appendRefused(deleted, /missing or holds no ledger/);
    const emptied = copy();
    writeFileSync(join(emptied, 'ledger.db'), '');
    for (const f of ['ledger.db-wal', 'ledger.db-shm']) rmSync(join(emptied, f), { force: true });
    await refusedToOpen(emptied, /missing or holds no ledger/);
    assert.equal(readFileSync(join(emptied, 'ledger.db')).length, 0, 'left empty');
    // a fresh log under the same key and origin: the history it signed is not there
    const replaced = copy();
    const fresh = join(root.path, `fresh-${copies++}`);
    await buildDataDir(fresh, 3);
    for (const f of ['ledger.db', 'ledger.db-wal', 'ledger.db-shm']) rmSync(join(replaced, f), { force: true });
    writeFileSync(join(replaced, 'ledger.db'), readFileSync(join(fresh, 'ledger.db')));
    await refusedToOpen(replaced, /origin|holds 3 entries/);
  });

  it('a missing or forged kept checkpoint: refused', async () => {
    const missing = copy();
    rmSync(join(missing, KEPT_CHECKPOINT_FILE));
    await assert.rejects(LedgerService.open(missing), (e: unknown) => isConcordError(e, 'LEDGER_CORRUPT') && /checkpoint is missing/.test(e.message));
    await appendRefused(missing, /checkpoint is missing/);
    const forged = copy();
    const note = readKeptCheckpoint(forged, loadVerifier(openNodeDir(forged)), ORIGIN).note;
    writeFileSync(join(forged, KEPT_CHECKPOINT_FILE), note.replace(`\n${SIZE}\n`, `\n${SIZE - 1}\n`));
    await assert.rejects(
      LedgerService.open(forged),
      (e: unknown) => isConcordError(e, 'LEDGER_CORRUPT') && /not a checkpoint this node signed/.test(e.message),
    );
  });

  it('a kept checkpoint put back to an older one of ours: the newer one in the database binds the node', async () => {
    const dir = copy();
    const older = withDb(dir, (db) => db.prepare<[], { note: string }>('SELECT note FROM checkpoints WHERE size = 300').get()!.note);
    writeFileSync(join(dir, KEPT_CHECKPOINT_FILE), older);
    const ledger = await LedgerService.open(dir);
    assert.equal((await ledger.latestCheckpoint())?.size, SIZE);
    await ledger.close();
  });

  it('a checkpoint kept but not yet in the database (a crash between the two) is put back when the node opens', async () => {
    const dir = copy();
    withDb(dir, (db) => db.prepare('DELETE FROM checkpoints WHERE size = ?').run(SIZE));
    const ledger = await LedgerService.open(dir);
    assert.deepEqual(
      (await ledger.store.checkpoints()).map((c) => c.size),
      [0, 100, 300, SIZE],
    );
    await ledger.close();
  });

  it('compare-and-swap: a checkpoint kept by another process of the node meanwhile is checked against and built on, never overwritten', async () => {
    const { dir, a, b } = await twoServices();
    try {
      await a.append([draftAt(SIZE)]);
      await a.checkpoint();
      // b read the kept checkpoint at SIZE; a kept SIZE + 1 since; b, with one more entry, signs past it
      await b.append([draftAt(SIZE + 1)]);
      const cp = await b.checkpoint();
      assert.equal(cp.size, SIZE + 2);
      assert.equal(keptSize(dir), SIZE + 2);
      // a, behind what b appended, signs nothing: it has its own checkpoint of what it read, and the file keeps b's
      assert.equal((await a.checkpoint()).size, SIZE + 1);
      assert.equal(keptSize(dir), SIZE + 2, 'the kept checkpoint never goes back');
      // a appends after b (its batch is built again on what b appended) and signs past b's checkpoint
      const [added] = await a.append([draftAt(SIZE + 2)]);
      assert.equal(added!.index, SIZE + 2);
      assert.equal((await a.checkpoint()).size, SIZE + 3);
      assert.equal(keptSize(dir), SIZE + 3);
    } finally {
      await a.close().catch(() => undefined);
      await b.close();
    }
    assert.equal((await verifyDataDir(dir)).ok, true);
  });

  it('compare-and-swap: a kept checkpoint of another history put there meanwhile stops the node', async () => {
    const dir = copy();
    const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
    try {
      await ledger.append([draftAt(SIZE), draftAt(SIZE + 1)]);
      // whoever holds the key signs size SIZE + 1 over a different last entry, and puts it in the file
      const other = MemoryTree.fromLeaves([]);
      for (const t of tplTexts) other.appendEntry(Buffer.from(t, 'utf8'));
      other.appendEntry(Buffer.from('{"forged":true}', 'utf8'));
      writeFileSync(join(dir, KEPT_CHECKPOINT_FILE), signCheckpoint({ origin: ORIGIN, size: SIZE + 1, root: other.root(), extensions: [] }, nodeSigner(dir)));
      await assert.rejects(
        ledger.checkpoint(),
        (e: unknown) => isConcordError(e, 'LEDGER_CORRUPT') && /not consistent with the checkpoint this node signed at size 601/.test(e.message),
      );
      await assert.rejects(ledger.append([draftAt(SIZE + 2)]), (e: unknown) => isConcordError(e, 'LEDGER_CORRUPT'));
    } finally {
      await ledger.close().catch(() => undefined);
    }
  });

  it('a running node that reads its tree from disk again (another process appended) checks it in full before it signs', async () => {
    const { dir, a, b } = await twoServices();
    try {
      await a.append([draftAt(SIZE)]);
      assert.equal((await a.checkpoint()).size, SIZE + 1);
      // a hand on the disk edits the entry a just signed; b, behind it, reads the edited log and appends to it
      withDb(dir, (db) => {
        const row = db.prepare<[number], { text: string }>('SELECT text FROM entries WHERE idx = ?').get(SIZE)!;
        db.prepare('UPDATE entries SET text = ? WHERE idx = ?').run(row.text.replace('"n":', '"n":1'), SIZE);
      });
      await b.append([draftAt(SIZE + 1)]);
      // a's next batch finds the log moved on and reads it from disk: what it signs now is checked, not assumed
      await a.append([draftAt(SIZE + 2)]);
      await assert.rejects(
        a.checkpoint(),
        (e: unknown) => isConcordError(e, 'LEDGER_CORRUPT') && /not consistent with the checkpoint this node signed at size 601/.test(e.message),
      );
      assert.equal(keptSize(dir), SIZE + 1, 'nothing was signed over the edited entry');
    } finally {
      await a.close().catch(() => undefined);
      await b.close().catch(() => undefined);
    }
  });

  it('a lock left by a process that died is broken: one naming a dead pid, this pid (reused after a restart), or none for a second', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    for (const [holder, ageS] of [
      [dead, 0],
      [String(process.pid), 0],
      ['', 5],
    ] as const) {
      const dir = copy();
      const lockPath = join(dir, 'checkpoint.lock');
      writeFileSync(lockPath, holder);
      if (ageS > 0) utimesSync(lockPath, Date.now() / 1000 - ageS, Date.now() / 1000 - ageS);
      const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
      try {
        await ledger.append([draftAt(SIZE)]);
        const cp = await ledger.checkpoint();
        assert.equal(cp.size, SIZE + 1, `signed past a lock holding ${JSON.stringify(holder)}`);
        assert.equal(keptSize(dir), SIZE + 1);
        assert.ok(!existsSync(lockPath), 'the lock is released after signing');
      } finally {
        await ledger.close();
      }
    }
  });

  it('a lock held by a live process stops signing with LEDGER_CONTENDED, naming it; nothing is kept', async () => {
    const dir = copy();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'checkpoint.lock'), String(holder.pid));
      const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
      try {
        await ledger.append([draftAt(SIZE)]);
        await assert.rejects(ledger.checkpoint(), (e: unknown) => isConcordError(e, 'LEDGER_CONTENDED') && e.message.includes(`process ${holder.pid} holds`));
        assert.equal(keptSize(dir), SIZE);
      } finally {
        holder.kill();
        await ledger.close().catch(() => undefined);
      }
    } finally {
      holder.kill();
    }
  });
});
