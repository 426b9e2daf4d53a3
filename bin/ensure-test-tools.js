#!/usr/bin/env node
/**
 * The Debian packages the tests need, installed before `npm test` runs them:
 *   - chromium (/usr/bin/chromium): the console's end-to-end tests drive it
 *     with playwright-core, which downloads no browser of its own;
 *   - poppler-utils (/usr/bin/pdftotext, pdftoppm): the report tests read
 *     the text of the PDFs Concord writes and render their first page.
 * A missing one is installed with apt-get (as root, or through sudo without
 * a password), saying so on stderr; when that cannot be done, it stops with
 * one line saying what to do. CONCORD_SKIP_BROWSER=1 skips chromium (and the
 * browser tests).
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
export const PDFTOTEXT = '/usr/bin/pdftotext';

const wanted = [
  ...(process.env.CONCORD_SKIP_BROWSER === '1' ? [] : [{ pkg: 'chromium', file: CHROMIUM, why: 'the browser tests' }]),
  { pkg: 'poppler-utils', file: PDFTOTEXT, why: 'the report tests' },
].filter((w) => !existsSync(w.file));
if (wanted.length === 0) process.exit(0);

const names = wanted.map((w) => w.pkg).join(' ');
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!root && !sudo) {
  process.stderr.write(
    `ensure-test-tools: ${wanted.map((w) => w.file).join(', ')} missing and apt-get needs root: run \`sudo apt-get install -y ${names}\`${wanted.some((w) => w.pkg === 'chromium') ? ' (or CONCORD_SKIP_BROWSER=1 to skip the browser tests)' : ''}\n`,
  );
  process.exit(1);
}
process.stderr.write(`ensure-test-tools: installing Debian's ${names} with apt-get (${wanted.map((w) => `${w.why} need ${w.file}`).join('; ')})\n`);
const run = (args) => {
  const cmd = root ? args[0] : 'sudo';
  const rest = root ? args.slice(1) : ['-n', ...args];
  // apt-get's progress goes to stderr: stdout is the test reporter's
  return spawnSync(cmd, rest, { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
};
const install = ['apt-get', 'install', '-y', '--no-install-recommends', ...wanted.map((w) => w.pkg)];
if (!run(install)) {
  // the package lists may be missing or old on a fresh machine
  run(['apt-get', 'update']);
  run(install);
}
const still = wanted.filter((w) => !existsSync(w.file));
if (still.length > 0) {
  process.stderr.write(
    `ensure-test-tools: apt-get did not install ${still.map((w) => w.file).join(', ')}; install Debian's ${still.map((w) => w.pkg).join(' ')}, then run the tests again\n`,
  );
  process.exit(1);
}
process.stderr.write(`ensure-test-tools: installed ${names}\n`);
