#!/usr/bin/env node
// `npm start`: a node in ./data/demo with the demo incident replayed into it,
// verified, and a short guide. (The HTTP API and console arrive in a later
// release; until then Concord is its command line.) Runs dist/ when it is
// current, else the sources through tsx (bin/dist.js).
import { importEntry } from './dist.js';

const { runStart } = await importEntry('cli/start');
process.exitCode = await runStart(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
});
