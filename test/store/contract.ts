/**
 * The store contract: every LedgerStore implementation runs this same suite
 * (the SQLite store now, the PostgreSQL store when it lands).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isConcordError } from '../../src/errors.ts';
import { checkEntryText, type EntryDraft } from '../../src/ledger/entry.ts';
import { leafHash } from '../../src/ledger/merkle/hash.ts';
import { MemoryTree } from '../../src/ledger/merkle/memory-tree.ts';
import { inclusionProof } from '../../src/ledger/merkle/proof.ts';
import type { NodeId } from '../../src/ledger/merkle/ranges.ts';
import { rootHash } from '../../src/ledger/merkle/tree-hash.ts';
import { verifyInclusion } from '../../src/ledger/merkle/verify.ts';
import type { LedgerStore } from '../../src/store/store.ts';

export interface StoreFactory {
  /** a new, empty store with the given origin and clock */
  create(opts: { origin: string; clock?: () => number }): Promise<LedgerStore>;
  /** closes and reopens the same store (recovery path) */
  reopen(store: LedgerStore): Promise<LedgerStore>;
}

const draft = (n: number, extra: Partial<EntryDraft> = {}): EntryDraft => ({
  type: 'note.recorded',
  actor: { agency: 'city-pd', person: 'p-1' },
  body: { n, text: `entry ${n}` },
  ...extra,
});

/** the entries, read one by one; read in chunks too, which must give the same, in no empty chunk */
async function readAll(store: LedgerStore, filter?: Parameters<LedgerStore['entries']>[2]) {
  const out = [];
  for await (const e of store.entries(0, Number.MAX_SAFE_INTEGER, filter)) out.push(e);
  const chunked = [];
  for await (const chunk of store.entryChunks(0, Number.MAX_SAFE_INTEGER, filter)) {
    assert.ok(chunk.length > 0, 'a chunk holds entries');
    chunked.push(...chunk);
  }
  assert.deepEqual(chunked, out);
  return out;
}

