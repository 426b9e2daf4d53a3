import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Harness, chief, organisation, sendRequest, sup, verdict, watch } from './fixture.ts';

function committed(h: Harness = organisation()): Harness {
  h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'IC' });
  sendRequest(h, 'req-1', { unitsRequested: 2 });
  h.run(watch, { type: 'request.receive', requestId: 'req-1' });
  h.evaluate('req-1', verdict('permitted'));
  h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'officer in danger' });
  h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11', 'city-12'] });
  h.run({ agency: 'city-pd', device: 'mdt-11' }, { type: 'request.report_on_scene', requestId: 'req-1', units: ['city-11', 'city-12'] });
  return h;
}

describe('notifications', () => {
  it('a request goes to the holder of the receiving desk', () => {
    const h = organisation();
    sendRequest(h);
    assert.deepEqual(
      h.notified('request.sent').map((n) => [n.recipient, n.urgent, n.request]),
      [[{ agency: 'city-pd', person: 'watch' }, true, 'req-1']],
    );
  });

  it("withdrawing committed units tells the requesting agency's liaison, the requester and the incident command at once, with the reason", () => {
    const h = committed();
    h.advance(600);
    const withdrawnAt = h.now;
    h.run(chief, { type: 'request.withdraw', requestId: 'req-1', orderId: 'o-pull', reason: 'de-escalation: pull back two blocks' });
    const r = h.world.requests['req-1']!;
    assert.equal(r.state, 'withdrawn');
    assert.deepEqual(r.withdrawals, [
      {
        units: ['city-11', 'city-12'],
        reason: 'de-escalation: pull back two blocks',
        order: 'o-pull',
        at: withdrawnAt,
        by: chief,
        authority: { kind: 'position', position: 'city-chief-patrol' },
      },
    ]);
    // the withdrawal is an order to the units, with the same rationale
    const o = h.world.orders['o-pull']!;
    assert.deepEqual([o.directive, o.units, o.rationale, o.incident], ['withdraw', ['city-11', 'city-12'], 'de-escalation: pull back two blocks', 'inc-1']);
    const told = h.notified('request.units_withdrawn');
    assert.deepEqual(
      told.map((n) => n.recipient),
      [
        { agency: 'fed-ice', person: 'liaison-fed' },
        { agency: 'fed-ice', person: 'sup' },
      ],
    );
    for (const n of told) {
      assert.equal(n.urgent, true);
      assert.equal(n.reason, 'de-escalation: pull back two blocks');
      assert.equal(n.createdAt, withdrawnAt);
      assert.equal(n.order, 'o-pull');
      assert.deepEqual(n.units, ['city-11', 'city-12']);
      assert.match(n.message, /11-Adam, 12-Adam withdrawn from request req-1 of fed-ice by chief \(city-pd, position city-chief-patrol\), order o-pull/);
    }
    // the units are back under their agency
    assert.equal(h.world.units['city-11']?.assignment, undefined);
  });

  it('with a unified command, every member is told, including one of the withdrawing agency', () => {
    const h = organisation();
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup', 'watch'] }, reason: 'UC' });
    sendRequest(h, 'req-1', { unitsRequested: 1 });
    h.run(watch, { type: 'request.receive', requestId: 'req-1' });
    h.evaluate('req-1', verdict('permitted'));
    h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'ok' });
    h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11'] });
    h.run(chief, { type: 'order.issue', directive: 'recall', units: ['city-11'], rationale: 'needed elsewhere' });
    assert.deepEqual(
      h.notified('request.units_withdrawn').map((n) => n.recipient),
      [
        { agency: 'fed-ice', person: 'liaison-fed' },
        { agency: 'fed-ice', person: 'sup' },
        { agency: 'city-pd', person: 'watch' },
      ],
    );
  });

  it('without a liaison or a named requester, the agency itself is told', () => {
    const h = organisation();
    // a second incident without a fed liaison; the request is sent from a console
    h.run({ agency: 'fed-ice', device: 'console' }, { type: 'incident.open', incidentId: 'inc-2', name: 'x', location: 'y' });
    h.run(
      { agency: 'fed-ice', device: 'console' },
      {
        type: 'request.send',
        requestId: 'req-2',
        incidentId: 'inc-2',
        to: 'city-pd',
        category: 'transport',
        urgency: 'routine',
        operation: 'other',
        description: 'van',
        unitsRequested: 1,
      },
    );
    h.run(watch, { type: 'request.receive', requestId: 'req-2' });
    assert.deepEqual(
      h.notified('request.received').map((n) => n.recipient),
      [{ agency: 'fed-ice' }],
    );
  });

  it("delivery is confirmed by the recipient's side, then acknowledged by a person", () => {
    const h = committed();
    h.run(chief, { type: 'request.withdraw', requestId: 'req-1', reason: 'pull back' });
    const [n] = h.notified('request.units_withdrawn');
    const id = n!.id;
    h.refuse(
      { agency: 'city-pd', device: 'server' },
      { type: 'notification.deliver', notificationId: id },
      'NOT_A_RECIPIENT',
      /must come from its recipient fed-ice/,
    );
    h.advance(2);
    h.run({ agency: 'fed-ice', device: 'console-3' }, { type: 'notification.deliver', notificationId: id });
    h.refuse({ agency: 'fed-ice', device: 'console-3' }, { type: 'notification.deliver', notificationId: id }, 'INVALID_TRANSITION');
    h.refuse({ agency: 'fed-ice', device: 'console-3' }, { type: 'notification.acknowledge', notificationId: id }, 'NOT_AUTHORISED');
    h.advance(20);
    h.run({ agency: 'fed-ice', person: 'liaison-fed' }, { type: 'notification.acknowledge', notificationId: id });
    const after = h.world.notifications[id]!;
    assert.equal(after.status, 'acknowledged');
    assert.equal(after.deliveredAt, '2026-06-01T21:00:02.000Z');
    assert.equal(after.acknowledgedAt, '2026-06-01T21:00:22.000Z');
    assert.deepEqual(after.acknowledgedBy, { agency: 'fed-ice', person: 'liaison-fed' });
    h.refuse({ agency: 'fed-ice', person: 'liaison-fed' }, { type: 'notification.acknowledge', notificationId: id }, 'INVALID_TRANSITION');
    h.refuse({ agency: 'fed-ice', person: 'sup' }, { type: 'notification.deliver', notificationId: 'nope' }, 'UNKNOWN_ENTITY');
  });

  it('only the person a notice is addressed to acknowledges it; a notice to an agency, any of its people', () => {
    const h = committed();
    h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    h.run(chief, { type: 'request.withdraw', requestId: 'req-1', reason: 'pull back' });
    const toLiaison = h.notified('request.units_withdrawn').find((n) => n.recipient.person === 'liaison-fed')!;
    // not the supervisor who sent the request, though he is of the same agency and was told too
    h.refuse(sup, { type: 'notification.acknowledge', notificationId: toLiaison.id }, 'NOT_A_RECIPIENT', /addressed to liaison-fed/);
    h.refuse({ agency: 'fed-ice', device: 'console' }, { type: 'notification.acknowledge', notificationId: toLiaison.id }, 'NOT_AUTHORISED', /needs a person/);
    h.refuse(watch, { type: 'notification.acknowledge', notificationId: toLiaison.id }, 'NOT_A_RECIPIENT', /must come from its recipient fed-ice/);
    h.run({ agency: 'fed-ice', person: 'liaison-fed' }, { type: 'notification.acknowledge', notificationId: toLiaison.id });
    // a notice to an agency as a whole (to the lead agency, before a command is set up) is for any of its people
    const g = organisation();
    g.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    const [toAgency] = g.notified('incident.liaison_designated');
    assert.deepEqual(toAgency?.recipient, { agency: 'fed-ice' });
    g.refuse(watch, { type: 'notification.acknowledge', notificationId: toAgency!.id }, 'NOT_A_RECIPIENT');
    g.run({ agency: 'fed-ice', person: 'agent1' }, { type: 'notification.acknowledge', notificationId: toAgency!.id });
  });

  it('acknowledging implies delivery', () => {
    const h = organisation();
    sendRequest(h);
    const [n] = h.notified('request.sent');
    h.run(watch, { type: 'notification.acknowledge', notificationId: n!.id });
    assert.equal(h.world.notifications[n!.id]?.deliveredAt, h.now);
  });

  it('nobody is notified of their own act', () => {
    const h = committed();
    for (const n of Object.values(h.world.notifications)) {
      assert.ok(n.recipient.person === undefined || n.recipient.person !== n.createdBy.person, `${n.topic} to ${n.recipient.person}`);
    }
  });
});
