/**
 * The review reports (docs/review.md), each a ReportDocument (rendered to
 * HTML, PDF and CSV by render/) and the rows of its CSV:
 *
 *   - the after-action report of an incident, in the HSEEP after-action
 *     shape: overview, summary, key decisions, requests and verdicts,
 *     commitments and withdrawals, orders, notifications and
 *     acknowledgements, conflicts, claims against evidence, and the areas
 *     for improvement left for the reviewer;
 *   - the ICS 214 activity log of a unit or a person on an incident;
 *   - the ICS 213RR of one resource request;
 *   - the compliance report of the requests an agency received from an
 *     agency, or a kind of agency, over a period.
 *
 * Pure, over the world (and, for ICS 214, the incident's timeline). Agency
 * boundaries hold as in every read: a record the caller may not read is not
 * in the report. Every report names what it was built on (`ReportBasis`):
 * the last entry read, and the signed checkpoint that covers it, which a
 * reader verifies the entries against.
 */
import type { Caller } from '../domain/boundaries.ts';
import { mayReadRequest, requireVisibleIncident, visibleConflicts, visibleNotifications, visibleOrders, visibleRequests } from '../domain/visible-view.ts';
import { describeActor, describeAuthority, type Actor, type Authority } from '../domain/values.ts';
import type { Verdict } from '../domain/verdict.ts';
import type { AgencyKind } from '../domain/vocabulary.ts';
import type { AssistanceRequest, World } from '../domain/world.ts';
import { ConcordError } from '../errors.ts';
import type { StatementView } from './claims.ts';
import type { Block, ReportDocument, TableColumn } from './render/document.ts';
import type { TimelineItem } from './timeline.ts';

/** what a report was built on */
export interface ReportBasis {
  readonly origin: string;
  /** the last ledger entry the report read (-1: none) */
  readonly asOfIndex: number;
  /** the signed checkpoint covering it: its size and root (base64) */
  readonly checkpoint: { readonly size: number; readonly root: string };
  /** how a reader gets the entries with their proofs */
  readonly bundle: string;
  /** when the report was built (RFC 3339) */
  readonly created: string;
  /** the IANA time zone times are shown in (default UTC) */
  readonly timeZone?: string;
}

export interface Report {
  readonly document: ReportDocument;
  /** the report's main table, for CSV */
  readonly csv: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

/** a time zone Intl knows, else BAD_INPUT */
export function checkTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConcordError('BAD_INPUT', `time zone ${JSON.stringify(zone)} is not an IANA time zone (like America/Chicago or UTC)`);
  }
}

/** the span of time whose zone offset is looked up once: every offset change since 1970 falls on a quarter hour */
const OFFSET_SPAN_MS = 15 * 60 * 1000;

/**
 * Times as a reader of the report reads them: "2026-06-01 15:04:05 CDT" in
 * the report's time zone (UTC by default). A report lists tens of thousands
 * of times and Intl's formatToParts costs ~10 µs each, so the zone's offset
 * and name are looked up once per quarter hour and every time inside it is
 * shifted by that offset; a quarter hour whose two ends have different
 * offsets (a change inside it) has each of its times formatted by Intl.
 */
export function reportClock(zone: string | undefined): (iso: string | undefined) => string {
  const tz = zone ?? 'UTC';
  checkTimeZone(tz);
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const partsAt = (ms: number): Record<string, string> => Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const byIntl = (ms: number): string => {
    const p = partsAt(ms);
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
  };
  /** the zone's offset from UTC at `ms` (whole seconds), and its short name */
  const zoneAt = (ms: number): { offset: number; name: string } => {
    const p = partsAt(ms);
    const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
    return { offset: local - (ms - (((ms % 1000) + 1000) % 1000)), name: p.timeZoneName ?? tz };
  };
  /** per quarter hour: its offset and name, or null when they change inside it */
  const spans = new Map<number, { offset: number; name: string } | null>();
  return (iso) => {
    if (iso === undefined) return '';
    const ms = Date.parse(iso);
    if (!Number.isFinite(ms)) return iso;
    const span = Math.floor(ms / OFFSET_SPAN_MS);
    let z = spans.get(span);
    if (z === undefined) {
      const start = zoneAt(span * OFFSET_SPAN_MS);
      const end = zoneAt((span + 1) * OFFSET_SPAN_MS - 1000);
      z = start.offset === end.offset && start.name === end.name ? start : null;
      spans.set(span, z);
    }
    if (z === null) return byIntl(ms);
    const local = new Date(ms + z.offset).toISOString();
    return `${local.slice(0, 10)} ${local.slice(11, 19)} ${z.name}`;
  };
}

