/**
 * LedgerService: automatic checkpoints. Signed by count (every N entries)
 * while appends keep coming, and never more than one signing at a time.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LedgerService } from '../../src/app/ledger.ts';
import { initNodeDir } from '../../src/app/node-dir.ts';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-ledger-service-');
after(root.cleanup);

const draft = (i: number) => ({ type: 'note.recorded', actor: { agency: 'city-pd' }, body: { i } });

describe('LedgerService automatic checkpoints', () => {
  it('signs by count while many callers append, each checkpoint covering committed entries only', async () => {
    const dir = join(root.path, 'by-count');
    initNodeDir(dir, 'concord.test.example/count');
    const ledger = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 100 } });
    let next = 0;
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < 1000) await ledger.append([draft(next++)]);
      }),
    );
    // the signing started by the last appends may still be running
    await ledger.checkpoint();
    const cps = await ledger.store.checkpoints();
    assert.ok(cps.length >= 5, `checkpoints by count while appending (${cps.length} for 1,000 entries, one per 100)`);
    assert.ok(cps.length <= 12, `one signing at a time, not one per append past the mark (${cps.length})`);
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
    assert.deepEqual((await ledger.store.checkpoints()).map((c) => c.size), [0]);
    await ledger.close();
    const again = await LedgerService.open(dir, { checkpoints: { everyMs: 0, everyEntries: 0 } });
    assert.deepEqual((await again.store.checkpoints()).map((c) => c.size), [0, 30]);
    await again.close();
  });
});
