/**
 * `npm run bench -- crash`: 1,000 SIGKILLs of an appender at random moments;
 * prints how many acknowledged entries were lost (must be 0).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initNode } from '../src/app/ledger.ts';
import { verifyDataDir } from '../src/app/verify.ts';
import { findLost, runCrashRound } from '../test/helpers/crash.ts';

export async function benchCrash(opts: { kills?: number } = {}): Promise<Record<string, unknown>> {
  const kills = opts.kills ?? 1000;
  const root = mkdtempSync(join(tmpdir(), 'concord-crash-bench-'));
  const dir = join(root, 'node');
  await initNode(dir, 'crash.example/bench'); // as concord init makes it: a kill before the appender's first open still leaves a node that verifies
  let acknowledged = 0;
  const lost: string[] = [];
  const verifyFailures: string[] = [];
  const t0 = performance.now();
  try {
    for (let round = 0; round < kills; round++) {
      const acked = await runCrashRound(dir, round, 200);
      acknowledged += acked.size;
      lost.push(...findLost(dir, acked));
      // a whole-log verify every 50 kills and after the last
      if (round % 50 === 49 || round === kills - 1) {
        const report = await verifyDataDir(dir);
        if (!report.ok) verifyFailures.push(`after kill ${round + 1}: ${JSON.stringify(report.problems[0])}`);
      }
      if (process.stderr.isTTY) process.stderr.write(`\rcrash: ${round + 1}/${kills} kills, ${acknowledged} acknowledged, ${lost.length} lost\x1b[K`);
    }
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    const final = await verifyDataDir(dir);
    return {
      kills,
      acknowledged_entries: acknowledged,
      log_size: final.size,
      lost_entries: lost.length,
      lost_sample: lost.slice(0, 5),
      verify_failures: verifyFailures.length,
      verify_failure_sample: verifyFailures.slice(0, 3),
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
