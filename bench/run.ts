/**
 * `npm run bench [-- ledger|crash|domain|sealing|server|witness|review|console ...]`: runs the named benchmarks
 * (all by default) and prints one JSON object with each figure beside the
 * reference measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, whyNotCurrent } from '../bin/dist.js';
import { whyWebNotCurrent } from '../bin/web.js';
import { benchConsole } from './console.ts';
import { benchCrash } from './crash.ts';
import { benchDomain } from './domain.ts';
import { benchLedger } from './ledger.ts';
import { benchReview } from './review.ts';
import { benchSealing } from './sealing.ts';
import { benchServer } from './server.ts';
import { benchWitness } from './witness.ts';

const SUITES: Record<string, () => Promise<Record<string, unknown>>> = {
  ledger: () => benchLedger(),
  crash: () => benchCrash(),
  domain: () => benchDomain(),
  sealing: () => benchSealing(),
  server: () => benchServer(),
  witness: () => benchWitness(),
  console: () => benchConsole(),
  review: () => benchReview(),
};

const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(a in SUITES));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown suite ${unknown.join(', ')} (have: ${Object.keys(SUITES).join(', ')})\n`);
  process.exit(2);
}
// the CLI's start-up is measured on the compiled CLI and the console on its build: make them current first
const suites = asked.length > 0 ? asked : Object.keys(SUITES);
if (suites.some((s) => s === 'ledger' || s === 'console') && (whyNotCurrent() !== undefined || whyWebNotCurrent() !== undefined)) {
  process.stderr.write(`bench: ${whyNotCurrent() ?? whyWebNotCurrent()}; building first (npm run build)\n`);
  const built = spawnSync(process.execPath, [join(ROOT, 'bin', 'build.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (built.status !== 0) process.stderr.write('bench: the build failed; the figures below are of what was there\n');
}
const out: Record<string, unknown> = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length } };
for (const name of suites) {
  process.stderr.write(`bench: running ${name}...\n`);
  out[name] = await SUITES[name]!();
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
