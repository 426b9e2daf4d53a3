/**
 * Statements against the record: each claim of a public statement beside
 * what the record says of it. A claim with a check (values.ts
 * claimCheckSchema) is evaluated here against the world: the record either
 * bears it out or contradicts it, and the entries that show it are named.
 * Every claim also shows the entries people linked to it, as supporting or
 * contradicting.
 *
 * Pure, over the world and the agency boundaries: the statements are those
 * the caller may read; the evidence a check cites is left out when the
 * caller may not read it (the finding is then "not shared" rather than a
 * conclusion drawn from records the caller cannot see); links to entries
 * the caller may not read keep their relation but not the entry.
 */
import { mayRead, notificationAudienceOf, requestAudienceOf, statementAudienceOf, type Caller } from '../domain/boundaries.ts';
import type { ClaimCheck } from '../domain/values.ts';
import type { Claim, ClaimLink, Statement, World } from '../domain/world.ts';

/** what the record says of a claim's check */
export type Finding = 'supported' | 'contradicted' | 'not shared';

export interface Evidence {
  /** the ledger entry */
  readonly index: number;
  readonly what: string;
  readonly at: string;
}

export interface CheckResult {
  readonly check: ClaimCheck;
  /** what the record shows: the fact the claim asserts is true (or not) */
  readonly recordShows: boolean | undefined;
  readonly finding: Finding;
  readonly explanation: string;
  readonly evidence: readonly Evidence[];
}

export interface LinkView {
  readonly entry: number;
  readonly relation: ClaimLink['relation'];
  readonly note?: string;
  readonly by: ClaimLink['by'];
  readonly at: string;
  /** false when the caller may not read the linked entry */
  readonly readable: boolean;
}

export interface ClaimView {
  readonly id: string;
  readonly text: string;
  readonly index: number;
  readonly result?: CheckResult;
  readonly supportedBy: readonly LinkView[];
  readonly contradictedBy: readonly LinkView[];
}

export interface StatementView {
  readonly id: string;
  readonly incident: string;
  readonly speaker: Statement['speaker'];
  readonly madeAt: string;
  readonly publishedIn: string;
  readonly text: string;
  readonly recordedBy: Statement['recordedBy'];
  readonly recordedAt: string;
  readonly index: number;
  readonly claims: readonly ClaimView[];
}

const t = (s: string): number => Date.parse(s);

function finding(asserted: boolean, shows: boolean | undefined): Finding {
  if (shows === undefined) return 'not shared';
  return asserted === shows ? 'supported' : 'contradicted';
}

