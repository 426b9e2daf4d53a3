/**
 * `concord review timeline|knew|trace|statements` (docs/review.md): the
 * review queries on a node's own data directory. Whoever can open the data
 * directory holds the whole record, so these read it as a reviewer does:
 * every entry, every agency's facts. The answers are the API's, from the
 * same queries (app/review.ts).
 */
import { rebuildWorld } from '../../app/coordination.ts';
import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { NODE_READER, ReviewService } from '../../app/review.ts';
import { ConcordError } from '../../errors.ts';
import type { Subject } from '../../review/knew.ts';
import { DEFAULT_PAGE_SIZE, DEFAULT_SKEW_SECONDS, MAX_PAGE_SIZE } from '../../review/timeline.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalString, optionalTime, parseIndex, requireString, stringList } from '../args.ts';
import type { CliCommand, ParsedArgs } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

async function withReview<T>(args: ParsedArgs, use: (review: ReviewService) => Promise<T>): Promise<T> {
  return withNodeLedger(requireString(args, 'data'), { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => {
    const world = await rebuildWorld(ledger.store);
    return use(new ReviewService({ store: ledger.store, world: () => world }));
  });
}

function optionalNumber(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = optionalString(args, name);
  if (v === undefined) return undefined;
  if (!/^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new ConcordError('BAD_USAGE', `--${name} must be a number from ${min} to ${max} (got "${v}")`);
  }
  return Number(v);
}

function optionalAfter(args: ParsedArgs): number | undefined {
  const v = optionalString(args, 'after');
  return v === undefined ? undefined : v === '-1' ? -1 : parseIndex(v, 'after');
}

const who = (a: { readonly agency: string; readonly person?: string; readonly device?: string }): string =>
  `${a.person ?? a.device ?? 'administration'} (${a.agency})`;

export const reviewTimelineCommand: CliCommand = {
  path: ['review', 'timeline'],
  summary: "print an incident's merged timeline: every entry by server time, the source's time and skew beside it",
  help: `Usage: concord review timeline --data DIR --incident ID [--after N] [--limit N]
       [--agency A] [--type T]... [--unit U] [--person P] [--from TIME] [--until TIME]
       [--skew SECONDS] [--json]

Prints one page of the incident's merged timeline: domain events, messages,
notifications, deliveries, acknowledgements and entries appended from
outside (radio calls), in the ledger's order (the server's receive time),
with the time the source claimed beside it. A claimed time further than
--skew seconds (default ${DEFAULT_SKEW_SECONDS}) from the receive time is flagged SKEW. The last
line names the --after of the next page.

Options:
  -d, --data DIR      the node's data directory
      --incident ID   the incident
      --after N       start after entry N (the cursor of the previous page)
      --limit N       entries per page, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})
      --agency A      only entries naming agency A (as actor or party)
      --type T        only entries of type T or under prefix T (repeatable)
      --unit U        only entries naming unit U
      --person P      only entries naming person P
      --from TIME     only entries received at or after TIME
      --until TIME    only entries received at or before TIME
      --skew SECONDS  the bound beyond which a claimed time is flagged
      --json          print JSON

${exitCodesHelp('node')}`,
  options: {
    ...DATA_OPTION,
    ...JSON_OPTION,
    incident: { type: 'string' },
    after: { type: 'string' },
    limit: { type: 'string' },
    agency: { type: 'string' },
    type: { type: 'string', multiple: true },
    unit: { type: 'string' },
    person: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
    skew: { type: 'string' },
  },
  async run(args, io) {
    const incident = requireString(args, 'incident');
    const limit = optionalNumber(args, 'limit', 1, MAX_PAGE_SIZE);
    if (limit !== undefined && !Number.isInteger(limit)) throw new ConcordError('BAD_USAGE', `--limit must be a whole number (got ${limit})`);
    const skew = optionalNumber(args, 'skew', 0, 7 * 24 * 3600);
    const after = optionalAfter(args);
    const from = optionalTime(args, 'from');
    const until = optionalTime(args, 'until');
    const types = stringList(args, 'type');
    const agency = optionalString(args, 'agency');
    const unit = optionalString(args, 'unit');
    const person = optionalString(args, 'person');
    return withReview(args, async (review) => {
      const page = await review.timeline(NODE_READER, incident, {
        ...(after !== undefined ? { after } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(skew !== undefined ? { skewSeconds: skew } : {}),
        ...(from !== undefined ? { from } : {}),
        ...(until !== undefined ? { until } : {}),
        ...(types.length > 0 ? { types } : {}),
        ...(agency !== undefined ? { agency } : {}),
        ...(unit !== undefined ? { unit } : {}),
        ...(person !== undefined ? { person } : {}),
      });
      if (flag(args, 'json')) {
        printJson(io, page);
        return 0;
      }
      for (const i of page.items) {
        const claimed = i.claimed === undefined ? '' : ` claimed ${i.claimed} (${(i.skewMs ?? 0) / 1000} s)${i.skewed ? ' SKEW' : ''}`;
        io.stdout.write(`${String(i.index).padStart(6)}  ${i.received}  ${i.source.padEnd(15)} ${i.type}  by ${who(i.actor)}${claimed}\n`);
      }
      io.stdout.write(
        page.next === undefined ? `(${page.items.length} entries; end of the timeline)\n` : `(${page.items.length} entries; next page: --after ${page.next})\n`,
      );
      return 0;
    });
  },
};

export const reviewKnewCommand: CliCommand = {
  path: ['review', 'knew'],
  summary: 'who knew what when: what reached a person, unit or agency by a moment, or first in a period',
  help: `Usage: concord review knew --data DIR (--person P | --unit U | --agency A)
       (--at TIME | --from TIME --until TIME) [--json]

For a moment (--at): the facts (notifications, orders, requests, messages)
that had reached the subject by then, those it had acknowledged, and those
addressed to it that were still undelivered or unacknowledged. For a period
(--from, --until): the first moment each fact reached it. "Reached" is what
the record proves: a delivery receipt from the recipient's side, an
acknowledgement, a request recorded as received; a message has no receipt
and counts from when it was recorded.

Options:
  -d, --data DIR     the node's data directory
      --person P     a person
      --unit U       a unit
      --agency A     an agency
      --at TIME      the moment (RFC 3339)
      --from TIME    the start of the period
      --until TIME   the end of the period
      --json         print JSON

${exitCodesHelp('node')}`,
  options: {
    ...DATA_OPTION,
    ...JSON_OPTION,
    person: { type: 'string' },
    unit: { type: 'string' },
    agency: { type: 'string' },
    at: { type: 'string' },
    from: { type: 'string' },
    until: { type: 'string' },
  },
  async run(args, io) {
    requireString(args, 'data');
    const named = (['person', 'unit', 'agency'] as const).flatMap((k) => {
      const v = optionalString(args, k);
      return v === undefined ? [] : [{ kind: k, id: v }];
    });
    if (named.length !== 1) throw new ConcordError('BAD_USAGE', 'name exactly one subject: --person, --unit or --agency');
    const subject = named[0] as Subject;
    const at = optionalTime(args, 'at');
    const from = optionalTime(args, 'from');
    const until = optionalTime(args, 'until');
    if ((at === undefined) === (from === undefined && until === undefined))
      throw new ConcordError('BAD_USAGE', 'ask about a moment (--at) or a period (--from and --until), one of the two');
    if (at === undefined && (from === undefined || until === undefined)) throw new ConcordError('BAD_USAGE', 'a period needs both --from and --until');
    if (from !== undefined && until !== undefined && Date.parse(from) > Date.parse(until))
      throw new ConcordError('BAD_USAGE', `--from ${from} is after --until ${until}`);
    return withReview(args, async (review) => {
      if (at !== undefined) {
        const k = review.knewAt(NODE_READER, subject, at);
        if (flag(args, 'json')) printJson(io, k);
        else {
          io.stdout.write(`what ${subject.kind} ${subject.id} knew at ${at}\n`);
          const line = (f: (typeof k.known)[number]): string =>
            `  ${f.sentAt}  ${f.kind} ${f.id} (${f.topic}, to ${f.via})${f.deliveredAt !== undefined ? ` delivered ${f.deliveredAt}` : ''}${f.acknowledgedAt !== undefined ? ` acknowledged ${f.acknowledgedAt}` : ''}${f.receipt ? '' : ' (no receipt)'}: ${f.summary}\n`;
          io.stdout.write(`reached them (${k.known.length}):\n${k.known.map(line).join('')}`);
          io.stdout.write(`not acknowledged (${k.unacknowledged.length}):\n${k.unacknowledged.map(line).join('')}`);
          io.stdout.write(`not delivered (${k.undelivered.length}):\n${k.undelivered.map(line).join('')}`);
        }
        return 0;
      }
      const d = review.knewDuring(NODE_READER, subject, from as string, until as string);
      if (flag(args, 'json')) printJson(io, d);
      else {
        io.stdout.write(`when each fact first reached ${subject.kind} ${subject.id}, ${d.from} to ${d.until}\n`);
        for (const f of d.facts) io.stdout.write(`  ${f.at}  ${f.key}: ${f.fact.summary}\n`);
      }
      return 0;
    });
  },
};

export const reviewTraceCommand: CliCommand = {
  path: ['review', 'trace'],
  summary: 'print the decision trace of an order or a request',
  help: `Usage: concord review trace --data DIR (--order ID | --request ID) [--json]

The trace of a decision: its actor and the authority it rested on (through
which appointment, delegation or command role), the verdicts and policy
versions with their clauses, the reason, what it superseded, what followed
(withdrawals, conflicts and their resolution, acknowledgements), and who
was notified and when each delivered and acknowledged.

Options:
  -d, --data DIR     the node's data directory
      --order ID     an order
      --request ID   a request (each of its decisions)
      --json         print JSON

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, order: { type: 'string' }, request: { type: 'string' } },
  async run(args, io) {
    requireString(args, 'data');
    const order = optionalString(args, 'order');
    const request = optionalString(args, 'request');
    if ((order === undefined) === (request === undefined)) throw new ConcordError('BAD_USAGE', 'name one decision: --order ID or --request ID');
    return withReview(args, async (review) => {
      const trace = order !== undefined ? review.traceOrder(NODE_READER, order) : review.traceRequest(NODE_READER, request as string);
      // the trace is nested data (verdicts, clauses, notices): JSON is its one faithful form, for both
      printJson(io, trace);
      return 0;
    });
  },
};

export const reviewStatementsCommand: CliCommand = {
  path: ['review', 'statements'],
  summary: "print an incident's public statements, each claim beside the record",
  help: `Usage: concord review statements --data DIR --incident ID [--json]

Each public statement recorded on the incident, and each of its claims: what
the record shows of it (supported or contradicted, with the entries that
show it) and the entries people linked to it as supporting or
contradicting.

Options:
  -d, --data DIR      the node's data directory
      --incident ID   the incident
      --json          print JSON

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, incident: { type: 'string' } },
  async run(args, io) {
    const incident = requireString(args, 'incident');
    return withReview(args, async (review) => {
      const statements = await review.statements(NODE_READER, incident);
      if (flag(args, 'json')) {
        printJson(io, { statements });
        return 0;
      }
      for (const s of statements) {
        io.stdout.write(`${s.id}: ${who(s.speaker)} at ${s.madeAt} in ${s.publishedIn}: "${s.text}"\n`);
        for (const c of s.claims) {
          io.stdout.write(`  claim ${c.id}: "${c.text}"${c.result !== undefined ? ` -> ${c.result.finding.toUpperCase()}: ${c.result.explanation}` : ''}\n`);
          for (const l of [...c.supportedBy, ...c.contradictedBy])
            io.stdout.write(`    entry ${l.entry} ${l.relation} it${l.note !== undefined ? `: ${l.note}` : ''}\n`);
        }
      }
      if (statements.length === 0) io.stdout.write(`no statements recorded on ${incident}\n`);
      return 0;
    });
  },
};
