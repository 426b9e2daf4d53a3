/**
 * LedgerService: automatic checkpoints. However many callers append, and
 * however large their appends, no more than the count is ever stored
 * without a signed checkpoint covering it (an append waits for the
 * signature instead).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LedgerService } from '../../src/app/ledger.ts';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-ledger-service-');
after(root.cleanup);

const LIMIT = 100;
let runs = 0;

/** the checkpoints stored in a closed node's database, by size */
async function checkpointsOf(dir: string): Promise<Array<{ size: number }>> {
  const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
  try {
    return (await ledger.store.checkpoints()).map((c) => ({ size: c.size })).sort((a, b) => a.size - b.size);
  } finally {
    await ledger.close();
  }
}

const draft = (i: number) => ({ type: 'note.recorded', actor: { agency: 'city-pd' }, body: { i } });

describe('LedgerService automatic checkpoints', () => {
  it('never stores more than the count without a signed checkpoint, however many callers append', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.integer({ min: 1, max: 130 }), { minLength: 20, maxLength: 120 }),
        async (callers, sizes) => {
          const dir = join(root.path, `by-count-${runs++}`);
          initNodeDir(dir, 'concord.test.example/count');
          const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: LIMIT } });
          try {
            let next = 0;
            let worst = 0;
            await Promise.all(
              Array.from({ length: callers }, async () => {
                while (next < sizes.length) {
                  const n = sizes[next++]!;
                  await ledger.append(Array.from({ length: n }, (_, i) => draft(i)));
                  // read in the same turn as the answer: no other batch commits in between
                  const uncovered = (await ledger.store.size()) - (await ledger.latestCheckpoint())!.size;
                  // an append larger than the limit goes alone, after everything before it is signed
                  assert.ok(uncovered <= Math.max(LIMIT, n), `${uncovered} entries stored without a signed checkpoint (limit ${LIMIT}, this append ${n})`);
                  worst = Math.max(worst, uncovered);
                }
              }),
            );
            await ledger.close();
            const cps = await checkpointsOf(dir);
            const total = sizes.reduce((a, b) => a + b, 0);
            assert.equal(cps.at(-1)!.size, total, 'the last checkpoint, signed on close, covers every entry');
            for (let i = 1; i < cps.length; i++) {
              const gap = cps[i]!.size - cps[i - 1]!.size;
              assert.ok(gap <= Math.max(LIMIT, ...sizes), `checkpoints ${cps[i - 1]!.size} and ${cps[i]!.size} are ${gap} entries apart`);
            }
          } finally {
            await ledger.close().catch(() => undefined);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('signs checkpoints only over committed entries, each with the root of its size', async () => {
    const dir = join(root.path, 'roots');
    initNodeDir(dir, 'concord.test.example/roots');
    const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 100 } });
    let next = 0;
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < 1000) await ledger.append([draft(next++)]);
      }),
    );
    const cps = await ledger.store.checkpoints();
    // at most 100 apart from 0 to 1,000 (the last may still be signing)
    assert.ok(cps.length >= 10, `${cps.length} checkpoints for 1,000 entries, at most 100 apart`);
    for (const cp of cps) {
      const opened = openCheckpoint(cp.note, [ledger.verifier], ledger.origin);
      assert.equal(opened.checkpoint.size, cp.size);
      assert.ok((await ledger.rootAt(cp.size)).equals(cp.root), `checkpoint ${cp.size} signs the root of the first ${cp.size} entries`);
    }
    await ledger.close();
  });

  it('signs nothing by count when the count is 0, and a last checkpoint on close', async () => {
    const dir = join(root.path, 'on-close');
    initNodeDir(dir, 'concord.test.example/close');
    const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
    for (let i = 0; i < 30; i++) await ledger.append([draft(i)]);
    // the empty log's checkpoint, signed when the node was made, and nothing since
    assert.deepEqual(
      (await ledger.store.checkpoints()).map((c) => c.size),
      [0],
    );
    await ledger.close();
    const again = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
    assert.deepEqual(
      (await again.store.checkpoints()).map((c) => c.size),
      [0, 30],
    );
    await again.close();
  });
});
