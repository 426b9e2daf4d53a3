/**
 * Urgent notices nobody acknowledged go up the chain (src/domain/resends.ts,
 * dueNotificationEscalations in deadlines.ts), with the time each agency
 * sets for itself (agency.configure), driven by an injected clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../src/domain/commands.ts';
import { DEFAULT_ACKNOWLEDGE_URGENT_SECONDS, ESCALATION_DEVICE, dueNotificationEscalations, nextDue, pendingDeadlines } from '../../src/domain/deadlines.ts';
import { isConcordError } from '../../src/errors.ts';
import { CITY, FED, agent, chief, fod, organisation, sendRequest, sup, supt, watch } from './fixture.ts';
import { ack, resendDue, withdrawn } from './resends-fixture.ts';

const liaison = { agency: 'fed-ice', person: 'liaison-fed' };

describe('acknowledgement deadlines: each agency sets its own', () => {
  it('five minutes while unset; the administration or a holder of the top position sets it; nobody else', () => {
    const h = organisation();
    assert.equal(DEFAULT_ACKNOWLEDGE_URGENT_SECONDS, 300);
    assert.equal(h.world.agencies['fed-ice']?.acknowledgeUrgentWithin, undefined);
    h.run(FED, { type: 'agency.configure', acknowledgeUrgentWithin: 120 });
    assert.equal(h.world.agencies['fed-ice']?.acknowledgeUrgentWithin, 120);
    const [e] = h.run(fod, { type: 'agency.configure', acknowledgeUrgentWithin: 90 });
    assert.deepEqual(e?.body, { agency: 'fed-ice', acknowledgeUrgentWithin: 90, authority: { kind: 'position', position: 'fed-fod' } });
    assert.equal(h.world.agencies['fed-ice']?.acknowledgeUrgentWithin, 90);
    // the city's setting is the city's: untouched
    assert.equal(h.world.agencies['city-pd']?.acknowledgeUrgentWithin, undefined);
    h.refuse(sup, { type: 'agency.configure', acknowledgeUrgentWithin: 60 }, 'NOT_AUTHORISED', /configuring fed-ice/);
    h.refuse(chief, { type: 'agency.configure', acknowledgeUrgentWithin: 60 }, 'NOT_AUTHORISED');
    h.refuse({ agency: 'fed-ice', device: 'console' }, { type: 'agency.configure', acknowledgeUrgentWithin: 60 }, 'NOT_AUTHORISED', /a device/);
    h.refuse(supt, { type: 'agency.configure', acknowledgeUrgentWithin: 60, authority: { kind: 'position', position: 'fed-fod' } }, 'NOT_AUTHORISED');
    h.refuse({ agency: 'nowhere' }, { type: 'agency.configure', acknowledgeUrgentWithin: 60 }, 'UNKNOWN_ENTITY');
  });

  it('a setting is whole seconds, from 1 s to 7 days', () => {
    for (const bad of [0, -5, 1.5, 7 * 24 * 3600 + 1, '300', 'PT5M']) {
      assert.throws(
        () => parseCommand({ type: 'agency.configure', actor: FED, acknowledgeUrgentWithin: bad }),
        (e: unknown) => isConcordError(e, 'BAD_INPUT') && /acknowledgeUrgentWithin/.test(e.message),
        String(bad),
      );
    }
    assert.equal(parseCommand({ type: 'agency.configure', actor: FED, acknowledgeUrgentWithin: 7 * 24 * 3600 }).type, 'agency.configure');
  });
});

describe('an urgent notice nobody acknowledges goes up the chain', () => {
  it('at the deadline, a notice to a person who holds no post goes to the desk, linked, urgent, with the reason', () => {
    const { h, toLiaison } = withdrawn();
    h.run(sup, ack(h.notified('request.units_withdrawn').find((n) => n.recipient.person === 'sup')!.id));
    assert.equal(nextDue(h.world, h.now), '2026-06-01T21:05:00.000Z');
    h.advance(DEFAULT_ACKNOWLEDGE_URGENT_SECONDS - 1);
    assert.deepEqual(dueNotificationEscalations(h.world, h.now), []);
    h.advance(1);
    const due = dueNotificationEscalations(h.world, h.now);
    assert.deepEqual(due, [{ type: 'notification.resend', actor: { agency: 'fed-ice', device: ESCALATION_DEVICE }, notificationId: toLiaison.id }]);
    const [n1] = resendDue(h);
    assert.ok(n1);
    assert.deepEqual(
      {
        recipient: n1.recipient,
        position: n1.position,
        resends: n1.resends,
        urgent: n1.urgent,
        topic: n1.topic,
        request: n1.request,
        order: n1.order,
        units: n1.units,
        incident: n1.incident,
        message: n1.message,
        createdAt: n1.createdAt,
        createdBy: n1.createdBy,
        status: n1.status,
      },
      {
        recipient: { agency: 'fed-ice' },
        position: 'fed-sup',
        resends: toLiaison.id,
        urgent: true,
        topic: 'request.units_withdrawn',
        request: 'req-1',
        order: 'o-pull',
        units: ['city-11', 'city-12'],
        incident: 'inc-1',
        message: toLiaison.message,
        createdAt: '2026-06-01T21:05:00.000Z',
        createdBy: { agency: 'fed-ice', device: ESCALATION_DEVICE },
        status: 'created',
      },
    );
    assert.equal(n1.reason, 'not acknowledged within 300 s by liaison-fed (due 2026-06-01T21:05:00.000Z); re-sent to position fed-sup');
    assert.equal(h.world.notifications[toLiaison.id]?.resentAs, n1.id);
    // once: the same notice is not due again, and the command run again is refused
    assert.deepEqual(dueNotificationEscalations(h.world, h.now), []);
    h.refuse(due[0]!.actor, { type: 'notification.resend', notificationId: toLiaison.id }, 'INVALID_TRANSITION', /already re-sent/);
    // the re-sent notice has a window of its own, then goes up again, to the top
    h.advance(DEFAULT_ACKNOWLEDGE_URGENT_SECONDS - 1);
    assert.deepEqual(resendDue(h), []);
    h.advance(1);
    const [n2] = resendDue(h);
    assert.deepEqual([n2?.position, n2?.resends, n2?.createdAt], ['fed-fod', n1.id, '2026-06-01T21:10:00.000Z']);
    assert.match(n2!.reason!, /^not acknowledged within 300 s by position fed-sup /);
    // nobody above the director: the chain stops
    h.advance(3600);
    assert.deepEqual(resendDue(h), []);
    assert.equal(nextDue(h.world, h.now), undefined);
  });

  it('a notice to a person goes up from the post they hold; the agency sets the window', () => {
    const h = organisation();
    h.run(CITY, { type: 'agency.configure', acknowledgeUrgentWithin: 60 });
    withdrawn(h);
    // fed-ice keeps the default: the withdrawal notices to it are not due at 60 s
    h.advance(60);
    assert.deepEqual(
      resendDue(h).map((n) => n.recipient.agency),
      [],
    );
    h.advance(240);
    const sent = resendDue(h);
    // liaison-fed holds no post: the desk (fed-sup); sup holds fed-sup: the post above it
    assert.deepEqual(
      sent.map((n) => [h.world.notifications[n.resends!]?.recipient.person, n.position]),
      [
        ['liaison-fed', 'fed-sup'],
        ['sup', 'fed-fod'],
      ],
    );
  });

  it('a notice to the agency as a whole goes to its request desk; any of its people reads it', () => {
    const h = organisation();
    h.run(FED, { type: 'agency.configure', acknowledgeUrgentWithin: 30 });
    const { toAgency, toLiaison, toSup } = withdrawn(h, { readOrder: false });
    h.run(liaison, ack(toLiaison.id));
    h.run(sup, ack(toSup.id));
    h.advance(30);
    assert.deepEqual(
      resendDue(h).map((n) => [n.resends, n.recipient, n.position]),
      [[toAgency.id, { agency: 'fed-ice' }, 'fed-sup']],
    );
    // read late by an agent, the notice to the agency stops there
    h.run(agent, ack(toAgency.id));
    h.advance(30);
    assert.deepEqual(resendDue(h), []);
  });

  it('a vacant post is passed over: the notice goes to the first post above that someone holds', () => {
    const h = organisation();
    h.run(FED, { type: 'person.relieve', personId: 'sup', positionId: 'fed-sup', reason: 'leave' });
    const { toLiaison, toSup } = withdrawn(h);
    h.advance(300);
    const sent = resendDue(h);
    // the desk is vacant, and sup, relieved, holds no post any more: both notices go to the director
    assert.deepEqual(
      sent.map((n) => [n.resends, n.position]),
      [
        [toLiaison.id, 'fed-fod'],
        [toSup.id, 'fed-fod'],
      ],
    );
  });

  it('acknowledging the notice, or any notice in its chain, stops it', () => {
    {
      const { h, toLiaison, toSup } = withdrawn();
      h.advance(299);
      h.run(liaison, ack(toLiaison.id));
      h.advance(1);
      // only sup's notice goes up
      assert.deepEqual(
        resendDue(h).map((n) => n.resends),
        [toSup.id],
      );
    }
    {
      const { h, toLiaison, toSup } = withdrawn();
      h.run(sup, ack(toSup.id));
      h.advance(300);
      const [n1] = resendDue(h);
      // the liaison reads the first notice late: the one sent up in its place no longer goes further
      h.advance(10);
      h.run(liaison, ack(toLiaison.id));
      h.advance(300);
      assert.deepEqual(resendDue(h), []);
      h.refuse(
        { agency: 'fed-ice', device: ESCALATION_DEVICE },
        { type: 'notification.resend', notificationId: n1!.id },
        'INVALID_TRANSITION',
        /was acknowledged/,
      );
    }
    {
      const { h, toSup } = withdrawn();
      h.run(sup, ack(toSup.id));
      h.advance(300);
      const [n1] = resendDue(h);
      // the supervisory officer reads the re-sent notice: nothing goes to the director
      h.run(sup, ack(n1!.id));
      h.advance(300);
      assert.deepEqual(resendDue(h), []);
    }
  });

  it('whoever holds the post a re-sent notice is addressed to receives and acknowledges it; nobody else', () => {
    const { h, toSup } = withdrawn();
    h.run(sup, ack(toSup.id));
    h.advance(300);
    const [n1] = resendDue(h);
    assert.equal(n1?.position, 'fed-sup');
    h.refuse(agent, { type: 'notification.deliver', notificationId: n1!.id }, 'NOT_A_RECIPIENT', /addressed to whoever holds position fed-sup/);
    h.refuse(fod, ack(n1!.id), 'NOT_A_RECIPIENT', /whoever holds position fed-sup/);
    h.refuse(watch, ack(n1!.id), 'NOT_A_RECIPIENT', /must come from its recipient fed-ice/);
    // a new holder of the post, appointed after the notice went out, reads it for the post
    h.run(FED, { type: 'person.relieve', personId: 'sup', positionId: 'fed-sup', reason: 'shift over' });
    h.refuse(sup, ack(n1!.id), 'NOT_A_RECIPIENT');
    h.run(FED, { type: 'person.appoint', personId: 'agent1', positionId: 'fed-sup' });
    h.run(agent, { type: 'notification.deliver', notificationId: n1!.id });
    h.run(agent, ack(n1!.id));
    assert.deepEqual(h.world.notifications[n1!.id]?.acknowledgedBy, agent);
  });

  it('a delegate of the post acknowledges for it', () => {
    const { h, toSup } = withdrawn();
    h.run(sup, ack(toSup.id));
    h.advance(300);
    const [n1] = resendDue(h);
    h.run(sup, { type: 'delegation.grant', delegationId: 'd-sup', to: 'agent1', scope: { kind: 'position', position: 'fed-sup' }, reason: 'covering' });
    h.run(agent, ack(n1!.id));
  });

  it('a notice to a person is received and read by that person only; a device of the agency receives it for them', () => {
    const { h, toLiaison } = withdrawn();
    h.refuse(sup, { type: 'notification.deliver', notificationId: toLiaison.id }, 'NOT_A_RECIPIENT', /addressed to liaison-fed/);
    h.run({ agency: 'fed-ice', device: 'fed-cad' }, { type: 'notification.deliver', notificationId: toLiaison.id });
  });

  it('not urgent, on a closed incident, or asking for an answer the request deadline chases: never re-sent', () => {
    const h = organisation();
    // the notice of a sent request goes up with the request at its response deadline, not on its own
    sendRequest(h, 'req-1', { urgency: 'routine' });
    sendRequest(h, 'req-2');
    assert.ok(h.notified('request.sent').every((n) => n.recipient.agency === 'city-pd'));
    assert.ok(h.notified('request.sent').some((n) => n.urgent));
    // a liaison designation is not urgent
    h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    h.advance(3600 * 24);
    assert.deepEqual(dueNotificationEscalations(h.world, h.now), []);
    assert.ok(pendingDeadlines(h.world, h.now).every((d) => d.command.type === 'request.escalate'));
    const urgentToCity = h.notified('request.sent').find((n) => n.urgent)!;
    h.refuse(
      { agency: 'city-pd', device: ESCALATION_DEVICE },
      { type: 'notification.resend', notificationId: urgentToCity.id },
      'INVALID_TRANSITION',
      /with request req-2 at its response deadline/,
    );
    const routine = h.notified('incident.liaison_designated')[0]!;
    h.refuse(
      { agency: routine.recipient.agency, device: ESCALATION_DEVICE },
      { type: 'notification.resend', notificationId: routine.id },
      'INVALID_TRANSITION',
      /not urgent/,
    );

    const c = withdrawn();
    c.h.run(sup, { type: 'request.close', requestId: 'req-1', reason: 'done' });
    c.h.run(sup, { type: 'incident.close', incidentId: 'inc-1', reason: 'over' });
    c.h.advance(300);
    assert.deepEqual(dueNotificationEscalations(c.h.world, c.h.now), []);
    c.h.refuse({ agency: 'fed-ice', device: ESCALATION_DEVICE }, { type: 'notification.resend', notificationId: c.toLiaison.id }, 'INCIDENT_CLOSED');
  });

  it('nobody re-sends before the deadline, and no other agency re-sends at all', () => {
    const { h, toLiaison } = withdrawn();
    h.advance(299);
    h.refuse(
      { agency: 'fed-ice', device: ESCALATION_DEVICE },
      { type: 'notification.resend', notificationId: toLiaison.id },
      'INVALID_TRANSITION',
      /not overdue/,
    );
    h.advance(1);
    h.refuse(
      { agency: 'city-pd', device: ESCALATION_DEVICE },
      { type: 'notification.resend', notificationId: toLiaison.id },
      'NOT_AUTHORISED',
      /up fed-ice's chain/,
    );
    h.refuse({ agency: 'fed-ice', device: ESCALATION_DEVICE }, { type: 'notification.resend', notificationId: 'nope' }, 'UNKNOWN_ENTITY');
    // a person of the agency may send it up by hand once it is overdue: the deadline is what it rests on
    h.run(sup, { type: 'notification.resend', notificationId: toLiaison.id });
  });

  it('the world as of now: a node that was down sends each overdue notice one step up, not the whole chain at once', () => {
    const { h, toLiaison, toSup } = withdrawn();
    h.advance(3 * 3600);
    const sent = resendDue(h);
    assert.deepEqual(
      sent.map((n) => [n.resends, n.position, n.createdAt]),
      [
        [toLiaison.id, 'fed-sup', h.now],
        [toSup.id, 'fed-fod', h.now],
      ],
    );
    assert.deepEqual(resendDue(h), []);
    assert.equal(nextDue(h.world, h.now), new Date(Date.parse(h.now) + 300_000).toISOString());
  });

  it('the pending deadlines list request and acknowledgement deadlines, earliest first, each under a key of its own', () => {
    const { h, toLiaison, toSup } = withdrawn();
    sendRequest(h, 'req-9', { urgency: 'urgent' });
    const pending = pendingDeadlines(h.world, h.now);
    assert.deepEqual(
      pending.map((d) => [d.key, d.at]),
      [
        [`notification.resend ${toLiaison.id}`, '2026-06-01T21:05:00.000Z'],
        [`notification.resend ${toSup.id}`, '2026-06-01T21:05:00.000Z'],
        ['request.escalate req-9 2026-06-01T21:10:00.000Z', '2026-06-01T21:10:00.000Z'],
      ],
    );
    assert.equal(
      nextDue(h.world, h.now, (key) => key.startsWith('notification.')),
      '2026-06-01T21:10:00.000Z',
    );
  });
});