async function nodeLookup(store: LedgerStore, size: number, ids: NodeId[]) {
  const hashes = await store.nodes(ids, size);
  return new Map(ids.map((id, i) => [`${id.level}/${id.index}`, hashes[i]]));
}

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    it('appends consecutive indexes with the origin and a monotonic receive time', async () => {
      let now = Date.parse('2026-06-01T21:00:00.000Z');
      const store = await factory.create({ origin: 'test.example/log', clock: () => now });
      try {
        const a = await store.append([draft(0), draft(1)]);
        now -= 5000; // the clock steps back: receive times must not
        const b = await store.append([draft(2)]);
        assert.deepEqual(
          [...a, ...b].map((x) => x.index),
          [0, 1, 2],
        );
        assert.equal(await store.size(), 3);
        const entries = await readAll(store);
        const parsed = entries.map((e) => {
          const c = checkEntryText(e.text);
          assert.ok('entry' in c, 'stored text is a valid canonical entry');
          return c.entry;
        });
        assert.deepEqual(
          parsed.map((e) => e.index),
          [0, 1, 2],
        );
        assert.ok(parsed.every((e) => e.origin === 'test.example/log'));
        assert.ok((parsed[2]?.received ?? '') >= (parsed[1]?.received ?? ''), 'receive time never goes back');
      } finally {
        await store.close();
      }
    });

    it('refuses a bad draft without writing anything', async () => {
      const store = await factory.create({ origin: 'test.example/log' });
      try {
        await store.append([draft(0)]);
        for (const bad of [
          { ...draft(1), type: 'Not A Type' },
          { ...draft(1), actor: { agency: '' } },
          { ...draft(1), body: [] },
          { ...draft(1), sealed: ['/missing'] },
          { ...draft(1), claimed: 'yesterday' },
        ]) {
          await assert.rejects(store.append([draft(1), bad as EntryDraft]), (e) => isConcordError(e, 'BAD_INPUT'));
        }
        await assert.rejects(store.append([{ ...draft(1), body: { s: '\ud800' } }]), (e) => isConcordError(e));
        assert.equal(await store.size(), 1, 'nothing of a refused call was written');
        const next = await store.append([draft(1)]);
        assert.equal(next[0]?.index, 1, 'no index was used up by the refused calls');
      } finally {
        await store.close();
      }
    });

    it('group-commits concurrent appends; each call is contiguous', async () => {
      const store = await factory.create({ origin: 'test.example/log' });
      try {
        const calls = Array.from({ length: 200 }, (_, i) => store.append([draft(i * 3), draft(i * 3 + 1), draft(i * 3 + 2)]));
        const results = await Promise.all(calls);
        const all = results
          .flat()
          .map((a) => a.index)
          .sort((x, y) => x - y);
        assert.deepEqual(
          all,
          Array.from({ length: 600 }, (_, i) => i),
        );
        for (const r of results)
          assert.deepEqual(
            r.map((a) => a.index - (r[0]?.index ?? 0)),
            [0, 1, 2],
          );
        assert.equal(await store.size(), 600);
      } finally {
        await store.close();
      }
    });

    it('keeps the tree: nodes and proofs equal the in-memory reference at every size, across reopen', async () => {
      let store = await factory.create({ origin: 'test.example/log' });
      const reference = new MemoryTree();
      try {
        // cross tile boundaries at level 0 and 1 (256, 65536 would be slow; 256*3+17 covers the level-1 partial tile)
        const total = 256 * 3 + 17;
        for (let i = 0; i < total; i += 97) {
          const batch = Array.from({ length: Math.min(97, total - i) }, (_, k) => draft(i + k));
          const out = await store.append(batch);
          for (const a of out) reference.append(a.leafHash);
          if (i % 2 === 0) store = await factory.reopen(store);
          // a store that keeps the edge in memory answers the committed root from it, after appends and on reopen alike
          const committed = store.committedRoot?.();
          if (committed !== undefined) {
            assert.equal(committed.size, reference.size);
            assert.deepEqual(committed.root, reference.root(reference.size), `committed root at ${reference.size}`);
          }
        }
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: 1, max: total }), fc.nat(), async (size, r) => {
            const index = r % size;
            const needed: NodeId[] = [];
            const proof = inclusionProof(index, size, (id) => {
              needed.push(id);
              return reference.node(id);
            });
            const got = await nodeLookup(store, size, needed);
            const proof2 = inclusionProof(index, size, (id) => got.get(`${id.level}/${id.index}`) as Buffer);
            assert.deepEqual(proof2, proof);
            verifyInclusion(reference.node({ level: 0, index }), index, size, proof2, reference.root(size));
            const rootIds: NodeId[] = [];
            rootHash(size, (id) => {
              rootIds.push(id);
              return reference.node(id);
            });
            const rootNodes = await nodeLookup(store, size, rootIds);
            assert.deepEqual(
              rootHash(size, (id) => rootNodes.get(`${id.level}/${id.index}`) as Buffer),
              reference.root(size),
            );
          }),
          { numRuns: 60 },
        );
        const stored = await readAll(store);
        stored.forEach((e, i) => assert.deepEqual(leafHash(Buffer.from(e.text, 'utf8')), reference.node({ level: 0, index: i })));
      } finally {
        await store.close();
      }
    });

    it('reads by incident and as of a receive time', async () => {
      let now = Date.parse('2026-06-01T21:00:00.000Z');
      const store = await factory.create({ origin: 'test.example/log', clock: () => now });
      try {
        await store.append([draft(0, { incident: 'inc-1' }), draft(1)]);
        now += 60_000;
        await store.append([draft(2, { incident: 'inc-1' }), draft(3, { incident: 'inc-2' })]);
        assert.deepEqual(
          (await readAll(store, { incident: 'inc-1' })).map((e) => e.index),
          [0, 2],
        );
        assert.deepEqual(
          (await readAll(store, { receivedUntil: '2026-06-01T21:00:30.000Z' })).map((e) => e.index),
          [0, 1],
        );
        assert.deepEqual(
          (await readAll(store, { incident: 'inc-1', receivedUntil: '2026-06-01T21:00:30.000Z' })).map((e) => e.index),
          [0],
        );
      } finally {
        await store.close();
      }
    });

    it('keeps sealed values beside the entry, not in it', async () => {
      const store = await factory.create({ origin: 'test.example/log' });
      try {
        const [a] = await store.append([draft(0, { body: { caller: { name: 'Jane Roe', phone: '555-0100' } }, sealed: ['/caller/phone'] })]);
        assert.ok(a && !a.text.includes('555-0100'), 'the hashed entry does not hold the sealed value');
        const d = await store.disclosures(0);
        assert.equal(d.length, 1);
        assert.equal(d[0]?.path, '/caller/phone');
        assert.equal(d[0]?.value, '555-0100');
      } finally {
        await store.close();
      }
    });

    it('keeps receipts in the same commit as the entries they cover, and refuses ones that cover no entry of their own append', async () => {
      const store = await factory.create({ origin: 'test.example/log' });
      try {
        await store.append([draft(0)]);
        // two calls in one group commit, each with its own receipt over its own entries
        const [a, b] = await Promise.all([
          store.append([draft(1), draft(2)], [{ id: 'r-a', fingerprint: 'f-a', first: 0, count: 2 }]),
          store.append([draft(3), draft(4), draft(5)], [{ id: 'r-b', fingerprint: 'f-b', first: 1, count: 2 }]),
        ]);
        assert.deepEqual(await store.receipt('r-a'), { id: 'r-a', fingerprint: 'f-a', index: a?.[0]?.index, count: 2 });
        assert.deepEqual(await store.receipt('r-b'), { id: 'r-b', fingerprint: 'f-b', index: b?.[1]?.index, count: 2 });
        assert.equal(await store.receipt('r-none'), undefined);
        for (const bad of [
          { id: 'r-c', fingerprint: 'f', first: 0, count: 2 },
          { id: 'r-c', fingerprint: 'f', first: -1, count: 1 },
          { id: 'r-c', fingerprint: 'f', first: 0, count: 0 },
          { id: '', fingerprint: 'f', first: 0, count: 1 },
        ]) {
          await assert.rejects(store.append([draft(9)], [bad]), (e) => isConcordError(e, 'BAD_INPUT'));
        }
        // a receipt id stored already: the append fails whole, its entries are not stored
        await assert.rejects(store.append([draft(9)], [{ id: 'r-a', fingerprint: 'f-x', first: 0, count: 1 }]));
        assert.equal(await store.size(), 6);
        assert.equal((await store.receipt('r-a'))?.fingerprint, 'f-a');
        const again = await factory.reopen(store);
        try {
          assert.deepEqual(await again.receipt('r-b'), { id: 'r-b', fingerprint: 'f-b', index: b?.[1]?.index, count: 2 });
        } finally {
          await again.close();
        }
      } catch (e) {
        await store.close().catch(() => undefined);
        throw e;
      }
    });

    it('stores checkpoints and refuses a second root for the same size', async () => {
      const store = await factory.create({ origin: 'test.example/log' });
      try {
        await store.append([draft(0)]);
        const root = Buffer.alloc(32, 7);
        await store.saveCheckpoint({ size: 1, root, note: 'note-1\n' });
        await store.saveCheckpoint({ size: 1, root, note: 'note-1\n' }); // idempotent
        await assert.rejects(store.saveCheckpoint({ size: 1, root: Buffer.alloc(32, 8), note: 'fork\n' }), (e) => isConcordError(e, 'LEDGER_CORRUPT'));
        assert.equal((await store.latestCheckpoint())?.size, 1);
        assert.equal((await store.checkpoints()).length, 1);
      } finally {
        await store.close();
      }
    });
  });
}
