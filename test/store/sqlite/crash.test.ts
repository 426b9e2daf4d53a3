import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { initNode } from '../../../src/app/ledger.ts';
import { verifyDataDir } from '../../../src/app/verify.ts';
import { findLost, runCrashRound } from '../../helpers/crash.ts';

const root = mkdtempSync(join(tmpdir(), 'concord-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('crash safety (SIGKILL)', () => {
  it('keeps every acknowledged entry through 20 kills at random moments, and the log verifies', { timeout: 180_000 }, async () => {
    const dir = join(root, 'node');
    await initNode(dir, 'crash.example/log'); // as concord init makes it: a kill before the appender's first open still leaves a node that verifies
    let totalAcked = 0;
    for (let round = 0; round < 20; round++) {
      const acked = await runCrashRound(dir, round, 250);
      totalAcked += acked.size;
      const lost = findLost(dir, acked);
      assert.deepEqual(lost, [], `round ${round}: acknowledged entries lost after SIGKILL`);
      const report = await verifyDataDir(dir);
      assert.ok(report.ok, `round ${round}: log does not verify: ${JSON.stringify(report.problems.slice(0, 3))}`);
    }
    assert.ok(totalAcked > 0, 'the appender acknowledged entries before being killed');
  });
});