/** evaluates one check against the world, citing only what the caller may read */
export function evaluateCheck(world: World, caller: Caller, check: ClaimCheck): CheckResult {
  if (check.kind === 'notified') {
    const by = check.by === undefined ? undefined : t(check.by);
    const notices = Object.values(world.notifications)
      .filter(
        (n) =>
          n.recipient.agency === check.agency &&
          (check.order !== undefined ? n.order === check.order : n.request === check.request && n.order === undefined) &&
          (by === undefined || t(n.createdAt) <= by),
      )
      .sort((a, b) => a.index - b.index);
    const what = check.order !== undefined ? `order ${check.order}` : `request ${check.request ?? ''}`;
    if (notices.length > 0 && !notices.every((n) => mayRead(caller, notificationAudienceOf(n)))) {
      return {
        check,
        recordShows: undefined,
        finding: 'not shared',
        explanation: `the notices to ${check.agency} of ${what} are not shared with ${caller.agency}`,
        evidence: [],
      };
    }
    const reached = notices.filter((n) => n.deliveredAt !== undefined && (by === undefined || t(n.deliveredAt) <= by));
    const evidence: Evidence[] = notices.flatMap((n) => [
      {
        index: n.index,
        what: `notification ${n.id} to ${n.recipient.person ?? n.recipient.agency} (${n.recipient.agency}) created: ${n.message}`,
        at: n.createdAt,
      },
      ...(n.deliveredAt !== undefined ? [{ index: n.index, what: `notification ${n.id} delivered to ${n.recipient.agency}`, at: n.deliveredAt }] : []),
      ...(n.acknowledgedAt !== undefined
        ? [
            {
              index: n.index,
              what: `notification ${n.id} acknowledged by ${n.acknowledgedBy?.person ?? n.acknowledgedBy?.agency ?? '?'}`,
              at: n.acknowledgedAt,
            },
          ]
        : []),
    ]);
    const shows = reached.length > 0;
    const first = reached.sort((a, b) => t(a.deliveredAt as string) - t(b.deliveredAt as string))[0];
    const acked = notices.filter((n) => n.acknowledgedAt !== undefined).sort((a, b) => t(a.acknowledgedAt as string) - t(b.acknowledgedAt as string))[0];
    const explanation = shows
      ? `${check.agency} was told of ${what}: ${notices.length} notice(s), first delivered at ${first?.deliveredAt ?? '?'}${acked !== undefined ? `, first acknowledged at ${acked.acknowledgedAt ?? '?'} by ${acked.acknowledgedBy?.person ?? '?'}` : ', none acknowledged'}`
      : notices.length > 0
        ? `${notices.length} notice(s) of ${what} were addressed to ${check.agency}, none delivered${check.by !== undefined ? ` by ${check.by}` : ''}`
        : `no notice of ${what} was addressed to ${check.agency}${check.by !== undefined ? ` by ${check.by}` : ''}`;
    return { check, recordShows: shows, finding: finding(check.asserted, shows), explanation, evidence };
  }
  const r = world.requests[check.request];
  if (r === undefined || !mayRead(caller, requestAudienceOf(r))) {
    return { check, recordShows: undefined, finding: 'not shared', explanation: `request ${check.request} is not shared with ${caller.agency}`, evidence: [] };
  }
  const at = t(check.at);
  const serving = r.commitments.filter((c) => t(c.committedAt) <= at && (c.ended === undefined || t(c.ended.at) > at));
  const ended = r.commitments.filter((c) => c.ended !== undefined && t(c.ended.at) <= at);
  const steps = r.log.filter((s) => t(s.at) <= at && /commit|withdraw|release|on_scene|on-scene/.test(s.action));
  const evidence: Evidence[] = steps.map((s) => ({
    index: s.index,
    what: `${s.action} by ${s.by.person ?? s.by.device ?? s.by.agency}${s.reason !== undefined ? `: ${s.reason}` : ''}`,
    at: s.at,
  }));
  const shows = serving.length > 0;
  const explanation = shows
    ? `at ${check.at}, ${serving.map((c) => c.unit).join(', ')} served request ${r.id}`
    : ended.length > 0
      ? `at ${check.at}, no unit served request ${r.id}: ${ended.map((c) => `${c.unit} ${c.ended?.kind ?? 'ended'} at ${c.ended?.at ?? '?'}${c.ended?.order !== undefined ? ` by order ${c.ended.order}` : ''}`).join('; ')}`
      : `at ${check.at}, no unit served request ${r.id}`;
  return { check, recordShows: shows, finding: finding(check.asserted, shows), explanation, evidence };
}

function linkView(l: ClaimLink, readable: (index: number) => boolean): LinkView {
  return { entry: l.entry, relation: l.relation, ...(l.note !== undefined ? { note: l.note } : {}), by: l.by, at: l.at, readable: readable(l.entry) };
}

function claimView(world: World, caller: Caller, c: Claim, readable: (index: number) => boolean): ClaimView {
  const links = c.links.map((l) => linkView(l, readable));
  return {
    id: c.id,
    text: c.text,
    index: c.index,
    ...(c.check !== undefined ? { result: evaluateCheck(world, caller, c.check) } : {}),
    supportedBy: links.filter((l) => l.relation === 'supports'),
    contradictedBy: links.filter((l) => l.relation === 'contradicts'),
  };
}

/**
 * The statements of an incident the caller may read, each claim beside the
 * record. `readable` says whether the caller may read the entry at an index
 * (the server's per-entry audiences).
 */
export function statementsAgainstRecord(world: World, caller: Caller, incident: string, readable: (index: number) => boolean): StatementView[] {
  return Object.values(world.statements)
    .filter((s) => s.incident === incident && mayRead(caller, statementAudienceOf(world, s)))
    .sort((a, b) => a.index - b.index)
    .map((s) => ({
      id: s.id,
      incident: s.incident,
      speaker: s.speaker,
      madeAt: s.madeAt,
      publishedIn: s.publishedIn,
      text: s.text,
      recordedBy: s.recordedBy,
      recordedAt: s.recordedAt,
      index: s.index,
      claims: s.claims.map((c) => claimView(world, caller, c, readable)),
    }));
}
