/**
 * `concord report after-action|ics-214|ics-213rr|compliance` (docs/review.md):
 * the review reports of a node's own data directory as PDF, HTML or CSV
 * files, read as a reviewer (whoever opens the data directory holds the
 * whole record). The reports are the API's (app/reports.ts). Each rests on
 * a signed checkpoint covering what it read: if the newest entries are not
 * yet covered, the node signs one, as `export bundle` does.
 */
import { writeFileAtomicallySync } from '../../app/atomic-file.ts';
import { rebuildWorld } from '../../app/coordination.ts';
import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { checkOutputPath, openNodeDir } from '../../app/node-dir.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { REPORT_FORMATS, ReportService, type ReportFormat, type ReportSpec } from '../../app/reports.ts';
import { NODE_READER, ReviewService, type ReviewSource } from '../../app/review.ts';
import { AGENCY_KINDS, type AgencyKind } from '../../domain/vocabulary.ts';
import { ConcordError } from '../../errors.ts';
import { checkTimeZone } from '../../review/reports.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalString, optionalTime, requireString } from '../args.ts';
import type { CliCommand, ParsedArgs } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

const COMMON_HELP = `      --format F      pdf (default), html or csv (the report's main table)
      --tz ZONE       show times in this IANA time zone (default UTC)
      --out FILE      where to write it (not inside the data directory)
      --json          print what was written as JSON`;

const COMMON_OPTIONS = {
  ...DATA_OPTION,
  ...JSON_OPTION,
  out: { type: 'string' },
  format: { type: 'string' },
  tz: { type: 'string' },
} as const;

function format(args: ParsedArgs): ReportFormat {
  const f = optionalString(args, 'format') ?? 'pdf';
  if (!(REPORT_FORMATS as readonly string[]).includes(f))
    throw new ConcordError('BAD_USAGE', `--format must be one of ${REPORT_FORMATS.join(', ')} (got "${f}")`);
  return f as ReportFormat;
}

/** checks every flag before the node is opened, then builds, renders and writes the report */
async function writeReport(args: ParsedArgs, io: Parameters<CliCommand['run']>[1], spec: ReportSpec): Promise<number> {
  const fmt = format(args);
  const tz = optionalString(args, 'tz');
  if (tz !== undefined) {
    try {
      checkTimeZone(tz);
    } catch (e) {
      throw new ConcordError('BAD_USAGE', `--tz: ${(e as Error).message}`);
    }
  }
  const node = openNodeDir(requireString(args, 'data'));
  // before the ledger is opened: a refused --out signs no checkpoint and writes nothing
  const target = checkOutputPath(node, requireString(args, 'out'), '--out');
  return withNodeLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
    const world = await rebuildWorld(ledger.store);
    const source: ReviewSource = { store: ledger.store, world: () => world };
    const reports = new ReportService({ review: new ReviewService(source), source, ledger, now: () => new Date() });
    const r = await reports.render(NODE_READER, spec, fmt, tz);
    writeFileAtomicallySync(target, r.body);
    const summary = { out: target, format: fmt, bytes: typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.byteLength, basis: r.basis };
    if (flag(args, 'json')) printJson(io, summary);
    else io.stdout.write(`wrote ${target} (${summary.bytes} bytes), built on entries 0..${r.basis.asOfIndex}, checkpoint size ${r.basis.checkpoint.size}\n`);
    return 0;
  });
}

export const reportAfterActionCommand: CliCommand = {
  path: ['report', 'after-action'],
  summary: 'write the after-action report of an incident (PDF, HTML or CSV)',
  help: `Usage: concord report after-action --data DIR --incident ID --out FILE [--format F] [--tz ZONE] [--json]

The after-action report of the incident, in the HSEEP after-action shape:
overview, summary, key decisions, requests and their verdicts, commitments
and withdrawals, orders, notifications and acknowledgements, conflicts,
public statements against the record, and the analysis left for the
reviewer to fill. It names the entries it was built on and the signed
checkpoint that covers them.

Options:
  -d, --data DIR      the node's data directory
      --incident ID   the incident
${COMMON_HELP}

${exitCodesHelp('node')}`,
  options: { ...COMMON_OPTIONS, incident: { type: 'string' } },
  run: (args, io) => writeReport(args, io, { kind: 'after-action', incident: requireString(args, 'incident') }),
};