function reference(b: ReportBasis): string {
  const read = b.asOfIndex < 0 ? 'no entries' : `entries 0..${b.asOfIndex}`;
  return `Built from ${read} of log ${b.origin}, covered by its signed checkpoint of size ${b.checkpoint.size}, root ${b.checkpoint.root}. Entries and proofs: ${b.bundle}`;
}

const who = (world: World, a: Actor | undefined): string => {
  if (a === undefined) return '';
  const name = a.person !== undefined ? world.people[a.person]?.name : undefined;
  return name !== undefined ? `${name} (${a.person}, ${a.agency})` : describeActor(a);
};
const authority = (a: Authority | undefined): string => (a === undefined ? '' : describeAuthority(a));
const clauses = (v: Verdict | undefined): string =>
  v === undefined
    ? 'not evaluated'
    : `${v.decision}${v.clauses.length > 0 ? `: ${v.clauses.map((c) => c.id + (c.cite ? ` (${c.cite})` : '')).join('; ')}` : v.note ? ` (${v.note})` : ''}`;
const verdictLine = (v: Verdict | undefined): string => (v === undefined ? 'not evaluated' : `${clauses(v)} · ${v.agency} policy ${v.policyVersion}`);
const agencyName = (world: World, id: string): string => world.agencies[id]?.name ?? id;
const byTime =
  <T>(at: (x: T) => string) =>
  (a: T, b: T): number =>
    Date.parse(at(a)) - Date.parse(at(b));

function table(columns: readonly TableColumn[], rows: readonly (readonly string[])[], empty: string): Block {
  return { kind: 'table', columns, rows, empty };
}

function readableRequests(world: World, caller: Caller, incident?: string): AssistanceRequest[] {
  return visibleRequests(
    caller,
    Object.values(world.requests).filter((r) => incident === undefined || r.incident === incident),
  ).sort(byTime((r) => r.sentAt));
}

const legalFacts = (r: AssistanceRequest): string => {
  const l = r.legalBasis;
  if (l === undefined) return 'none stated';
  const parts: string[] = [];
  if (l.statute) parts.push(`statute ${l.statute}`);
  if (l.warrant) parts.push(`${l.warrant.kind} warrant ${l.warrant.reference}`);
  if (l.courtOrder) parts.push(`court order ${l.courtOrder.reference}`);
  if (l.consent !== undefined) parts.push(l.consent ? 'consent' : 'no consent');
  return parts.length > 0 ? parts.join('; ') : 'none stated';
};

const answerLine = (world: World, r: AssistanceRequest): string =>
  r.answer === undefined
    ? r.state
    : `${r.answer.kind}${r.answer.count !== undefined ? ` (${r.answer.count})` : ''} by ${who(world, r.answer.by)}: ${r.answer.reason}`;

// ---------------------------------------------------------------------------
// After-action report

const DECISION_COLUMNS: TableColumn[] = [
  { title: 'Time', weight: 1.3 },
  { title: 'Who', weight: 1.3 },
  { title: 'Decision', weight: 1.5 },
  { title: 'Authority', weight: 1.5 },
  { title: 'Reason', weight: 2 },
  { title: 'Entry', weight: 0.5, mono: true },
];

