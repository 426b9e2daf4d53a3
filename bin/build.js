#!/usr/bin/env node
/**
 * `npm run build`, also run by `npm install` and `npm ci` ("prepare"):
 * compiles src/ into dist/ with tsconfig.build.json (relative `./x.ts`
 * imports become `./x.js`) and stamps dist/ with the sources it was built
 * from, for bin/dist.js to check at every start.
 *
 * The sources are listed before compiling, so a file edited while tsc runs
 * leaves a stamp that no longer matches it. The compiler writes into a
 * staging folder beside dist/, which gets the stamp last; replacing dist/ by
 * it is the commit point. Until then a `concord` start finds the old build
 * (stale, so it runs the sources) or none: never half a build.
 *
 * It then builds the operations console (web/ → web/dist/, bin/web.js).
 *
 * --if-possible ("prepare"): without TypeScript or Vite (`npm install
 * --omit=dev`) say so and succeed; `concord` then runs the sources through
 * tsx, and serves no console.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DIST, ROOT, STAMP, snapshotSources, stampText } from './dist.js';
import { buildWeb, viteBin } from './web.js';

const ifPossible = process.argv.includes('--if-possible');

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  process.stderr.write(
    'build: TypeScript is not installed (it is a devDependency), so dist/ is not built; concord runs the sources through tsx, which starts slowly\n',
  );
  process.exit(ifPossible ? 0 : 1);
}

const sources = snapshotSources();
const staging = mkdtempSync(join(ROOT, '.dist-next-'));
try {
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' });
  if (r.status === 0) {
    writeFileSync(join(staging, STAMP), stampText(sources));
    // commit point: dist/ is the new build from here on
    rmSync(DIST, { recursive: true, force: true });
    renameSync(staging, DIST);
  } else {
    process.stderr.write(`build: tsc failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}); dist/ is unchanged\n`);
    process.exitCode = 1;
  }
} finally {
  rmSync(staging, { recursive: true, force: true });
}

if (process.exitCode === undefined || process.exitCode === 0) {
  if (viteBin() === undefined && ifPossible) {
    process.stderr.write('build: Vite is not installed (a devDependency), so the console (web/) is not built\n');
  } else if (!buildWeb()) {
    process.exitCode = 1;
  }
}
