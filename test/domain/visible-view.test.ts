/**
 * Reads filtered by agency boundaries (src/domain/visible-view.ts), on the
 * demo's world built in memory from scenarios/demo.yaml: the incident view
 * as each demo role gets it (the shared picture whole, the rest cut to what
 * the role's agency is a party to), an agency outside the incident told
 * nothing, the view at an earlier moment, a third agency joining through a
 * request of its own, and the lists a route returns.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Caller } from '../../src/domain/boundaries.ts';
import { makeEvent } from '../../src/domain/events.ts';
import { incidentView, type IncidentView } from '../../src/domain/incident-view.ts';
import { applyEvent } from '../../src/domain/project.ts';
import {
  requireVisibleIncident,
  visibleIncidents,
  visibleIncidentView,
  visibleNotifications,
  visibleOrders,
  visibleRequests,
  visibleUnits,
} from '../../src/domain/visible-view.ts';
import type { World } from '../../src/domain/world.ts';
import { isConcordError } from '../../src/errors.ts';
import { demoLedger, type DemoLedger } from '../helpers/demo-ledger.ts';

const INC = 'inc-2026-0601-harrison';
const supervisor: Caller = { agency: 'fed-ice', person: 'ice-santos', role: 'member' };
const liaison: Caller = { agency: 'fed-ice', person: 'ice-whitfield', role: 'member' };
const watch: Caller = { agency: 'city-pd', person: 'cpd-chen', role: 'member' };
const chief: Caller = { agency: 'city-pd', person: 'cpd-harris', role: 'member' };
const reviewer: Caller = { agency: 'review-board', role: 'reviewer' };
const county: Caller = { agency: 'county-so', person: 'cso-ray', role: 'member' };

/** the notifications city-pd sends its own people in the demo: escalations, withdrawal and conflict notices, on-scene report */
const CITY_INTERNAL_NOTICES = 11;

let demo: DemoLedger;
let full: IncidentView;
before(async () => {
  demo = await demoLedger();
  full = incidentView(demo.final, INC);
});

function picture(v: IncidentView): unknown {
  return { incident: v.incident, command: v.command, agencies: v.agencies, liaisons: v.liaisons, units: v.units, asOf: v.asOf };
}

function hidden(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    return isConcordError(e, 'UNKNOWN_ENTITY') && /does not exist or is not shared/.test(e.message);
  }
}

/** the index of the first demo entry of this type (the world before it is demo.worlds[index]) */
function firstOf(type: string): number {
  const i = demo.recorded.findIndex((r) => r.event.type === type);
  assert.ok(i >= 0, type);
  return i;
}

