/**
 * The decision trace of an order or of a request's decisions: who decided,
 * on what authority and through which appointment, delegation or command
 * role it was held; the verdicts and policy versions that applied, with
 * their clauses; the reason; what it superseded; what followed from it
 * (commitments ended, withdrawals, conflicts and their resolution); who was
 * notified, and when each notice was delivered and acknowledged.
 *
 * Pure, over the world. Agency boundaries hold: the order or request must be
 * one the caller may read, and of what followed only what the caller may
 * read is listed. The basis of an authority (an agency's appointments and
 * delegations) is that agency's own organisation: another agency's member
 * sees the authority as recorded in the decision, not the appointment
 * behind it.
 */
import { ConcordError } from '../errors.ts';
import { mayRead, notificationAudienceOf, orderAudienceOf, requestAudienceOf, conflictAudienceOf, type Caller } from '../domain/boundaries.ts';
import { describeAuthority, type Actor, type Authority } from '../domain/values.ts';
import type { Verdict } from '../domain/verdict.ts';
import type { AssistanceRequest, Notification, Order, World } from '../domain/world.ts';

/** how the actor held the authority at the moment of the decision */
export type AuthorityBasis =
  | {
      readonly kind: 'appointment';
      readonly appointment: string;
      readonly position: string;
      readonly title?: string;
      readonly from: string;
      readonly until?: string;
    }
  | {
      readonly kind: 'delegation';
      readonly delegation: string;
      readonly grantor: string;
      readonly grantorAuthority: string;
      readonly reason: string;
      readonly from: string;
      readonly until?: string;
      readonly revoked?: string;
    }
  | { readonly kind: 'incident command'; readonly incident: string; readonly structure: string; readonly since: string; readonly establishedBy: Actor }
  | { readonly kind: 'agency administration' | 'response deadline' }
  | { readonly kind: 'not shared' };

export interface AuthorityTrace {
  readonly authority: Authority;
  readonly description: string;
  readonly basis: AuthorityBasis | undefined;
}

export interface NoticeTrace {
  readonly notification: string;
  readonly recipient: Notification['recipient'];
  readonly topic: string;
  readonly createdAt: string;
  readonly deliveredAt?: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: Actor;
  readonly urgent: boolean;
  readonly resentAs?: string;
}

export interface DecisionStep {
  readonly action: string;
  readonly at: string;
  readonly index: number;
  readonly by: Actor;
  readonly authority?: AuthorityTrace;
  readonly reason?: string;
}

export interface OrderTrace {
  readonly kind: 'order';
  readonly order: string;
  readonly incident?: string;
  readonly directive: string;
  readonly issuedAt: string;
  readonly index: number;
  readonly actor: Actor;
  readonly authority: AuthorityTrace;
  readonly reason: string;
  readonly verdicts: readonly Verdict[];
  readonly approvals: Order['approvals'];
  readonly units: readonly string[];
  readonly people: readonly string[];
  readonly supersedes: readonly { readonly order: string; readonly directive?: string; readonly issuedAt?: string }[];
  readonly supersededBy?: string;
  readonly followed: {
    /** commitments to requests this order ended */
    readonly withdrawals: readonly { readonly request: string; readonly units: readonly string[]; readonly at: string; readonly reason: string }[];
    readonly conflicts: readonly {
      readonly conflict: string;
      readonly with: string;
      readonly detectedAt: string;
      readonly resolved?: { readonly at: string; readonly reason: string; readonly by: Actor };
    }[];
    readonly acknowledgements: Order['acks'];
  };
  readonly notified: readonly NoticeTrace[];
}

export interface RequestTrace {
  readonly kind: 'request';
  readonly request: string;
  readonly incident: string;
  readonly from: string;
  readonly to: string;
  readonly category: string;
  readonly sentAt: string;
  readonly state: string;
  readonly verdict?: Verdict;
  readonly decisions: readonly DecisionStep[];
  readonly commitments: AssistanceRequest['commitments'];
  readonly withdrawals: readonly (AssistanceRequest['withdrawals'][number] & { readonly authorityTrace: AuthorityTrace })[];
  readonly notified: readonly NoticeTrace[];
}

const t = (s: string): number => Date.parse(s);

function inWindow(at: string, from: string, until: string | undefined): boolean {
  return t(from) <= t(at) && (until === undefined || t(at) < t(until));
}

