/**
 * Entries read back with their sealed values in place (src/app/revealed.ts):
 * the text must be exactly what canonicalising the revealed entry gives,
 * for nested sealed fields, arrays, and values holding "$" patterns,
 * escapes and non-ASCII text; an entry with nothing sealed is its hashed
 * text unchanged.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, it } from 'node:test';
import fc from 'fast-check';
import { LedgerService } from '../../src/app/ledger.ts';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { revealedEntries, revealedText } from '../../src/app/revealed.ts';
import { canonicalize } from '../../src/ledger/canonical.ts';
import { revealBody, type Entry, type EntryDraft } from '../../src/ledger/entry.ts';
import { buildDataDir, tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-revealed-');
after(() => root.cleanup());

it('property: the revealed text is the canonical text of the entry with its disclosures in place', async () => {
  const dir = join(root.path, 'node');
  initNodeDir(dir, 'concord.test/revealed');
  const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
  try {
    const text = fc.oneof(fc.string(), fc.constantFrom('$&', '$1', "$'", '$$', 'Zoë "quoted" \\ \n\u2028', '{"$sealed":"x"}'.replace('$sealed', 'sealed')));
    const value = fc.oneof(text, fc.integer(), fc.array(text, { maxLength: 3 }), fc.constant(null));
    const draftArb = fc
      .record({ a: value, b: fc.record({ c: value, d: value }), e: fc.array(value, { minLength: 1, maxLength: 3 }) })
      .chain((body) =>
        fc
          .subarray(['/a', '/b', '/b/c', '/b/d', '/e', '/e/0'])
          .map((sealed): EntryDraft => ({ type: 'note.recorded', actor: { agency: 'city-pd' }, body, sealed })),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(draftArb, { minLength: 1, maxLength: 5 }), async (drafts) => {
        const appended = await ledger.append(drafts);
        const from = (appended[0] as { index: number }).index;
        const to = from + appended.length;
        for await (const r of revealedEntries(ledger.store, from, to)) {
          const stored = (await ledger.store.entry(r.index)) as { text: string };
          const entry = JSON.parse(stored.text) as Entry;
          const want = canonicalize({ ...entry, body: revealBody(entry, await ledger.store.disclosures(r.index)) });
          assert.equal(r.text, want);
          assert.deepEqual((JSON.parse(r.text) as Entry).body, JSON.parse(JSON.stringify(drafts[r.index - from]?.body)));
        }
      }),
      { numRuns: 60 },
    );
  } finally {
    await ledger.close();
  }
});

it('entries revealed in windows (one read of disclosures for many) equal each revealed alone, over whole runs and a filtered few', async () => {
  const dir = (await buildDataDir(join(root.path, 'windows'), 700)).dir;
  const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
  try {
    const store = ledger.store;
    const alone = async (from: number, to: number): Promise<string[]> => {
      const out: string[] = [];
      for await (const e of store.entries(from, to)) out.push(await revealedText(store, e));
      return out;
    };
    const windowed = async (from: number, to: number, filter?: { incident: string }): Promise<string[]> => {
      const out: string[] = [];
      for await (const e of revealedEntries(store, from, to, filter)) out.push(e.text);
      return out;
    };
    for (const [from, to] of [
      [0, 700],
      [1, 257],
      [255, 513],
      [699, 700],
    ] as const) {
      const expected = await alone(from, to);
      assert.ok(expected.some((t) => t.includes('Zoë')) || to - from < 10, 'sealed names are revealed');
      assert.deepEqual(await windowed(from, to), expected, `${from}..${to}`);
    }
    // the data dir's entries all name one incident: a filter that keeps them all reads the same
    assert.deepEqual(await windowed(0, 700, { incident: 'inc-1' }), await alone(0, 700));
  } finally {
    await ledger.close();
  }
});