export function afterActionReport(world: World, caller: Caller, incidentId: string, statements: readonly StatementView[], basis: ReportBasis): Report {
  const incident = requireVisibleIncident(world, caller, incidentId);
  const at = reportClock(basis.timeZone);
  const requests = readableRequests(world, caller, incident.id);
  const ofIncident = <T extends { readonly incident?: string }>(records: Readonly<Record<string, T>>): T[] =>
    Object.values(records).filter((x) => x.incident === incident.id);
  const orders = visibleOrders(caller, world, ofIncident(world.orders)).sort(byTime((o) => o.issuedAt));
  const notices = visibleNotifications(caller, ofIncident(world.notifications)).sort(byTime((n) => n.createdAt));
  const conflicts = visibleConflicts(caller, world, ofIncident(world.conflicts)).sort(byTime((c) => c.detectedAt));

  // key decisions: every decided step of a request, each order, the command, closing
  type Decision = { at: string; by: Actor; what: string; authority?: Authority; reason: string; index: number | undefined };
  const decisions: Decision[] = [];
  for (const c of incident.commandHistory)
    decisions.push({ at: c.since, by: c.by, what: `command: ${c.structure.kind}`, authority: c.authority, reason: c.reason, index: undefined });
  for (const r of requests) {
    for (const step of r.log) {
      if (step.reason === undefined && step.authority === undefined) continue;
      decisions.push({
        at: step.at,
        by: step.by,
        what: `request ${r.id}: ${step.action}`,
        authority: step.authority,
        reason: step.reason ?? '',
        index: step.index,
      });
    }
  }
  for (const o of orders)
    decisions.push({ at: o.issuedAt, by: o.issuer, what: `order ${o.id}: ${o.directive}`, authority: o.authority, reason: o.rationale, index: o.index });
  for (const c of conflicts)
    if (c.resolution)
      decisions.push({
        at: c.resolution.at,
        by: c.resolution.by,
        what: `conflict ${c.id} resolved`,
        authority: c.resolution.authority,
        reason: c.resolution.reason,
        index: undefined,
      });
  if (incident.closed)
    decisions.push({
      at: incident.closed.at,
      by: incident.closed.by,
      what: 'incident closed',
      authority: incident.closed.authority,
      reason: incident.closed.reason,
      index: undefined,
    });
  decisions.sort(byTime((d) => d.at));
  const decisionRows = decisions.map((d) => [
    at(d.at),
    who(world, d.by),
    d.what,
    authority(d.authority),
    d.reason,
    d.index === undefined ? '' : String(d.index),
  ]);

  const commitments = requests.flatMap((r) =>
    r.commitments.map((c) => [
      r.id,
      `${world.units[c.unit]?.callsign ?? c.unit} (${c.unit}, ${world.units[c.unit]?.agency ?? '?'})`,
      at(c.committedAt),
      at(c.onSceneAt),
      c.ended ? `${c.ended.kind} ${at(c.ended.at)}${c.ended.order ? ` by order ${c.ended.order}` : ''}` : 'still committed',
      c.ended?.reason ?? '',
    ]),
  );
  const withdrawals = requests.flatMap((r) =>
    r.withdrawals.map((w) => [r.id, w.units.join(', '), at(w.at), who(world, w.by), authority(w.authority), w.order ?? '', w.reason]),
  );
  const acknowledged = notices.filter((n) => n.acknowledgedAt !== undefined).length;
  const urgentOpen = notices.filter((n) => n.urgent && n.acknowledgedAt === undefined).length;
  const decided = (d: string): number => requests.filter((r) => r.verdict?.decision === d).length;
  const committedUnits = new Set(requests.flatMap((r) => r.commitments.map((c) => c.unit))).size;
  const withdrawnUnits = new Set(requests.flatMap((r) => r.withdrawals.flatMap((w) => w.units))).size;
  const claims = statements.flatMap((s) =>
    s.claims.map((c) => [
      `${who(world, s.speaker)}, ${at(s.madeAt)} (${s.publishedIn})`,
      c.text,
      c.result?.finding ?? (c.contradictedBy.length > 0 ? 'contradicted (linked)' : c.supportedBy.length > 0 ? 'supported (linked)' : 'not checked'),
      [
        c.result?.explanation,
        ...c.supportedBy.map((l) => `supported by entry ${l.entry}${l.note ? `: ${l.note}` : ''}`),
        ...c.contradictedBy.map((l) => `contradicted by entry ${l.entry}${l.note ? `: ${l.note}` : ''}`),
      ]
        .filter((x) => x !== undefined && x !== '')
        .join('; '),
      [...(c.result?.evidence ?? []).map((e) => e.index), ...c.supportedBy.map((l) => l.entry), ...c.contradictedBy.map((l) => l.entry)].join(', '),
    ]),
  );

  const document: ReportDocument = {
    title: `After-action report: ${incident.name}`,
    subtitle: `Incident ${incident.id} · ${incident.location} · opened ${at(incident.openedAt)}${incident.closed ? ` · closed ${at(incident.closed.at)}` : ' · still open'}`,
    reference: reference(basis),
    created: basis.created,
    blocks: [
      { kind: 'heading', level: 1, text: '1. Overview' },
      {
        kind: 'facts',
        rows: [
          ['Incident', `${incident.name} (${incident.id})`],
          ['Location', incident.location],
          ['Lead agency', agencyName(world, incident.leadAgency)],
          ['Agencies', incident.agencies.map((a) => agencyName(world, a)).join('; ')],
          ['Command', incident.command ? `${incident.command.structure.kind} since ${at(incident.command.since)}` : 'none established'],
          ['Report built for', caller.role === 'reviewer' ? 'a reviewer (every record)' : `${agencyName(world, caller.agency)} (what it may read)`],
        ],
      },
      { kind: 'heading', level: 1, text: '2. Summary' },
      {
        kind: 'paragraph',
        text:
          `${requests.length} request(s) for help: ${decided('permitted')} permitted, ${decided('needs_approval')} needing approval, ${decided('prohibited')} prohibited by the protocols. ` +
          `${committedUnits} unit(s) committed, ${withdrawnUnits} withdrawn. ${orders.length} order(s), ${conflicts.length} conflict(s). ` +
          `${notices.length} notification(s), ${acknowledged} acknowledged; ${urgentOpen} urgent one(s) never acknowledged.`,
      },
      { kind: 'heading', level: 1, text: '3. Key decisions' },
      table(DECISION_COLUMNS, decisionRows, 'No decisions were recorded.'),
      { kind: 'heading', level: 1, text: '4. Requests and their verdicts' },
      table(
        [
          { title: 'Request', weight: 1.1, mono: true },
          { title: 'From → to' },
          { title: 'Category' },
          { title: 'Sent', weight: 1.2 },
          { title: 'Verdict and clauses', weight: 2.2 },
          { title: 'Answer', weight: 2 },
        ],
        requests.map((r) => [r.id, `${r.from} → ${r.to}`, r.category, at(r.sentAt), verdictLine(r.verdict), answerLine(world, r)]),
        'No requests.',
      ),
      { kind: 'heading', level: 1, text: '5. Commitments and withdrawals' },
      table(
        [
          { title: 'Request', mono: true },
          { title: 'Unit', weight: 1.3 },
          { title: 'Committed', weight: 1.2 },
          { title: 'On scene', weight: 1.2 },
          { title: 'Ended', weight: 1.5 },
          { title: 'Reason', weight: 1.6 },
        ],
        commitments,
        'No units were committed.',
      ),
      table(
        [
          { title: 'Request', mono: true },
          { title: 'Units withdrawn' },
          { title: 'When', weight: 1.2 },
          { title: 'By', weight: 1.2 },
          { title: 'Authority', weight: 1.2 },
          { title: 'Order', mono: true },
          { title: 'Reason', weight: 1.8 },
        ],
        withdrawals,
        'No withdrawals.',
      ),
      { kind: 'heading', level: 1, text: '6. Orders' },
      table(
        [
          { title: 'Order', mono: true },
          { title: 'Directive' },
          { title: 'Issuer and authority', weight: 1.6 },
          { title: 'Rationale', weight: 1.8 },
          { title: 'Verdicts', weight: 1.6 },
          { title: 'Acknowledged', weight: 1.6 },
        ],
        orders.map((o) => [
          o.id,
          `${o.directive}${o.units.length > 0 ? ` (${o.units.join(', ')})` : ''}`,
          `${who(world, o.issuer)}; ${authority(o.authority)}`,
          o.rationale,
          o.verdicts.map(verdictLine).join('\n') || 'none',
          [...o.units, ...o.people]
            .map((r: string) => {
              const ack = o.acks.find((a) => a.recipient.id === r);
              return `${r}: ${ack ? at(ack.at) : 'not acknowledged'}`;
            })
            .join('\n'),
        ]),
        'No orders.',
      ),
      { kind: 'heading', level: 1, text: '7. Notifications and acknowledgements' },
      table(
        [
          { title: 'To', weight: 1.2 },
          { title: 'About', weight: 2 },
          { title: 'Urgent', weight: 0.6 },
          { title: 'Sent', weight: 1.2 },
          { title: 'Delivered', weight: 1.2 },
          { title: 'Acknowledged', weight: 1.5 },
        ],
        notices.map((n) => [
          n.recipient.person !== undefined
            ? `${who(world, { agency: n.recipient.agency, person: n.recipient.person })}`
            : agencyName(world, n.recipient.agency),
          `${n.topic}: ${n.message}`,
          n.urgent ? 'yes' : 'no',
          at(n.createdAt),
          at(n.deliveredAt),
          n.acknowledgedAt ? `${at(n.acknowledgedAt)} by ${who(world, n.acknowledgedBy)}` : 'not acknowledged',
        ]),
        'No notifications.',
      ),
      { kind: 'heading', level: 1, text: '8. Conflicts' },
      table(
        [
          { title: 'Conflict', mono: true },
          { title: 'Unit' },
          { title: 'Orders', mono: true },
          { title: 'What', weight: 2 },
          { title: 'Detected', weight: 1.2 },
          { title: 'Resolution', weight: 2 },
        ],
        conflicts.map((c) => [
          c.id,
          c.unit,
          c.orders.join(', '),
          c.description,
          at(c.detectedAt),
          c.resolution ? `${at(c.resolution.at)} by ${who(world, c.resolution.by)}: ${c.resolution.reason}` : 'open',
        ]),
        'No conflicts between orders.',
      ),
      { kind: 'heading', level: 1, text: '9. Public statements against the record' },
      table(
        [
          { title: 'Statement', weight: 1.5 },
          { title: 'Claim', weight: 2 },
          { title: 'Finding', weight: 1 },
          { title: 'What the record shows', weight: 2.5 },
          { title: 'Entries', weight: 0.8, mono: true },
        ],
        claims,
        'No statements were recorded.',
      ),
      { kind: 'heading', level: 1, text: '10. Analysis (for the reviewer)' },
      { kind: 'blank', label: 'Strengths', lines: 4 },
      { kind: 'blank', label: 'Areas for improvement', lines: 6 },
      { kind: 'blank', label: 'Recommendations and corrective actions', lines: 6 },
    ],
  };
  return { document, csv: { header: DECISION_COLUMNS.map((c) => c.title), rows: decisionRows } };
}