/** how `actor` held `authority` at `at`, as far as the caller may see the actor's organisation */
export function traceAuthority(world: World, caller: Caller, actor: Actor, authority: Authority, at: string): AuthorityTrace {
  const trace = (basis: AuthorityBasis | undefined): AuthorityTrace => ({ authority, description: describeAuthority(authority), basis });
  const own = caller.role === 'reviewer' || caller.agency === actor.agency;
  switch (authority.kind) {
    case 'position': {
      if (!own) return trace({ kind: 'not shared' });
      const a = Object.values(world.appointments).find((x) => x.person === actor.person && x.position === authority.position && inWindow(at, x.from, x.until));
      const title = world.positions[authority.position]?.title;
      return trace(
        a === undefined
          ? undefined
          : {
              kind: 'appointment',
              appointment: a.id,
              position: a.position,
              ...(title !== undefined ? { title } : {}),
              from: a.from,
              ...(a.until !== undefined ? { until: a.until } : {}),
            },
      );
    }
    case 'delegation':
    case 'incident_delegation': {
      const d = world.delegations[authority.delegation];
      if (d === undefined) return trace(undefined);
      if (!own && authority.kind === 'delegation') return trace({ kind: 'not shared' });
      return trace({
        kind: 'delegation',
        delegation: d.id,
        grantor: d.grantor,
        grantorAuthority: describeAuthority(d.authority),
        reason: d.reason,
        from: d.from,
        ...(d.until !== undefined ? { until: d.until } : {}),
        ...(d.revoked !== undefined ? { revoked: d.revoked.at } : {}),
      });
    }
    case 'incident_commander':
    case 'unified_command': {
      const i = world.incidents[authority.incident];
      // the command structure in place at the moment: the current one, or one of its history
      const structures = i === undefined ? [] : [...i.commandHistory, ...(i.command !== undefined ? [i.command] : [])];
      const c = structures.filter((s) => t(s.since) <= t(at)).pop();
      if (c === undefined) return trace(undefined);
      const s = c.structure;
      const text =
        s.kind === 'single'
          ? `single command: ${s.commander.person} (${s.commander.agency})`
          : `unified command: ${s.members.map((m) => `${m.person} (${m.agency})`).join(', ')}`;
      return trace({ kind: 'incident command', incident: authority.incident, structure: text, since: c.since, establishedBy: c.by });
    }
    case 'agency_administration':
      return trace({ kind: 'agency administration' });
    case 'response_deadline':
      return trace({ kind: 'response deadline' });
  }
}

function notices(world: World, caller: Caller, match: (n: Notification) => boolean): NoticeTrace[] {
  return Object.values(world.notifications)
    .filter((n) => match(n) && mayRead(caller, notificationAudienceOf(n)))
    .sort((a, b) => a.index - b.index)
    .map((n) => ({
      notification: n.id,
      recipient: n.recipient,
      topic: n.topic,
      createdAt: n.createdAt,
      ...(n.deliveredAt !== undefined ? { deliveredAt: n.deliveredAt } : {}),
      ...(n.acknowledgedAt !== undefined ? { acknowledgedAt: n.acknowledgedAt } : {}),
      ...(n.acknowledgedBy !== undefined ? { acknowledgedBy: n.acknowledgedBy } : {}),
      urgent: n.urgent,
      ...(n.resentAs !== undefined ? { resentAs: n.resentAs } : {}),
    }));
}

function notShared(kind: string, id: string, caller: Caller): ConcordError {
  return new ConcordError('UNKNOWN_ENTITY', `${kind} ${id} does not exist or is not shared with ${caller.agency}`, { kind, id });
}

export function traceOrder(world: World, caller: Caller, orderId: string): OrderTrace {
  const o = world.orders[orderId];
  if (o === undefined || !mayRead(caller, orderAudienceOf(world, o))) throw notShared('order', orderId, caller);
  const withdrawals = Object.values(world.requests)
    .filter((r) => mayRead(caller, requestAudienceOf(r)))
    .flatMap((r) => r.withdrawals.filter((w) => w.order === o.id).map((w) => ({ request: r.id, units: w.units, at: w.at, reason: w.reason })));
  const conflicts = Object.values(world.conflicts)
    .filter((c) => c.orders.includes(o.id) && mayRead(caller, conflictAudienceOf(world, c)))
    .map((c) => ({
      conflict: c.id,
      with: c.orders[0] === o.id ? c.orders[1] : c.orders[0],
      detectedAt: c.detectedAt,
      ...(c.resolution !== undefined ? { resolved: { at: c.resolution.at, reason: c.resolution.reason, by: c.resolution.by } } : {}),
    }));
  return {
    kind: 'order',
    order: o.id,
    ...(o.incident !== undefined ? { incident: o.incident } : {}),
    directive: o.directive,
    issuedAt: o.issuedAt,
    index: o.index,
    actor: o.issuer,
    authority: traceAuthority(world, caller, o.issuer, o.authority, o.issuedAt),
    reason: o.rationale,
    verdicts: o.verdicts,
    approvals: o.approvals,
    units: o.units,
    people: o.people,
    supersedes: o.supersedes.map((id) => {
      const s = world.orders[id];
      return s !== undefined && mayRead(caller, orderAudienceOf(world, s)) ? { order: id, directive: s.directive, issuedAt: s.issuedAt } : { order: id };
    }),
    ...(o.supersededBy !== undefined ? { supersededBy: o.supersededBy } : {}),
    followed: { withdrawals, conflicts, acknowledgements: o.acks },
    notified: notices(world, caller, (n) => n.order === o.id),
  };
}

export function traceRequest(world: World, caller: Caller, requestId: string): RequestTrace {
  const r = world.requests[requestId];
  if (r === undefined || !mayRead(caller, requestAudienceOf(r))) throw notShared('request', requestId, caller);
  return {
    kind: 'request',
    request: r.id,
    incident: r.incident,
    from: r.from,
    to: r.to,
    category: r.category,
    sentAt: r.sentAt,
    state: r.state,
    ...(r.verdict !== undefined ? { verdict: r.verdict } : {}),
    decisions: r.log.map((s) => ({
      action: s.action,
      at: s.at,
      index: s.index,
      by: s.by,
      ...(s.authority !== undefined ? { authority: traceAuthority(world, caller, s.by, s.authority, s.at) } : {}),
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
    })),
    commitments: r.commitments,
    withdrawals: r.withdrawals.map((w) => ({ ...w, authorityTrace: traceAuthority(world, caller, w.by, w.authority, w.at) })),
    notified: notices(world, caller, (n) => n.request === r.id),
  };
}
