#!/usr/bin/env node
// Runs the compiled CLI in dist/ when it is current, else the TypeScript
// sources through tsx (bin/dist.js says when and how).
import { importEntry } from './dist.js';

const { runCli } = await importEntry('cli/main');
const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
});
process.exitCode = code;