// ---------------------------------------------------------------------------
// ICS 214, activity log

export type ActivitySubject = { readonly kind: 'unit' | 'person'; readonly id: string };

/** the timeline items of the incident that name the subject, as the caller may read them, oldest first */
export function ics214Report(
  world: World,
  caller: Caller,
  incidentId: string,
  subject: ActivitySubject,
  items: readonly TimelineItem[],
  basis: ReportBasis,
): Report {
  const incident = requireVisibleIncident(world, caller, incidentId);
  const at = reportClock(basis.timeZone);
  const unit = subject.kind === 'unit' ? world.units[subject.id] : undefined;
  const person = subject.kind === 'person' ? world.people[subject.id] : undefined;
  const home = unit?.agency ?? person?.agency;
  if (home === undefined || (caller.role !== 'reviewer' && !incident.agencies.includes(home) && home !== caller.agency))
    throw new ConcordError('UNKNOWN_ENTITY', `${subject.kind} ${subject.id} does not exist or is not shared with ${caller.agency}`, {
      kind: subject.kind,
      id: subject.id,
    });
  const mine = items.filter((i) => (subject.kind === 'unit' ? i.units.includes(subject.id) : i.people.includes(subject.id) || i.actor.person === subject.id));
  const rows = mine.map((i) => [at(i.received), i.claimed !== undefined && i.skewed ? at(i.claimed) : '', who(world, i.actor), activity(i), String(i.index)]);
  const columns: TableColumn[] = [
    { title: 'Date/time (server)', weight: 1.3 },
    { title: 'Claimed by source', weight: 1.3 },
    { title: 'By', weight: 1.3 },
    { title: 'Notable activity', weight: 3 },
    { title: 'Entry', weight: 0.5, mono: true },
  ];
  const first = mine[0]?.received;
  const last = mine[mine.length - 1]?.received;
  const document: ReportDocument = {
    title: `ICS 214 Activity Log: ${unit ? `${unit.callsign} (${unit.id})` : `${person?.name} (${subject.id})`}`,
    subtitle: `Incident ${incident.name} (${incident.id})`,
    reference: reference(basis),
    created: basis.created,
    blocks: [
      {
        kind: 'facts',
        rows: [
          ['1. Incident name', `${incident.name} (${incident.id})`],
          ['2. Operational period', first !== undefined ? `${at(first)} to ${at(last)}` : 'no activity recorded'],
          ['3. Name', unit ? `${unit.callsign} (${unit.type})` : (person?.name ?? subject.id)],
          ['4. ICS position', unit?.assignment?.request ? `serving request ${unit.assignment.request}` : unit?.assignment ? 'assigned to the incident' : ''],
          ['5. Home agency (and unit)', `${agencyName(world, home)}${unit ? ` (${unit.id})` : ''}`],
        ],
      },
      { kind: 'heading', level: 2, text: '6. Resources assigned' },
      table(
        [{ title: 'Name' }, { title: 'ICS position' }, { title: 'Home agency (and unit)' }],
        unit
          ? unit.members.map((m) => [
              world.people[m]?.name ?? m,
              m === unit.supervisor ? 'supervisor' : 'member',
              `${agencyName(world, unit.agency)} (${unit.id})`,
            ])
          : Object.values(world.units)
              .filter((u) => u.members.includes(subject.id))
              .map((u) => [person?.name ?? subject.id, u.supervisor === subject.id ? 'supervisor' : 'member', `${agencyName(world, u.agency)} (${u.id})`]),
        'None recorded.',
      ),
      { kind: 'heading', level: 2, text: '7. Activity log' },
      table(columns, rows, 'No activity recorded.'),
      { kind: 'blank', label: '8. Prepared by (name, position, signature, date/time)', lines: 2 },
    ],
  };
  return { document, csv: { header: columns.map((c) => c.title), rows } };
}

