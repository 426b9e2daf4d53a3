import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESCALATION_DEVICE, RESPONSE_SECONDS, dueEscalations } from '../../src/domain/deadlines.ts';
import { T0, chief, organisation, sendRequest, supt, verdict, watch } from './fixture.ts';

const requestId = 'req-1';

describe('response deadlines and escalation (injected clock)', () => {
  it('defaults: immediate 2 min, urgent 10 min, routine 1 h', () => {
    assert.deepEqual(RESPONSE_SECONDS, { immediate: 120, urgent: 600, routine: 3600 });
    const h = organisation();
    sendRequest(h, 'r-imm');
    sendRequest(h, 'r-urg', { urgency: 'urgent' });
    sendRequest(h, 'r-rou', { urgency: 'routine' });
    assert.equal(h.world.requests['r-imm']?.deadline, '2026-06-01T21:02:00.000Z');
    assert.equal(h.world.requests['r-urg']?.deadline, '2026-06-01T21:10:00.000Z');
    assert.equal(h.world.requests['r-rou']?.deadline, '2026-06-01T22:00:00.000Z');
  });

  it('nothing is due before the deadline; at the deadline the request escalates one position up', () => {
    const h = organisation();
    sendRequest(h);
    assert.deepEqual(dueEscalations(h.world, '2026-06-01T21:01:59.999Z'), []);
    h.advance(120);
    const due = dueEscalations(h.world, h.now);
    assert.equal(due.length, 1);
    assert.deepEqual(due[0], {
      type: 'request.escalate',
      actor: { agency: 'city-pd', device: ESCALATION_DEVICE },
      requestId,
      reason: 'no answer from city-watch by 2026-06-01T21:02:00.000Z (immediate: 120 s to answer)',
      automatic: true,
    });
    h.runCommand(due[0]!);
    const r = h.world.requests[requestId]!;
    assert.equal(r.state, 'escalated');
    assert.equal(r.responsible, 'city-district');
    assert.equal(r.deadline, '2026-06-01T21:04:00.000Z');
    assert.deepEqual(r.escalations[0]?.authority, { kind: 'response_deadline', deadline: '2026-06-01T21:02:00.000Z' });
    // the district commander is told, urgently; the requesting side is told it moved up
    const told = h.eventsOf('notification.created').filter((e) => e.event.body.topic === 'request.escalated');
    assert.deepEqual(
      told.map((e) => [e.event.body.recipient, e.event.body.urgent]),
      [
        [{ agency: 'city-pd', person: 'district' }, true],
        [{ agency: 'fed-ice', person: 'liaison-fed' }, false],
        [{ agency: 'fed-ice', person: 'sup' }, false],
      ],
    );
    // the same command again is stale: the new deadline has not passed
    h.refuse(due[0]!.actor, { type: 'request.escalate', requestId, reason: 'again', automatic: true }, 'INVALID_TRANSITION', /not overdue/);
  });

  it('keeps escalating, each time with a new deadline, until the top of the chain', () => {
    const h = organisation();
    sendRequest(h, requestId, { urgency: 'urgent' });
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      h.advance(600);
      for (const c of dueEscalations(h.world, h.now)) h.runCommand(c);
      seen.push(h.world.requests[requestId]!.responsible!);
    }
    assert.deepEqual(seen, ['city-district', 'city-chief-patrol', 'city-supt', 'city-supt', 'city-supt', 'city-supt']);
    assert.equal(h.world.requests[requestId]?.escalations.length, 3);
    assert.deepEqual(dueEscalations(h.world, '2027-01-01T00:00:00.000Z'), []);
  });

  it('an escalation to a vacant position is announced to the agency itself', () => {
    const h = organisation();
    h.run(chief, { type: 'person.relieve', personId: 'district', positionId: 'city-district', reason: 'leave' });
    sendRequest(h);
    h.advance(120);
    for (const c of dueEscalations(h.world, h.now)) h.runCommand(c);
    assert.deepEqual(h.notified('request.escalated')[0]?.recipient, { agency: 'city-pd' });
  });

  it('an answer stops the clock', () => {
    const h = organisation();
    sendRequest(h);
    h.run(watch, { type: 'request.receive', requestId });
    h.evaluate(requestId, verdict('permitted'));
    // receipt and evaluation are not answers: the clock still runs
    assert.equal(dueEscalations(h.world, '2026-06-01T21:02:00.000Z').length, 1);
    h.run(watch, { type: 'request.accept', requestId, reason: 'go' });
    assert.equal(h.world.requests[requestId]?.deadline, undefined);
    assert.deepEqual(dueEscalations(h.world, '2026-06-02T00:00:00.000Z'), []);
  });

  it('after escalation the old desk can no longer answer; the new one can', () => {
    const h = organisation();
    sendRequest(h);
    h.run(watch, { type: 'request.receive', requestId });
    h.evaluate(requestId, verdict('permitted'));
    h.advance(120);
    for (const c of dueEscalations(h.world, h.now)) h.runCommand(c);
    h.refuse(watch, { type: 'request.accept', requestId, reason: 'late' }, 'NOT_AUTHORISED');
    h.run(chief, { type: 'request.accept', requestId, reason: 'go' });
  });

  it("manual escalation rests on the escalator's authority; none past the top", () => {
    const h = organisation();
    sendRequest(h);
    h.run(watch, { type: 'request.escalate', requestId, reason: 'political sensitivity' });
    const r = h.world.requests[requestId]!;
    assert.equal(r.responsible, 'city-district');
    assert.deepEqual(r.escalations[0]?.authority, { kind: 'position', position: 'city-watch' });
    assert.equal(r.deadline, '2026-06-01T21:02:00.000Z');
    h.run(supt, { type: 'request.escalate', requestId, reason: 'up' });
    h.run(supt, { type: 'request.escalate', requestId, reason: 'up' });
    h.refuse(supt, { type: 'request.escalate', requestId, reason: 'up' }, 'INVALID_TRANSITION', /top of city-pd's chain/);
  });

  it('dueEscalations lists the oldest deadline first and ignores closed incidents', () => {
    const h = organisation();
    sendRequest(h, 'b-late', { urgency: 'urgent' });
    sendRequest(h, 'a-early', { urgency: 'immediate' });
    const due = dueEscalations(h.world, '2026-06-01T22:00:00.000Z').map((c) => (c.type === 'request.escalate' ? c.requestId : ''));
    assert.deepEqual(due, ['a-early', 'b-late']);
    assert.equal(T0 < '2026-06-01T22:00:00.000Z', true);
  });
});
