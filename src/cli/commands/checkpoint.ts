import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { DATA_OPTION, JSON_OPTION, flag, requireString } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

export const checkpointCommand: CliCommand = {
  path: ['checkpoint'],
  summary: 'sign (if the log grew) and print the latest checkpoint',
  help: `Usage: concord checkpoint --data DIR [--json]

Prints the log's latest checkpoint as a C2SP signed note (tlog-checkpoint
body, Ed25519 signature). Signs a new one first if entries were appended
since the last.

Options:
  -d, --data DIR  the node's data directory
      --json      print {"origin","size","root","note"}

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION },
  async run(args, io) {
    return withNodeLedger(requireString(args, 'data'), { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
      const cp = await ledger.checkpoint();
      if (flag(args, 'json')) printJson(io, { origin: ledger.origin, size: cp.size, root: cp.root.toString('base64'), note: cp.note });
      else io.stdout.write(cp.note);
      return 0;
    });
  },
};
