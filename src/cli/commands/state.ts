import { incidentStateAt } from '../../app/coordination.ts';
import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalTime, requireString } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';
import { printIncident } from '../state-text.ts';

export const stateCommand: CliCommand = {
  path: ['state'],
  summary: 'print the state of an incident, now or at a past moment',
  help: `Usage: concord state --data DIR --incident ID [--at TIME] [--json]

Rebuilds the incident from the ledger alone and prints it: command
structure, units with their status and last position, requests with
their verdicts and clauses, orders with acknowledgements, conflicts,
messages, notifications. With --at, only entries received
at or before TIME count: the state as it was then.

Options:
  -d, --data DIR      the node's data directory
      --incident ID   the incident
      --at TIME       an RFC 3339 time (default: now)
      --json          print JSON

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, incident: { type: 'string' }, at: { type: 'string' } },
  async run(args, io) {
    const incident = requireString(args, 'incident');
    const at = optionalTime(args, 'at');
    return withNodeLedger(requireString(args, 'data'), { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
      const view = await incidentStateAt(ledger.store, incident, at);
      if (flag(args, 'json')) printJson(io, view);
      else printIncident(io, view);
      return 0;
    });
  },
};
