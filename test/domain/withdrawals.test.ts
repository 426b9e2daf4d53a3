/**
 * Every path by which units committed to another agency's request can stop
 * serving it: each either is a release by the requesting side (the
 * providing agency told) or records a withdrawal (actor, authority, reason,
 * order) and tells the requesting agency urgently: its liaison, the
 * requester, and its member of the incident's command.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from '../../src/domain/values.ts';
import { CITY, Harness, chief, organisation, sendRequest, sgt1, sup, verdict, watch } from './fixture.ts';

/**
 * fed-ice leads inc-1; the unified command is sup (fed-ice) and watch
 * (city-pd); fed-ice's liaison is liaison-fed; city-pd commits city-11 and
 * city-12 to fed's request req-1, sent by sup.
 */
function committed(): Harness {
  const h = organisation();
  h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
  h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup', 'watch'] }, reason: 'joint response' });
  sendRequest(h, 'req-1', { unitsRequested: 2 });
  h.rule('req-1', verdict('permitted'));
  h.run(watch, { type: 'request.receive', requestId: 'req-1' });
  h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'officer in danger' });
  h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11', 'city-12'] });
  h.advance(60);
  return h;
}

/** the withdrawal recorded by the last command, and who at fed-ice was told, urgently, about it */
function lastWithdrawal(h: Harness, logged: number) {
  const events = h.log.slice(logged).map((r) => r.event);
  const withdrawn = events.filter((e) => e.type === 'request.units_withdrawn');
  const told = events.flatMap((e) =>
    e.type === 'notification.created' && e.body.topic === 'request.units_withdrawn' && e.body.recipient.agency === 'fed-ice'
      ? [{ person: e.body.recipient.person, urgent: e.body.urgent, reason: e.body.reason, order: e.body.order }]
      : [],
  );
  return { withdrawn, told, released: events.filter((e) => e.type === 'request.units_released') };
}

const FED_TOLD = ['liaison-fed', 'sup'];

function expectWithdrawal(h: Harness, logged: number, by: Actor, units: string[], authority: unknown, reason: string, order?: string): void {
  const { withdrawn, told, released } = lastWithdrawal(h, logged);
  assert.equal(released.length, 0, 'not recorded as a release by the requester');
  assert.equal(withdrawn.length, 1);
  const w = h.world.requests['req-1']!.withdrawals.at(-1)!;
  assert.deepEqual({ units: w.units, by: w.by, authority: w.authority, reason: w.reason, order: w.order }, { units, by, authority, reason, order });
  assert.deepEqual(told.map((t) => t.person).sort(), FED_TOLD, "the liaison, and the requester who is also fed-ice's unified command member");
  for (const t of told) {
    assert.equal(t.urgent, true);
    assert.equal(t.reason, reason);
    assert.equal(t.order, order);
  }
  // the request no longer shows those units serving it
  const serving = h.world.requests['req-1']!.commitments.filter((c) => c.ended === undefined).map((c) => c.unit);
  for (const u of units) assert.ok(!serving.includes(u), `${u} no longer serves req-1`);
}