function activity(i: TimelineItem): string {
  const b = (i.body ?? {}) as Record<string, unknown>;
  const said = ['reason', 'rationale', 'text', 'message', 'status', 'directive', 'description'].map((k) => b[k]).find((v) => typeof v === 'string');
  const refs = Object.entries(i.refs)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return [i.type, refs, said].filter((x) => x !== undefined && x !== '').join(' · ');
}

// ---------------------------------------------------------------------------
// ICS 213RR, resource request

export function ics213rrReport(world: World, caller: Caller, requestId: string, basis: ReportBasis): Report {
  const r = world.requests[requestId];
  if (r === undefined || !mayReadRequest(caller, r))
    throw new ConcordError('UNKNOWN_ENTITY', `request ${requestId} does not exist or is not shared with ${caller.agency}`, { kind: 'request', id: requestId });
  const at = reportClock(basis.timeZone);
  const incident = world.incidents[r.incident];
  const approvals = r.log.filter((s) => s.action === 'approved' || s.action === 'escalated');
  const rows: [string, string][] = [
    ['1. Incident name', incident ? `${incident.name} (${incident.id})` : r.incident],
    ['2. Date/time', at(r.sentAt)],
    ['3. Resource request number', r.id],
    [
      '4. Order: kind and quantity',
      `${r.kind}${r.unitsRequested !== undefined ? `, ${r.unitsRequested} unit(s)` : ''}${r.information ? `, ${r.information.kind}${r.information.personalData ? ' (personal data)' : ''}` : ''}`,
    ],
    ['   Category, operation, urgency', `${r.category}, ${r.operation}, ${r.urgency}`],
    ['   Detailed item description', r.description],
    ['   Reporting location', r.location ?? incident?.location ?? ''],
    ['   Requested response by', at(r.deadline)],
    ['   Legal basis', legalFacts(r)],
    ['5. Requested by', `${r.requester !== undefined ? who(world, { agency: r.from, person: r.requester }) : agencyName(world, r.from)}`],
    ['6. Priority', r.urgency],
    ['7. Protocol verdict', verdictLine(r.verdict)],
    [
      '8. Approval',
      r.approval
        ? `${who(world, r.approval.by)} as ${r.approval.role}, ${at(r.approval.at)}: ${r.approval.reason}`
        : r.verdict?.decision === 'needs_approval'
          ? 'needed, not given'
          : 'not needed',
    ],
    ['9. Supplier', agencyName(world, r.to)],
    ['10. Answer', answerLine(world, r)],
    ['11. State', r.state],
  ];
  const stepRows = r.log.map((s) => [at(s.at), s.action, who(world, s.by), authority(s.authority), s.reason ?? '', String(s.index)]);
  const stepColumns: TableColumn[] = [
    { title: 'Time', weight: 1.3 },
    { title: 'Action' },
    { title: 'By', weight: 1.3 },
    { title: 'Authority', weight: 1.2 },
    { title: 'Reason', weight: 2 },
    { title: 'Entry', weight: 0.5, mono: true },
  ];
  const document: ReportDocument = {
    title: `ICS 213RR Resource Request: ${r.id}`,
    subtitle: `${agencyName(world, r.from)} to ${agencyName(world, r.to)}${approvals.length > 0 ? ` · ${approvals.length} approval step(s)` : ''}`,
    reference: reference(basis),
    created: basis.created,
    blocks: [
      { kind: 'heading', level: 2, text: 'Requestor' },
      { kind: 'facts', rows },
      { kind: 'heading', level: 2, text: 'Units committed' },
      table(
        [{ title: 'Unit' }, { title: 'Committed' }, { title: 'On scene' }, { title: 'Ended', weight: 2 }],
        r.commitments.map((c) => [
          c.unit,
          at(c.committedAt),
          at(c.onSceneAt),
          c.ended ? `${c.ended.kind} ${at(c.ended.at)}: ${c.ended.reason}` : 'still committed',
        ]),
        'No units committed.',
      ),
      { kind: 'heading', level: 2, text: 'History' },
      table(stepColumns, stepRows, 'No steps recorded.'),
    ],
  };
  return { document, csv: { header: stepColumns.map((c) => c.title), rows: stepRows } };
}

