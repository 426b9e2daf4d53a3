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
 * A `withdraw` or `recall` from the home agency's chain takes the unit off the
 * incident and off any request it is committed to (the request records the
 * withdrawal and the requesting side and incident command are told at once).
 * From the incident's command, `withdraw` is a tactical pull-back: the unit
 * stays assigned. Two active orders to the same unit that contradict each
 * other raise a conflict to the incident's command and to both issuers.
 */
import { ConcordError } from '../errors.ts';
import type { Directive } from './vocabulary.ts';
import type { CommandOf } from './commands.ts';
import {
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
  getRequest,
  getUnit,
  requireAuthority,
  requireNew,
  requireNotProhibited,
  requirePersonActor,
  requireReason,
  unknown,
  type DecideContext,
} from './checks.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf } from './events.ts';
import { directsIncident } from './incidents.ts';
import { agencyContacts, incidentCommandContacts, notify, requesterContacts } from './notifications.ts';
import { describeActor, describeAuthority, type Actor, type Authority, type Recipient } from './values.ts';
import type { Order, Person, Unit, World } from './world.ts';
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

/** directives that send a unit somewhere: two of them to different targets contradict */
const TARGETED: readonly Directive[] = ['move', 'assign'];

export function contradicts(
  a: { readonly directive: Directive; readonly target?: string },
  b: { readonly directive: Directive; readonly target?: string },
): boolean {
  if (OPPOSED_PAIRS.some(([x, y]) => (a.directive === x && b.directive === y) || (a.directive === y && b.directive === x))) {
    return true;
  }
  return (
    a.directive === b.directive &&
    TARGETED.includes(a.directive) &&
    a.target !== undefined &&
    b.target !== undefined &&
    a.target !== b.target
  );
}

/** the home agency's withdrawal or recall takes a unit off the incident and off its request */
function isAdministrativeWithdrawal(directive: Directive, authority: Authority): boolean {
  return (directive === 'withdraw' || directive === 'recall') && positionOf(authority) !== undefined;
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

function coversPerson(
  world: World,
  a: Authority,
  p: Person,
  directive: Directive,
  incident: string | undefined,
  now: string,
  o: OrderOptions,
): boolean {
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

export function decideOrder(
  world: World,
  cmd: CommandOf<'order.issue'>,
  ctx: DecideContext,
  options: OrderOptions = {},
): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  const rationale = cmd.rationale.trim();
  if (rationale === '') throw new ConcordError('ORDER_REASON_REQUIRED', `an order (${cmd.directive}) needs a rationale`);
  const units = [...new Set(cmd.units ?? [])].map((id) => getUnit(world, id));
  const people = [...new Set(cmd.people ?? [])].map((id) => getPerson(world, id));
  if (units.length + people.length === 0) throw new ConcordError('BAD_INPUT', 'an order needs at least one recipient');
  if (cmd.incidentId !== undefined) getOpenIncident(world, cmd.incidentId);
  const id = cmd.orderId ?? ctx.newId('order');
  requireNew(world.orders[id] !== undefined, 'order', id);
  const person = requirePersonActor(actor, `issuing order ${id}`);
  const directive = cmd.directive;

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
      throw new ConcordError(
        'NOT_IN_CHAIN_OF_COMMAND',
        `${describeUnit(u)} is outside the chain of command of ${person} (${list})${why}`,
        { unit: u.id },
      );
    }
    const p = people.find((x) => !candidates.some((a) => coversPerson(world, a, x, directive, cmd.incidentId, ctx.now, options)));
    if (p !== undefined) {
      throw new ConcordError('NOT_IN_CHAIN_OF_COMMAND', `person ${p.id} (${p.agency}) is outside the chain of command of ${person} (${list})`, {
        person: p.id,
      });
    }
    throw new ConcordError('NOT_IN_CHAIN_OF_COMMAND', `no single authority of ${person} covers every recipient; issue separate orders`);
  }

  const approval = checkOrderVerdict(world, cmd, person, authority, ctx.now);

  const assigned = [...new Set(units.map((u) => u.assignment?.incident))];
  const incident = cmd.incidentId ?? incidentOf(authority) ?? (assigned.length === 1 ? assigned[0] : undefined);

  const supersedes = [...new Set(cmd.supersedes ?? [])];
  for (const oldId of supersedes) {
    const old = getOrder(world, oldId);
    if (old.status === 'superseded') {
      throw new ConcordError('INVALID_TRANSITION', `order ${old.id} is already superseded by ${old.supersededBy ?? 'another order'}`);
    }
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
    verdict: cmd.verdict,
    approval,
  });
  const events: DomainEvent[] = [issued];
  const summary = `${directive}${cmd.target !== undefined ? ` (${cmd.target})` : ''}`;

  // tell the agencies whose units or people are ordered, and the command of any incident they serve on
  const told: Recipient[] = [];
  for (const agency of new Set([...units.map((u) => u.agency), ...people.map((p) => p.agency)])) {
    if (agency !== actor.agency) told.push(...agencyContacts(world, agency, incident));
  }
  for (const u of units) {
    const on = u.assignment?.incident;
    if (on !== undefined && !directsIncident(authority, on)) told.push(...incidentCommandContacts(world, on));
  }
  events.push(
    ...notify(actor, told, {
      topic: 'order.issued',
      ...(incident !== undefined ? { incident } : {}),
      order: id,
      units: units.map((u) => u.id),
      message: `order ${id} from ${describeActor(actor)}: ${summary} to ${[...units.map((u) => u.callsign), ...people.map((p) => p.id)].join(', ')}`,
      reason: rationale,
      urgent: directive === 'withdraw' || directive === 'recall',
    }, ctx),
  );

  if (isAdministrativeWithdrawal(directive, authority)) events.push(...withdrawalEffects(world, actor, authority, id, units, rationale, ctx));
  events.push(...conflictsWith(world, actor, id, directive, cmd.target, units, supersedes, incident, ctx));
  return events;
}

