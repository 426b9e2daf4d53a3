/**
 * The readable state of one incident, as `concord state` prints it: command
 * structure, units on the incident with their status and last position,
 * requests with their verdicts and clauses, orders with acknowledgements,
 * conflicts, messages and notifications. Plain JSON.
 * For the state at a past moment, build the world with foldUntil first.
 */
import type { AgencyKind, Directive } from './vocabulary.ts';
import type { VerdictClause, VerdictDecision } from './verdict.ts';
import { holdersOf } from './command.ts';
import { unknown } from './checks.ts';
import { concernedAgencies } from './orders.ts';
import { actionsIn, requestsOf, type RequestAction } from './requests.ts';
import type { Actor, Authority, Coordinates, OrderRecipient } from './values.ts';
import type {
  AssistanceRequest,
  Commitment,
  Conflict,
  Incident,
  Message,
  Notification,
  Order,
  RequestAnswer,
  RequestState,
  RequestStep,
  UnitPosition,
  UnitStatusRecord,
  World,
} from './world.ts';

export interface PersonRef {
  readonly id: string;
  readonly name: string;
  readonly agency: string;
}

/** who acted: the actor, with the person's name where a person acted */
export type ActorRef = Actor & { readonly name?: string };

export interface DecisionView {
  readonly by: ActorRef;
  readonly authority: Authority;
  readonly reason: string;
  readonly at: string;
}

export interface RequestView {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly requester?: PersonRef;
  readonly kind: AssistanceRequest['kind'];
  readonly category: AssistanceRequest['category'];
  readonly urgency: AssistanceRequest['urgency'];
  readonly operation: AssistanceRequest['operation'];
  readonly description: string;
  readonly unitsRequested?: number;
  readonly information?: AssistanceRequest['information'];
  readonly legalBasis?: AssistanceRequest['legalBasis'];
  readonly location?: string;
  readonly coordinates?: Coordinates;
  readonly state: RequestState;
  /** what may be done to it in its state (its kind's state machine), whoever does it; the domain judges who may */
  readonly actions: readonly RequestAction[];
  readonly sentAt: string;
  readonly responsible?: { readonly position: string; readonly title: string; readonly holders: readonly PersonRef[] };
  readonly deadline?: string;
  readonly verdict: {
    readonly decision: VerdictDecision;
    readonly approvalRole?: string;
    readonly clauses: readonly VerdictClause[];
    readonly agency: string;
    readonly policyVersion: string;
    readonly evaluatedAt: string;
  } | null;
  readonly approval?: DecisionView & { readonly role: string };
  readonly answer: (DecisionView & Pick<RequestAnswer, 'kind' | 'count' | 'units' | 'provided' | 'withheld' | 'approval'>) | null;
  readonly escalations: readonly (DecisionView & { readonly from?: string; readonly to: string; readonly deadline: string })[];
  readonly units: readonly {
    readonly unit: string;
    readonly callsign: string;
    readonly committedAt: string;
    readonly onSceneAt?: string;
    readonly status: 'committed' | 'on_scene' | 'withdrawn' | 'released';
    readonly ended?: Commitment['ended'];
  }[];
  readonly withdrawals: readonly (DecisionView & { readonly units: readonly string[]; readonly order?: string })[];
  readonly log: readonly RequestStep[];
}

export interface OrderView {
  readonly id: string;
  readonly directive: Directive;
  readonly target?: string;
  readonly details?: string;
  readonly rationale: string;
  readonly issuer: ActorRef;
  readonly authority: Authority;
  readonly issuedAt: string;
  readonly effectiveAt: string;
  readonly status: Order['status'];
  readonly supersedes: readonly string[];
  readonly supersededBy?: string;
  readonly task?: Order['task'];
  readonly operation?: Order['operation'];
  /** every concerned agency's verdict, the issuer's first */
  readonly verdicts: Order['verdicts'];
  /** the agencies concerned (the issuer's, then each receiving one) whose protocols gave no verdict: none in effect */
  readonly unevaluated: readonly string[];
  readonly approvals: Order['approvals'];
  readonly acknowledgements: readonly (OrderRecipient & {
    readonly name: string;
    readonly acknowledged: boolean;
    readonly at?: string;
    readonly by?: ActorRef;
  })[];
}

