#!/usr/bin/env node
// `npm start`: a node in ./data/demo with the demo incident replayed into it,
// verified, with the demo logins, served on http://127.0.0.1:8080 (PORT and
// HOST change that) until Ctrl-C. Runs dist/ when it is current, else the
// sources through tsx (bin/dist.js). Serves the operations console at /,
// built first when it is missing or stale (bin/web.js).
import { importEntry } from './dist.js';
import { ensureWeb } from './web.js';

const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`npm start: PORT must be a number from 0 to 65535, not ${process.env.PORT}\n`);
  process.exit(2);
}
if (!ensureWeb()) process.stderr.write('npm start: the console could not be built; the API is served without it\n');
const { runStart } = await importEntry('cli/start');
process.exitCode = await runStart(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() },
  { serve: { port, host: process.env.HOST ?? '127.0.0.1' } },
);
