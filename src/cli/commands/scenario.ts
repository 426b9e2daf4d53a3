import { readScenario } from '../../app/scenario.ts';
import { runScenario } from '../../app/scenario-run.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalTime, requireString } from '../args.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import type { CliCommand } from '../command.ts';
import { printJson } from '../output.ts';
import { printIncident } from '../state-text.ts';

export const scenarioRunCommand: CliCommand = {
  path: ['scenario', 'run'],
  summary: 'replay a scenario file into a node and print the resulting state',
  help: `Usage: concord scenario run FILE --data DIR [--until TIME] [--json]

Replays the scenario (docs/scenarios.md) through the application layer into
DIR's ledger, with the clock set to each step's time: setup, requests with
their protocol verdicts, orders, acknowledgements, escalations when
deadlines pass. The whole file is checked first (a dry run): an invalid
file or a step that would be refused is reported with its line, exit 2,
and nothing is appended. DIR is initialised if it is not a node yet.

Options:
  -d, --data DIR    the node's data directory
      --until TIME  replay only the steps up to this RFC 3339 time
      --json        print the state of every incident as JSON

${exitCodesHelp('scenario')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, until: { type: 'string' } },
  positionals: [1, 1],
  async run(args, io) {
    const file = args.positionals[0] as string;
    const dir = requireString(args, 'data');
    const until = optionalTime(args, 'until');
    const scenario = readScenario(file);
    const result = await runScenario(scenario, dir, { origin: `concord.local/${scenario.name}`, ...(until !== undefined ? { until } : {}) });
    const views = Object.fromEntries(await Promise.all(result.incidents.map(async (id) => [id, await result.service.incidentState(id)] as const)));
    if (flag(args, 'json')) {
      printJson(io, {
        scenario: scenario.name,
        steps: result.steps,
        refused_as_expected: result.refusedAsExpected,
        escalations: result.escalations,
        entries_appended: result.entries,
        incidents: views,
      });
    } else {
      io.stdout.write(
        `Replayed ${scenario.title}: ${result.steps} steps, ${result.entries} entries appended, ${result.escalations} escalations, ${result.refusedAsExpected} refused as expected\n\n`,
      );
      for (const view of Object.values(views)) printIncident(io, view);
    }
    return 0;
  },
};