/** a type alias, not an interface, so it is assignable to Record<string, unknown> (plain JSON) */
export type IncidentView = {
  readonly asOf: { readonly index: number; readonly received: string | null };
  readonly incident: Pick<Incident, 'id' | 'name' | 'location' | 'coordinates' | 'description' | 'leadAgency' | 'status' | 'openedAt' | 'closed'>;
  readonly command:
    | (Omit<DecisionView, 'at'> & {
        readonly kind: 'single' | 'unified';
        /** the incident commander, for a single command */
        readonly commander?: PersonRef;
        /** everyone in command: the commander, or each unified command member */
        readonly members: readonly PersonRef[];
        readonly since: string;
      })
    | null;
  readonly agencies: readonly { readonly id: string; readonly name: string; readonly kind: AgencyKind }[];
  readonly liaisons: readonly PersonRef[];
  readonly units: readonly {
    readonly id: string;
    readonly callsign: string;
    readonly agency: string;
    readonly type: string;
    readonly since: string;
    readonly request?: string;
    /** the CAD status last set, and who set it */
    readonly status?: Omit<UnitStatusRecord, 'by'> & { readonly by: ActorRef };
    /** the newest fix by the source's time */
    readonly position?: UnitPosition;
  }[];
  readonly requests: readonly RequestView[];
  readonly orders: readonly OrderView[];
  readonly conflicts: readonly Conflict[];
  readonly messages: readonly MessageView[];
  readonly notifications: readonly Notification[];
};

export interface MessageView {
  readonly id: string;
  readonly from: ActorRef;
  readonly text: string;
  readonly agencies: readonly string[];
  readonly people: readonly PersonRef[];
  readonly sentAt: string;
  readonly index: number;
}

function personRef(world: World, id: string): PersonRef {
  const p = world.people[id];
  return { id, name: p?.name ?? id, agency: p?.agency ?? 'unknown' };
}

function actorRef(world: World, a: Actor): ActorRef {
  const name = a.person === undefined ? undefined : world.people[a.person]?.name;
  return name === undefined ? a : { ...a, name };
}

function decision(world: World, d: { by: Actor; authority: Authority; reason: string; at: string }): DecisionView {
  return { by: actorRef(world, d.by), authority: d.authority, reason: d.reason, at: d.at };
}

function commitmentStatus(c: Commitment): RequestView['units'][number]['status'] {
  return c.ended?.kind ?? (c.onSceneAt !== undefined ? 'on_scene' : 'committed');
}

function requestView(world: World, r: AssistanceRequest): RequestView {
  const v = r.verdict;
  const a = r.answer;
  return {
    id: r.id,
    from: r.from,
    to: r.to,
    ...(r.requester !== undefined ? { requester: personRef(world, r.requester) } : {}),
    kind: r.kind,
    category: r.category,
    urgency: r.urgency,
    operation: r.operation,
    description: r.description,
    ...(r.unitsRequested !== undefined ? { unitsRequested: r.unitsRequested } : {}),
    ...(r.information !== undefined ? { information: r.information } : {}),
    ...(r.legalBasis !== undefined ? { legalBasis: r.legalBasis } : {}),
    ...(r.location !== undefined ? { location: r.location } : {}),
    ...(r.coordinates !== undefined ? { coordinates: r.coordinates } : {}),
    state: r.state,
    actions: actionsIn(r),
    sentAt: r.sentAt,
    ...(r.responsible !== undefined
      ? {
          responsible: {
            position: r.responsible,
            title: world.positions[r.responsible]?.title ?? r.responsible,
            holders: holdersOf(world, r.responsible, world.lastReceived ?? r.sentAt).map((p) => personRef(world, p)),
          },
        }
      : {}),
    ...(r.deadline !== undefined ? { deadline: r.deadline } : {}),
    verdict:
      v === undefined
        ? null
        : {
            decision: v.decision,
            ...(v.approvalRole !== undefined ? { approvalRole: v.approvalRole } : {}),
            clauses: v.clauses,
            agency: v.agency,
            policyVersion: v.policyVersion,
            evaluatedAt: v.evaluatedAt,
          },
    ...(r.approval !== undefined ? { approval: { role: r.approval.role, ...decision(world, r.approval) } } : {}),
    answer:
      a === undefined
        ? null
        : {
            kind: a.kind,
            ...(a.count !== undefined ? { count: a.count } : {}),
            ...(a.units !== undefined ? { units: a.units } : {}),
            ...(a.provided !== undefined ? { provided: a.provided } : {}),
            ...(a.withheld !== undefined ? { withheld: a.withheld } : {}),
            ...(a.approval !== undefined ? { approval: a.approval } : {}),
            ...decision(world, a),
          },
    escalations: r.escalations.map((e) => ({
      ...(e.from !== undefined ? { from: e.from } : {}),
      to: e.to,
      deadline: e.deadline,
      ...decision(world, e),
    })),
    units: r.commitments.map((c) => ({
      unit: c.unit,
      callsign: world.units[c.unit]?.callsign ?? c.unit,
      committedAt: c.committedAt,
      ...(c.onSceneAt !== undefined ? { onSceneAt: c.onSceneAt } : {}),
      status: commitmentStatus(c),
      ...(c.ended !== undefined ? { ended: c.ended } : {}),
    })),
    withdrawals: r.withdrawals.map((w) => ({
      units: w.units,
      ...(w.order !== undefined ? { order: w.order } : {}),
      ...decision(world, w),
    })),
    log: r.log,
  };
}

