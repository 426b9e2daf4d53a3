/**
 * Agency boundaries: who may read what. The rules are written once, here, as
 * the audience of each record and of each ledger entry; every read path (an
 * HTTP route, the live feed, an export) asks `mayRead(caller, audience)` and
 * nothing else. docs/boundaries.md states the same rules for a reader who
 * does not read code; test/domain/boundaries.test.ts holds the two together.
 *
 * The rule in one sentence: an agency reads its own records and the records
 * it is a party to (requests it sent or received, orders to its units or
 * people, notifications to it, conflicts over its units or orders, and the
 * shared picture of the incidents it takes part in); a person also reads the
 * messages addressed to them; a reviewer reads everything.
 *
 * Why an audience computed once per entry, and why in TypeScript rather than
 * Cedar: the live feed checks every entry against every connected client
 * (1,000 clients at 500 entries/s is 500,000 checks a second). Who the parties
 * of an entry are depends on the world (the agency of a unit, the two sides of
 * a request, who takes part in an incident), so a Cedar policy would only
 * compare sets that this code had already looked up and handed to it as
 * entities: the rule itself would still live here, and each check would cost
 * a call into the WebAssembly engine with entities serialised to JSON.
 * Measured over the demo's ledger on one core of a shared machine: the
 * prepared Cedar engine (statefulIsAuthorized) made 5,000 to 13,000 such
 * checks a second, far from the 500,000 the feed needs; audienceOf computed
 * 1 to 2.7 million audiences a second and mayRead made 40 to 60 million
 * checks. Cedar stays what it is in
 * this project: each agency's own cooperation protocol, versioned and
 * cited; the boundary is the system's rule, the same for every agency, and an
 * agency's policy file must not be able to widen what another agency reads.
 *
 * An entry's audience is fixed when the entry is written: it is computed from
 * the world just before the entry (or just after it: the rules give the same
 * answer, and the tests check that), never from a later one. On the demo the
 * world after the whole command that wrote the entry (what the coordination
 * service's listeners see) gives the same answer too, because no command
 * brings an agency into an incident after an entry of that incident's
 * picture; a command that did would have to compute its audiences before
 * applying its events. So the feed can
 * compute it once, on append, and a client that resumes from an index gets
 * exactly what it would have got live. An agency that joins an incident later
 * reads the incident's current picture (incidentView, filtered) and the
 * entries from its joining on; the earlier entries stay with the agencies
 * that took part then.
 */
import type { DomainEvent, EventType } from './events.ts';
import { EVENT_TYPES } from './events.ts';
import { positionsHeld } from './command.ts';
import type { Actor, Recipient } from './values.ts';
import type { AssistanceRequest, Conflict, Incident, Message, Notification, Order, Statement, World } from './world.ts';

/** who is reading: a person of an agency (or an agency's system), or a reviewer */
export interface Caller {
  readonly agency: string;
  /** absent for an agency's system (a token scoped to the agency) */
  readonly person?: string;
  /**
   * the positions the world says the person holds. They do not widen or
   * narrow what the person reads (the boundary is the agency's); they are
   * here for the routes that decide what the person may do.
   */
  readonly positions?: readonly string[];
  /** a reviewer (review board, inspector general, court) reads everything and changes nothing */
  readonly role: 'member' | 'reviewer';
}

/** a member caller with the positions the world says the person holds at `at` (for a person) */
export function memberCaller(world: World, agency: string, person: string | undefined, at: string): Caller {
  return person === undefined ? { agency, role: 'member' } : { agency, person, positions: positionsHeld(world, person, at), role: 'member' };
}

/** who may read one record or entry */
export interface Audience {
  /** agencies whose every member and system may read all of it */
  readonly agencies: ReadonlySet<string>;
  /** people who may read it besides those agencies: the people a message is addressed to */
  readonly people: ReadonlySet<string>;
  /** reviewers read every record; stated here so that the rule is visible where an audience is */
  readonly reviewers: true;
}

/** any ledger entry: a domain event, or an entry appended directly (a note, a radio call, a message) */
export interface LedgerEntryLike {
  readonly type: string;
  readonly actor: Actor;
  readonly incident?: string;
  readonly body: unknown;
}

const NOBODY: ReadonlySet<string> = new Set();

/** O(1): the one check every read path makes */
export function mayRead(caller: Caller, audience: Audience): boolean {
  if (caller.role === 'reviewer') return true;
  if (audience.agencies.has(caller.agency)) return true;
  return caller.person !== undefined && audience.people.has(caller.person);
}

