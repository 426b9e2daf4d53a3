/**
 * Who knew what when: for a person, a unit or an agency and a moment, the
 * facts that had reached them by then (and been acknowledged by them), and
 * those addressed to them that had not; for a period, the first moment each
 * fact reached them.
 *
 * "Reached" means what the record can prove, never what a sender says:
 * - a notification reached its recipient when its recipient's side
 *   confirmed delivery (`notification.delivered`, which only the recipient's
 *   node, console or device may record, notifications.ts) or acknowledged it;
 * - an order reached a unit or person when they acknowledged it (the only
 *   receipt the record holds for an order);
 * - a request reached the receiving agency when it was recorded as received;
 * - a message has no receipt: it is on its addressees' picture from the
 *   moment it is recorded, and is marked `receipt: false`.
 *
 * Pure, over the world as it stands (its records keep the receive time of
 * every step, so the state at any earlier moment is read from them without
 * folding the ledger again) and over the agency boundaries: every fact is
 * one the caller may read (boundaries.ts), or it is left out.
 */
import { ConcordError } from '../errors.ts';
import { mayRead, messageAudienceOf, notificationAudienceOf, orderAudienceOf, requestAudienceOf, type Caller } from '../domain/boundaries.ts';
import { holdersOf } from '../domain/command.ts';
import type { Actor } from '../domain/values.ts';
import type { Notification, Order, World } from '../domain/world.ts';

export type Subject = { readonly kind: 'person' | 'unit' | 'agency'; readonly id: string };

/** how a fact was addressed to the subject */
export type Via = 'person' | 'position' | 'agency' | 'unit' | 'member of unit';

export type FactKind = 'notification' | 'order' | 'request' | 'message';

export type FactState = 'undelivered' | 'delivered' | 'acknowledged';

export interface Fact {
  readonly kind: FactKind;
  /** the record's id: the notification, order, request or message */
  readonly id: string;
  /** the event it tells of ("order.issued", "request.units_withdrawn"...) */
  readonly topic: string;
  /** what it says, as its sender wrote it */
  readonly summary: string;
  readonly via: Via;
  /** the records it concerns */
  readonly about: { readonly request?: string; readonly order?: string; readonly conflict?: string; readonly units?: readonly string[] };
  /** the entry that recorded it, and when */
  readonly index: number;
  readonly sentAt: string;
  /** its state at the moment asked about */
  readonly state: FactState;
  readonly deliveredAt?: string;
  readonly acknowledgedAt?: string;
  readonly acknowledgedBy?: Actor;
  /** false for a message: the record holds no receipt for it */
  readonly receipt: boolean;
  readonly urgent?: boolean;
}

export interface KnewAt {
  readonly subject: Subject;
  readonly at: string;
  /** reached the subject by `at` (delivered or acknowledged), in the order they reached it */
  readonly known: readonly Fact[];
  /** of those, the ones acknowledged by `at` */
  readonly acknowledged: readonly Fact[];
  /** addressed to the subject by `at` but not delivered by then */
  readonly undelivered: readonly Fact[];
  /** delivered by `at` and not acknowledged by then (messages, which have no acknowledgement, are not listed) */
  readonly unacknowledged: readonly Fact[];
}

export interface FirstReached {
  /** what the fact is about: the order, request, conflict or message (else the notification itself) */
  readonly key: string;
  readonly at: string;
  /** the fact that brought it first */
  readonly fact: Fact;
}

export interface KnewDuring {
  readonly subject: Subject;
  readonly from: string;
  readonly until: string;
  readonly facts: readonly FirstReached[];
}

const t = (s: string): number => Date.parse(s);

function requireTime(s: string, field: string): number {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new ConcordError('BAD_INPUT', `${field} must be an RFC 3339 time (got ${s})`, { field });
  return ms;
}

/**
 * The subject, if the caller may ask about it: a reviewer about anyone; a
 * member about its own agency, its people and units, and about another
 * agency's only through the records shared with it (checked by the facts
 * found). Unknown and not shared answer alike.
 */
function requireSubject(world: World, caller: Caller, s: Subject): string {
  const owner = s.kind === 'agency' ? world.agencies[s.id]?.id : s.kind === 'person' ? world.people[s.id]?.agency : world.units[s.id]?.agency;
  if (owner === undefined)
    throw new ConcordError('UNKNOWN_ENTITY', `${s.kind} ${s.id} does not exist or is not shared with ${caller.agency}`, { kind: s.kind, id: s.id });
  return owner;
}

