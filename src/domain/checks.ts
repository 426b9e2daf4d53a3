/**
 * The checks decisions share: look-ups that refuse unknown ids, the reason
 * that must say something, and finding the authority a decision rests on.
 */
import { ConcordError } from '../errors.ts';
import { heldAuthorities } from './command.ts';
import type { Protocols } from './facts.ts';
import { describeActor, describeAuthority, sameAuthority, type Actor, type Authority } from './values.ts';
import type { Verdict } from './verdict.ts';
import type { AssistanceRequest, Incident, Order, Person, Unit, World } from './world.ts';

export interface DecideContext {
  /** the moment of decision (RFC 3339 UTC); the app's clock, injected */
  readonly now: string;
  /** a fresh id with this prefix; the app's id source, injected */
  readonly newId: (prefix: string) => string;
  /**
   * the agencies' protocols (src/policy through the app). Without them no
   * verdict exists, so nothing that needs one (accepting or answering a
   * request) can be decided, and orders record no verdicts.
   */
  readonly protocols?: Protocols;
}

type Kind =
  | 'agency'
  | 'position'
  | 'person'
  | 'appointment'
  | 'unit'
  | 'incident'
  | 'request'
  | 'order'
  | 'conflict'
  | 'notification'
  | 'delegation'
  | 'message'
  | 'statement'
  | 'claim';

export function unknown(kind: Kind, id: string): ConcordError {
  return new ConcordError('UNKNOWN_ENTITY', `unknown ${kind} "${id}"`, { kind, id });
}

export function getPerson(world: World, id: string): Person {
  const p = world.people[id];
  if (p === undefined) throw unknown('person', id);
  return p;
}

export function getUnit(world: World, id: string): Unit {
  const u = world.units[id];
  if (u === undefined) throw unknown('unit', id);
  return u;
}

export function getIncident(world: World, id: string): Incident {
  const i = world.incidents[id];
  if (i === undefined) throw unknown('incident', id);
  return i;
}

export function getOpenIncident(world: World, id: string): Incident {
  const i = getIncident(world, id);
  if (i.status !== 'open') throw new ConcordError('INCIDENT_CLOSED', `incident ${id} is closed`);
  return i;
}

export function getRequest(world: World, id: string): AssistanceRequest {
  const r = world.requests[id];
  if (r === undefined) throw unknown('request', id);
  return r;
}

export function getOrder(world: World, id: string): Order {
  const o = world.orders[id];
  if (o === undefined) throw unknown('order', id);
  return o;
}

export function requireNew(exists: boolean, kind: Kind, id: string): void {
  if (exists) throw new ConcordError('DUPLICATE_ID', `${kind} "${id}" already exists`, { kind, id });
}

/**
 * A character a reader can see: not a control or format character (U+200B
 * zero width space, U+200D joiner, U+2060, U+FEFF, bidi marks, tags), not
 * whitespace, not a combining mark standing alone, not private or unassigned,
 * and not one of the blank fillers (Hangul fillers U+115F, U+1160, U+3164,
 * U+FFA0; the blank braille pattern U+2800).
 */
const VISIBLE = /[^\p{Cc}\p{Cf}\p{Z}\p{M}\p{Cn}\p{Co}\p{Cs}\u115F\u1160\u3164\uFFA0\u2800]/u;

/** the text trimmed, or undefined when it holds nothing a reader can see */
export function meaningful(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  return VISIBLE.test(t) ? t : undefined;
}

/** a reason someone can read: made only of spaces or invisible characters, it is no reason */
export function requireReason(reason: string | undefined, what: string): string {
  const r = meaningful(reason);
  if (r === undefined) throw new ConcordError('REASON_REQUIRED', `${what} needs a reason (one a reader can see)`);
  return r;
}

/** the actor's agency must exist, and a named person must belong to it */
export function checkActor(world: World, actor: Actor): void {
  if (world.agencies[actor.agency] === undefined) throw unknown('agency', actor.agency);
  if (actor.person !== undefined) {
    const p = getPerson(world, actor.person);
    if (p.agency !== actor.agency) {
      throw new ConcordError('NOT_AUTHORISED', `person ${p.id} belongs to ${p.agency}, not to ${actor.agency}`);
    }
  }
}

export function requireActorAgency(actor: Actor, agency: string, what: string): void {
  if (actor.agency !== agency) {
    throw new ConcordError('NOT_AUTHORISED', `${what} is for ${agency} to do; ${describeActor(actor)} is not of ${agency}`);
  }
}

