/**
 * Urgent notices for the re-send tests: the withdrawal of city units from
 * fed-ice's request, which fed-ice's liaison, its requester and fed-ice as a
 * whole are told of, urgently.
 */
import assert from 'node:assert/strict';
import { dueNotificationEscalations } from '../../src/domain/deadlines.ts';
import type { Notification } from '../../src/domain/world.ts';
import { Harness, agent, chief, organisation, sendRequest, verdict, watch } from './fixture.ts';

/**
 * fed-ice's request req-1 answered, units committed, then withdrawn by the
 * chief: urgent notices to fed-ice's liaison and requester, and (the
 * withdrawal order) to fed-ice as a whole, which agent1 reads at once unless
 * `readOrder` is false.
 */
export function withdrawn(
  h: Harness = organisation(),
  { readOrder = true } = {},
): { h: Harness; toLiaison: Notification; toSup: Notification; toAgency: Notification } {
  sendRequest(h);
  h.run(watch, { type: 'request.receive', requestId: 'req-1' });
  h.evaluate('req-1', verdict('permitted'));
  h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'officer in danger' });
  // the answer's own urgent notices to fed-ice are read at once: these tests follow the withdrawal's
  for (const n of h.notified('request.accepted')) h.run({ agency: 'fed-ice', person: n.recipient.person ?? 'agent1' }, ack(n.id));
  h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11', 'city-12'] });
  h.run(chief, { type: 'request.withdraw', requestId: 'req-1', orderId: 'o-pull', reason: 'de-escalation: pull back two blocks' });
  const told = h.notified('request.units_withdrawn');
  const toLiaison = told.find((n) => n.recipient.person === 'liaison-fed');
  const toSup = told.find((n) => n.recipient.person === 'sup');
  const toAgency = h.notified('order.issued').find((n) => n.recipient.agency === 'fed-ice');
  assert.ok(toLiaison && toSup && toAgency && toLiaison.urgent && toSup.urgent && toAgency.urgent);
  assert.deepEqual(toAgency.recipient, { agency: 'fed-ice' });
  if (readOrder) h.run(agent, ack(toAgency.id));
  return { h, toLiaison, toSup, toAgency };
}

export const ack = (notificationId: string) => ({ type: 'notification.acknowledge' as const, notificationId });

/** run every re-send due now; the notices they created */
export function resendDue(h: Harness): Notification[] {
  const out: Notification[] = [];
  for (const c of dueNotificationEscalations(h.world, h.now)) {
    for (const e of h.runCommand(c)) if (e.type === 'notification.created') out.push(h.world.notifications[e.body.notification]!);
  }
  return out;
}