/** the ways a notification is addressed to the subject */
function notificationVia(world: World, n: Notification, s: Subject, owner: string): Via | undefined {
  if (n.recipient.agency !== owner) return undefined;
  if (s.kind === 'agency') return 'agency';
  if (s.kind === 'person') {
    if (n.recipient.person === s.id) return 'person';
    if (n.recipient.person === undefined && n.position !== undefined && holdersOf(world, n.position, n.createdAt).includes(s.id)) return 'position';
    return undefined;
  }
  const members = world.units[s.id]?.members ?? [];
  return n.recipient.person !== undefined && members.includes(n.recipient.person) ? 'member of unit' : undefined;
}

function stateAt(at: number, deliveredAt: string | undefined, acknowledgedAt: string | undefined): FactState {
  if (acknowledgedAt !== undefined && t(acknowledgedAt) <= at) return 'acknowledged';
  if (deliveredAt !== undefined && t(deliveredAt) <= at) return 'delivered';
  return 'undelivered';
}

function notificationFact(n: Notification, via: Via, at: number): Fact {
  const state = stateAt(at, n.deliveredAt, n.acknowledgedAt);
  return {
    kind: 'notification',
    id: n.id,
    topic: n.topic,
    summary: n.reason !== undefined ? `${n.message} Reason: ${n.reason}` : n.message,
    via,
    about: {
      ...(n.request !== undefined ? { request: n.request } : {}),
      ...(n.order !== undefined ? { order: n.order } : {}),
      ...(n.conflict !== undefined ? { conflict: n.conflict } : {}),
      ...(n.units !== undefined ? { units: n.units } : {}),
    },
    index: n.index,
    sentAt: n.createdAt,
    state,
    ...(state !== 'undelivered' && n.deliveredAt !== undefined ? { deliveredAt: n.deliveredAt } : {}),
    ...(state === 'acknowledged' && n.acknowledgedAt !== undefined ? { acknowledgedAt: n.acknowledgedAt } : {}),
    ...(state === 'acknowledged' && n.acknowledgedBy !== undefined ? { acknowledgedBy: n.acknowledgedBy } : {}),
    receipt: true,
    urgent: n.urgent,
  };
}

/** the recipients of an order that stand for the subject, and how */
function orderVia(world: World, o: Order, s: Subject, owner: string): { via: Via; recipients: ReadonlySet<string> } | undefined {
  if (s.kind === 'unit') return o.units.includes(s.id) ? { via: 'unit', recipients: new Set([`unit:${s.id}`]) } : undefined;
  if (s.kind === 'person') {
    if (o.people.includes(s.id)) return { via: 'person', recipients: new Set([`person:${s.id}`]) };
    const units = o.units.filter((u) => world.units[u]?.members.includes(s.id));
    return units.length > 0 ? { via: 'member of unit', recipients: new Set(units.map((u) => `unit:${u}`)) } : undefined;
  }
  const recipients = new Set([
    ...o.units.filter((u) => world.units[u]?.agency === owner).map((u) => `unit:${u}`),
    ...o.people.filter((p) => world.people[p]?.agency === owner).map((p) => `person:${p}`),
  ]);
  return recipients.size > 0 ? { via: 'agency', recipients } : undefined;
}

function orderFact(o: Order, via: Via, recipients: ReadonlySet<string>, at: number): Fact {
  // the first acknowledgement by a recipient that stands for the subject: the order reached them then
  const ack = o.acks.filter((a) => recipients.has(`${a.recipient.kind}:${a.recipient.id}`)).sort((a, b) => t(a.at) - t(b.at))[0];
  const state = stateAt(at, ack?.at, ack?.at);
  return {
    kind: 'order',
    id: o.id,
    topic: 'order.issued',
    summary: `${o.directive}${o.target !== undefined ? ` ${o.target}` : ''}: ${o.rationale}`,
    via,
    about: { order: o.id, units: o.units },
    index: o.index,
    sentAt: o.issuedAt,
    state,
    ...(state === 'acknowledged' && ack !== undefined ? { deliveredAt: ack.at, acknowledgedAt: ack.at, acknowledgedBy: ack.by } : {}),
    receipt: true,
  };
}