describe('the incident view, filtered for each demo role', () => {
  it('keeps the shared picture whole for both agencies', () => {
    for (const c of [supervisor, liaison, watch, chief]) assert.deepEqual(picture(visibleIncidentView(full, c, demo.final)), picture(full));
  });

  it('fed-ice sees every request it sent, its order to the city units, the conflicts, and no city-pd internal notice', () => {
    const v = visibleIncidentView(full, supervisor, demo.final);
    assert.deepEqual(
      v.requests.map((r) => r.id),
      ['req-001', 'req-002', 'req-003', 'req-004'],
    );
    // ord-001 is city-pd's order to its own units: fed-ice learns of it from the notice and from req-001's withdrawal
    assert.deepEqual(
      v.orders.map((o) => o.id),
      ['ord-000'],
    );
    assert.equal(v.conflicts.length, 3);
    assert.equal(v.notifications.length, full.notifications.length - CITY_INTERNAL_NOTICES);
    assert.ok(v.notifications.every((n) => n.recipient.agency === 'fed-ice' || n.createdBy.agency === 'fed-ice'));
    // the withdrawal reaches the liaison with its reason, and req-001 shows it
    const notice = v.notifications.find((n) => n.topic === 'request.units_withdrawn' && n.recipient.person === 'ice-whitfield');
    assert.match(notice?.reason ?? '', /De-escalation per General Order 7\.03/);
    assert.equal(v.requests[0]?.withdrawals[0]?.order, 'ord-001');
    // the liaison reads what the supervisor reads: the boundary is the agency's
    assert.deepEqual(visibleIncidentView(full, liaison, demo.final), v);
  });

  it('city-pd sees both orders and every notice but the one fed-ice sent its own liaison', () => {
    const v = visibleIncidentView(full, chief, demo.final);
    assert.deepEqual(
      v.orders.map((o) => o.id),
      ['ord-000', 'ord-001'],
    );
    assert.equal(v.requests.length, 4);
    const missing = full.notifications.filter((n) => !v.notifications.includes(n));
    assert.deepEqual(
      missing.map((n) => [n.createdBy.agency, n.recipient.agency, n.recipient.person, n.topic]),
      [['fed-ice', 'fed-ice', 'ice-whitfield', 'incident.command_established']],
    );
  });

  it('a reviewer gets the whole view', () => {
    assert.deepEqual(visibleIncidentView(full, reviewer, demo.final), full);
  });

  it('an agency that takes no part is told the incident is not there, as for one that does not exist', () => {
    assert.ok(hidden(() => visibleIncidentView(full, county, demo.final)));
    assert.ok(hidden(() => requireVisibleIncident(demo.final, county, INC)));
    assert.ok(hidden(() => requireVisibleIncident(demo.final, watch, 'inc-none')));
    assert.equal(requireVisibleIncident(demo.final, reviewer, INC).id, INC);
  });

  it('as it stood before city-pd was sent a request, the incident is fed-ice’s alone', () => {
    const early = demo.worlds[firstOf('request.sent')] as World;
    const v = incidentView(early, INC);
    assert.ok(hidden(() => visibleIncidentView(v, watch, early)));
    assert.deepEqual(visibleIncidentView(v, supervisor, early), v);
  });
});

describe('messages in the incident view', () => {
  /** two more messages: fed-ice to the watch commander by name, and city-pd to its own desk */
  function withMessages(world: World): World {
    let w = world;
    let index = w.lastIndex;
    const at = '2026-06-01T21:40:00.000Z';
    const add = (e: Parameters<typeof applyEvent>[1]): void => {
      w = applyEvent(w, e, { index: ++index, received: at });
    };
    add(
      makeEvent('message.sent', { agency: 'fed-ice', person: 'ice-santos' }, INC, {
        message: 'm-to-chen',
        text: 'Chen only.',
        agencies: [],
        people: ['cpd-chen'],
      }),
    );
    add(
      makeEvent('message.sent', { agency: 'city-pd', person: 'cpd-chen' }, INC, { message: 'm-desk', text: 'Desk only.', agencies: ['city-pd'], people: [] }),
    );
    return w;
  }
  const messages = (c: Caller, w: World): string[] => visibleIncidentView(incidentView(w, INC), c, w).messages.map((m) => m.id);

  it('a message reaches its sender’s agency, the agencies it is addressed to, and the people it names, no one else', () => {
    const w = withMessages(demo.final);
    assert.deepEqual(messages(supervisor, w), ['msg-001', 'm-to-chen']);
    assert.deepEqual(messages(liaison, w), ['msg-001', 'm-to-chen']);
    assert.deepEqual(messages(watch, w), ['msg-001', 'm-to-chen', 'm-desk']);
    // the chief of patrol is of the watch commander's agency, but the message names the watch commander only
    assert.deepEqual(messages(chief, w), ['msg-001', 'm-desk']);
    assert.deepEqual(messages({ agency: 'city-pd', role: 'member' }, w), ['msg-001', 'm-desk']);
    assert.deepEqual(messages(reviewer, w), ['msg-001', 'm-to-chen', 'm-desk']);
  });
});

