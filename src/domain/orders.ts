/**
 * Orders: a directive from a person with authority to units or people, with a
 * mandatory rationale. The issuer's authority is checked per recipient:
 *
 * - the home agency's chain (administrative control): a position commands the
 *   units it supervises and everything below it, whatever incident they are
 *   assigned to — so the home agency can always recall its units;
 * - operational direction: the incident's commander, a unified command member
 *   or their delegate directs the units assigned to that incident, for any
 *   directive except `recall`, which belongs to the home agency.
 *
 * Every order, whatever command creates it (order.issue, request.withdraw),
 * is evaluated against the protocols of the issuing agency and of every
 * agency whose units or people receive it; each verdict is recorded on the
 * order, and a prohibition by any of them refuses it.
 *
 * A withdraw, stand-down or recall of units committed to another agency's
 * request ends their service to it (commitments.ts: the request records the
 * withdrawal, the requesting agency is told urgently), unless the requesting
 * side itself gave the order (a tactical pull-back by its own command). From
 * the home agency's chain it also takes the units off the incident. Any other
 * order to units serving a request is told to the requesting agency. Two
 * active orders to the same unit that contradict each other raise a conflict
 * to the incident's command and to both issuers.
 */
import { ConcordError } from '../errors.ts';
import { MAX_ID_LENGTH } from '../ledger/entry.ts';
import { ENDING_DIRECTIVES, type Directive } from './vocabulary.ts';
import type { CommandOf } from './commands.ts';
import {
  agencyOf,
  approvingAuthority,
  authorityCommandsUnit,
  authorityDirectsUnit,
  commandsPosition,
  commandsUnit,
  heldAuthorities,
  incidentOf,
  positionOf,
  positionsHeld,
} from './command.ts';
import {
  checkActor,
  getOpenIncident,
  getOrder,
  getPerson,
  getUnit,
  meaningful,
  requireAuthority,
  requireNew,
  requireNotProhibited,
  requirePersonActor,
  requireReason,
  unknown,
  type DecideContext,
} from './checks.ts';
import { actsForRequester, byCommitment, endService } from './commitments.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import type { AgencyRef, AuthorityFacts, OrderFacts } from './facts.ts';
import { directsIncident } from './incidents.ts';
import { agencyContacts, incidentCommandContacts, notify, requestingAgencyContacts } from './notifications.ts';
import { describeActor, describeAuthority, type Actor, type Authority, type Recipient } from './values.ts';
import type { Verdict } from './verdict.ts';
import type { AssistanceRequest, Conflict, Order, Person, Unit, World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

/** directives that cannot both stand for the same unit */
const OPPOSED_PAIRS: readonly (readonly [Directive, Directive])[] = [
  ['hold', 'move'],
  ['hold', 'assign'],
  ['hold', 'resume'],
  ['hold', 'withdraw'],
  ['hold', 'recall'],
  ['move', 'withdraw'],
  ['move', 'recall'],
  ['move', 'stand_down'],
  ['assign', 'withdraw'],
  ['assign', 'recall'],
  ['assign', 'stand_down'],
  ['resume', 'stand_down'],
  ['resume', 'withdraw'],
  ['resume', 'recall'],
];

/** directives that put a unit somewhere: two of them to different places contradict, whichever they are */
const PLACING: readonly Directive[] = ['move', 'assign', 'hold'];

/** a place as people write it: "North  Gate" and "north gate" are the same place */
function place(target: string): string {
  return target.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function contradicts(
  a: { readonly directive: Directive; readonly target?: string },
  b: { readonly directive: Directive; readonly target?: string },
): boolean {
  if (OPPOSED_PAIRS.some(([x, y]) => (a.directive === x && b.directive === y) || (a.directive === y && b.directive === x))) {
    return true;
  }
  return (
    PLACING.includes(a.directive) && PLACING.includes(b.directive) && a.target !== undefined && b.target !== undefined && place(a.target) !== place(b.target)
  );
}

export interface OrderOptions {
  /** only the home agency's chain may rest this order (a request withdrawal) */
  readonly chainOnly?: boolean;
}

function coversUnit(world: World, a: Authority, u: Unit, directive: Directive, incident: string | undefined, o: OrderOptions): boolean {
  if (authorityCommandsUnit(world, a, u)) return true;
  if (o.chainOnly === true || directive === 'recall') return false;
  return authorityDirectsUnit(a, u) && (incident === undefined || u.assignment?.incident === incident);
}

function coversPerson(world: World, a: Authority, p: Person, directive: Directive, incident: string | undefined, now: string, o: OrderOptions): boolean {
  const position = positionOf(a);
  if (position !== undefined) {
    if (positionsHeld(world, p.id, now).some((held) => commandsPosition(world, position, held))) return true;
  }
  const units = Object.values(world.units).filter((u) => u.members.includes(p.id));
  if (position !== undefined && units.some((u) => commandsUnit(world, position, u))) return true;
  return incidentOf(a) !== undefined && units.some((u) => coversUnit(world, a, u, directive, incident, o));
}

function describeUnit(u: Unit): string {
  return `unit ${u.callsign} (${u.id}, ${u.agency})`;
}

function agencyRef(world: World, id: string): AgencyRef {
  return { id, kind: world.agencies[id]?.kind ?? 'other' };
}

/** the authority an order rests on, as the protocols read it */
function authorityFacts(world: World, a: Authority, actor: Actor): AuthorityFacts {
  const agency = agencyRef(world, agencyOf(world, a) ?? actor.agency);
  const position = positionOf(a);
  if (a.kind === 'agency_administration' || a.kind === 'response_deadline') {
    // heldAuthorities gives neither, and an order rests only on what the issuer holds
    throw new ConcordError('NOT_AUTHORISED', `an order cannot rest on ${describeAuthority(a)}`);
  }
  return { kind: a.kind, agency, ...(position !== undefined ? { position } : {}) };
}

/** the order as the protocols see it */
export function orderFacts(
  world: World,
  o: {
    readonly id: string;
    readonly actor: Actor;
    readonly authority: Authority;
    readonly directive: Directive;
    readonly task?: OrderFacts['task'];
    readonly operation?: OrderFacts['operation'];
    readonly units: readonly Unit[];
    readonly people: readonly Person[];
  },
): OrderFacts {
  const served = o.units.map((u) => u.commitment).find((r) => r !== undefined);
  const related = served === undefined ? undefined : world.requests[served];
  return {
    orderId: o.id,
    issuer: { agency: agencyRef(world, o.actor.agency), authority: authorityFacts(world, o.authority, o.actor) },
    directive: o.directive,
    ...(o.task !== undefined ? { task: o.task } : {}),
    operation: o.operation ?? related?.operation ?? 'unknown',
    units: o.units.map((u) => ({ id: u.id, home: agencyRef(world, u.agency) })),
    people: o.people.map((p) => ({ id: p.id, agency: agencyRef(world, p.agency) })),
    ...(related !== undefined
      ? { relatedRequest: { requestId: related.id, from: agencyRef(world, related.from), category: related.category, operation: related.operation } }
      : {}),
  };
}

/** the agencies whose protocols decide an order: the issuer's, then each whose units or people receive it */
export function concernedAgencies(actor: Actor, units: readonly Unit[], people: readonly Person[]): string[] {
  const receiving = [...new Set([...units.map((u) => u.agency), ...people.map((p) => p.agency)])].filter((a) => a !== actor.agency).sort();
  return [actor.agency, ...receiving];
}

interface Verdicts {
  readonly verdicts: Verdict[];
  readonly approvals: { role: string; authority: Authority }[];
}

/**
 * Ask every concerned agency's protocols. A prohibition by any of them
 * refuses the order; each needs_approval needs an issuer who holds the role
 * (that position of the deciding agency, one above it, or a delegation of
 * either). An agency with no protocol in effect gives no verdict, and none is
 * made up for it.
 */
function orderVerdicts(world: World, facts: OrderFacts, agencies: readonly string[], person: string, chosen: Authority, ctx: DecideContext): Verdicts {
  const protocols = ctx.protocols;
  if (protocols === undefined) return { verdicts: [], approvals: [] };
  const verdicts: Verdict[] = [];
  for (const agency of agencies) {
    const v = protocols.order(facts, agencyRef(world, agency), ctx.now);
    if (v !== undefined) verdicts.push(v);
  }
  for (const v of verdicts) requireNotProhibited(v, `order ${facts.orderId} (${facts.directive}) cannot be issued`);
  const approvals: { role: string; authority: Authority }[] = [];
  for (const v of verdicts) {
    if (v.decision !== 'needs_approval') continue;
    const role = v.approvalRole;
    if (role === undefined || world.positions[role]?.agency !== v.agency) {
      throw new ConcordError(
        'APPROVAL_REQUIRED',
        `${v.agency}'s protocols (${v.policyVersion}) need approval of order ${facts.orderId} by ${role ?? 'an unnamed role'}, which is not a position of ${v.agency}; nobody can approve it`,
        { role, agency: v.agency },
      );
    }
    if (approvals.some((a) => a.role === role)) continue;
    const own = approvingAuthority(world, chosen, person, ctx.now, role);
    if (own === undefined) {
      throw new ConcordError(
        'APPROVAL_REQUIRED',
        `${v.agency}'s protocols (${v.policyVersion}) need approval of order ${facts.orderId} (${facts.directive}) by ${role} (${world.positions[role]?.title ?? role}); ${person} holds neither it, a position above it, nor a delegation of it`,
        { role, agency: v.agency },
      );
    }
    approvals.push({ role, authority: own });
  }
  return { verdicts, approvals };
}

export function decideOrder(world: World, cmd: CommandOf<'order.issue'>, ctx: DecideContext, options: OrderOptions = {}): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  // what the order names exists
  const units = [...new Set(cmd.units ?? [])].map((id) => getUnit(world, id));
  const people = [...new Set(cmd.people ?? [])].map((id) => getPerson(world, id));
  if (units.length + people.length === 0) throw new ConcordError('COMMAND_INCONSISTENT', 'an order needs at least one recipient');
  if (cmd.incidentId !== undefined) getOpenIncident(world, cmd.incidentId);
  const id = cmd.orderId ?? ctx.newId('order');
  requireNew(world.orders[id] !== undefined, 'order', id);
  const supersedes = [...new Set(cmd.supersedes ?? [])];
  const superseded = supersedes.map((oldId) => getOrder(world, oldId));
  for (const old of superseded) {
    if (old.status === 'superseded') {
      throw new ConcordError('INVALID_TRANSITION', `order ${old.id} is already superseded by ${old.supersededBy ?? 'another order'}`);
    }
  }
  const person = requirePersonActor(actor, `issuing order ${id}`);
  const directive = cmd.directive;

  // the authority that covers every recipient
  const held = heldAuthorities(world, person, ctx.now);
  const candidates = cmd.authority !== undefined ? [cmd.authority] : held;
  if (cmd.authority !== undefined) {
    requireAuthority(world, actor, ctx.now, cmd.authority, () => true, `order ${id}`);
  } else if (held.length === 0) {
    throw new ConcordError('NOT_AUTHORISED', `${person} holds no position or command role at ${ctx.now}; cannot issue orders`);
  }
  const coversAll = (a: Authority): boolean =>
    units.every((u) => coversUnit(world, a, u, directive, cmd.incidentId, options)) &&
    people.every((p) => coversPerson(world, a, p, directive, cmd.incidentId, ctx.now, options));
  const authority = candidates.find(coversAll);
  if (authority === undefined) {
    const list = candidates.map(describeAuthority).join(', ');
    const u = units.find((x) => !candidates.some((a) => coversUnit(world, a, x, directive, cmd.incidentId, options)));
    if (u !== undefined) {
      const why = directive === 'recall' && u.assignment !== undefined ? '; only its home agency may recall it' : '';
      throw new ConcordError('NOT_IN_CHAIN_OF_COMMAND', `${describeUnit(u)} is outside the chain of command of ${person} (${list})${why}`, { unit: u.id });
    }
    const p = people.find((x) => !candidates.some((a) => coversPerson(world, a, x, directive, cmd.incidentId, ctx.now, options)));
    if (p !== undefined) {
      throw new ConcordError('NOT_IN_CHAIN_OF_COMMAND', `person ${p.id} (${p.agency}) is outside the chain of command of ${person} (${list})`, {
        person: p.id,
      });
    }
    throw new ConcordError('NOT_IN_CHAIN_OF_COMMAND', `no single authority of ${person} covers every recipient; issue separate orders`);
  }
  for (const old of superseded) {
    const own = old.issuer.person === person;
    const couldIssue =
      old.units.every((u) => coversUnit(world, authority, getUnit(world, u), old.directive, undefined, {})) &&
      old.people.every((p) => coversPerson(world, authority, getPerson(world, p), old.directive, undefined, ctx.now, {}));
    if (!own && !couldIssue) {
      throw new ConcordError(
        'NOT_AUTHORISED',
        `order ${old.id} was issued by ${describeActor(old.issuer)}; ${describeAuthority(authority)} does not cover all its recipients`,
      );
    }
  }

  // the protocols of every agency concerned
  const facts = orderFacts(world, {
    id,
    actor,
    authority,
    directive,
    ...(cmd.task !== undefined ? { task: cmd.task } : {}),
    ...(cmd.operation !== undefined ? { operation: cmd.operation } : {}),
    units,
    people,
  });
  const { verdicts, approvals } = orderVerdicts(world, facts, concernedAgencies(actor, units, people), person, authority, ctx);

  const rationale = meaningful(cmd.rationale);
  if (rationale === undefined) throw new ConcordError('ORDER_REASON_REQUIRED', `an order (${directive}) needs a rationale a reader can see`);

  const assigned = [...new Set(units.map((u) => u.assignment?.incident))];
  const incident = cmd.incidentId ?? incidentOf(authority) ?? (assigned.length === 1 ? assigned[0] : undefined);

  const issued = makeEvent('order.issued', actor, incident, {
    order: id,
    authority,
    directive,
    rationale,
    units: units.map((u) => u.id),
    people: people.map((p) => p.id),
    target: cmd.target,
    details: cmd.details,
    effectiveAt: cmd.effectiveAt,
    supersedes,
    task: cmd.task,
    operation: cmd.operation,
    verdicts,
    approvals,
  });

  // a withdraw, stand-down or recall ends the units' service to the requests they serve,
  // unless the requesting side gave it (its own tactical pull-back)
  const served = byCommitment(world, units);
  const forRequester = (r: AssistanceRequest): boolean => actsForRequester(world, r)(authority);
  const ending = ENDING_DIRECTIVES.includes(directive) ? units.filter((u) => u.commitment !== undefined && !forRequester(getRequestOf(served, u))) : [];
  const withdrawn = endService(world, ending, { actor, authority, reason: rationale, order: id }, ctx);
  const toldOfWithdrawal = new Set(
    withdrawn.flatMap((e) => (e.type === 'notification.created' ? [`${e.body.recipient.agency}\u0000${e.body.recipient.person ?? ''}`] : [])),
  );

  // tell the agencies whose units or people are ordered, the command of any incident they serve on,
  // and the requesting agency of any request they serve (each once: who hears of the withdrawal hears it there)
  const told: Recipient[] = [];
  for (const agency of new Set([...units.map((u) => u.agency), ...people.map((p) => p.agency)])) {
    if (agency !== actor.agency) told.push(...agencyContacts(world, agency, incident));
  }
  for (const u of units) {
    const on = u.assignment?.incident;
    if (on !== undefined && !directsIncident(authority, on)) told.push(...incidentCommandContacts(world, on));
  }
  for (const r of served.keys()) if (!forRequester(r)) told.push(...requestingAgencyContacts(world, r));
  const summary = `${directive}${cmd.target !== undefined ? ` (${cmd.target})` : ''}`;
  const events: DomainEvent[] = [
    issued,
    ...notify(
      actor,
      told.filter((r) => !toldOfWithdrawal.has(`${r.agency}\u0000${r.person ?? ''}`)),
      {
        topic: 'order.issued',
        ...(incident !== undefined ? { incident } : {}),
        order: id,
        units: units.map((u) => u.id),
        message: `order ${id} from ${describeActor(actor)}: ${summary} to ${[...units.map((u) => u.callsign), ...people.map((p) => p.id)].join(', ')}`,
        reason: rationale,
        urgent: ENDING_DIRECTIVES.includes(directive) || directive === 'move',
      },
      ctx,
    ),
    ...withdrawn,
  ];

  // the home agency's withdraw, stand-down or recall also takes its units off the incident
  if (ENDING_DIRECTIVES.includes(directive) && positionOf(authority) !== undefined) {
    for (const u of units) {
      if (u.assignment !== undefined) {
        events.push(makeEvent('incident.unit_released', actor, u.assignment.incident, { unit: u.id, reason: rationale, authority, order: id }));
      }
    }
  }
  events.push(...conflictsWith(world, actor, id, directive, cmd.target, units, supersedes, incident, ctx));
  return events;
}

function getRequestOf(served: ReadonlyMap<AssistanceRequest, readonly Unit[]>, u: Unit): AssistanceRequest {
  for (const [r, units] of served) if (units.includes(u)) return r;
  throw new ConcordError('LEDGER_CORRUPT', `unit ${u.id} is committed to ${u.commitment ?? 'nothing'}, which is not on record`);
}

/**
 * A conflict is named by what it is between, so a scenario file, a log reader
 * or a second replay can name it too; only ids too long to combine get a
 * fresh one.
 */
function conflictId(standing: string, issued: string, unit: string, ctx: DecideContext): string {
  const id = `conflict:${standing}:${issued}:${unit}`;
  return id.length <= MAX_ID_LENGTH ? id : ctx.newId('conflict');
}

function conflictsWith(
  world: World,
  actor: Actor,
  id: string,
  directive: Directive,
  target: string | undefined,
  units: readonly Unit[],
  supersedes: readonly string[],
  incident: string | undefined,
  ctx: DecideContext,
): DomainEvent[] {
  const events: DomainEvent[] = [];
  for (const u of units) {
    for (const otherId of world.unitOrders[u.id] ?? []) {
      const other = world.orders[otherId];
      if (other === undefined || supersedes.includes(other.id) || !contradicts(other, { directive, ...(target !== undefined ? { target } : {}) })) continue;
      const conflict = conflictId(other.id, id, u.id, ctx);
      const where = u.assignment?.incident ?? other.incident ?? incident;
      const description = `${u.callsign} (${u.id}) has contradicting orders: ${other.id} ${other.directive}${other.target !== undefined ? ` (${other.target})` : ''} from ${describeActor(other.issuer)} and ${id} ${directive}${target !== undefined ? ` (${target})` : ''} from ${describeActor(actor)}`;
      events.push(makeEvent('order.conflict_detected', actor, where, { conflict, unit: u.id, orders: [other.id, id], description }));
      const issuers: Recipient[] = [other.issuer, actor].flatMap((a) =>
        a.person === undefined ? [{ agency: a.agency }] : [{ agency: a.agency, person: a.person }],
      );
      const contacts = where === undefined ? [] : incidentCommandContacts(world, where);
      // the actor is told too: they must know their order collides with one already standing
      events.push(
        ...notify(
          actor,
          [...contacts, ...issuers],
          {
            topic: 'order.conflict_detected',
            ...(where !== undefined ? { incident: where } : {}),
            conflict,
            order: id,
            units: [u.id],
            message: description,
            urgent: true,
          },
          ctx,
          { tellActor: true },
        ),
      );
    }
  }
  return events;
}

/**
 * An acknowledgement says a recipient received the order: for a unit, one of
 * its members says so (not a colleague of another unit, not a device, whose
 * link to the unit the record cannot show); for a person, that person.
 */
export function decideAcknowledge(world: World, cmd: CommandOf<'order.acknowledge'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  const order = getOrder(world, cmd.orderId);
  const who = requirePersonActor(actor, `acknowledging order ${order.id}`);
  let recipient: { kind: 'unit' | 'person'; id: string };
  if (cmd.unit !== undefined) {
    const u = getUnit(world, cmd.unit);
    if (!order.units.includes(u.id)) throw new ConcordError('NOT_A_RECIPIENT', `unit ${u.id} is not a recipient of order ${order.id}`);
    if (!u.members.includes(who)) {
      throw new ConcordError('NOT_A_RECIPIENT', `${who} is not a member of unit ${u.callsign} (${u.id}); only its members acknowledge for it`);
    }
    recipient = { kind: 'unit', id: u.id };
  } else if (cmd.person !== undefined) {
    if (cmd.person !== who) throw new ConcordError('NOT_A_RECIPIENT', `only ${cmd.person} can acknowledge for themselves, not ${who}`);
    if (!order.people.includes(who)) throw new ConcordError('NOT_A_RECIPIENT', `${who} is not a recipient of order ${order.id}`);
    recipient = { kind: 'person', id: who };
  } else if (order.people.includes(who)) {
    recipient = { kind: 'person', id: who };
  } else {
    const mine = order.units.filter((u) => world.units[u]?.members.includes(who) === true);
    const [only] = mine;
    if (only === undefined)
      throw new ConcordError('NOT_A_RECIPIENT', `${who} is neither a recipient of order ${order.id} nor a member of a unit it is addressed to`);
    if (mine.length > 1)
      throw new ConcordError('COMMAND_INCONSISTENT', `${who} is a member of ${mine.join(' and ')}; name the unit acknowledging order ${order.id}`);
    recipient = { kind: 'unit', id: only };
  }
  if (order.acks.some((a) => a.recipient.kind === recipient.kind && a.recipient.id === recipient.id)) {
    throw new ConcordError('INVALID_TRANSITION', `${recipient.kind} ${recipient.id} has already acknowledged order ${order.id}`);
  }
  const issuer: Recipient[] =
    order.issuer.person === undefined ? [{ agency: order.issuer.agency }] : [{ agency: order.issuer.agency, person: order.issuer.person }];
  return [
    makeEvent('order.acknowledged', actor, order.incident, { order: order.id, recipient }),
    ...(order.issuer.agency === actor.agency
      ? []
      : notify(
          actor,
          issuer,
          {
            topic: 'order.acknowledged',
            ...(order.incident !== undefined ? { incident: order.incident } : {}),
            order: order.id,
            message: `${recipient.kind} ${recipient.id} acknowledged order ${order.id} (${order.directive})`,
            urgent: false,
          },
          ctx,
        )),
  ];
}

/** the open conflicts a resolve command names: by id, or every open one between two orders */
function namedConflicts(world: World, cmd: CommandOf<'conflict.resolve'>): Conflict[] {
  if (cmd.conflictId !== undefined) {
    const c = world.conflicts[cmd.conflictId];
    if (c === undefined) throw unknown('conflict', cmd.conflictId);
    if (c.status !== 'open') throw new ConcordError('INVALID_TRANSITION', `conflict ${c.id} is already resolved`);
    return [c];
  }
  const [a, b] = cmd.orders ?? ['', ''];
  getOrder(world, a);
  getOrder(world, b);
  const between = Object.values(world.conflicts)
    .filter((c) => c.orders.includes(a) && c.orders.includes(b))
    .sort((x, y) => x.index - y.index);
  if (between.length === 0) throw new ConcordError('UNKNOWN_ENTITY', `no conflict between orders ${a} and ${b}`, { kind: 'conflict' });
  const open = between.filter((c) => c.status === 'open');
  if (open.length === 0) throw new ConcordError('INVALID_TRANSITION', `the conflicts between orders ${a} and ${b} are already resolved`);
  return open;
}

export function decideResolveConflict(world: World, cmd: CommandOf<'conflict.resolve'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  const events: DomainEvent[] = [];
  for (const c of namedConflicts(world, cmd)) {
    const unit = getUnit(world, c.unit);
    const incident = c.incident;
    const authority = requireAuthority(
      world,
      actor,
      ctx.now,
      cmd.authority,
      (a) => (incident !== undefined && directsIncident(a, incident)) || authorityCommandsUnit(world, a, unit),
      `resolving conflict ${c.id}`,
    );
    const reason = requireReason(cmd.reason, `resolving conflict ${c.id}`);
    const issuers = c.orders
      .map((o) => world.orders[o]?.issuer)
      .flatMap((i): Recipient[] => (i === undefined ? [] : i.person === undefined ? [{ agency: i.agency }] : [{ agency: i.agency, person: i.person }]));
    events.push(
      makeEvent('conflict.resolved', actor, incident, { conflict: c.id, reason, authority }),
      ...notify(
        actor,
        issuers,
        {
          topic: 'conflict.resolved',
          ...(incident !== undefined ? { incident } : {}),
          conflict: c.id,
          units: [c.unit],
          message: `conflict ${c.id} over ${unit.callsign} resolved by ${describeActor(actor)}`,
          reason,
          urgent: false,
        },
        ctx,
      ),
    );
  }
  return events;
}

export type OrderEvent = EventOf<'order.issued'> | EventOf<'order.acknowledged'> | EventOf<'order.conflict_detected'> | EventOf<'conflict.resolved'>;

export function applyOrder(w: WorldWriter, e: OrderEvent, meta: EventMeta): void {
  const at = meta.received;
  switch (e.type) {
    case 'order.issued': {
      const b = e.body;
      const order: Order = {
        id: b.order,
        ...(e.incident !== undefined ? { incident: e.incident } : {}),
        issuer: e.actor,
        authority: b.authority,
        directive: b.directive,
        rationale: b.rationale,
        ...(b.target !== undefined ? { target: b.target } : {}),
        ...(b.details !== undefined ? { details: b.details } : {}),
        units: b.units,
        people: b.people,
        issuedAt: at,
        effectiveAt: b.effectiveAt ?? at,
        index: meta.index,
        supersedes: b.supersedes,
        status: 'active',
        acks: [],
        ...(b.task !== undefined ? { task: b.task } : {}),
        ...(b.operation !== undefined ? { operation: b.operation } : {}),
        verdicts: b.verdicts,
        approvals: b.approvals,
      };
      w.put('orders', order.id, order);
      for (const oldId of b.supersedes) {
        const old = existing(w.world.orders, oldId, 'order', e.type);
        w.put('orders', old.id, { ...old, status: 'superseded', supersededBy: order.id });
        for (const u of new Set(old.units))
          w.put(
            'unitOrders',
            u,
            (w.world.unitOrders[u] ?? []).filter((id) => id !== old.id),
          );
      }
      for (const u of new Set(order.units)) w.put('unitOrders', u, [...(w.world.unitOrders[u] ?? []), order.id]);
      if (b.supersedes.length > 0) {
        for (const c of Object.values(w.world.conflicts)) {
          const gone = c.orders.find((o) => b.supersedes.includes(o));
          if (c.status === 'open' && gone !== undefined) {
            w.put('conflicts', c.id, {
              ...c,
              status: 'resolved',
              resolution: { at, reason: `order ${gone} superseded by ${order.id}`, by: e.actor },
            });
          }
        }
      }
      return;
    }
    case 'order.acknowledged': {
      const o = existing(w.world.orders, e.body.order, 'order', e.type);
      w.put('orders', o.id, { ...o, acks: [...o.acks, { recipient: e.body.recipient, at, by: e.actor }] });
      return;
    }
    case 'order.conflict_detected': {
      const b = e.body;
      w.put('conflicts', b.conflict, {
        id: b.conflict,
        ...(e.incident !== undefined ? { incident: e.incident } : {}),
        unit: b.unit,
        orders: b.orders,
        description: b.description,
        detectedAt: at,
        index: meta.index,
        status: 'open',
      });
      return;
    }
    case 'conflict.resolved': {
      const c = existing(w.world.conflicts, e.body.conflict, 'conflict', e.type);
      w.put('conflicts', c.id, {
        ...c,
        status: 'resolved',
        resolution: { at, reason: e.body.reason, by: e.actor, authority: e.body.authority },
      });
      return;
    }
  }
}
