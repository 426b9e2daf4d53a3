/**
 * What `npm start` does: make sure the demo node exists (replaying the demo
 * scenario into a new one), verify its ledger, print the demo incident and
 * the commands to try next.
 */
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNodeDir } from '../app/node-dir.ts';
import type { CliIo } from './command.ts';
import { runCli } from './main.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO = join(ROOT, 'scenarios', 'demo.yaml');

export async function runStart(argv: string[], io: CliIo): Promise<number> {
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
  io.stdout.write(`
Concord runs from its command line in this release (the HTTP API and the
web console come next). Try:

  npx concord state --data ${shown} --incident inc-2026-0601-harrison --at 2026-06-01T20:50:00Z
  npx concord state --data ${shown} --incident inc-2026-0601-harrison --json
  npx concord protocol check --policies scenarios/policies --request scenarios/requests/perimeter-for-ice.yaml
  npx concord protocol check --policies scenarios/policies --request scenarios/requests/records-for-ice.yaml
  npx concord protocol test --policies scenarios/policies
  npx concord export bundle --data ${shown} --all --out demo-bundle.json && npx concord verify demo-bundle.json
  npx concord --help
`);
  return verified;
}