describe("units stop serving another agency's request: never without record and notice", () => {
  it("a withdraw order from the home agency's chain", () => {
    const h = committed();
    const n = h.log.length;
    h.run(chief, { type: 'order.issue', orderId: 'o1', directive: 'withdraw', units: ['city-11'], rationale: 'de-escalation' });
    expectWithdrawal(h, n, chief, ['city-11'], { kind: 'position', position: 'city-chief-patrol' }, 'de-escalation', 'o1');
    assert.equal(h.world.units['city-11']?.assignment, undefined, 'the home agency takes it off the incident');
  });

  it("a withdraw order on the providing agency's unified command authority", () => {
    const h = committed();
    const n = h.log.length;
    const uc = { kind: 'unified_command', incident: 'inc-1', agency: 'city-pd' } as const;
    h.run(watch, {
      type: 'order.issue',
      orderId: 'o1',
      directive: 'withdraw',
      units: ['city-11', 'city-12'],
      rationale: 'crowd turning on the line',
      authority: uc,
    });
    expectWithdrawal(h, n, watch, ['city-11', 'city-12'], uc, 'crowd turning on the line', 'o1');
    assert.equal(h.world.requests['req-1']?.state, 'withdrawn');
    assert.equal(h.world.units['city-11']?.assignment?.incident, 'inc-1', 'a tactical pull-back: still on the incident');
  });

  it("a stand-down of committed units, by the providing agency's command member or its chain", () => {
    const h = committed();
    let n = h.log.length;
    const uc = { kind: 'unified_command', incident: 'inc-1', agency: 'city-pd' } as const;
    h.run(watch, { type: 'order.issue', orderId: 'o1', directive: 'stand_down', units: ['city-11'], rationale: 'stand down', authority: uc });
    expectWithdrawal(h, n, watch, ['city-11'], uc, 'stand down', 'o1');
    n = h.log.length;
    h.run(sgt1, { type: 'order.issue', orderId: 'o2', directive: 'stand_down', units: ['city-12'], rationale: 'end of shift' });
    expectWithdrawal(h, n, sgt1, ['city-12'], { kind: 'position', position: 'city-sgt-1' }, 'end of shift', 'o2');
  });

  it('a recall by the home agency', () => {
    const h = committed();
    const n = h.log.length;
    h.run(sgt1, { type: 'order.issue', orderId: 'o1', directive: 'recall', units: ['city-12'], rationale: 'shooting across town' });
    expectWithdrawal(h, n, sgt1, ['city-12'], { kind: 'position', position: 'city-sgt-1' }, 'shooting across town', 'o1');
  });

  it('request.withdraw', () => {
    const h = committed();
    const n = h.log.length;
    h.run(chief, { type: 'request.withdraw', requestId: 'req-1', orderId: 'o1', units: ['city-11'], reason: 'ordinance' });
    expectWithdrawal(h, n, chief, ['city-11'], { kind: 'position', position: 'city-chief-patrol' }, 'ordinance', 'o1');
  });

  it("a release from the incident by the providing agency's command member is a withdrawal, not the requester's release", () => {
    const h = committed();
    const n = h.log.length;
    const uc = { kind: 'unified_command', incident: 'inc-1', agency: 'city-pd' } as const;
    h.run(watch, { type: 'incident.release_unit', incidentId: 'inc-1', unitId: 'city-11', reason: 'back to the district', authority: uc });
    expectWithdrawal(h, n, watch, ['city-11'], uc, 'back to the district', undefined);
  });

  it('a release from the incident by the requesting side is a release, and the providing agency is told', () => {
    const h = committed();
    const n = h.log.length;
    h.run(sup, { type: 'incident.release_unit', incidentId: 'inc-1', unitId: 'city-11', reason: 'team is out' });
    const { withdrawn, released } = lastWithdrawal(h, n);
    assert.equal(withdrawn.length, 0);
    assert.equal(released.length, 1);
    assert.deepEqual(
      h.notified('request.units_released').map((x) => x.recipient),
      [
        { agency: 'city-pd', person: 'liaison-city' },
        { agency: 'city-pd', person: 'watch' },
      ],
    );
  });

  it("request.release is the requester's alone", () => {
    const h = committed();
    h.refuse(watch, { type: 'request.release', requestId: 'req-1', reason: 'we need them back' }, 'NOT_AUTHORISED', /the requesting agency releases/);
    h.refuse(chief, { type: 'request.release', requestId: 'req-1', reason: 'we need them back' }, 'NOT_AUTHORISED');
    // not even on the providing agency's seat in the joint command
    h.refuse(
      watch,
      { type: 'request.release', requestId: 'req-1', reason: 'x', authority: { kind: 'unified_command', incident: 'inc-1', agency: 'city-pd' } },
      'NOT_AUTHORISED',
    );
    // nor by a fed officer with no authority
    h.refuse({ agency: 'fed-ice', person: 'agent1' }, { type: 'request.release', requestId: 'req-1', reason: 'x' }, 'NOT_AUTHORISED');
    h.run(sup, { type: 'request.release', requestId: 'req-1', reason: 'team extracted' });
    assert.equal(h.world.requests['req-1']?.state, 'released');
    assert.equal(h.world.requests['req-1']?.withdrawals.length, 0);
  });

  it("a withdrawal by a third agency's member of the command", () => {
    const h = committed();
    const state = { agency: 'state-pd', person: 'trooper' } as const;
    h.run({ agency: 'state-pd' }, { type: 'agency.register', agencyId: 'state-pd', name: 'State Police', kind: 'state', jurisdiction: 'State' });
    h.run({ agency: 'state-pd' }, { type: 'position.establish', positionId: 'state-lt', title: 'Lieutenant' });
    h.run({ agency: 'state-pd' }, { type: 'person.register', personId: 'trooper', name: 'Lt. Trooper' });
    h.run({ agency: 'state-pd' }, { type: 'person.appoint', personId: 'trooper', positionId: 'state-lt' });
    h.run(sup, {
      type: 'incident.establish_command',
      incidentId: 'inc-1',
      structure: { kind: 'unified', members: ['sup', 'watch', 'trooper'] },
      reason: 'state joins',
    });
    const n = h.log.length;
    h.run(state, { type: 'order.issue', orderId: 'o1', directive: 'withdraw', units: ['city-12'], rationale: 'clear the road for the state convoy' });
    expectWithdrawal(h, n, state, ['city-12'], { kind: 'unified_command', incident: 'inc-1', agency: 'state-pd' }, 'clear the road for the state convoy', 'o1');
  });

  it("the requesting side's own pull-back keeps the units serving, and the providing agency hears of it", () => {
    const h = committed();
    const n = h.log.length;
    h.run(sup, { type: 'order.issue', orderId: 'o1', directive: 'withdraw', units: ['city-11'], rationale: 'pull back behind the vehicles' });
    const { withdrawn } = lastWithdrawal(h, n);
    assert.equal(withdrawn.length, 0);
    assert.equal(h.world.requests['req-1']?.state, 'units_committed');
    assert.ok(h.notified('order.issued').some((x) => x.order === 'o1' && x.recipient.agency === 'city-pd'));
  });

  it('any other order to units serving a request is told to the requesting agency', () => {
    const h = committed();
    h.run(sgt1, {
      type: 'order.issue',
      orderId: 'o-move',
      directive: 'move',
      units: ['city-11'],
      target: 'Ashland and Polk',
      rationale: 'stage away from the crowd',
    });
    const told = h.notified('order.issued').filter((x) => x.order === 'o-move' && x.recipient.agency === 'fed-ice');
    assert.deepEqual(told.map((x) => [x.recipient.person, x.urgent]).sort(), [
      ['liaison-fed', true],
      ['sup', true],
    ]);
  });

  it('no other command can end a commitment: reassignment and closing are refused while units serve', () => {
    const h = committed();
    sendRequest(h, 'req-2', { unitsRequested: 1 });
    h.rule('req-2', verdict('permitted'));
    h.run(watch, { type: 'request.receive', requestId: 'req-2' });
    h.run(watch, { type: 'request.accept', requestId: 'req-2', reason: 'ok' });
    h.refuse(watch, { type: 'request.commit', requestId: 'req-2', units: ['city-11'] }, 'INVALID_TRANSITION', /already committed/);
    h.run(CITY, { type: 'incident.open', incidentId: 'inc-2', name: 'Shooting', location: 'across town' });
    h.refuse(watch, { type: 'incident.assign_unit', incidentId: 'inc-2', unitId: 'city-11' }, 'INVALID_TRANSITION', /already assigned/);
    h.refuse(sup, { type: 'incident.close', incidentId: 'inc-1', reason: 'over' }, 'INVALID_TRANSITION', /open requests/);
    h.refuse(sup, { type: 'request.close', requestId: 'req-1', reason: 'over' }, 'INVALID_TRANSITION');
    h.refuse(sup, { type: 'request.cancel', requestId: 'req-1', reason: 'over' }, 'INVALID_TRANSITION', /release them instead/);
    assert.deepEqual(
      h.world.requests['req-1']?.commitments.filter((c) => c.ended === undefined).map((c) => c.unit),
      ['city-11', 'city-12'],
    );
  });
});