/**
 * What happens in the field (a status, a position, a message) is said by a
 * device or a person of the agency, not by its administration, which keeps
 * the organisation.
 */
export function requireFieldActor(actor: Actor, what: string): void {
  if (actor.person === undefined && actor.device === undefined) {
    throw new ConcordError('NOT_AUTHORISED', `${what} comes from a device or a person of ${actor.agency}, not from its administration`);
  }
}

export function requirePersonActor(actor: Actor, what: string): string {
  if (actor.person === undefined) {
    throw new ConcordError('NOT_AUTHORISED', `${what} needs a person as actor; ${describeActor(actor)} names none`);
  }
  return actor.person;
}

/**
 * Find the authority a decision rests on. With `named`, the actor must hold it
 * and it must cover the decision; without, the first authority the actor holds
 * that covers it. `refusal` is the code used when the actor holds authority
 * but none that covers this (NOT_IN_CHAIN_OF_COMMAND for orders).
 */
export function requireAuthority(
  world: World,
  actor: Actor,
  now: string,
  named: Authority | undefined,
  covers: (a: Authority) => boolean,
  what: string,
  refusal: 'NOT_AUTHORISED' | 'NOT_IN_CHAIN_OF_COMMAND' = 'NOT_AUTHORISED',
): Authority {
  const person = requirePersonActor(actor, what);
  const held = heldAuthorities(world, person, now);
  if (named !== undefined) {
    if (!held.some((h) => sameAuthority(h, named))) {
      throw new ConcordError('NOT_AUTHORISED', `${person} does not hold ${describeAuthority(named)} at ${now}`);
    }
    if (!covers(named)) throw new ConcordError(refusal, `${describeAuthority(named)} does not cover ${what}`);
    return named;
  }
  if (held.length === 0) {
    throw new ConcordError('NOT_AUTHORISED', `${person} holds no position or command role at ${now}, needed for ${what}`);
  }
  const found = held.find(covers);
  if (found === undefined) {
    const list = held.map(describeAuthority).join(', ');
    throw new ConcordError(refusal, `no authority of ${person} (${list}) covers ${what}`);
  }
  return found;
}

/**
 * The authority a change to `agency`'s own organisation rests on (its
 * positions, people, units, delegations, its liaison on an incident): the
 * agency's administration when the agency acts as itself, else a position or
 * delegation of the acting person that `covers` the change. Devices, and
 * anyone of another agency, change nothing.
 */
export function requireAgencyAuthority(
  world: World,
  actor: Actor,
  agency: string,
  now: string,
  named: Authority | undefined,
  covers: (a: Authority) => boolean,
  what: string,
): Authority {
  if (actor.agency !== agency) {
    throw new ConcordError('NOT_AUTHORISED', `${what} is for ${agency} to do; ${describeActor(actor)} is not of ${agency}`);
  }
  if (actor.person === undefined) {
    if (actor.device !== undefined) {
      throw new ConcordError(
        'NOT_AUTHORISED',
        `${what}: a device (${actor.device}) does not change ${agency}'s organisation; a person with authority over it, or ${agency}'s administration, does`,
      );
    }
    const administration: Authority = { kind: 'agency_administration', agency };
    if (named !== undefined && !sameAuthority(named, administration)) {
      throw new ConcordError('NOT_AUTHORISED', `the administration of ${agency} acts on its own authority, not on ${describeAuthority(named)}`);
    }
    return administration;
  }
  return requireAuthority(world, actor, now, named, covers, what);
}

/**
 * A prohibited verdict stops `what` (e.g. "request r-1 cannot be accepted"):
 * VERDICT_PROHIBITED naming the protocols, their version and the clauses
 * (with their citations) that prohibit it.
 */
export function requireNotProhibited(v: Verdict, what: string): void {
  if (v.decision !== 'prohibited') return;
  const clauses = v.clauses.map((c) => c.id + (c.cite !== undefined ? ` [${c.cite}]` : '')).join(', ');
  throw new ConcordError(
    'VERDICT_PROHIBITED',
    `${what}: ${v.agency}'s protocols (${v.policyVersion}) prohibit it${clauses === '' ? '' : ` under ${clauses}`}`,
    { clauses: v.clauses.map((c) => c.id), policyVersion: v.policyVersion, verdict: v },
  );
}
