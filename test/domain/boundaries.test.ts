/**
 * Agency boundaries (src/domain/boundaries.ts), over the demo's ledger built
 * in memory from scenarios/demo.yaml:
 * - the matrix: for every entry and every demo role, whether the role may
 *   read it, against a table written by hand from the rules in
 *   docs/boundaries.md (not computed by the code under test);
 * - entries that are not domain events (notes, messages);
 * - zero leaks: an entry internal to one agency reaches no caller of
 *   another, by a classifier written apart from the rules;
 * - an entry's audience is the same from the world just before it and just
 *   after it;
 * - a property: for random callers and random entries, whatever a
 *   non-reviewer may read is its own agency's act or names its agency, its
 *   people or its units (directly or through the request, order, conflict or
 *   notification it is about), or is the picture of an incident it takes
 *   part in.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { audienceOf, mayRead, mayWrite, memberCaller, type Caller, type LedgerEntryLike } from '../../src/domain/boundaries.ts';
import { EVENT_TYPES, type DomainEvent } from '../../src/domain/events.ts';
import type { World } from '../../src/domain/world.ts';
import { demoLedger, type DemoLedger } from '../helpers/demo-ledger.ts';

/** the demo's roles: S fed-ice supervisor, L fed-ice liaison, D city-pd dispatcher, W watch commander, P chief of patrol, R reviewer; O a member of an agency in none of it */
const ROLES: Readonly<Record<string, Caller>> = {
  S: { agency: 'fed-ice', person: 'ice-santos', role: 'member' },
  L: { agency: 'fed-ice', person: 'ice-whitfield', role: 'member' },
  // city-pd's dispatcher: a person the demo's timeline does not name, holding no position in it
  D: { agency: 'city-pd', person: 'cpd-reyes', role: 'member' },
  W: { agency: 'city-pd', person: 'cpd-chen', role: 'member' },
  P: { agency: 'city-pd', person: 'cpd-harris', role: 'member' },
  R: { agency: 'review-board', person: 'rb-ig', role: 'reviewer' },
  O: { agency: 'county-so', person: 'cso-ray', role: 'member' },
};
const ROLE_KEYS = Object.keys(ROLES);

/**
 * Who may read each entry of the demo's ledger, written from docs/boundaries.md:
 * [index, type, what it is about, the roles that may read it]. The first 39
 * entries are each agency's organisation and, until city-pd is sent a request,
 * fed-ice's own incident; then the two share the requests, the picture, the
 * notices between them and the conflicts; city-pd keeps its withdrawal order
 * (to its own units), its acknowledgements and its internal notices.
 */
