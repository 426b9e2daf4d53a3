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
// the console's figures come from a real browser: Debian's chromium, installed as `npm test` installs it
if (suites.includes('console')) {
  const tools = spawnSync(process.execPath, [join(ROOT, 'bin', 'ensure-test-tools.js')], { stdio: ['ignore', 2, 'inherit'] });
  if (tools.status !== 0) process.stderr.write('bench: the browser could not be installed; the console suite will say why it did not run\n');
}
const out: Record<string, unknown> = { machine: { node: process.version, cpus: (await import('node:os')).cpus().length } };
// a suite that fails is reported in its place, and the others still run and print
const failed: string[] = [];
for (const name of suites) {
  process.stderr.write(`bench: running ${name}...\n`);
  try {
    out[name] = await SUITES[name]!();
  } catch (e) {
    failed.push(name);
    out[name] = { error: e instanceof Error ? e.message : String(e) };
    process.stderr.write(`bench: ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
if (failed.length > 0) {
  process.stderr.write(`bench: ${failed.join(', ')} did not run to the end (above); the other figures stand\n`);
  process.exitCode = 1;
}