/**
 * An order may come with the verdict of the recipients' agency's protocols
 * (the app evaluates it): prohibited blocks the order; needs_approval needs an
 * issuer who holds the approval role (that position, one above it, or a
 * delegation of it). Returns the approval to record.
 */
function checkOrderVerdict(
  world: World,
  cmd: CommandOf<'order.issue'>,
  person: string,
  chosen: Authority,
  now: string,
): { role: string; authority: Authority } | undefined {
  const v = cmd.verdict;
  if (v === undefined || v.decision === 'permitted') return undefined;
  requireNotProhibited(v, `order (${cmd.directive}) cannot be issued`);
  const role = v.approvalRole;
  if (role === undefined || world.positions[role] === undefined) {
    throw new ConcordError('APPROVAL_REQUIRED', `the verdict on this order needs approval by ${role ?? 'an unnamed role'}, which is not a known position`);
  }
  const own = approvingAuthority(world, chosen, person, now, role);
  if (own === undefined) {
    throw new ConcordError('APPROVAL_REQUIRED', `order (${cmd.directive}) needs approval by ${role}; ${person} holds neither it, a position above it, nor a delegation of it`, { role });
  }
  return { role, authority: own };
}

/** the home agency pulls units: each request they serve records the withdrawal, and they leave the incident */
function withdrawalEffects(
  world: World,
  actor: Actor,
  authority: Authority,
  order: string,
  units: readonly Unit[],
  reason: string,
  ctx: DecideContext,
): DomainEvent[] {
  const events: DomainEvent[] = [];
  const byRequest = new Map<string, Unit[]>();
  for (const u of units) {
    if (u.commitment !== undefined) byRequest.set(u.commitment, [...(byRequest.get(u.commitment) ?? []), u]);
  }
  for (const [requestId, pulled] of byRequest) {
    const r = getRequest(world, requestId);
    const ids = pulled.map((u) => u.id);
    events.push(makeEvent('request.units_withdrawn', actor, r.incident, { request: r.id, units: ids, reason, authority, order }));
    events.push(
      ...notify(actor, [...requesterContacts(world, r), ...incidentCommandContacts(world, r.incident)], {
        topic: 'request.units_withdrawn',
        incident: r.incident,
        request: r.id,
        order,
        units: ids,
        message: `${r.to} withdrew ${pulled.map((u) => u.callsign).join(', ')} from request ${r.id} (order ${order}, ${describeAuthority(authority)})`,
        reason,
        urgent: true,
      }, ctx),
    );
  }
  for (const u of units) {
    if (u.assignment !== undefined) {
      events.push(makeEvent('incident.unit_released', actor, u.assignment.incident, { unit: u.id, reason, authority, order }));
    }
  }
  return events;
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
      const conflict = ctx.newId('conflict');
      const where = u.assignment?.incident ?? other.incident ?? incident;
      const description = `${u.callsign} (${u.id}) has contradicting orders: ${other.id} ${other.directive} from ${describeActor(other.issuer)} and ${id} ${directive} from ${describeActor(actor)}`;
      events.push(makeEvent('order.conflict_detected', actor, where, { conflict, unit: u.id, orders: [other.id, id], description }));
      const issuers: Recipient[] = [other.issuer, actor].flatMap((a) => (a.person === undefined ? [{ agency: a.agency }] : [{ agency: a.agency, person: a.person }]));
      const contacts = where === undefined ? [] : incidentCommandContacts(world, where);
      // the actor is told too: they must know their order collides with one already standing
      events.push(
        ...notify(actor, [...contacts, ...issuers], {
          topic: 'order.conflict_detected',
          ...(where !== undefined ? { incident: where } : {}),
          conflict,
          order: id,
          units: [u.id],
          message: description,
          urgent: true,
        }, ctx, { tellActor: true }),
      );
    }
  }
  return events;
}