/** a reviewer reads and changes nothing: every write path asks this first */
export function mayWrite(caller: Caller): boolean {
  return caller.role === 'member';
}

function audience(agencies: Iterable<string | undefined>, people: ReadonlySet<string> = NOBODY): Audience {
  const set = new Set<string>();
  for (const a of agencies) if (a !== undefined) set.add(a);
  return { agencies: set, people, reviewers: true };
}

// ---------------------------------------------------------------------------
// The parties of each record. Each takes only what it needs, so the audience
// of an entry that creates a record (built from the entry's body) and the
// audience of the record once it exists (built from the world) are the same.

/** the agencies taking part in an incident: lead agency, requests' two sides, command, liaisons, units assigned */
export function incidentParties(incident: Pick<Incident, 'agencies'>): readonly string[] {
  return incident.agencies;
}

/** a request is shared by the agency that sent it and the agency it was sent to */
export function requestParties(r: Pick<AssistanceRequest, 'from' | 'to'>): readonly string[] {
  return [r.from, r.to];
}

/** an order is shared by the issuer's agency and the agencies of the units and people it is addressed to */
export function orderParties(world: World, o: { readonly issuer: Actor; readonly units: readonly string[]; readonly people: readonly string[] }): string[] {
  return [o.issuer.agency, ...o.units.flatMap((u) => world.units[u]?.agency ?? []), ...o.people.flatMap((p) => world.people[p]?.agency ?? [])];
}

/**
 * A conflict between two orders to one unit is shared by the unit's agency,
 * both issuers' agencies and the incident's command, to whom it is raised.
 */
export function conflictParties(world: World, c: Pick<Conflict, 'unit' | 'orders' | 'incident'>): string[] {
  return [
    world.units[c.unit]?.agency,
    ...c.orders.map((o) => world.orders[o]?.issuer.agency),
    ...(c.incident === undefined ? [] : commandAgencies(world, c.incident)),
  ].filter((a): a is string => a !== undefined);
}

/** a notification is shared by the agency that sent it and the agency it is addressed to */
export function notificationParties(n: Pick<Notification, 'recipient' | 'createdBy'>): readonly string[] {
  return [n.recipient.agency, n.createdBy.agency];
}

/**
 * A unit is its agency's; while it is assigned to an incident it is part of
 * that incident's picture (units on scene, their status and positions), read
 * by every agency taking part. The rule for unit status and position entries.
 */
export function unitParties(world: World, unit: string): string[] {
  const u = world.units[unit];
  if (u === undefined) return [];
  const on = u.assignment === undefined ? undefined : world.incidents[u.assignment.incident];
  return [u.agency, ...(on === undefined ? [] : incidentParties(on))];
}

/** the audience of an entry about a unit's status or position, for the event types that record them */
export function unitPictureAudience(world: World, actor: Actor, unit: string): Audience {
  return audience([actor.agency, ...unitParties(world, unit)]);
}

function commandAgencies(world: World, incident: string): string[] {
  const s = world.incidents[incident]?.command?.structure;
  if (s === undefined) return [];
  return s.kind === 'single' ? [s.commander.agency] : s.members.map((m) => m.agency);
}

/** the incident's parties as of an entry: those before it, and those the entry itself brings in */
function pictureAudience(world: World, actor: Actor, incident: string | undefined, joining: readonly (string | undefined)[]): Audience {
  const i = incident === undefined ? undefined : world.incidents[incident];
  return audience([actor.agency, ...(i === undefined ? [] : incidentParties(i)), ...joining]);
}

// ---------------------------------------------------------------------------
// The rule for every domain event type. A Record over EventType, so a new
// event type does not compile until its rule is written here (and a row
// added to docs/boundaries.md). The actor's agency is always in the audience:
// an agency reads what its own people and systems did.

type Rule<T extends EventType> = (e: Extract<DomainEvent, { type: T }>, world: World) => Audience;
type Rules = { readonly [T in EventType]: Rule<T> };

const own = (e: DomainEvent, ...agencies: (string | undefined)[]): Audience => audience([e.actor.agency, ...agencies]);

