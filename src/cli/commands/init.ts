import { defaultOrigin } from '../../app/node-dir.ts';
import { initNode } from '../../app/ledger.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalString, requireString } from '../args.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import type { CliCommand } from '../command.ts';
import { printJson } from '../output.ts';

export const initCommand: CliCommand = {
  path: ['init'],
  summary: 'create a new node: signing keys, database and log origin',
  help: `Usage: concord init --data DIR [--origin ORIGIN] [--json]

Creates DIR (if needed) with a new ledger, an Ed25519 signing key
(DIR/keys/log.key, mode 0600, never printed) and its verifier key
(DIR/keys/log.pub). The origin names the log in every checkpoint; it should
be the scheme-less URL of the node, e.g. concord.city-pd.example/ledger.

Options:
  -d, --data DIR     the data directory to create
      --origin NAME  the log origin (default: concord.local/log-<random>)
      --json         print the result as JSON

${exitCodesHelp('init')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, origin: { type: 'string' } },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const origin = optionalString(args, 'origin') ?? defaultOrigin();
    // the database and a first checkpoint too, so a new node is complete and verifiable at once
    const { node, checkpoint: cp } = await initNode(dir, origin);
    if (flag(args, 'json')) {
      printJson(io, { data: node.dir, origin: node.origin, verifier_key: node.verifierKey, checkpoint: cp.note });
    } else {
      io.stdout.write(`Initialised ${node.dir}\n  origin:       ${node.origin}\n  verifier key: ${node.verifierKey}\n`);
    }
    return 0;
  },
};