describe('a third agency on the incident', () => {
  /** county-so joins through a request from fed-ice, with a notice to it */
  function withCounty(world: World): World {
    const santos = { agency: 'fed-ice', person: 'ice-santos' };
    let w = world;
    let index = w.lastIndex;
    const at = '2026-06-01T21:40:00.000Z';
    const add = (e: Parameters<typeof applyEvent>[1]): void => {
      w = applyEvent(w, e, { index: ++index, received: at });
    };
    add(
      makeEvent('agency.registered', { agency: 'county-so' }, undefined, {
        agency: 'county-so',
        name: 'County Sheriff',
        kind: 'local',
        jurisdiction: 'County',
      }),
    );
    add(
      makeEvent('request.sent', santos, INC, {
        request: 'req-900',
        from: 'fed-ice',
        to: 'county-so',
        kind: 'units',
        category: 'crowd_safety',
        urgency: 'urgent',
        operation: 'unknown',
        description: 'Two deputies for the south gate.',
        unitsRequested: 2,
        responseSeconds: 600,
      }),
    );
    add(
      makeEvent('notification.created', santos, INC, {
        notification: 'n-county',
        recipient: { agency: 'county-so' },
        topic: 'request.sent',
        request: 'req-900',
        message: 'request req-900 from fed-ice',
        urgent: true,
      }),
    );
    return w;
  }

  it('sees the shared picture and its own request only; city-pd does not see that request', () => {
    const w = withCounty(demo.final);
    const v = incidentView(w, INC);
    const forCounty = visibleIncidentView(v, county, w);
    assert.deepEqual(picture(forCounty), picture(v));
    assert.deepEqual(
      forCounty.requests.map((r) => r.id),
      ['req-900'],
    );
    assert.deepEqual(forCounty.orders, []);
    assert.deepEqual(forCounty.conflicts, []);
    assert.deepEqual(
      forCounty.notifications.map((n) => n.id),
      ['n-county'],
    );
    assert.ok(!visibleIncidentView(v, watch, w).requests.some((r) => r.id === 'req-900'));
    assert.ok(visibleIncidentView(v, supervisor, w).requests.some((r) => r.id === 'req-900'));
  });
});

describe('lists a route returns', () => {
  it('requests, orders and notifications: each agency’s share, a reviewer all', () => {
    const w = demo.final;
    const requests = Object.values(w.requests);
    assert.equal(visibleRequests(county, requests).length, 0);
    assert.equal(visibleRequests(watch, requests).length, 4);
    assert.deepEqual(
      visibleOrders(supervisor, w, Object.values(w.orders)).map((o) => o.id),
      ['ord-000'],
    );
    assert.deepEqual(
      visibleOrders(county, w, Object.values(w.orders)).map((o) => o.id),
      [],
    );
    const notices = Object.values(w.notifications);
    assert.equal(visibleNotifications(reviewer, notices).length, notices.length);
    assert.equal(visibleNotifications(county, notices).length, 0);
    assert.ok(visibleNotifications(liaison, notices).every((n) => [n.recipient.agency, n.createdBy.agency].includes('fed-ice')));
  });

  it('units: an agency’s own, and another’s while it is on an incident they share', () => {
    const ids = (c: Caller, w: World): string[] => visibleUnits(c, w, Object.values(w.units)).map((u) => u.id);
    // at 21:05 the chief of patrol withdrew the city units from the incident
    const beforeWithdrawal = demo.worlds[firstOf('request.units_withdrawn')] as World;
    assert.deepEqual(ids(supervisor, beforeWithdrawal), ['cpd-1231', 'cpd-1232', 'cpd-1233', 'ice-fot3']);
    assert.deepEqual(ids(supervisor, demo.final), ['ice-fot3']);
    assert.deepEqual(ids(watch, demo.final), ['cpd-1231', 'cpd-1232', 'cpd-1233', 'ice-fot3']);
    assert.deepEqual(ids(county, demo.final), []);
  });

  it('incidents: those the caller’s agency takes part in', () => {
    const all = Object.values(demo.final.incidents);
    assert.deepEqual(
      visibleIncidents(watch, all).map((i) => i.id),
      [INC],
    );
    assert.deepEqual(visibleIncidents(county, all), []);
    assert.deepEqual(visibleIncidents(county, Object.values((demo.worlds[firstOf('request.sent')] as World).incidents)), []);
  });
});