/** every fact addressed to the subject and recorded by `at`, each as it stood then, that the caller may read */
export function factsFor(world: World, caller: Caller, subject: Subject, at: string): Fact[] {
  const atMs = requireTime(at, 'at');
  const owner = requireSubject(world, caller, subject);
  const out: Fact[] = [];
  for (const n of Object.values(world.notifications)) {
    if (t(n.createdAt) > atMs) continue;
    const via = notificationVia(world, n, subject, owner);
    if (via !== undefined && mayRead(caller, notificationAudienceOf(n))) out.push(notificationFact(n, via, atMs));
  }
  for (const o of Object.values(world.orders)) {
    if (t(o.issuedAt) > atMs) continue;
    const v = orderVia(world, o, subject, owner);
    if (v !== undefined && mayRead(caller, orderAudienceOf(world, o))) out.push(orderFact(o, v.via, v.recipients, atMs));
  }
  for (const m of Object.values(world.messages)) {
    if (t(m.sentAt) > atMs) continue;
    const via: Via | undefined =
      subject.kind === 'person' && m.people.includes(subject.id)
        ? 'person'
        : subject.kind === 'agency' && m.agencies.includes(subject.id)
          ? 'agency'
          : subject.kind === 'unit' && m.people.some((p) => world.units[subject.id]?.members.includes(p))
            ? 'member of unit'
            : undefined;
    if (via === undefined || !mayRead(caller, messageAudienceOf(m))) continue;
    out.push({
      kind: 'message',
      id: m.id,
      topic: 'message.sent',
      summary: m.text,
      via,
      about: {},
      index: m.index,
      sentAt: m.sentAt,
      state: 'delivered',
      deliveredAt: m.sentAt,
      receipt: false,
    });
  }
  if (subject.kind === 'agency') {
    for (const r of Object.values(world.requests)) {
      if (r.to !== subject.id || t(r.sentAt) > atMs || !mayRead(caller, requestAudienceOf(r))) continue;
      const received = r.log.find((s) => s.state === 'received');
      const state = received !== undefined && t(received.at) <= atMs ? 'delivered' : 'undelivered';
      out.push({
        kind: 'request',
        id: r.id,
        topic: 'request.sent',
        summary: `${r.category} (${r.urgency}) from ${r.from}: ${r.description}`,
        via: 'agency',
        about: { request: r.id },
        index: r.log[0]?.index ?? 0,
        sentAt: r.sentAt,
        state,
        ...(state === 'delivered' && received !== undefined ? { deliveredAt: received.at } : {}),
        receipt: true,
      });
    }
  }
  // a member asking about another agency's person, unit or agency learns of it only through what is shared with it
  if (caller.role !== 'reviewer' && owner !== caller.agency && out.length === 0) {
    throw new ConcordError('UNKNOWN_ENTITY', `${subject.kind} ${subject.id} does not exist or is not shared with ${caller.agency}`, {
      kind: subject.kind,
      id: subject.id,
    });
  }
  return out;
}

const reachedAt = (f: Fact): number => t(f.deliveredAt ?? f.sentAt);

/** what the subject knew at `at`: see the module comment for what counts as reaching them */
export function knewAt(world: World, caller: Caller, subject: Subject, at: string): KnewAt {
  const facts = factsFor(world, caller, subject, at);
  const known = facts.filter((f) => f.state !== 'undelivered').sort((a, b) => reachedAt(a) - reachedAt(b) || a.index - b.index);
  return {
    subject,
    at,
    known,
    acknowledged: known.filter((f) => f.state === 'acknowledged'),
    undelivered: facts.filter((f) => f.state === 'undelivered').sort((a, b) => a.index - b.index),
    unacknowledged: known.filter((f) => f.state === 'delivered' && f.receipt),
  };
}

function keyOf(f: Fact): string {
  if (f.kind !== 'notification') return `${f.kind}:${f.id}`;
  if (f.about.order !== undefined) return `order:${f.about.order}`;
  if (f.about.conflict !== undefined) return `conflict:${f.about.conflict}`;
  if (f.about.request !== undefined) return `request:${f.about.request}:${f.topic}`;
  return `notification:${f.id}`;
}

/** for a period [from, until]: the first moment each fact reached the subject, earliest first */
export function knewDuring(world: World, caller: Caller, subject: Subject, from: string, until: string): KnewDuring {
  const fromMs = requireTime(from, 'from');
  const untilMs = requireTime(until, 'until');
  if (fromMs > untilMs) throw new ConcordError('BAD_INPUT', `from (${from}) is after until (${until})`, { field: 'from' });
  const first = new Map<string, FirstReached>();
  for (const f of factsFor(world, caller, subject, until)) {
    if (f.state === 'undelivered') continue;
    const at = reachedAt(f);
    if (at < fromMs) continue;
    const key = keyOf(f);
    const seen = first.get(key);
    if (seen === undefined || at < t(seen.at)) first.set(key, { key, at: new Date(at).toISOString(), fact: f });
  }
  return { subject, from, until, facts: [...first.values()].sort((a, b) => t(a.at) - t(b.at) || a.fact.index - b.fact.index) };
}