function orderView(world: World, o: Order): OrderView {
  const recipients: (OrderRecipient & { name: string })[] = [
    ...o.units.map((id) => ({ kind: 'unit' as const, id, name: world.units[id]?.callsign ?? id })),
    ...o.people.map((id) => ({ kind: 'person' as const, id, name: world.people[id]?.name ?? id })),
  ];
  return {
    id: o.id,
    directive: o.directive,
    ...(o.target !== undefined ? { target: o.target } : {}),
    ...(o.details !== undefined ? { details: o.details } : {}),
    rationale: o.rationale,
    issuer: actorRef(world, o.issuer),
    authority: o.authority,
    issuedAt: o.issuedAt,
    effectiveAt: o.effectiveAt,
    status: o.status,
    supersedes: o.supersedes,
    ...(o.supersededBy !== undefined ? { supersededBy: o.supersededBy } : {}),
    ...(o.task !== undefined ? { task: o.task } : {}),
    ...(o.operation !== undefined ? { operation: o.operation } : {}),
    verdicts: o.verdicts,
    unevaluated: concernedAgencies(
      o.issuer,
      o.units.flatMap((id) => world.units[id] ?? []),
      o.people.flatMap((id) => world.people[id] ?? []),
    ).filter((agency) => !o.verdicts.some((v) => v.agency === agency)),
    approvals: o.approvals,
    acknowledgements: recipients.map((r) => {
      const ack = o.acks.find((a) => a.recipient.kind === r.kind && a.recipient.id === r.id);
      return ack === undefined ? { ...r, acknowledged: false } : { ...r, acknowledged: true, at: ack.at, by: actorRef(world, ack.by) };
    }),
  };
}

function messageView(world: World, m: Message): MessageView {
  return {
    id: m.id,
    from: actorRef(world, m.from),
    text: m.text,
    agencies: m.agencies,
    people: m.people.map((p) => personRef(world, p)),
    sentAt: m.sentAt,
    index: m.index,
  };
}

const byIndex = <T extends { readonly index: number }>(a: T, b: T): number => a.index - b.index;

export function incidentView(world: World, incidentId: string): IncidentView {
  const i = world.incidents[incidentId];
  if (i === undefined) throw unknown('incident', incidentId);
  const c = i.command;
  return {
    asOf: { index: world.lastIndex, received: world.lastReceived },
    incident: {
      id: i.id,
      name: i.name,
      location: i.location,
      ...(i.coordinates !== undefined ? { coordinates: i.coordinates } : {}),
      ...(i.description !== undefined ? { description: i.description } : {}),
      leadAgency: i.leadAgency,
      status: i.status,
      openedAt: i.openedAt,
      ...(i.closed !== undefined ? { closed: i.closed } : {}),
    },
    command:
      c === undefined
        ? null
        : {
            kind: c.structure.kind,
            ...(c.structure.kind === 'single' ? { commander: personRef(world, c.structure.commander.person) } : {}),
            members: (c.structure.kind === 'single' ? [c.structure.commander] : c.structure.members).map((m) => personRef(world, m.person)),
            since: c.since,
            by: actorRef(world, c.by),
            authority: c.authority,
            reason: c.reason,
          },
    agencies: i.agencies.map((id) => ({ id, name: world.agencies[id]?.name ?? id, kind: world.agencies[id]?.kind ?? 'other' })),
    liaisons: Object.values(i.liaisons).map((person) => personRef(world, person)),
    units: Object.values(world.units)
      .flatMap((u) => (u.assignment?.incident === i.id ? [{ u, since: u.assignment.since }] : []))
      .sort((a, b) => a.u.id.localeCompare(b.u.id))
      .map(({ u, since }) => ({
        id: u.id,
        callsign: u.callsign,
        agency: u.agency,
        type: u.type,
        since,
        ...(u.commitment !== undefined ? { request: u.commitment } : {}),
        ...(u.status !== undefined ? { status: { ...u.status, by: actorRef(world, u.status.by) } } : {}),
        ...(u.position !== undefined ? { position: u.position } : {}),
      })),
    requests: requestsOf(world, i.id).map((r) => requestView(world, r)),
    orders: Object.values(world.orders)
      .filter((o) => o.incident === i.id)
      .sort(byIndex)
      .map((o) => orderView(world, o)),
    conflicts: Object.values(world.conflicts)
      .filter((x) => x.incident === i.id)
      .sort(byIndex),
    messages: Object.values(world.messages)
      .filter((m) => m.incident === i.id)
      .sort(byIndex)
      .map((m) => messageView(world, m)),
    notifications: Object.values(world.notifications)
      .filter((n) => n.incident === i.id)
      .sort(byIndex),
  };
}
