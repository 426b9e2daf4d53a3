/**
 * The writer thread's transaction: a group of writes commits together, each
 * batch only on top of the exact entry it was built on, and a refused batch
 * takes the batches built on it along but nothing before it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { leafHashPrefixed, leafHashText } from '../../../src/ledger/merkle/hash.ts';
import { BatchWriter, packedLeaf, packTexts, unpackTexts, type BatchWrite } from '../../../src/store/sqlite/batch-writer.ts';
import { SqliteLedgerStore } from '../../../src/store/sqlite/ledger-store.ts';

const root = mkdtempSync(join(tmpdir(), 'concord-batch-writer-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** a batch of `n` fake texts at `from`, built on `base` */
function batch(from: number, n: number, base: Buffer | null): { write: BatchWrite; last: Buffer } {
  const texts = Array.from({ length: n }, (_, i) => `{"i":${from + i}}`);
  return {
    write: {
      expectedSize: from,
      base,
      received: '2026-11-25T12:00:00.000Z',
      texts: packTexts(texts),
      types: texts.map(() => 'note.recorded').join('\n'),
      incidents: texts.map(() => '').join('\n'),
      disclosures: [],
      receipts: [],
      tiles: [],
    },
    last: leafHashText(texts[n - 1] as string),
  };
}

async function emptyLedger(name: string): Promise<string> {
  const path = join(root, name);
  await SqliteLedgerStore.open({ path, origin: 'x.example/log', create: true }).close();
  return path;
}

/** the rows `sql` reads from the database at `path`, opened read-only for it */
function rowsOf<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], T>(sql).all();
  } finally {
    db.close();
  }
}

const count = (path: string): number => rowsOf<{ n: number }>(path, 'SELECT count(*) AS n FROM entries')[0]!.n;

describe('BatchWriter', () => {
  it('commits a group in order, each batch on the one before it', async () => {
    const path = await emptyLedger('group.db');
    const w = new BatchWriter(path);
    const a = batch(0, 3, null);
    const b = batch(3, 2, a.last);
    const c = batch(5, 1, b.last);
    assert.deepEqual(w.write([{ batch: a.write }, { batch: b.write }, { checkpoint: { size: 5, root: Buffer.alloc(32, 1), note: 'n' } }, { batch: c.write }]), [
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    w.close();
    assert.equal(count(path), 6);
  });

  it('stores each text as TEXT, byte for byte as packed (bound as its UTF-8 bytes)', async () => {
    const path = await emptyLedger('text.db');
    const texts = ['{"note":"héllo ✓ 🚒"}', '{"i":1}', '{"q":"\\u0000 and \\"quoted\\""}'];
    const w = new BatchWriter(path);
    const write: BatchWrite = { ...batch(0, 3, null).write, texts: packTexts(texts) };
    assert.deepEqual(w.write([{ batch: write }]), [undefined]);
    w.close();
    const rows = rowsOf<{ t: string; text: string; idx: number; received: string }>(
      path,
      'SELECT typeof(text) AS t, text, idx, received FROM entries ORDER BY idx',
    );
    assert.deepEqual(
      rows.map((r) => [r.idx, r.received]),
      [0, 1, 2].map((i) => [i, '2026-11-25T12:00:00.000Z']),
      'the first index and the receive time, bound once for the statement, land on every row',
    );
    assert.deepEqual(
      rows.map((r) => r.t),
      ['text', 'text', 'text'],
    );
    assert.deepEqual(
      rows.map((r) => r.text),
      texts,
    );
  });

  it('writes a batch of more rows than one statement takes, each at its index', async () => {
    const path = await emptyLedger('long.db');
    const w = new BatchWriter(path);
    const a = batch(0, 7, null);
    const b = batch(7, 123, a.last);
    assert.deepEqual(w.write([{ batch: a.write }]), [undefined]);
    assert.deepEqual(w.write([{ batch: b.write }]), [undefined]);
    w.close();
    assert.deepEqual(
      rowsOf<{ idx: number; text: string }>(path, 'SELECT idx, text FROM entries ORDER BY idx').map((r) => [r.idx, r.text]),
      Array.from({ length: 130 }, (_, i) => [i, `{"i":${i}}`]),
    );
  });

  it('refuses a batch whose base is another entry, and those built on it, keeping what came before', async () => {
    const path = await emptyLedger('stale.db');
    const w = new BatchWriter(path);
    const a = batch(0, 2, null);
    assert.deepEqual(w.write([{ batch: a.write }]), [undefined]);
    const good = batch(2, 2, a.last);
    const wrongBase = batch(4, 1, Buffer.alloc(32, 9)); // same size, another entry underneath
    const onTop = batch(5, 1, wrongBase.last);
    const cp = { size: 4, root: Buffer.alloc(32, 2), note: 'n' };
    const out = w.write([{ batch: good.write }, { batch: wrongBase.write }, { batch: onTop.write }, { checkpoint: cp }]);
    assert.equal(out[0], undefined);
    assert.deepEqual(out[1], { kind: 'stale', onDisk: 4 });
    assert.equal(out[2]?.kind, 'stale');
    assert.equal(out[3], undefined, 'a checkpoint does not depend on the batches around it');
    assert.deepEqual(w.write([{ checkpoint: { ...cp, root: Buffer.alloc(32, 3) } }]), [{ kind: 'checkpoint_conflict' }]);
    assert.deepEqual(w.write([{ batch: batch(3, 1, a.last).write }]), [{ kind: 'stale', onDisk: 4 }], 'a size behind the disk is stale');
    w.close();
    assert.equal(count(path), 4);
  });
});

describe('BatchWriter, a group with one write refused', () => {
  it('is rolled back whole and written again write by write: the others land once, the refused one not at all', async () => {
    const path = await emptyLedger('refused-in-group.db');
    const w = new BatchWriter(path);
    const a = batch(0, 2, null);
    assert.deepEqual(w.write([{ batch: a.write }, { checkpoint: { size: 2, root: Buffer.alloc(32, 4), note: 'n' } }]), [undefined, undefined]);
    const b = batch(2, 3, a.last);
    const c = batch(5, 1, b.last);
    const conflicting = { size: 2, root: Buffer.alloc(32, 5), note: 'another root for size 2' };
    assert.deepEqual(w.write([{ batch: b.write }, { checkpoint: conflicting }, { batch: c.write }]), [undefined, { kind: 'checkpoint_conflict' }, undefined]);
    w.close();
    assert.equal(count(path), 6);
    assert.deepEqual(rowsOf(path, 'SELECT size, hex(root) AS root FROM checkpoints'), [{ size: 2, root: '04'.repeat(32) }]);
  });
});

describe('packed texts (how a batch travels to the writer thread)', () => {
  it('unpack to the texts packed, and each slice hashes as the leaf of its text', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 60 }), (texts) => {
        const packed = packTexts(texts);
        assert.deepEqual(unpackTexts(packed), texts);
        texts.forEach((t, i) => assert.ok(leafHashPrefixed(packedLeaf(packed, i)).equals(leafHashText(t)), `leaf ${i}`));
      }),
      { numRuns: 300 },
    );
  });

  it('a batch with no entries packs to nothing', () => {
    const packed = packTexts([]);
    assert.equal(packed.bytes.length, 0);
    assert.deepEqual(unpackTexts(packed), []);
  });
});