const DEMO: readonly (readonly [number, string, string, string])[] = [
  [0, 'agency.registered', 'city-pd', 'DWP R'],
  [1, 'position.established', 'city-pd.superintendent', 'DWP R'],
  [2, 'position.established', 'city-pd.chief-of-patrol', 'DWP R'],
  [3, 'position.established', 'city-pd.district-commander', 'DWP R'],
  [4, 'position.established', 'city-pd.watch-commander', 'DWP R'],
  [5, 'position.established', 'city-pd.sergeant-1231', 'DWP R'],
  [6, 'person.registered', 'cpd-alvarez', 'DWP R'],
  [7, 'person.appointed', 'cpd-alvarez', 'DWP R'],
  [8, 'person.registered', 'cpd-harris', 'DWP R'],
  [9, 'person.appointed', 'cpd-harris', 'DWP R'],
  [10, 'person.registered', 'cpd-okafor', 'DWP R'],
  [11, 'person.appointed', 'cpd-okafor', 'DWP R'],
  [12, 'person.registered', 'cpd-chen', 'DWP R'],
  [13, 'person.appointed', 'cpd-chen', 'DWP R'],
  [14, 'person.registered', 'cpd-novak', 'DWP R'],
  [15, 'person.appointed', 'cpd-novak', 'DWP R'],
  [16, 'person.registered', 'cpd-ortiz', 'DWP R'],
  [17, 'person.registered', 'cpd-king', 'DWP R'],
  [18, 'person.registered', 'cpd-patel', 'DWP R'],
  [19, 'person.registered', 'cpd-reyes', 'DWP R'],
  [20, 'unit.registered', 'cpd-1231', 'DWP R'],
  [21, 'unit.registered', 'cpd-1232', 'DWP R'],
  [22, 'unit.registered', 'cpd-1233', 'DWP R'],
  [23, 'agency.registered', 'fed-ice', 'SL R'],
  [24, 'position.established', 'fed-ice.field-office-director', 'SL R'],
  [25, 'position.established', 'fed-ice.supervisory-officer', 'SL R'],
  [26, 'position.established', 'fed-ice.team-leader', 'SL R'],
  [27, 'person.registered', 'ice-brennan', 'SL R'],
  [28, 'person.appointed', 'ice-brennan', 'SL R'],
  [29, 'person.registered', 'ice-santos', 'SL R'],
  [30, 'person.appointed', 'ice-santos', 'SL R'],
  [31, 'person.registered', 'ice-whitfield', 'SL R'],
  [32, 'person.appointed', 'ice-whitfield', 'SL R'],
  [33, 'unit.registered', 'ice-fot3', 'SL R'],
  [34, 'agency.registered', 'review-board', 'R'],
  [35, 'person.registered', 'rb-ig', 'R'],
  [36, 'incident.opened', 'inc-2026-0601-harrison', 'SL R'],
  [37, 'incident.unit_assigned', 'ice-fot3', 'SL R'],
  [38, 'incident.liaison_designated', 'ice-whitfield', 'SL R'],
  [39, 'request.sent', 'req-001', 'SLDWP R'],
  [40, 'notification.created', 'to city-pd/cpd-chen', 'SLDWP R'],
  [41, 'request.received', 'req-001', 'SLDWP R'],
  [42, 'request.evaluated', 'req-001', 'SLDWP R'],
  [43, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [44, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [45, 'request.accepted', 'req-001', 'SLDWP R'],
  [46, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [47, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [48, 'request.units_committed', 'req-001', 'SLDWP R'],
  [49, 'incident.unit_assigned', 'cpd-1231', 'SLDWP R'],
  [50, 'incident.unit_assigned', 'cpd-1232', 'SLDWP R'],
  [51, 'incident.unit_assigned', 'cpd-1233', 'SLDWP R'],
  [52, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [53, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [54, 'unit.status_changed', 'cpd-1231', 'SLDWP R'],
  [55, 'incident.liaison_designated', 'cpd-novak', 'SLDWP R'],
  [56, 'notification.created', 'to fed-ice', 'SLDWP R'],
  [57, 'incident.command_established', 'inc-2026-0601-harrison', 'SLDWP R'],
  [58, 'notification.created', 'to city-pd/cpd-chen', 'SLDWP R'],
  [59, 'notification.created', 'to fed-ice/ice-whitfield', 'SL R'],
  [60, 'notification.created', 'to city-pd/cpd-novak', 'SLDWP R'],
  [61, 'unit.positions_reported', 'inc-2026-0601-harrison', 'SLDWP R'],
  [62, 'message.sent', 'inc-2026-0601-harrison', 'SLDWP R'],
  [63, 'unit.status_changed', 'cpd-1231', 'SLDWP R'],
  [64, 'request.units_on_scene', 'req-001', 'SLDWP R'],
  [65, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [66, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [67, 'notification.created', 'to city-pd/cpd-chen', 'DWP R'],
  [68, 'order.issued', 'ord-000', 'SLDWP R'],
  [69, 'notification.created', 'to city-pd/cpd-novak', 'SLDWP R'],
  [70, 'request.sent', 'req-002', 'SLDWP R'],
  [71, 'notification.created', 'to city-pd/cpd-chen', 'SLDWP R'],
  [72, 'notification.created', 'to city-pd/cpd-novak', 'SLDWP R'],
  [73, 'request.received', 'req-002', 'SLDWP R'],
  [74, 'request.evaluated', 'req-002', 'SLDWP R'],
  [75, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [76, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [77, 'request.declined', 'req-002', 'SLDWP R'],
  [78, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [79, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [80, 'request.sent', 'req-003', 'SLDWP R'],
  [81, 'notification.created', 'to city-pd/cpd-chen', 'SLDWP R'],
  [82, 'notification.created', 'to city-pd/cpd-novak', 'SLDWP R'],
  [83, 'request.received', 'req-003', 'SLDWP R'],
  [84, 'request.evaluated', 'req-003', 'SLDWP R'],
  [85, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [86, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [87, 'request.sent', 'req-004', 'SLDWP R'],
  [88, 'notification.created', 'to city-pd/cpd-chen', 'SLDWP R'],
  [89, 'notification.created', 'to city-pd/cpd-novak', 'SLDWP R'],
  [90, 'request.received', 'req-004', 'SLDWP R'],
  [91, 'request.evaluated', 'req-004', 'SLDWP R'],
  [92, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [93, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [94, 'request.refused', 'req-004', 'SLDWP R'],
  [95, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [96, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [97, 'order.issued', 'ord-001', 'DWP R'],
  [98, 'request.units_withdrawn', 'req-001', 'SLDWP R'],
  [99, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [100, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [101, 'notification.created', 'to city-pd/cpd-chen', 'DWP R'],
  [102, 'incident.unit_released', 'cpd-1231', 'SLDWP R'],
  [103, 'incident.unit_released', 'cpd-1232', 'SLDWP R'],
  [104, 'incident.unit_released', 'cpd-1233', 'SLDWP R'],
  [105, 'order.conflict_detected', 'conflict:ord-000:ord-001:cpd-1231', 'SLDWP R'],
  [106, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [107, 'notification.created', 'to city-pd/cpd-chen', 'DWP R'],
  [108, 'notification.created', 'to city-pd/cpd-harris', 'DWP R'],
  [109, 'order.conflict_detected', 'conflict:ord-000:ord-001:cpd-1232', 'SLDWP R'],
  [110, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [111, 'notification.created', 'to city-pd/cpd-chen', 'DWP R'],
  [112, 'notification.created', 'to city-pd/cpd-harris', 'DWP R'],
  [113, 'order.conflict_detected', 'conflict:ord-000:ord-001:cpd-1233', 'SLDWP R'],
  [114, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [115, 'notification.created', 'to city-pd/cpd-chen', 'DWP R'],
  [116, 'notification.created', 'to city-pd/cpd-harris', 'DWP R'],
  [117, 'unit.status_changed', 'cpd-1231', 'DWP R'],
  [118, 'order.acknowledged', 'ord-001', 'DWP R'],
  [119, 'order.acknowledged', 'ord-001', 'DWP R'],
  [120, 'order.acknowledged', 'ord-001', 'DWP R'],
  [121, 'notification.delivered', 'notification-41', 'SLDWP R'],
  [122, 'notification.delivered', 'notification-42', 'SLDWP R'],
  [123, 'notification.delivered', 'notification-44', 'SLDWP R'],
  [124, 'notification.delivered', 'notification-47', 'SLDWP R'],
  [125, 'notification.delivered', 'notification-50', 'SLDWP R'],
  [126, 'notification.acknowledged', 'notification-42', 'SLDWP R'],
  [127, 'notification.acknowledged', 'notification-44', 'SLDWP R'],
  [128, 'notification.acknowledged', 'notification-47', 'SLDWP R'],
  [129, 'notification.acknowledged', 'notification-50', 'SLDWP R'],
  [130, 'notification.acknowledged', 'notification-41', 'SLDWP R'],
  [131, 'conflict.resolved', 'conflict:ord-000:ord-001:cpd-1231', 'SLDWP R'],
  [132, 'notification.created', 'to city-pd/cpd-harris', 'SLDWP R'],
  [133, 'conflict.resolved', 'conflict:ord-000:ord-001:cpd-1232', 'SLDWP R'],
  [134, 'notification.created', 'to city-pd/cpd-harris', 'SLDWP R'],
  [135, 'conflict.resolved', 'conflict:ord-000:ord-001:cpd-1233', 'SLDWP R'],
  [136, 'notification.created', 'to city-pd/cpd-harris', 'SLDWP R'],
  [137, 'request.escalated', 'req-003', 'SLDWP R'],
  [138, 'notification.created', 'to city-pd/cpd-okafor', 'DWP R'],
  [139, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [140, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [141, 'request.escalated', 'req-003', 'SLDWP R'],
  [142, 'notification.created', 'to city-pd/cpd-harris', 'DWP R'],
  [143, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [144, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [145, 'request.declined', 'req-003', 'SLDWP R'],
  [146, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [147, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
  [148, 'notification.created', 'to city-pd/cpd-chen', 'DWP R'],
  [149, 'request.closed', 'req-001', 'SLDWP R'],
  [150, 'notification.created', 'to fed-ice/ice-whitfield', 'SLDWP R'],
  [151, 'notification.created', 'to fed-ice/ice-santos', 'SLDWP R'],
];

const KEYS = ['conflict', 'notification', 'unit', 'request', 'order', 'person', 'position', 'agency', 'appointment', 'delegation'];

function about(e: DomainEvent): string {
  const b = e.body as Record<string, unknown>;
  if (e.type === 'notification.created') return `to ${e.body.recipient.agency}${e.body.recipient.person ? `/${e.body.recipient.person}` : ''}`;
  return (KEYS.map((k) => b[k]).find((v) => typeof v === 'string') as string | undefined) ?? e.incident ?? '';
}

function readers(entry: DomainEvent | LedgerEntryLike, world: World): string {
  const a = audienceOf(entry, world);
  const may = ROLE_KEYS.filter((k) => mayRead(ROLES[k] as Caller, a));
  return `${may.filter((k) => k !== 'R').join('')} ${may.includes('R') ? 'R' : ''}`.trim();
}

/**
 * Independent of the rules: the agencies an entry's contents name. Every
 * string in the body that is an id of the world is resolved to the agencies
 * it belongs to (a person, unit or position to its agency; a request to its
 * two sides; an order to its issuer and recipients; a notification to its
 * sender and recipient; a conflict to its unit, its orders and the incident's
 * command). An incident counts only for the incident's own entries (its
 * picture), as every agency taking part.
 */
function named(entry: LedgerEntryLike, world: World): { agencies: Set<string>; strings: Set<string> } {
  const strings = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') strings.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(entry.body);
  const picture = entry.type.startsWith('incident.') || (entry.type === 'delegation.granted' && strings.has('incident_command'));
  if (picture && entry.incident !== undefined) strings.add(entry.incident);
  // a unit's status and position are part of the picture of the incident the unit is on
  const unitPicture = entry.type === 'unit.status_changed' || entry.type === 'unit.positions_reported';
  if (entry.type === 'delegation.revoked') {
    const d = world.delegations[(entry.body as { delegation: string }).delegation];
    if (d?.scope.kind === 'incident_command') strings.add(d.scope.incident);
  }
  const agencies = new Set<string>();
  const orderAgencies = (id: string): string[] => {
    const o = world.orders[id];
    return o === undefined ? [] : [o.issuer.agency, ...o.units.map((u) => world.units[u]?.agency ?? ''), ...o.people.map((p) => world.people[p]?.agency ?? '')];
  };
  for (const s of strings) {
    const found: (string | undefined)[] = [];
    if (world.agencies[s] !== undefined) found.push(s);
    found.push(world.people[s]?.agency, world.units[s]?.agency, world.positions[s]?.agency);
    const ap = world.appointments[s];
    if (ap) found.push(world.people[ap.person]?.agency);
    const d = world.delegations[s];
    if (d) found.push(world.people[d.to]?.agency, world.people[d.grantor]?.agency);
    const r = world.requests[s];
    if (r) found.push(r.from, r.to);
    found.push(...orderAgencies(s));
    const n = world.notifications[s];
    if (n) found.push(n.recipient.agency, n.createdBy.agency);
    const c = world.conflicts[s];
    if (c) {
      found.push(world.units[c.unit]?.agency, ...c.orders.flatMap(orderAgencies));
      const cmd = c.incident === undefined ? undefined : world.incidents[c.incident]?.command?.structure;
      if (cmd) found.push(...(cmd.kind === 'single' ? [cmd.commander.agency] : cmd.members.map((m) => m.agency)));
    }
    if (picture && world.incidents[s]) found.push(...(world.incidents[s]?.agencies ?? []));
    const on = unitPicture ? world.units[s]?.assignment : undefined;
    if (on !== undefined) found.push(...(world.incidents[on.incident]?.agencies ?? []));
    for (const a of found) if (a !== undefined && a !== '') agencies.add(a);
  }
  return { agencies, strings };
}

/**
 * Independent of the rules, for the zero-leak check: the one agency an entry
 * belongs to, if it belongs to one. Its actor's agency, and the agency of
 * every agency, person, unit, position, appointment or delegation its body
 * names; for an entry about a request, order, conflict or notification (its
 * subject), that record's two sides too. What a notice is about (the request
 * or order it mentions) does not make it shared: a notice is between its
 * sender and its recipient. The picture of an incident is shared by design
 * and belongs to no one agency.
 */
function internalTo(entry: DomainEvent, world: World): string | undefined {
  // the incident's own entries, and the status and positions of the units on it, are its shared picture
  if (entry.type.startsWith('incident.')) return undefined;
  if ((entry.type === 'unit.status_changed' || entry.type === 'unit.positions_reported') && entry.incident !== undefined) return undefined;
  const agencies = new Set<string>([entry.actor.agency]);
  const add = (...xs: (string | undefined)[]): void => xs.forEach((x) => x !== undefined && agencies.add(x));
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (world.agencies[v] !== undefined) add(v);
      add(world.people[v]?.agency, world.units[v]?.agency, world.positions[v]?.agency);
      const ap = world.appointments[v];
      if (ap) add(world.people[ap.person]?.agency);
      const d = world.delegations[v];
      if (d) add(world.people[d.to]?.agency, world.people[d.grantor]?.agency);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
  };
  walk(entry.body);
  const b = entry.body as { request?: string; order?: string; orders?: string[]; conflict?: string; notification?: string };
  const orderSides = (id: string): void => {
    const o = world.orders[id];
    if (o) add(o.issuer.agency, ...o.units.map((u) => world.units[u]?.agency), ...o.people.map((p) => world.people[p]?.agency));
  };
  if (entry.type.startsWith('request.') && b.request) add(world.requests[b.request]?.from, world.requests[b.request]?.to);
  if (entry.type.startsWith('order.') && b.order) orderSides(b.order);
  if (entry.type === 'order.conflict_detected' || entry.type === 'conflict.resolved') {
    const c = b.conflict === undefined ? undefined : world.conflicts[b.conflict];
    c?.orders.forEach(orderSides);
  }
  if (entry.type !== 'notification.created' && entry.type.startsWith('notification.') && b.notification) {
    const n = world.notifications[b.notification];
    add(n?.recipient.agency, n?.createdBy.agency);
  }
  return agencies.size === 1 ? [...agencies][0] : undefined;
}

let demo: DemoLedger;
before(async () => {
  demo = await demoLedger();
});

describe('agency boundaries over the demo ledger', () => {
  it('the matrix: who may read each entry, for every demo role', () => {
    assert.equal(demo.recorded.length, DEMO.length, 'the demo ledger changed: write its new entries into the table');
    const mismatches: string[] = [];
    demo.recorded.forEach(({ event, meta }, i) => {
      const [index, type, what, expected] = DEMO[i] as (typeof DEMO)[number];
      assert.deepEqual([meta.index, event.type, about(event)], [index, type, what], `entry ${i} is not the one the table describes`);
      const actual = readers(event, demo.worlds[i] as World);
      if (actual !== expected) mismatches.push(`${index} ${type} ${what}: read by "${actual}", expected "${expected}"`);
    });
    assert.deepEqual(mismatches, []);
  });

  it('notes are their agency’s own; messages reach their recipients', () => {
    const chen = { agency: 'city-pd', person: 'cpd-chen' };
    const santos = { agency: 'fed-ice', person: 'ice-santos' };
    const incident = 'inc-2026-0601-harrison';
    const cases: readonly [string, LedgerEntryLike, string][] = [
      ['a note by fed-ice', { type: 'note.recorded', actor: santos, incident, body: { text: 'crowd growing' } }, 'SL R'],
      ['a radio call by city-pd’s system', { type: 'radio.call', actor: { agency: 'city-pd', device: 'cad' }, incident, body: { talkgroup: '12' } }, 'DWP R'],
      [
        'a message from city-pd to fed-ice',
        { type: 'message.sent', actor: chen, incident, body: { message: 'm1', text: 'staging at Polk', agencies: ['fed-ice'], people: [] } },
        'SLDWP R',
      ],
      [
        'a message from city-pd to the fed-ice liaison only',
        { type: 'message.sent', actor: chen, incident, body: { message: 'm2', text: 'call me', agencies: [], people: ['ice-whitfield'] } },
        'LDWP R',
      ],
      [
        'a message from fed-ice to the chief of patrol only',
        { type: 'message.sent', actor: santos, incident, body: { message: 'm3', text: 'why?', agencies: [], people: ['cpd-harris'] } },
        'SLP R',
      ],
      [
        'a message from fed-ice to an agency outside the incident',
        { type: 'message.sent', actor: santos, incident, body: { message: 'm4', text: 'hello', agencies: ['county-so'], people: [] } },
        'SLO R',
      ],
    ];
    for (const [what, entry, expected] of cases) assert.equal(readers(entry, demo.final), expected, what);
  });

  it('zero leaks: an entry internal to one agency reaches no member of another', () => {
    let internal = 0;
    demo.recorded.forEach(({ event }, i) => {
      const owner = internalTo(event, demo.worlds[i + 1] as World);
      if (owner === undefined) return;
      internal++;
      const a = audienceOf(event, demo.worlds[i] as World);
      for (const [k, caller] of Object.entries(ROLES)) {
        if (caller.role === 'member' && caller.agency !== owner)
          assert.ok(!mayRead(caller, a), `entry ${i} (${event.type}), internal to ${owner}, reaches ${k}`);
      }
    });
    // both agencies' organisation (33), city-pd's withdrawal order and its acknowledgements (4), the notices each sends its own people (12)
    assert.equal(internal, 53);
  });

  it('an entry’s audience is the same from the world just before it and just after it', () => {
    demo.recorded.forEach(({ event }, i) => {
      assert.deepEqual(audienceOf(event, demo.worlds[i + 1] as World), audienceOf(event, demo.worlds[i] as World), `entry ${i} (${event.type})`);
    });
  });

  it('… and from the world after the whole command that wrote it (what the service’s listeners see)', () => {
    // the entries of one command share their receive time; so may two commands at the same second, which only makes this stricter
    const last = new Map<string, number>();
    demo.recorded.forEach(({ meta }, i) => last.set(meta.received, i));
    demo.recorded.forEach(({ event, meta }, i) => {
      const afterCommand = demo.worlds[(last.get(meta.received) as number) + 1] as World;
      assert.deepEqual(audienceOf(event, afterCommand), audienceOf(event, demo.worlds[i] as World), `entry ${i} (${event.type})`);
    });
  });

  it('a reviewer reads every entry and may write nothing; a member may write', () => {
    const reviewer = ROLES.R as Caller;
    for (const { event } of demo.recorded) assert.ok(mayRead(reviewer, audienceOf(event, demo.final)));
    assert.equal(mayWrite(reviewer), false);
    assert.equal(mayWrite(ROLES.W as Caller), true);
  });

  it('memberCaller gives a person the positions the world says they hold', () => {
    assert.deepEqual(memberCaller(demo.final, 'city-pd', 'cpd-chen', '2026-06-01T21:00:00.000Z'), {
      agency: 'city-pd',
      person: 'cpd-chen',
      positions: ['city-pd.watch-commander'],
      role: 'member',
    });
    assert.deepEqual(memberCaller(demo.final, 'city-pd', undefined, '2026-06-01T21:00:00.000Z'), { agency: 'city-pd', role: 'member' });
  });

  it('fails closed: what the world does not hold adds no reader', () => {
    const chen = { agency: 'city-pd', person: 'cpd-chen' };
    const cases: readonly [string, DomainEvent][] = [
      [
        'a step of a request not on record',
        { type: 'request.accepted', actor: chen, body: { request: 'req-999', reason: 'r', authority: { kind: 'agency_administration', agency: 'city-pd' } } },
      ],
      ['an order to a unit not on record', { type: 'order.acknowledged', actor: chen, body: { order: 'ord-999', recipient: { kind: 'unit', id: 'u-9' } } }],
      ['the delivery of a notification not on record', { type: 'notification.delivered', actor: chen, body: { notification: 'n-999' } }],
      [
        'a unit assigned to an incident not on record',
        {
          type: 'incident.unit_assigned',
          actor: chen,
          incident: 'inc-999',
          body: { unit: 'u-9', authority: { kind: 'agency_administration', agency: 'city-pd' } },
        },
      ],
    ];
    for (const [what, e] of cases) assert.equal(readers(e, demo.final), 'DWP R', what);
  });

  it('every domain event type has a row in docs/boundaries.md', () => {
    const doc = readFileSync('docs/boundaries.md', 'utf8');
    const missing = EVENT_TYPES.filter((t) => !doc.includes(`| \`${t}\``));
    assert.deepEqual(missing, []);
  });
});

describe('property: a member reads only what is its own or names it', () => {
  const AGENCIES = ['fed-ice', 'city-pd', 'county-so', 'review-board'];
  const PEOPLE = ['ice-santos', 'ice-whitfield', 'ice-brennan', 'cpd-chen', 'cpd-harris', 'cpd-novak', 'cpd-ortiz', 'cso-ray', 'stranger'];
  const UNITS = ['cpd-1231', 'cpd-1232', 'cpd-1233', 'ice-fot3', 'no-such-unit'];
  const INCIDENT = 'inc-2026-0601-harrison';

  const actor = fc
    .record({ agency: fc.constantFrom(...AGENCIES), person: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }) })
    .map((a) => (a.person === undefined ? { agency: a.agency } : { agency: a.agency, person: a.person }));
  const recipient = fc
    .record({ agency: fc.constantFrom(...AGENCIES), person: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }) })
    .map((r) => (r.person === undefined ? { agency: r.agency } : { agency: r.agency, person: r.person }));
  const caller: fc.Arbitrary<Caller> = fc
    .record({ agency: fc.constantFrom(...AGENCIES), person: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }), reviewer: fc.boolean() })
    .map((c) => ({ agency: c.agency, ...(c.person === undefined ? {} : { person: c.person }), role: c.reviewer ? 'reviewer' : 'member' }));

  /** entries beyond the demo's: messages, notes, and domain events with random parties, read against the demo's final world */
  const extra: fc.Arbitrary<LedgerEntryLike> = fc.oneof(
    fc.record({
      type: fc.constant('message.sent'),
      actor,
      incident: fc.constant(INCIDENT),
      body: fc.record({ message: fc.constant('m-x'), text: fc.constant('t'), agencies: fc.subarray(AGENCIES), people: fc.subarray(PEOPLE) }),
    }),
    fc.record({ type: fc.constantFrom('note.recorded', 'radio.call'), actor, body: fc.record({ text: fc.constantFrom(...PEOPLE, ...AGENCIES) }) }),
    fc.record({
      type: fc.constant('notification.created'),
      actor,
      incident: fc.constant(INCIDENT),
      body: fc.record({ notification: fc.constant('n-x'), recipient, topic: fc.constant('order.issued'), message: fc.constant('m'), urgent: fc.boolean() }),
    }),
    fc.record({
      type: fc.constant('order.issued'),
      actor,
      incident: fc.constant(INCIDENT),
      body: fc.record({
        order: fc.constant('ord-x'),
        authority: fc.constant({ kind: 'incident_commander', incident: INCIDENT }),
        directive: fc.constant('hold'),
        rationale: fc.constant('r'),
        units: fc.subarray(UNITS),
        people: fc.subarray(PEOPLE),
        supersedes: fc.constant([]),
        verdicts: fc.constant([]),
        approvals: fc.constant([]),
      }),
    }),
    fc.record({
      type: fc.constantFrom('request.accepted', 'request.escalated', 'request.units_withdrawn'),
      actor,
      incident: fc.constant(INCIDENT),
      body: fc.record({ request: fc.constantFrom('req-001', 'req-004', 'req-999') }),
    }),
    fc.record({
      type: fc.constant('incident.liaison_designated'),
      actor,
      incident: fc.constant(INCIDENT),
      body: fc.record({ agency: fc.constantFrom(...AGENCIES), person: fc.constantFrom(...PEOPLE) }),
    }),
    fc.record({
      type: fc.constant('conflict.resolved'),
      actor,
      incident: fc.constant(INCIDENT),
      body: fc.record({ conflict: fc.constant('conflict:ord-000:ord-001:cpd-1232') }),
    }),
  );

  it('for random callers and entries, what a member may read is its own, names it, or is the picture of its incident', () => {
    const entry = fc.oneof(
      fc.nat({ max: 1000 }).map((n) => ({ demoIndex: n % demo.recorded.length })),
      extra.map((e) => ({ extra: e })),
    );
    fc.assert(
      fc.property(caller, entry, (c, pick) => {
        const [e, before, after] =
          'demoIndex' in pick
            ? [demo.recorded[pick.demoIndex]?.event as DomainEvent, demo.worlds[pick.demoIndex] as World, demo.worlds[pick.demoIndex + 1] as World]
            : [pick.extra, demo.final, demo.final];
        const may = mayRead(c, audienceOf(e, before));
        if (c.role === 'reviewer') return may;
        if (!may) return true;
        if (e.actor.agency === c.agency) return true;
        const { agencies, strings } = named(e, after);
        return agencies.has(c.agency) || strings.has(c.agency) || (c.person !== undefined && strings.has(c.person));
      }),
      { numRuns: 3000 },
    );
  });
});
