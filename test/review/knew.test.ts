/**
 * Who knew what when (src/review/knew.ts) over the demo's world: what
 * reached the fed-ice supervisor around the withdrawal; what a unit and an
 * agency knew; the boundaries (a city-pd member reads only what city-pd
 * may read); and, as a fast-check property over moments, that knowing only
 * grows with time: a fact that reached someone stays reached, and its state
 * never goes back.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Caller, World } from '../../src/domain/index.ts';
import { knewAt, knewDuring, type FactState } from '../../src/review/knew.ts';
import { demoLedger } from '../helpers/demo-ledger.ts';

const REVIEWER: Caller = { agency: 'review-board', role: 'reviewer' };
const CITY: Caller = { agency: 'city-pd', person: 'cpd-reyes', role: 'member' };
const ICE: Caller = { agency: 'fed-ice', person: 'ice-santos', role: 'member' };
let world: World;

before(async () => {
  world = (await demoLedger()).final;
});

const SANTOS = { kind: 'person', id: 'ice-santos' } as const;

describe('who knew what when', () => {
  it('the supervisor: the withdrawal reached him at 21:06:30 and he acknowledged it at 21:07:10', () => {
    const about = (f: { about: { order?: string }; topic: string }): boolean => f.about.order === 'ord-001' || f.topic === 'request.units_withdrawn';
    assert.deepEqual(knewAt(world, REVIEWER, SANTOS, '2026-06-01T21:04:59Z').known.filter(about), []);
    const at = knewAt(world, REVIEWER, SANTOS, '2026-06-01T21:06:45Z');
    assert.ok(at.unacknowledged.some(about), 'delivered, not yet acknowledged');
    assert.deepEqual(at.acknowledged.filter(about), []);
    const later = knewAt(world, REVIEWER, SANTOS, '2026-06-01T21:07:11Z');
    assert.ok(later.acknowledged.some(about));
    assert.deepEqual(later.unacknowledged.filter(about), []);
  });

  it('a unit knew the orders addressed to it from its acknowledgement', () => {
    const unit = { kind: 'unit', id: 'cpd-1231' } as const;
    const before = knewAt(world, REVIEWER, unit, '2026-06-01T21:05:30Z');
    assert.ok(before.undelivered.some((f) => f.kind === 'order' && f.id === 'ord-001'));
    const after = knewAt(world, REVIEWER, unit, '2026-06-01T21:06:00Z');
    const order = after.known.find((f) => f.kind === 'order' && f.id === 'ord-001');
    assert.equal(order?.state, 'acknowledged');
    assert.equal(order?.acknowledgedBy?.person, 'cpd-ortiz');
    // the federal hold order ord-000 was never acknowledged for the car
    assert.ok(after.undelivered.some((f) => f.kind === 'order' && f.id === 'ord-000'));
  });

  it('an agency knew a request when it was recorded as received', () => {
    const city = knewAt(world, REVIEWER, { kind: 'agency', id: 'city-pd' }, '2026-06-01T20:41:00Z');
    const req = city.known.find((f) => f.kind === 'request' && f.id === 'req-001');
    assert.equal(req?.deliveredAt, '2026-06-01T20:41:00.000Z');
  });

  it('keeps to the boundaries: a member reads only the facts its agency may read', () => {
    const ice = knewAt(world, ICE, { kind: 'agency', id: 'fed-ice' }, '2026-06-02T00:00:00Z');
    const city = knewAt(world, CITY, { kind: 'agency', id: 'fed-ice' }, '2026-06-02T00:00:00Z');
    const ids = (k: typeof ice): string[] => [...k.known, ...k.undelivered].map((f) => `${f.kind}:${f.id}`);
    // notices city-pd sent fed-ice are city-pd's to read too; fed-ice's notices to itself are not
    assert.ok(ids(city).every((id) => ids(ice).includes(id)));
    for (const f of [...city.known, ...city.undelivered]) {
      if (f.kind === 'notification') {
        const n = world.notifications[f.id];
        assert.ok(n !== undefined && (n.createdBy.agency === 'city-pd' || n.recipient.agency === 'city-pd'), f.id);
      }
    }
    assert.ok(ids(ice).length > ids(city).length, 'fed-ice has notices of its own');
    assert.throws(() => knewAt(world, CITY, { kind: 'person', id: 'ice-brennan' }, '2026-06-02T00:00:00Z'), { code: 'UNKNOWN_ENTITY' });
    assert.throws(() => knewAt(world, REVIEWER, { kind: 'person', id: 'nobody' }, '2026-06-02T00:00:00Z'), { code: 'UNKNOWN_ENTITY' });
    assert.throws(() => knewAt(world, REVIEWER, SANTOS, 'noon'), { code: 'BAD_INPUT' });
  });

  it('knowing only grows with time (property over moments)', () => {
    const rank: Record<FactState, number> = { undelivered: 0, delivered: 1, acknowledged: 2 };
    const start = Date.parse('2026-06-01T20:25:00Z');
    const subjects = [
      SANTOS,
      { kind: 'person', id: 'ice-whitfield' },
      { kind: 'unit', id: 'cpd-1232' },
      { kind: 'agency', id: 'city-pd' },
      { kind: 'agency', id: 'fed-ice' },
    ] as const;
    fc.assert(
      fc.property(fc.constantFrom(...subjects), fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 0, max: 4000 }), (subject, a, b) => {
        const [early, late] = [Math.min(a, b), Math.max(a, b)].map((s) => new Date(start + s * 1000).toISOString()) as [string, string];
        const then = knewAt(world, REVIEWER, subject, early);
        const now = knewAt(world, REVIEWER, subject, late);
        const stateNow = new Map([...now.known, ...now.undelivered].map((f) => [`${f.kind}:${f.id}`, f.state]));
        for (const f of [...then.known, ...then.undelivered]) {
          const s = stateNow.get(`${f.kind}:${f.id}`);
          assert.ok(s !== undefined, `${f.kind}:${f.id} is still addressed to them`);
          assert.ok(rank[s] >= rank[f.state], `${f.kind}:${f.id}: ${f.state} at ${early}, ${s} at ${late}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('for a period: each fact once, at the first moment it reached them, within the period', () => {
    const d = knewDuring(world, REVIEWER, { kind: 'agency', id: 'fed-ice' }, '2026-06-01T21:00:00Z', '2026-06-01T21:10:00Z');
    for (const f of d.facts) assert.ok(f.at >= '2026-06-01T21:00:00.000Z' && f.at <= '2026-06-01T21:10:00.000Z');
    assert.equal(d.facts.find((f) => f.key === 'order:ord-001')?.at, '2026-06-01T21:06:30.000Z');
    assert.throws(() => knewDuring(world, REVIEWER, SANTOS, '2026-06-01T22:00:00Z', '2026-06-01T21:00:00Z'), { code: 'BAD_INPUT' });
  });
});