const RULES: Rules = {
  // organisation: internal to the agency it belongs to
  'agency.registered': (e) => own(e, e.body.agency),
  'agency.configured': (e) => own(e, e.body.agency),
  'position.established': (e) => own(e, e.body.agency),
  'person.registered': (e) => own(e, e.body.agency),
  'person.appointed': (e, w) => own(e, w.people[e.body.person]?.agency, w.positions[e.body.position]?.agency),
  'person.relieved': (e, w) => {
    const a = w.appointments[e.body.appointment];
    return own(e, a && w.people[a.person]?.agency, a && w.positions[a.position]?.agency);
  },
  'unit.registered': (e) => own(e, e.body.agency),
  'unit.updated': (e, w) => own(e, w.units[e.body.unit]?.agency),
  // a unit's status and position are part of the shared picture of the incident it is on
  'unit.status_changed': (e, w) => unitPictureAudience(w, e.actor, e.body.unit),
  'unit.positions_reported': (e, w) => own(e, ...e.body.positions.flatMap((p) => unitParties(w, p.unit))),
  // a delegation of a position stays in the agency; a delegation of an incident's command is part of its picture
  'delegation.granted': (e, w) => {
    const to = w.people[e.body.to]?.agency;
    return e.body.scope.kind === 'incident_command' ? pictureAudience(w, e.actor, e.body.scope.incident, [to]) : own(e, to);
  },
  'delegation.revoked': (e, w) => {
    const d = w.delegations[e.body.delegation];
    if (d === undefined) return own(e);
    const parties = [w.people[d.to]?.agency, w.people[d.grantor]?.agency];
    return d.scope.kind === 'incident_command' ? pictureAudience(w, e.actor, d.scope.incident, parties) : own(e, ...parties);
  },

  // incidents: the shared picture, read by every agency taking part
  'incident.opened': (e, w) => pictureAudience(w, e.actor, e.incident, [e.body.leadAgency]),
  'incident.updated': (e, w) => pictureAudience(w, e.actor, e.incident, []),
  'incident.closed': (e, w) => pictureAudience(w, e.actor, e.incident, []),
  'incident.command_established': (e, w) => {
    const s = e.body.structure;
    return pictureAudience(w, e.actor, e.incident, s.kind === 'single' ? [s.commander.agency] : s.members.map((m) => m.agency));
  },
  'incident.liaison_designated': (e, w) => pictureAudience(w, e.actor, e.incident, [e.body.agency]),
  'incident.unit_assigned': (e, w) => pictureAudience(w, e.actor, e.incident, [w.units[e.body.unit]?.agency]),
  'incident.unit_released': (e, w) => pictureAudience(w, e.actor, e.incident, [w.units[e.body.unit]?.agency]),

  // requests: the sending and the receiving agency, every step of it
  'request.sent': (e) => own(e, ...requestParties(e.body)),
  'request.received': (e, w) => requestAudience(e, w, e.body.request),
  'request.evaluated': (e, w) => requestAudience(e, w, e.body.request),
  'request.approved': (e, w) => requestAudience(e, w, e.body.request),
  'request.accepted': (e, w) => requestAudience(e, w, e.body.request),
  'request.partly_accepted': (e, w) => requestAudience(e, w, e.body.request),
  'request.declined': (e, w) => requestAudience(e, w, e.body.request),
  'request.provided': (e, w) => requestAudience(e, w, e.body.request),
  'request.partly_provided': (e, w) => requestAudience(e, w, e.body.request),
  'request.refused': (e, w) => requestAudience(e, w, e.body.request),
  'request.escalated': (e, w) => requestAudience(e, w, e.body.request),
  'request.units_committed': (e, w) => requestAudience(e, w, e.body.request),
  'request.units_on_scene': (e, w) => requestAudience(e, w, e.body.request),
  'request.units_withdrawn': (e, w) => requestAudience(e, w, e.body.request),
  'request.units_released': (e, w) => requestAudience(e, w, e.body.request),
  'request.closed': (e, w) => requestAudience(e, w, e.body.request),
  'request.cancelled': (e, w) => requestAudience(e, w, e.body.request),

  // orders: the issuer's agency and the agencies of the units and people ordered
  'order.issued': (e, w) => own(e, ...orderParties(w, { issuer: e.actor, units: e.body.units, people: e.body.people })),
  'order.acknowledged': (e, w) => {
    const o = w.orders[e.body.order];
    return o === undefined ? own(e) : own(e, ...orderParties(w, o));
  },
  'order.conflict_detected': (e, w) => own(e, ...conflictParties(w, { unit: e.body.unit, orders: e.body.orders, ...incidentOf(e) })),
  'conflict.resolved': (e, w) => {
    const c = w.conflicts[e.body.conflict];
    return c === undefined ? own(e) : own(e, ...conflictParties(w, c));
  },

  // a message on an incident: its sender's agency, the agencies it is addressed to, and the people it is addressed to (only them of their agency)
  'message.sent': (e) => messageAudienceOf({ from: e.actor, agencies: e.body.agencies, people: e.body.people }),

  // notifications: the agency that sent it and the agency it is addressed to
  'notification.created': (e) => own(e, e.body.recipient.agency),
  'notification.delivered': (e, w) => notificationAudience(e, w, e.body.notification),
  'notification.acknowledged': (e, w) => notificationAudience(e, w, e.body.notification),

  // a public statement and its claims: the incident's picture, the speaker's agency and the recorder's
  'statement.recorded': (e, w) => pictureAudience(w, e.actor, e.incident, [e.body.speaker.agency]),
  'claim.recorded': (e, w) => statementAudience(e, w, e.body.statement),
  'claim.linked': (e, w) => statementAudience(e, w, e.body.statement),
};

