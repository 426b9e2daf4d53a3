import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConcordError } from '../../src/errors.ts';
import { incidentView } from '../../src/domain/incident-view.ts';
import { foldUntil } from '../../src/domain/project.ts';
import { demo } from './fixture.ts';

describe('incident view', () => {
  const h = demo();
  const view = incidentView(h.world, 'inc-1');

  it('shows the command structure, liaisons and agencies', () => {
    assert.equal(view.command?.kind, 'single');
    assert.deepEqual(
      view.command?.members.map((m) => m.id),
      ['sup'],
    );
    assert.equal(view.command?.by.name, 'L. Supervisor');
    assert.deepEqual(
      view.liaisons.map((l) => l.id),
      ['liaison-fed', 'liaison-city'],
    );
    assert.deepEqual(
      view.agencies.map((a) => a.id),
      ['fed-ice', 'city-pd'],
    );
  });

  it('shows each request with state, verdict clauses, units and withdrawals', () => {
    const r = view.requests[0]!;
    assert.equal(r.state, 'withdrawn');
    assert.deepEqual(
      r.verdict?.clauses.map((c) => c.id),
      ['2-173-030(a)'],
    );
    assert.equal(r.verdict?.policyVersion, 'city-pd/2026-01-01');
    assert.deepEqual(
      r.units.map((u) => [u.unit, u.status]),
      [
        ['city-11', 'withdrawn'],
        ['city-12', 'withdrawn'],
      ],
    );
    assert.equal(r.withdrawals[0]?.order, 'o-withdraw');
    assert.deepEqual(r.withdrawals[0]?.by, { agency: 'city-pd', person: 'chief', name: 'B. Chief' });
    assert.equal(r.answer?.reason, 'officer in immediate danger: 2-173-030(a)');
  });

  it('shows orders with acknowledgements, conflicts and notification status', () => {
    const o = view.orders.find((x) => x.id === 'o-withdraw');
    assert.deepEqual(
      o?.acknowledgements.map((a) => [a.id, a.acknowledged]),
      [
        ['city-11', true],
        ['city-12', false],
      ],
    );
    assert.equal(view.conflicts.length, 1);
    const toLiaison = view.notifications.filter((n) => n.topic === 'request.units_withdrawn' && n.recipient.person === 'liaison-fed');
    assert.deepEqual(
      toLiaison.map((n) => n.status),
      ['acknowledged'],
    );
  });

  it('is JSON as printed, and can be taken at a past moment', () => {
    assert.deepStrictEqual(JSON.parse(JSON.stringify(view)), view);
    const earlier = incidentView(foldUntil(h.log, '2026-06-01T21:06:00.000Z'), 'inc-1');
    assert.equal(earlier.requests[0]?.state, 'on_scene');
    assert.equal(earlier.orders.length, 0);
    assert.deepEqual(
      earlier.units.map((u) => u.id),
      ['city-11', 'city-12'],
    );
  });

  it('refuses an unknown incident', () => {
    assert.throws(
      () => incidentView(h.world, 'inc-404'),
      (e) => isConcordError(e, 'UNKNOWN_ENTITY'),
    );
  });
});
