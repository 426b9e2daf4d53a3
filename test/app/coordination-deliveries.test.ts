/**
 * CoordinationService.markDelivered: what the server calls when a client of
 * a notice's recipient receives it (the feed sent it, the inbox was read).
 * Each delivery is an entry, recorded once, only for the notices addressed
 * to the caller, all in one append; unknown ids refuse the whole call.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isConcordError } from '../../src/errors.ts';
import { tempRoot } from '../helpers/data-dir.ts';
import { chen, openClockNode, santos, sendRequest, whitfield, type ClockNode } from './clock-node.ts';

const root = tempRoot('concord-deliveries-');
after(() => root.cleanup());

/** a call for help the city declines: urgent notices to fed-ice's liaison (whitfield) and requester (santos) */
async function declined(node: ClockNode): Promise<{ toWhitfield: string; toSantos: string }> {
  await node.service.execute(sendRequest('req-b', { category: 'officer_in_danger', urgency: 'immediate', operation: 'emergency_response', unitsRequested: 1 }));
  await node.service.execute({ type: 'request.decline', actor: chen, requestId: 'req-b', reason: 'No units free' });
  const told = Object.values(node.service.world.notifications).filter((n) => n.topic === 'request.declined');
  return { toWhitfield: told.find((n) => n.recipient.person === 'ice-whitfield')!.id, toSantos: told.find((n) => n.recipient.person === 'ice-santos')!.id };
}

describe('CoordinationService.markDelivered', () => {
  it("records each delivery to the caller once, in one append, and skips what is not the caller's", async () => {
    const node = await openClockNode(root.path);
    try {
      const { toWhitfield, toSantos } = await declined(node);
      node.now += 2000;
      const size = await node.ledger.store.size();
      // the feed sent whitfield both notices (fed-ice sees its own); only his is delivered to him
      const done = await node.service.markDelivered(whitfield, [toWhitfield, toSantos, toWhitfield]);
      assert.deepEqual(
        done.map((x) => [x.command, x.events.map((e) => [e.type, e.actor, e.body])]),
        [
          [
            { type: 'notification.deliver', actor: whitfield, notificationId: toWhitfield },
            [['notification.delivered', whitfield, { notification: toWhitfield }]],
          ],
        ],
      );
      assert.equal(await node.ledger.store.size(), size + 1);
      assert.equal(node.service.world.notifications[toWhitfield]?.deliveredAt, node.iso());
      // again: nothing appended
      assert.deepEqual(await node.service.markDelivered(whitfield, [toWhitfield]), []);
      assert.equal(await node.ledger.store.size(), size + 1);
      // the other agency, or the reviewer reading fed-ice's notices, delivers nothing
      assert.deepEqual(await node.service.markDelivered(chen, [toWhitfield, toSantos]), []);
      // fed-ice's own system receives for its people: both remaining in one append
      await node.service.execute(
        sendRequest('req-c', { category: 'officer_in_danger', urgency: 'immediate', operation: 'emergency_response', unitsRequested: 1 }),
      );
      await node.service.execute({ type: 'request.decline', actor: chen, requestId: 'req-c', reason: 'Still no units' });
      const more = Object.values(node.service.world.notifications)
        .filter((n) => n.request === 'req-c' && n.recipient.agency === 'fed-ice' && n.status === 'created')
        .map((n) => n.id);
      assert.ok(more.length >= 2);
      const before = await node.ledger.store.size();
      const cad = { agency: 'fed-ice', device: 'fed-ice-cad' };
      const x = await node.service.markDelivered(cad, [toSantos, toWhitfield, ...more]);
      assert.deepEqual(
        x.map((e) => e.command.type === 'notification.deliver' && e.command.notificationId),
        [toSantos, ...more],
      );
      const indexes = x.flatMap((e) => e.entries.map((a) => a.index));
      assert.deepEqual(
        indexes,
        indexes.map((_, i) => before + i),
        'consecutive entries',
      );
      assert.equal(await node.ledger.store.size(), before + 1 + more.length);
      // acknowledged notices are not delivered again either
      await node.service.execute({ type: 'notification.acknowledge', actor: santos, notificationId: toSantos });
      assert.deepEqual(await node.service.markDelivered(santos, [toSantos]), []);
    } finally {
      await node.close();
    }
  });

  it('an unknown id refuses the whole call and appends nothing; a malformed one is bad input', async () => {
    const node = await openClockNode(root.path);
    try {
      const { toWhitfield } = await declined(node);
      const size = await node.ledger.store.size();
      await assert.rejects(
        node.service.markDelivered(whitfield, [toWhitfield, 'notification-none']),
        (e: unknown) => isConcordError(e, 'UNKNOWN_ENTITY') && /notification-none/.test(e.message),
      );
      await assert.rejects(node.service.markDelivered(whitfield, [toWhitfield, 'not an id!']), (e: unknown) => isConcordError(e, 'BAD_INPUT'));
      assert.equal(await node.ledger.store.size(), size);
      assert.equal(node.service.world.notifications[toWhitfield]?.status, 'created');
      assert.deepEqual(await node.service.markDelivered(whitfield, []), []);
    } finally {
      await node.close();
    }
  });
});