function statementAudience(e: DomainEvent, world: World, id: string): Audience {
  const s = world.statements[id];
  return s === undefined ? own(e) : audience([e.actor.agency, ...statementParties(world, s)]);
}

/** a statement is shared by the agencies taking part in its incident, the speaker's agency and the agency that recorded it */
export function statementParties(world: World, s: Pick<Statement, 'incident' | 'speaker' | 'recordedBy'>): string[] {
  const i = world.incidents[s.incident];
  return [...(i === undefined ? [] : incidentParties(i)), s.speaker.agency, s.recordedBy.agency];
}

function incidentOf(e: DomainEvent): { incident?: string } {
  return e.incident === undefined ? {} : { incident: e.incident };
}

function requestAudience(e: DomainEvent, world: World, id: string): Audience {
  const r = world.requests[id];
  return r === undefined ? own(e) : own(e, ...requestParties(r));
}

function notificationAudience(e: DomainEvent, world: World, id: string): Audience {
  const n = world.notifications[id];
  return n === undefined ? own(e) : own(e, ...notificationParties(n));
}

const DOMAIN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

function isDomainEvent(entry: LedgerEntryLike | DomainEvent): entry is DomainEvent {
  return DOMAIN_TYPES.has(entry.type);
}

/**
 * The audience of one ledger entry, given the world just before it (or just
 * after it). A domain event must be one parseDomainEvent accepted, as the
 * projection requires; anything else is read as an entry from outside.
 *
 * Where the world lacks what a rule looks up (an unknown unit, a request not
 * on record), that part adds no reader: the rule fails closed, to the
 * actor's agency and reviewers.
 */
export function audienceOf(entry: DomainEvent | LedgerEntryLike, world: World): Audience {
  if (isDomainEvent(entry)) return (RULES[entry.type] as Rule<EventType>)(entry as never, world);
  // any other entry (a note, a radio call) is its actor's agency's own record
  return audience([entry.actor.agency]);
}

// ---------------------------------------------------------------------------
// Records, for the read routes and the filtered incident view.

export const requestAudienceOf = (r: Pick<AssistanceRequest, 'from' | 'to'>): Audience => audience(requestParties(r));
export const orderAudienceOf = (world: World, o: Pick<Order, 'issuer' | 'units' | 'people'>): Audience => audience(orderParties(world, o));
export const conflictAudienceOf = (world: World, c: Pick<Conflict, 'unit' | 'orders' | 'incident'>): Audience => audience(conflictParties(world, c));
export const notificationAudienceOf = (n: Pick<Notification, 'recipient' | 'createdBy'>): Audience => audience(notificationParties(n));
export const unitAudienceOf = (world: World, unit: string): Audience => audience(unitParties(world, unit));
export const incidentAudienceOf = (i: Pick<Incident, 'agencies'>): Audience => audience(incidentParties(i));
export const statementAudienceOf = (world: World, s: Pick<Statement, 'incident' | 'speaker' | 'recordedBy'>): Audience => audience(statementParties(world, s));
/** a message: its sender's agency, the agencies it is addressed to, and the people it names (those people only, not the rest of their agency) */
export const messageAudienceOf = (m: Pick<Message, 'from' | 'agencies' | 'people'>): Audience =>
  audience([m.from.agency, ...m.agencies], m.people.length === 0 ? NOBODY : new Set(m.people));
