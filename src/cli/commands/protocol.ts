import { checkRequestFile, runProtocolTests } from '../../app/protocol-files.ts';
import { formatWarning, type PolicyWarning } from '../../policy/index.ts';
import { JSON_OPTION, flag, optionalTime, requireString } from '../args.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { oneLine, printJson } from '../output.ts';

/**
 * What loaded but looks wrong (a rule that can never match), one line each
 * on stderr, so it is seen and never mistaken for output. A warning never
 * changes the exit status.
 */
function printWarnings(io: CliIo, warnings: readonly PolicyWarning[]): void {
  for (const w of warnings) io.stderr.write(`warning: ${oneLine(formatWarning(w))}\n`);
}

export const protocolCheckCommand: CliCommand = {
  path: ['protocol', 'check'],
  summary: 'evaluate a request file against protocols, without an incident',
  help: `Usage: concord protocol check --policies DIR --request FILE [--at TIME] [--json]

For policy authors: evaluates the request in FILE (JSON or YAML, see
docs/protocols.md) against the receiving agency's protocols in DIR, in the
version in effect at TIME (default: now), and prints the verdict with the
clauses that decided it. Warnings about the protocols (a rule that can
never match) are printed on stderr; they do not change the exit status.

Options:
      --policies DIR  the protocols directory (<agency>/<version>/...)
      --request FILE  the request facts
      --at TIME       RFC 3339 time for choosing the version in effect
      --json          print the verdict as JSON, with a "warnings" array

${exitCodesHelp('protocol-check')}`,
  options: { ...JSON_OPTION, policies: { type: 'string' }, request: { type: 'string' }, at: { type: 'string' } },
  async run(args, io) {
    const at = optionalTime(args, 'at');
    const { verdict, warnings } = await checkRequestFile(requireString(args, 'policies'), requireString(args, 'request'), at);
    if (flag(args, 'json')) {
      printJson(io, { ...verdict, warnings });
    } else {
      printWarnings(io, warnings);
      const role = verdict.approvalRole ? ` by ${verdict.approvalRole}` : '';
      io.stdout.write(`${verdict.decision.toUpperCase().replace('_', ' ')}${role}  (${verdict.policyVersion})\n`);
      for (const c of verdict.clauses) io.stdout.write(`  ${c.id}${c.cite ? `  ${c.cite}` : ''}${c.summary ? `\n      ${c.summary}` : ''}\n`);
      if (verdict.clauses.length === 0) io.stdout.write("  no clause matched: the protocol's default applied\n");
    }
    return 0;
  },
};

export const protocolTestCommand: CliCommand = {
  path: ['protocol', 'test'],
  summary: 'run the test cases shipped with protocols (tests.yaml); exit 1 if any fails',
  help: `Usage: concord protocol test --policies DIR [--json]

Runs every <agency>/tests.yaml under DIR against the protocols and prints
each case's result. Warnings about the protocols (a rule that can never
match) are printed on stderr; they do not change the exit status.

Options:
      --policies DIR  the protocols directory
      --json          print the results as JSON, with a "warnings" array

${exitCodesHelp('protocol-test')}`,
  options: { ...JSON_OPTION, policies: { type: 'string' } },
  async run(args, io) {
    const report = await runProtocolTests(requireString(args, 'policies'));
    if (flag(args, 'json')) {
      printJson(io, report);
    } else {
      printWarnings(io, report.warnings);
      for (const r of report.results) {
        io.stdout.write(`${r.passed ? 'ok  ' : 'FAIL'} ${r.name}${r.passed ? '' : ` (${r.file}:${r.line}): ${r.failures.join('; ')}`}\n`);
      }
      // not "N passed, N failed": CI reads a line of that shape as a test runner's verdict
      io.stdout.write(`protocol tests: ${report.passed} of ${report.results.length} passed${report.failed > 0 ? `, ${report.failed} FAILED` : ''}\n`);
    }
    return report.failed > 0 ? 1 : 0;
  },
};
