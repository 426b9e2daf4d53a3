/**
 * Decision traces (src/review/trace.ts) on the demo's world: the authority
 * of each decision with its basis (an appointment, an incident command
 * role, a passed deadline), the verdicts with clauses, what followed, the
 * notices; and the boundaries (another agency's organisation is not shown,
 * a record the caller may not read is not there).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Caller, World } from '../../src/domain/index.ts';
import { traceOrder, traceRequest } from '../../src/review/trace.ts';
import { demoLedger } from '../helpers/demo-ledger.ts';

const REVIEWER: Caller = { agency: 'review-board', role: 'reviewer' };
const ICE: Caller = { agency: 'fed-ice', person: 'ice-santos', role: 'member' };
let world: World;

before(async () => {
  world = (await demoLedger()).final;
});

describe('decision traces', () => {
  it('the withdrawal order: the chief of patrol by her appointment, with what followed and who was told', () => {
    const t = traceOrder(world, REVIEWER, 'ord-001');
    assert.equal(t.directive, 'withdraw');
    assert.deepEqual(t.authority.basis, {
      kind: 'appointment',
      appointment: (t.authority.basis as { appointment: string }).appointment,
      position: 'city-pd.chief-of-patrol',
      title: 'Chief of Patrol',
      from: (t.authority.basis as { from: string }).from,
    });
    assert.equal(t.authority.description, 'position city-pd.chief-of-patrol');
    assert.deepEqual(
      t.followed.conflicts.map((c) => c.with),
      ['ord-000', 'ord-000', 'ord-000'],
    );
    assert.ok(t.followed.conflicts.every((c) => c.resolved?.by.person === 'ice-santos'));
    const toIce = t.notified.filter((n) => n.recipient.agency === 'fed-ice');
    assert.ok(toIce.length > 0 && toIce.every((n) => n.deliveredAt === '2026-06-01T21:06:30.000Z'));
  });

  it('the federal hold order rests on the unified command in place when it was issued', () => {
    const t = traceOrder(world, REVIEWER, 'ord-000');
    assert.equal(t.authority.basis?.kind, 'incident command');
    assert.match((t.authority.basis as { structure: string }).structure, /unified command: ice-santos \(fed-ice\), cpd-chen \(city-pd\)/);
    assert.equal(t.supersededBy, undefined);
  });

  it('a request: each decision, the escalations by the passed deadline, the verdict with its clause', () => {
    const t = traceRequest(world, REVIEWER, 'req-003');
    assert.equal(t.verdict?.decision, 'needs_approval');
    assert.deepEqual(
      t.verdict?.clauses.map((c) => c.id),
      ['2-173-040'],
    );
    const escalations = t.decisions.filter((d) => d.action === 'escalated');
    assert.equal(escalations.length, 2);
    assert.ok(escalations.every((d) => d.authority?.basis?.kind === 'response deadline'));
    assert.equal(t.decisions.at(-1)?.action, 'declined');
  });

  it('keeps to the boundaries', () => {
    assert.throws(() => traceOrder(world, ICE, 'ord-001'), { code: 'UNKNOWN_ENTITY' });
    assert.throws(() => traceOrder(world, REVIEWER, 'ord-none'), { code: 'UNKNOWN_ENTITY' });
    const t = traceRequest(world, ICE, 'req-001');
    assert.equal(t.decisions.find((d) => d.action === 'accepted')?.authority?.basis?.kind, 'not shared');
    // the notices in it are those fed-ice reads: to or from fed-ice
    assert.ok(t.notified.every((n) => n.recipient.agency === 'fed-ice' || world.notifications[n.notification]?.createdBy.agency === 'fed-ice'));
  });
});