// ---------------------------------------------------------------------------
// Compliance report

export interface ComplianceQuery {
  /** the agency that received the requests (a member: its own) */
  readonly to: string;
  readonly fromAgency?: string;
  readonly fromKind?: AgencyKind;
  readonly from: string;
  readonly until: string;
}

const COMPLIANCE_COLUMNS: TableColumn[] = [
  { title: 'Request', mono: true },
  { title: 'Received', weight: 1.2 },
  { title: 'From' },
  { title: 'Category' },
  { title: 'Legal facts', weight: 1.4 },
  { title: 'Verdict and clauses', weight: 1.8 },
  { title: 'Decision', weight: 1.6 },
  { title: 'Units', weight: 0.8 },
];

export function complianceReport(world: World, caller: Caller, q: ComplianceQuery, basis: ReportBasis): Report {
  if (caller.role !== 'reviewer' && q.to !== caller.agency)
    throw new ConcordError('NOT_AUTHORISED', `a member of ${caller.agency} reports on the requests ${caller.agency} received, not ${q.to}'s`);
  if ((q.fromAgency === undefined) === (q.fromKind === undefined)) throw new ConcordError('BAD_INPUT', 'name the senders: one agency, or one kind of agency');
  if (!(Date.parse(q.from) < Date.parse(q.until))) throw new ConcordError('BAD_INPUT', 'the period must end after it begins');
  const at = reportClock(basis.timeZone);
  const sender = (id: string): boolean => (q.fromAgency !== undefined ? id === q.fromAgency : world.agencies[id]?.kind === q.fromKind);
  const t0 = Date.parse(q.from);
  const t1 = Date.parse(q.until);
  const requests = visibleRequests(
    caller,
    Object.values(world.requests).filter((r) => r.to === q.to && sender(r.from) && Date.parse(r.sentAt) >= t0 && Date.parse(r.sentAt) < t1),
  ).sort(byTime((r) => r.sentAt));
  const rows = requests.map((r) => [
    r.id,
    at(r.sentAt),
    `${agencyName(world, r.from)} (${world.agencies[r.from]?.kind ?? '?'})`,
    r.category,
    legalFacts(r),
    verdictLine(r.verdict),
    r.answer ? `${r.answer.kind} ${at(r.answer.at)}: ${r.answer.reason}` : r.state,
    r.commitments.map((c) => c.unit).join(', '),
  ]);
  const count = (f: (r: AssistanceRequest) => boolean): number => requests.filter(f).length;
  const senders = q.fromAgency !== undefined ? agencyName(world, q.fromAgency) : `${q.fromKind} agencies`;
  // the entries that proved each request was sent: a reader exports exactly these with their proofs
  const sent = requests.map((r) => r.log[0]?.index).filter((i): i is number => i !== undefined);
  const bundle = sent.length > 0 ? `concord export bundle --indexes ${sent.join(',')}` : basis.bundle;
  const document: ReportDocument = {
    title: `Requests received by ${agencyName(world, q.to)} from ${senders}`,
    subtitle: `${at(q.from)} to ${at(q.until)}`,
    reference: reference({ ...basis, bundle }),
    created: basis.created,
    blocks: [
      {
        kind: 'facts',
        rows: [
          ['Requests', String(requests.length)],
          ['Permitted by the protocols', String(count((r) => r.verdict?.decision === 'permitted'))],
          ['Needing approval', String(count((r) => r.verdict?.decision === 'needs_approval'))],
          ['Prohibited by the protocols', String(count((r) => r.verdict?.decision === 'prohibited'))],
          [
            'Accepted or provided (in part or whole)',
            String(count((r) => ['accepted', 'partly_accepted', 'provided', 'partly_provided'].includes(r.answer?.kind ?? ''))),
          ],
          ['Declined or refused', String(count((r) => r.answer?.kind === 'declined' || r.answer?.kind === 'refused'))],
          ['Units committed', String(requests.reduce((t, r) => t + r.commitments.length, 0))],
        ],
      },
      table(COMPLIANCE_COLUMNS, rows, 'No requests in this period.'),
    ],
  };
  return { document, csv: { header: COMPLIANCE_COLUMNS.map((c) => c.title), rows } };
}
