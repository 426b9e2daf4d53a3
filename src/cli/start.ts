/**
 * What `npm start` does: make sure the demo node exists (replaying the demo
 * scenario into a new one), verify its ledger, add the demo logins, then
 * serve it: the API, the public log and the docs, until Ctrl-C. It prints
 * the URL, the docs and one login per role of the demo's story.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_USERS, ensureDemoUsers } from '../app/demo.ts';
import { isNodeDir } from '../app/node-dir.ts';
import { withNodeAccounts } from '../app/node-accounts.ts';
import type { CliIo } from './command.ts';
import { DEMO_POLICIES } from './commands/serve.ts';
import { runCli } from './main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO = join(ROOT, 'scenarios', 'demo.yaml');

export interface StartOptions {
  /** serve the node once it is ready (npm start); without it, prepare and print only */
  readonly serve?: { readonly port: number; readonly host: string };
}

export async function runStart(argv: string[], io: CliIo, opts: StartOptions = {}): Promise<number> {
  const dir = argv[0] ?? join(ROOT, 'data', 'demo');
  const shown = relative(io.cwd, dir) || '.';
  if (!isNodeDir(dir)) {
    if (!existsSync(DEMO)) {
      io.stderr.write(`concord start: the demo scenario ${DEMO} is missing\n`);
      return 2;
    }
    io.stdout.write(`Creating the demo node in ${shown} and replaying ${relative(io.cwd, DEMO)}...\n\n`);
    const code = await runCli(['scenario', 'run', DEMO, '--data', dir], io);
    if (code !== 0) return code;
  } else {
    io.stdout.write(`Demo node ${shown} exists (delete it to replay the demo from scratch).\n\n`);
    const code = await runCli(['state', '--data', dir, '--incident', 'inc-2026-0601-harrison'], io);
    if (code !== 0) {
      // most often a node written by an earlier release, whose entries this one does not read
      io.stderr.write(`concord start: the demo node ${shown} cannot be read; delete it and run npm start again to replay the demo\n`);
      return code;
    }
  }
  io.stdout.write('Verifying the ledger offline:\n  ');
  const verified = await runCli(['verify', dir], io);
  if (verified !== 0) return verified;
  await withNodeAccounts(dir, ensureDemoUsers);
  if (opts.serve === undefined) return 0;

  const width = Math.max(...DEMO_USERS.map((u) => u.role.length));
  io.stdout.write(`
Demo logins (POST /v1/session with {"login","password"}; the console comes in a later release):
${DEMO_USERS.map((u) => `  ${u.role.padEnd(width)}  ${u.login.padEnd(10)} ${u.password}`).join('\n')}

Try, once it serves:
  curl -s -c cookies -H 'content-type: application/json' -d '{"login":"chen","password":"demo-chen-2026"}' http://${opts.serve.host}:${opts.serve.port}/v1/session
  curl -s -b cookies http://${opts.serve.host}:${opts.serve.port}/v1/incidents/inc-2026-0601-harrison
  curl -s http://${opts.serve.host}:${opts.serve.port}/checkpoint
  npx concord --help

`);
  return runCli(['serve', '--data', dir, '--port', String(opts.serve.port), '--host', opts.serve.host, '--policies', DEMO_POLICIES], io);
}