export const reportIcs214Command: CliCommand = {
  path: ['report', 'ics-214'],
  summary: 'write the ICS 214 activity log of a unit or a person on an incident',
  help: `Usage: concord report ics-214 --data DIR --incident ID (--unit U | --person P) --out FILE [--format F] [--tz ZONE] [--json]

Every entry of the incident that names the unit or the person, by server
time, with the source's claimed time beside it where the two differ.

Options:
  -d, --data DIR      the node's data directory
      --incident ID   the incident
      --unit U        the unit
      --person P      the person
${COMMON_HELP}

${exitCodesHelp('node')}`,
  options: { ...COMMON_OPTIONS, incident: { type: 'string' }, unit: { type: 'string' }, person: { type: 'string' } },
  run(args, io) {
    const unit = optionalString(args, 'unit');
    const person = optionalString(args, 'person');
    if ((unit === undefined) === (person === undefined)) throw new ConcordError('BAD_USAGE', 'give exactly one of --unit U or --person P');
    const subject = unit !== undefined ? ({ kind: 'unit', id: unit } as const) : ({ kind: 'person', id: person as string } as const);
    return writeReport(args, io, { kind: 'ics-214', incident: requireString(args, 'incident'), subject });
  },
};

export const reportIcs213rrCommand: CliCommand = {
  path: ['report', 'ics-213rr'],
  summary: 'write the ICS 213RR of one resource request',
  help: `Usage: concord report ics-213rr --data DIR --request ID --out FILE [--format F] [--tz ZONE] [--json]

The request as an ICS 213RR: what was asked and on what legal basis, the
protocol verdict and its clauses, approval, the answer with its reason, the
units committed, and its history step by step.

Options:
  -d, --data DIR      the node's data directory
      --request ID    the request
${COMMON_HELP}

${exitCodesHelp('node')}`,
  options: { ...COMMON_OPTIONS, request: { type: 'string' } },
  run: (args, io) => writeReport(args, io, { kind: 'ics-213rr', request: requireString(args, 'request') }),
};

export const reportComplianceCommand: CliCommand = {
  path: ['report', 'compliance'],
  summary: 'write the compliance report of the requests an agency received from an agency or kind of agency',
  help: `Usage: concord report compliance --data DIR --to AGENCY (--from-agency A | --from-kind K)
       --from TIME --until TIME --out FILE [--format F] [--tz ZONE] [--json]

Every request AGENCY received from agency A, or from any agency of kind K
(${AGENCY_KINDS.join(', ')}), sent in [--from, --until): category, legal
facts, the protocol verdict with its clauses, the decision with its reason,
the units committed. The form a city or state fills in for its yearly
report on requests from federal immigration agencies.

Options:
  -d, --data DIR        the node's data directory
      --to AGENCY       the agency that received the requests
      --from-agency A   the agency that sent them
      --from-kind K     or the kind of agency that sent them
      --from TIME       the start of the period (RFC 3339)
      --until TIME      its end (not included)
${COMMON_HELP}

${exitCodesHelp('node')}`,
  options: {
    ...COMMON_OPTIONS,
    to: { type: 'string' },
    'from-agency': { type: 'string' },
    'from-kind': { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
  },
  run(args, io) {
    const fromAgency = optionalString(args, 'from-agency');
    const fromKind = optionalString(args, 'from-kind');
    if ((fromAgency === undefined) === (fromKind === undefined)) throw new ConcordError('BAD_USAGE', 'give exactly one of --from-agency A or --from-kind K');
    if (fromKind !== undefined && !(AGENCY_KINDS as readonly string[]).includes(fromKind))
      throw new ConcordError('BAD_USAGE', `--from-kind must be one of ${AGENCY_KINDS.join(', ')} (got "${fromKind}")`);
    const from = optionalTime(args, 'from');
    const until = optionalTime(args, 'until');
    if (from === undefined || until === undefined) throw new ConcordError('BAD_USAGE', 'give the period: --from TIME and --until TIME');
    if (!(Date.parse(from) < Date.parse(until))) throw new ConcordError('BAD_USAGE', `--until ${until} must come after --from ${from}`);
    return writeReport(args, io, {
      kind: 'compliance',
      query: {
        to: requireString(args, 'to'),
        from,
        until,
        ...(fromAgency !== undefined ? { fromAgency } : {}),
        ...(fromKind !== undefined ? { fromKind: fromKind as AgencyKind } : {}),
      },
    });
  },
};
