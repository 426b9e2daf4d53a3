#!/usr/bin/env node
/**
 * The console's end-to-end tests drive Debian's Chromium (/usr/bin/chromium)
 * with playwright-core, which downloads no browser of its own. `npm test`
 * runs this first: when /usr/bin/chromium is missing it installs Debian's
 * `chromium` package with apt-get (as root, or through sudo without a
 * password), saying so on stderr; when it cannot, it stops with one line
 * saying what to do. CONCORD_SKIP_BROWSER=1 skips it (and the browser tests).
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

if (process.env.CONCORD_SKIP_BROWSER === '1' || existsSync(CHROMIUM)) process.exit(0);

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const sudo = !root && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
if (!root && !sudo) {
  process.stderr.write(
    `ensure-chromium: ${CHROMIUM} is missing and apt-get needs root: run \`sudo apt-get install -y chromium\` (or CONCORD_SKIP_BROWSER=1 to skip the browser tests)\n`,
  );
  process.exit(1);
}
process.stderr.write(`ensure-chromium: ${CHROMIUM} is missing; installing Debian's chromium package with apt-get (the browser tests need it)\n`);
const run = (args) => {
  const cmd = root ? args[0] : 'sudo';
  const rest = root ? args.slice(1) : ['-n', ...args];
  // apt-get's progress goes to stderr: stdout is the test reporter's
  return spawnSync(cmd, rest, { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
};
if (!run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium'])) {
  // the package lists may be missing or old on a fresh machine
  run(['apt-get', 'update']);
  run(['apt-get', 'install', '-y', '--no-install-recommends', 'chromium']);
}
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`ensure-chromium: apt-get did not install ${CHROMIUM}; install Debian's chromium package, then run the tests again\n`);
  process.exit(1);
}
process.stderr.write(`ensure-chromium: installed ${CHROMIUM}\n`);
