/**
 * Notifications: telling the people and agencies an event affects. decide
 * emits `notification.created` events beside the event that caused them, so
 * the ledger records who was told what and when; delivery and acknowledgement
 * are events too (created → delivered → acknowledged).
 *
 * A delivery receipt must come from the recipient's side (its node, console
 * or device): a sender's own claim that the other agency was told is exactly
 * what the record must not rest on.
 */
import { ConcordError } from '../errors.ts';
import type { CommandOf } from './commands.ts';
import { heldAuthorities, holdersOf, positionOf } from './command.ts';
import { checkActor, requirePersonActor, unknown, type DecideContext } from './checks.ts';
import { makeEvent, type DomainEvent, type EventMeta, type EventOf, type EventType } from './events.ts';
import type { Actor, Recipient } from './values.ts';
import type { AssistanceRequest, Notification, NotificationContent, World } from './world.ts';
import { existing, type WorldWriter } from './writer.ts';

/** a notification to create: its content, about an event of the domain */
export interface NotificationSpec extends NotificationContent {
  readonly topic: EventType;
}

/** the incident's command: its commander or each unified command member; the lead agency while none is set */
export function incidentCommandContacts(world: World, incident: string): Recipient[] {
  const i = world.incidents[incident];
  if (i === undefined) return [];
  const s = i.command?.structure;
  if (s === undefined) return [{ agency: i.leadAgency }];
  return s.kind === 'single' ? [s.commander] : [...s.members];
}

/** an agency on an incident: its liaison officer if it has one, else the agency's desk */
export function agencyContacts(world: World, agency: string, incident: string | undefined): Recipient[] {
  const liaison = incident === undefined ? undefined : world.incidents[incident]?.liaisons[agency];
  return liaison === undefined ? [{ agency }] : [{ agency, person: liaison }];
}

/** the requesting side of a request: its liaison officer and the requester */
export function requesterContacts(world: World, r: AssistanceRequest): Recipient[] {
  const out = agencyContacts(world, r.from, r.incident);
  if (r.requester !== undefined) out.push({ agency: r.from, person: r.requester });
  return out;
}

/**
 * Everyone of the requesting agency who must hear that units stopped serving
 * its request: its liaison officer (or its desk), the requester, and its
 * member of the incident's command.
 */
export function requestingAgencyContacts(world: World, r: AssistanceRequest): Recipient[] {
  return [...requesterContacts(world, r), ...incidentCommandContacts(world, r.incident).filter((c) => c.agency === r.from && c.person !== undefined)];
}

/** the people holding a position now, else the agency's desk */
export function positionContacts(world: World, agency: string, position: string | undefined, at: string): Recipient[] {
  const holders = position === undefined ? [] : holdersOf(world, position, at);
  return holders.length === 0 ? [{ agency }] : holders.map((person) => ({ agency, person }));
}

/**
 * One `notification.created` per distinct recipient. The actor is not told of
 * their own act (unless `tellActor`), a person's own agency is not told of
 * what they did, and for an agency where a person is named the agency-wide
 * notice is redundant.
 */