export function decideAcknowledge(world: World, cmd: CommandOf<'order.acknowledge'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  const order = getOrder(world, cmd.orderId);
  let recipient: { kind: 'unit' | 'person'; id: string };
  if (cmd.unit !== undefined) {
    if (!order.units.includes(cmd.unit)) throw new ConcordError('BAD_INPUT', `unit ${cmd.unit} is not a recipient of order ${order.id}`);
    const u = getUnit(world, cmd.unit);
    if (u.agency !== actor.agency) {
      throw new ConcordError('NOT_AUTHORISED', `only ${u.agency} can acknowledge for its unit ${u.id}`);
    }
    recipient = { kind: 'unit', id: u.id };
  } else {
    const who = cmd.person ?? requirePersonActor(actor, `acknowledging order ${order.id}`);
    if (who !== actor.person) throw new ConcordError('NOT_AUTHORISED', `only ${who} can acknowledge for themselves`);
    if (order.people.includes(who)) {
      recipient = { kind: 'person', id: who };
    } else {
      const mine = order.units.filter((u) => world.units[u]?.members.includes(who) === true);
      const [only] = mine;
      if (only === undefined || mine.length > 1) {
        throw new ConcordError('BAD_INPUT', `name the unit or person acknowledging order ${order.id}`);
      }
      recipient = { kind: 'unit', id: only };
    }
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
      : notify(actor, issuer, {
          topic: 'order.acknowledged',
          ...(order.incident !== undefined ? { incident: order.incident } : {}),
          order: order.id,
          message: `${recipient.kind} ${recipient.id} acknowledged order ${order.id} (${order.directive})`,
          urgent: false,
        }, ctx)),
  ];
}

export function decideResolveConflict(world: World, cmd: CommandOf<'conflict.resolve'>, ctx: DecideContext): DomainEvent[] {
  const actor = cmd.actor;
  checkActor(world, actor);
  const c = world.conflicts[cmd.conflictId];
  if (c === undefined) throw unknown('conflict', cmd.conflictId);
  if (c.status !== 'open') throw new ConcordError('INVALID_TRANSITION', `conflict ${c.id} is already resolved`);
  const reason = requireReason(cmd.reason, `resolving conflict ${c.id}`);
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
  const issuers = c.orders
    .map((o) => world.orders[o]?.issuer)
    .flatMap((i): Recipient[] => (i === undefined ? [] : i.person === undefined ? [{ agency: i.agency }] : [{ agency: i.agency, person: i.person }]));
  return [
    makeEvent('conflict.resolved', actor, incident, { conflict: c.id, reason, authority }),
    ...notify(actor, issuers, {
      topic: 'conflict.resolved',
      ...(incident !== undefined ? { incident } : {}),
      conflict: c.id,
      units: [c.unit],
      message: `conflict ${c.id} over ${unit.callsign} resolved by ${describeActor(actor)}`,
      reason,
      urgent: false,
    }, ctx),
  ];
}

export type OrderEvent =
  | EventOf<'order.issued'>
  | EventOf<'order.acknowledged'>
  | EventOf<'order.conflict_detected'>
  | EventOf<'conflict.resolved'>;

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
        ...(b.verdict !== undefined ? { verdict: b.verdict } : {}),
        ...(b.approval !== undefined ? { approval: b.approval } : {}),
      };
      w.put('orders', order.id, order);
      for (const oldId of b.supersedes) {
        const old = existing(w.world.orders, oldId, 'order', e.type);
        w.put('orders', old.id, { ...old, status: 'superseded', supersededBy: order.id });
        for (const u of new Set(old.units)) w.put('unitOrders', u, (w.world.unitOrders[u] ?? []).filter((id) => id !== old.id));
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
