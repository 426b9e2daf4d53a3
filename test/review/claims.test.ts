/**
 * Claims against the record (src/review/claims.ts) on the demo's world:
 * "without notice" is contradicted by the notices fed-ice received and
 * acknowledged; "without support from 21:05" is borne out by the
 * withdrawal; a claim about a moment before the withdrawal is contradicted;
 * a reader who may not read the evidence gets "not shared", not a finding.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Caller, World } from '../../src/domain/index.ts';
import { evaluateCheck } from '../../src/review/claims.ts';
import { demoLedger } from '../helpers/demo-ledger.ts';

const REVIEWER: Caller = { agency: 'review-board', role: 'reviewer' };
const OUTSIDER: Caller = { agency: 'review-board', role: 'member' };
let world: World;

before(async () => {
  world = (await demoLedger()).final;
});

describe('claims against the record', () => {
  it('"without notice" is contradicted by the delivered and acknowledged notices', () => {
    const r = evaluateCheck(world, REVIEWER, { kind: 'notified', agency: 'fed-ice', order: 'ord-001', asserted: false });
    assert.equal(r.finding, 'contradicted');
    assert.equal(r.recordShows, true);
    assert.ok(r.evidence.some((e) => e.at === '2026-06-01T21:06:30.000Z' && /delivered/.test(e.what)));
    assert.ok(r.evidence.some((e) => e.at === '2026-06-01T21:07:10.000Z' && /acknowledged by ice-santos/.test(e.what)));
    // "not told by 21:06" is borne out: the first delivery came at 21:06:30
    assert.equal(
      evaluateCheck(world, REVIEWER, { kind: 'notified', agency: 'fed-ice', order: 'ord-001', by: '2026-06-01T21:06:00Z', asserted: false }).finding,
      'supported',
    );
  });

  it('a claim about support at a moment is checked against the commitments', () => {
    assert.equal(evaluateCheck(world, REVIEWER, { kind: 'supported', request: 'req-001', at: '2026-06-01T21:05:00Z', asserted: false }).finding, 'supported');
    const before = evaluateCheck(world, REVIEWER, { kind: 'supported', request: 'req-001', at: '2026-06-01T21:00:00Z', asserted: false });
    assert.equal(before.finding, 'contradicted');
    assert.match(before.explanation, /cpd-1231, cpd-1232, cpd-1233 served request req-001/);
  });

  it('draws no conclusion from records the reader may not read', () => {
    assert.equal(evaluateCheck(world, OUTSIDER, { kind: 'supported', request: 'req-001', at: '2026-06-01T21:05:00Z', asserted: false }).finding, 'not shared');
    const r = evaluateCheck(world, OUTSIDER, { kind: 'notified', agency: 'fed-ice', order: 'ord-001', asserted: false });
    assert.equal(r.finding, 'not shared');
    assert.deepEqual(r.evidence, []);
  });
});
