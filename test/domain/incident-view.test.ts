import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConcordError } from '../../src/errors.ts';
import { incidentView } from '../../src/domain/incident-view.ts';
import { foldUntil } from '../../src/domain/project.ts';
import { addSeconds } from '../../src/domain/time.ts';
import { T0, demo, officer1, organisation, sup, watch } from './fixture.ts';

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

  it('shows the live picture: unit status and last position, incident and request coordinates, messages; at a past moment as it was', () => {
    const h = organisation();
    const mdt = { agency: 'city-pd', device: 'mdt-11' };
    h.run(sup, { type: 'incident.update', incidentId: 'inc-1', coordinates: { lat: 41.8743, lon: -87.6606 } });
    h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    h.run(watch, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'city-11' });
    h.advance(10);
    h.run(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'en_route' });
    h.run(mdt, { type: 'unit.report_positions', positions: [{ unit: 'city-11', lat: 41.88, lon: -87.65, accuracy: 12, observed: addSeconds(T0, 9) }] });
    h.advance(50);
    h.run(officer1, { type: 'unit.set_status', unitId: 'city-11', status: 'on_scene', observed: addSeconds(T0, 58) });
    h.run(watch, { type: 'message.send', messageId: 'm-1', incidentId: 'inc-1', text: '11-Adam at the gate', agencies: ['fed-ice'] });
    const v = incidentView(h.world, 'inc-1');
    assert.deepEqual(v.incident.coordinates, { lat: 41.8743, lon: -87.6606 });
    const u = v.units.find((x) => x.id === 'city-11');
    assert.deepEqual(u?.status, { status: 'on_scene', since: addSeconds(T0, 60), observed: addSeconds(T0, 58), by: { ...officer1, name: 'G. Officer' } });
    assert.deepEqual(u?.position, { lat: 41.88, lon: -87.65, accuracy: 12, observed: addSeconds(T0, 9), received: addSeconds(T0, 10), by: mdt });
    assert.deepEqual(
      v.messages.map((m) => [m.id, m.from.name, m.text, m.agencies]),
      [['m-1', 'D. Watch', '11-Adam at the gate', ['fed-ice']]],
    );
    assert.deepStrictEqual(JSON.parse(JSON.stringify(v)), v);
    // as it stood at T0 + 30 s: en route, the first fix, no message yet
    const then = incidentView(foldUntil(h.log, addSeconds(T0, 30)), 'inc-1');
    assert.equal(then.units[0]?.status?.status, 'en_route');
    assert.equal(then.units[0]?.position?.lat, 41.88);
    assert.deepEqual(then.messages, []);
  });
});
