/**
 * Property: for random acknowledgement windows, clock ticks and
 * acknowledgement times, an urgent notice is re-sent up the chain exactly
 * when it is unacknowledged past its deadline, once, and never after anyone
 * in its chain acknowledged it — checked against a reference model of the
 * chain (liaison-fed, who holds no post → the desk fed-sup → the director
 * fed-fod, the top).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dueNotificationEscalations } from '../../src/domain/deadlines.ts';
import { addSeconds, isAtOrBefore } from '../../src/domain/time.ts';
import type { Notification } from '../../src/domain/world.ts';
import type { Actor } from '../../src/domain/values.ts';
import { FED, organisation } from './fixture.ts';
import { ack, resendDue, withdrawn } from './resends-fixture.ts';

/** who reads the notice at each step of the chain: the liaison it was for, then the holder of each post */
const READERS: Actor[] = [
  { agency: 'fed-ice', person: 'liaison-fed' },
  { agency: 'fed-ice', person: 'sup' },
  { agency: 'fed-ice', person: 'fod' },
];
const POSITIONS = [undefined, 'fed-sup', 'fed-fod'];

type Step = { kind: 'tick'; seconds: number } | { kind: 'ack'; level: number; seconds: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 0, max: 900 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ack' as const), level: fc.integer({ min: 0, max: 2 }), seconds: fc.integer({ min: 0, max: 900 }) }) },
);

/** the chain of notices from the first, following each re-send */
function chainFrom(notifications: Readonly<Record<string, Notification>>, first: string): Notification[] {
  const out: Notification[] = [];
  let id: string | undefined = first;
  while (id !== undefined) {
    const n: Notification = notifications[id]!;
    out.push(n);
    id = n.resentAs;
  }
  return out;
}

describe('re-sending unacknowledged urgent notices (property)', () => {
  it('re-sent exactly when unacknowledged past the deadline, one step per deadline, never after an acknowledgement', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.array(step, { maxLength: 25 }), (within, steps) => {
        const h = organisation();
        h.run(FED, { type: 'agency.configure', acknowledgeUrgentWithin: within });
        const { toLiaison } = withdrawn(h);
        // the reference: how far up the chain the notice is, since when, and whether anyone read it
        let level = 0;
        let since = toLiaison.createdAt;
        let acknowledgedAt: string | undefined;
        for (const s of steps) {
          h.advance(s.seconds);
          if (s.kind === 'ack') {
            const chain = chainFrom(h.world.notifications, toLiaison.id);
            const n = chain[s.level];
            // one can read only what was sent, and only once
            if (n === undefined || n.status === 'acknowledged') continue;
            h.run(READERS[s.level]!, ack(n.id));
            acknowledgedAt ??= h.now;
            continue;
          }
          const latest = chainFrom(h.world.notifications, toLiaison.id).at(-1)!;
          const due = dueNotificationEscalations(h.world, h.now).some((c) => c.type === 'notification.resend' && c.notificationId === latest.id);
          resendDue(h);
          // the model: at a tick, an unread notice past its deadline with a post above goes one step up
          const moves = acknowledgedAt === undefined && level < 2 && isAtOrBefore(addSeconds(since, within), h.now);
          assert.equal(due, moves, `at ${h.now}: due ${due}, the model says ${moves}`);
          if (moves) {
            level += 1;
            since = h.now;
          }
          const chain = chainFrom(h.world.notifications, toLiaison.id);
          assert.equal(chain.length, level + 1, `at ${h.now}: ${chain.length - 1} re-sends, the model says ${level}`);
          assert.equal(chain[level]!.createdAt, since);
          chain.forEach((n, i) => {
            assert.equal(n.position, POSITIONS[i]);
            assert.equal(n.urgent, true);
            if (i > 0) {
              const before = chain[i - 1]!;
              // each step up only once its predecessor's window had passed, unread
              assert.ok(isAtOrBefore(addSeconds(before.createdAt, within), n.createdAt));
              assert.equal(n.resends, before.id);
              if (acknowledgedAt !== undefined)
                assert.ok(isAtOrBefore(n.createdAt, acknowledgedAt), `re-sent at ${n.createdAt}, after an acknowledgement at ${acknowledgedAt}`);
            }
          });
          // nothing is left due once the tick ran: one step per deadline
          assert.deepEqual(dueNotificationEscalations(h.world, h.now), []);
        }
      }),
      { numRuns: 150 },
    );
  });
});