export function notify(
  actor: Actor,
  recipients: readonly Recipient[],
  spec: NotificationSpec,
  ctx: DecideContext,
  options: { readonly tellActor?: boolean } = {},
): EventOf<'notification.created'>[] {
  const seen = new Set<string>();
  const withPerson = new Set(recipients.filter((r) => r.person !== undefined).map((r) => r.agency));
  const out: EventOf<'notification.created'>[] = [];
  for (const r of recipients) {
    // a person's own agency knows what they did; what a device did (the deadline clock) its agency is told
    const self = options.tellActor !== true && (r.person !== undefined ? r.person === actor.person : r.agency === actor.agency && actor.person !== undefined);
    if (self || (r.person === undefined && withPerson.has(r.agency))) continue;
    const key = `${r.agency}\u0000${r.person ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const recipient: Recipient = r.person === undefined ? { agency: r.agency } : { agency: r.agency, person: r.person };
    out.push(
      makeEvent('notification.created', actor, spec.incident, {
        notification: ctx.newId('notification'),
        recipient,
        topic: spec.topic,
        ...(spec.request !== undefined ? { request: spec.request } : {}),
        ...(spec.order !== undefined ? { order: spec.order } : {}),
        ...(spec.conflict !== undefined ? { conflict: spec.conflict } : {}),
        ...(spec.units !== undefined ? { units: spec.units } : {}),
        message: spec.message,
        ...(spec.reason !== undefined ? { reason: spec.reason } : {}),
        urgent: spec.urgent,
      }),
    );
  }
  return out;
}

function getNotification(world: World, id: string): Notification {
  const n = world.notifications[id];
  if (n === undefined) throw unknown('notification', id);
  return n;
}

/** does the person hold the position (in their own right or by delegation) at `at`? */
export function holdsPosition(world: World, person: string, position: string, at: string): boolean {
  return heldAuthorities(world, person, at).some((a) => positionOf(a) === position);
}

/**
 * Is the actor the notice's recipient? Someone of the recipient agency and,
 * where the notice names a person, that person; where it names a position,
 * whoever holds it (or holds it by delegation) now. A device of the
 * recipient agency (its node, console or CAD) counts for the delivery, which
 * it confirms on the recipient's behalf; reading, and so acknowledging, is a
 * person's act (decideNotification).
 */
export function isRecipient(world: World, actor: Actor, n: Notification, at: string): boolean {
  if (actor.agency !== n.recipient.agency) return false;
  const person = actor.person;
  if (person === undefined) return true;
  if (n.recipient.person !== undefined && n.recipient.person !== person) return false;
  return n.position === undefined || holdsPosition(world, person, n.position, at);
}

function requireRecipientAgency(actor: Actor, n: Notification, what: string): void {
  if (actor.agency !== n.recipient.agency) {
    throw new ConcordError('NOT_A_RECIPIENT', `${what} of notification ${n.id} must come from its recipient ${n.recipient.agency}, not ${actor.agency}`);
  }
}

function requireRecipient(world: World, actor: Actor, n: Notification, what: string, at: string): void {
  requireRecipientAgency(actor, n, what);
  if (isRecipient(world, actor, n, at)) return;
  // a colleague who sees the notice on the agency's picture has not received it, nor read it, for its addressee
  const to = n.recipient.person ?? `whoever holds position ${n.position ?? '?'}`;
  throw new ConcordError('NOT_A_RECIPIENT', `notification ${n.id} is addressed to ${to}; ${what} is for them, not ${actor.person ?? actor.agency}`);
}

export function decideNotification(
  world: World,
  cmd: CommandOf<'notification.deliver'> | CommandOf<'notification.acknowledge'>,
  ctx: DecideContext,
): DomainEvent[] {
  checkActor(world, cmd.actor);
  const n = getNotification(world, cmd.notificationId);
  if (cmd.type === 'notification.deliver') {
    requireRecipient(world, cmd.actor, n, 'delivery', ctx.now);
    if (n.status !== 'created') {
      throw new ConcordError('INVALID_TRANSITION', `notification ${n.id} is ${n.status}; cannot mark it delivered`);
    }
    return [makeEvent('notification.delivered', cmd.actor, n.incident, { notification: n.id })];
  }
  requireRecipientAgency(cmd.actor, n, 'acknowledgement');
  requirePersonActor(cmd.actor, `acknowledging notification ${n.id}`);
  // an acknowledgement says that this person read it: only the one it was addressed to can say so
  requireRecipient(world, cmd.actor, n, 'acknowledgement', ctx.now);
  if (n.status === 'acknowledged') {
    throw new ConcordError('INVALID_TRANSITION', `notification ${n.id} is already acknowledged`);
  }
  return [makeEvent('notification.acknowledged', cmd.actor, n.incident, { notification: n.id })];
}

export function applyNotification(
  w: WorldWriter,
  e: EventOf<'notification.created'> | EventOf<'notification.delivered'> | EventOf<'notification.acknowledged'>,
  meta: EventMeta,
): void {
  if (e.type === 'notification.created') {
    const b = e.body;
    w.put('notifications', b.notification, {
      id: b.notification,
      recipient: b.recipient,
      ...(e.incident !== undefined ? { incident: e.incident } : {}),
      topic: b.topic,
      ...(b.request !== undefined ? { request: b.request } : {}),
      ...(b.order !== undefined ? { order: b.order } : {}),
      ...(b.conflict !== undefined ? { conflict: b.conflict } : {}),
      ...(b.units !== undefined ? { units: b.units } : {}),
      message: b.message,
      ...(b.reason !== undefined ? { reason: b.reason } : {}),
      urgent: b.urgent,
      ...(b.position !== undefined ? { position: b.position } : {}),
      ...(b.resends !== undefined ? { resends: b.resends } : {}),
      status: 'created',
      createdAt: meta.received,
      index: meta.index,
      createdBy: e.actor,
    });
    if (b.resends !== undefined) {
      const original = existing(w.world.notifications, b.resends, 'notification', e.type);
      w.put('notifications', original.id, { ...original, resentAs: b.notification });
    }
    return;
  }
  const n = existing(w.world.notifications, e.body.notification, 'notification', e.type);
  if (e.type === 'notification.delivered') {
    w.put('notifications', n.id, { ...n, status: 'delivered', deliveredAt: meta.received });
  } else {
    w.put('notifications', n.id, {
      ...n,
      status: 'acknowledged',
      deliveredAt: n.deliveredAt ?? meta.received,
      acknowledgedAt: meta.received,
      acknowledgedBy: e.actor,
    });
  }
}
