/**
 * Units in the live picture: their CAD status and their positions, set and
 * reported only by the unit's own agency. A status off the request on a
 * unit committed to another agency's request is a withdrawal, recorded and
 * told like every other (commitments.ts); a fix that arrives late never
 * hides a newer one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseCommand } from '../../src/domain/commands.ts';
import { parseDomainEvent } from '../../src/domain/events.ts';
import { foldEvents, foldUntil } from '../../src/domain/project.ts';
import { MAX_POSITIONS_PER_REPORT } from '../../src/domain/values.ts';
import { isConcordError } from '../../src/errors.ts';
import { Harness, T0, chief, endsOfServiceAreTold, officer1, organisation, sendRequest, sgt1, sgt2, sup, verdict, watch, type Body } from './fixture.ts';
import { addSeconds } from '../../src/domain/time.ts';
import type { Actor } from '../../src/domain/values.ts';

const mdt: Actor = { agency: 'city-pd', device: 'mdt-11' };
const avl: Actor = { agency: 'city-pd', device: 'avl-feed' };
const fedAvl: Actor = { agency: 'fed-ice', device: 'avl-feed' };

/** city-11 and city-12 committed to fed-ice's request req-1; liaisons on both sides; unified command sup + watch */
function committed(): Harness {
  const h = organisation();
  h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
  h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup', 'watch'] }, reason: 'joint response' });
  sendRequest(h, 'req-1', { unitsRequested: 2 });
  h.rule('req-1', verdict('permitted'));
  h.run(watch, { type: 'request.receive', requestId: 'req-1' });
  h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'officer in danger' });
  h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11', 'city-12'] });
  h.advance(60);
  return h;
}

/** the command's body as a client sends it, validated as the app validates it */
function parsed(actor: Actor, body: Body): unknown {
  return parseCommand({ ...body, actor });
}

function badInput(actor: Actor, body: Body, where: RegExp): void {
  assert.throws(
    () => parsed(actor, body),
    (e: unknown) => isConcordError(e, 'BAD_INPUT') && where.test(e.message),
  );
}

describe('unit status', () => {
  it('is set by a device of the unit agency, a member, or a position commanding the unit; the record says who and on what', () => {
    const h = organisation();
    h.run(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'en_route', observed: '2026-06-01T20:59:58.000Z' });
    let s = h.world.units['city-11']?.status;
    assert.deepEqual(s, { status: 'en_route', since: T0, observed: '2026-06-01T20:59:58.000Z', by: mdt });
    h.advance(10);
    h.run(officer1, { type: 'unit.set_status', unitId: 'city-11', status: 'on_scene' });
    assert.deepEqual(h.world.units['city-11']?.status?.by, officer1);
    assert.equal(h.world.units['city-11']?.status?.authority, undefined, 'a member rests on being one');
    h.advance(10);
    h.run(sgt1, { type: 'unit.set_status', unitId: 'city-11', status: 'available', reason: 'cleared the call' });
    s = h.world.units['city-11']?.status;
    assert.deepEqual([s?.status, s?.authority, s?.reason], ['available', { kind: 'position', position: 'city-sgt-1' }, 'cleared the call']);
    // the chain above the supervisor commands the unit too
    h.run(chief, { type: 'unit.set_status', unitId: 'city-11', status: 'dispatched' });
    assert.deepEqual(h.world.units['city-11']?.status?.authority, { kind: 'position', position: 'city-chief-patrol' });
  });

  it('is never set by another agency, whoever it is', () => {
    const h = committed();
    for (const actor of [sup, fedAvl, { agency: 'fed-ice', person: 'fod' }]) {
      h.refuse(actor, { type: 'unit.set_status', unitId: 'city-11', status: 'returning', reason: 'go home' }, 'NOT_AUTHORISED', /city-pd/);
    }
    // not even the unified command seat of the requesting agency, which directs the unit on the incident
    h.refuse(
      sup,
      { type: 'unit.set_status', unitId: 'city-11', status: 'en_route', authority: { kind: 'unified_command', incident: 'inc-1', agency: 'fed-ice' } },
      'NOT_AUTHORISED',
    );
  });

  it('refuses an unknown unit, a person of the agency off the unit and outside its chain, the administration, and no change', () => {
    const h = organisation();
    h.refuse(mdt, { type: 'unit.set_status', unitId: 'city-99', status: 'available' }, 'UNKNOWN_ENTITY');
    // sgt2 supervises city-22, not city-11; off3 is in city-12
    h.refuse(sgt2, { type: 'unit.set_status', unitId: 'city-11', status: 'available' }, 'NOT_IN_CHAIN_OF_COMMAND');
    h.refuse({ agency: 'city-pd', person: 'off3' }, { type: 'unit.set_status', unitId: 'city-11', status: 'available' }, 'NOT_AUTHORISED');
    h.refuse({ agency: 'city-pd' }, { type: 'unit.set_status', unitId: 'city-11', status: 'available' }, 'NOT_AUTHORISED', /device or a person/);
    h.run(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'available' });
    h.refuse(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'available' }, 'COMMAND_INCONSISTENT', /already available/);
    // a member who names an authority is held to it
    h.refuse(
      officer1,
      { type: 'unit.set_status', unitId: 'city-11', status: 'en_route', authority: { kind: 'position', position: 'city-sgt-1' } },
      'NOT_AUTHORISED',
    );
  });

  it("refuses a source time far ahead of the server's, and an unknown status", () => {
    const h = organisation();
    h.refuse(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'en_route', observed: addSeconds(T0, 301) }, 'BAD_INPUT', /clock/);
    h.run(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'en_route', observed: addSeconds(T0, 300) });
    badInput(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'busy' as 'available' }, /status/);
  });

  it('an ordinary status on a committed unit changes nothing of the request', () => {
    const h = committed();
    const before = h.world.requests['req-1'];
    h.run(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'en_route' });
    h.run(officer1, { type: 'unit.set_status', unitId: 'city-11', status: 'on_scene' });
    assert.equal(h.world.requests['req-1'], before);
    assert.equal(h.world.units['city-11']?.commitment, 'req-1');
    // the event belongs to the incident the unit is on
    assert.equal(h.log.at(-1)?.event.incident, 'inc-1');
  });
});

describe('a status off the request on a committed unit is a withdrawal', () => {
  for (const status of ['out_of_service', 'returning', 'available'] as const) {
    it(`${status}: recorded on the request with actor, authority and reason; the requesting agency told urgently; the unit leaves the incident`, () => {
      const h = committed();
      const before = h.world;
      const events = h.run(sgt1, { type: 'unit.set_status', unitId: 'city-11', status, reason: 'engine fire, car disabled' });
      endsOfServiceAreTold(before, h.world, events);
      assert.deepEqual(
        events.filter((e) => e.type !== 'notification.created').map((e) => e.type),
        ['unit.status_changed', 'request.units_withdrawn', 'incident.unit_released'],
      );
      const r = h.world.requests['req-1']!;
      const w = r.withdrawals.at(-1)!;
      const authority = { kind: 'position', position: 'city-sgt-1' };
      assert.deepEqual(
        { units: w.units, by: w.by, authority: w.authority, reason: w.reason },
        { units: ['city-11'], by: sgt1, authority, reason: 'engine fire, car disabled' },
      );
      assert.equal(w.order, undefined, 'no order: the status change itself is the act');
      assert.equal(r.state, 'units_committed', 'city-12 still serves');
      const told = h.notified('request.units_withdrawn').filter((n) => n.recipient.agency === 'fed-ice');
      assert.deepEqual(told.map((n) => n.recipient.person).sort(), ['liaison-fed', 'sup']);
      for (const n of told) assert.deepEqual([n.urgent, n.reason, n.units], [true, 'engine fire, car disabled', ['city-11']]);
      const u = h.world.units['city-11']!;
      assert.deepEqual([u.commitment, u.assignment, u.status?.status, u.status?.authority], [undefined, undefined, status, authority]);
    });
  }

  it('refused to a device, a member without a position, a position outside the unit chain, and without a reason; nothing recorded', () => {
    const h = committed();
    h.refuse(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'out_of_service', reason: 'breakdown' }, 'NOT_AUTHORISED', /req-1.*device/);
    h.refuse(officer1, { type: 'unit.set_status', unitId: 'city-11', status: 'returning', reason: 'shift over' }, 'NOT_AUTHORISED', /withdrawal/);
    h.refuse(sgt2, { type: 'unit.set_status', unitId: 'city-11', status: 'returning', reason: 'x' }, 'NOT_IN_CHAIN_OF_COMMAND');
    h.refuse(sgt1, { type: 'unit.set_status', unitId: 'city-11', status: 'available', reason: ' \u200b ' }, 'REASON_REQUIRED');
    h.refuse(sgt1, { type: 'unit.set_status', unitId: 'city-11', status: 'available' }, 'REASON_REQUIRED');
    // still serving, as before
    assert.deepEqual(h.world.requests['req-1']?.withdrawals, []);
    assert.equal(h.world.units['city-11']?.commitment, 'req-1');
  });

  it('once withdrawn by the request, the unit status is free again; an out-of-service unit cannot be committed', () => {
    const h = committed();
    h.run(chief, { type: 'request.withdraw', requestId: 'req-1', units: ['city-12'], reason: 'needed elsewhere', orderId: 'o-w' });
    h.run({ agency: 'city-pd', device: 'mdt-12' }, { type: 'unit.set_status', unitId: 'city-12', status: 'out_of_service' });
    assert.equal(h.world.requests['req-1']?.withdrawals.length, 1, 'no second withdrawal');
    h.refuse(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-12'] }, 'INVALID_TRANSITION', /out of service/);
    h.run({ agency: 'city-pd', device: 'mdt-12' }, { type: 'unit.set_status', unitId: 'city-12', status: 'available' });
    h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-12'] });
    assert.equal(h.world.units['city-12']?.commitment, 'req-1');
  });

  it('a unit committed to its own agency incident (no request) changes status freely', () => {
    const h = organisation();
    h.run(watch, { type: 'incident.open', incidentId: 'inc-city', name: 'Fire', location: 'Main St' });
    h.run(sgt1, { type: 'incident.assign_unit', incidentId: 'inc-city', unitId: 'city-11' });
    h.run(mdt, { type: 'unit.set_status', unitId: 'city-11', status: 'returning' });
    assert.equal(h.world.units['city-11']?.assignment?.incident, 'inc-city', 'status is not assignment');
  });
});

describe('unit positions', () => {
  const fix = (unit: string, lat: number, lon: number, observed: string, accuracy?: number) => ({
    unit,
    lat,
    lon,
    observed,
    ...(accuracy !== undefined ? { accuracy } : {}),
  });

  it('are reported in bulk by a device or a person of the units agency, in one entry, with the source time and the receive time', () => {
    const h = organisation();
    h.advance(5);
    const events = h.run(avl, {
      type: 'unit.report_positions',
      positions: [fix('city-11', 41.8746, -87.6619, T0, 8), fix('city-12', 41.875, -87.662, T0), fix('city-22', 0, -0, T0)],
    });
    assert.deepEqual(
      events.map((e) => [e.type, e.incident]),
      [['unit.positions_reported', undefined]],
      'one entry for the batch: none of its units is on an incident',
    );
    assert.deepEqual(h.world.units['city-11']?.position, {
      lat: 41.8746,
      lon: -87.6619,
      accuracy: 8,
      observed: T0,
      received: addSeconds(T0, 5),
      by: avl,
    });
    assert.equal(h.world.units['city-12']?.position?.accuracy, undefined);
    // -0 is written as 0 in canonical JSON: decided as 0, so the ledger gives back what was decided
    assert.ok(Object.is(h.world.units['city-22']?.position?.lon, 0));
    h.run(officer1, { type: 'unit.report_positions', positions: [fix('city-11', 41.88, -87.66, addSeconds(T0, 1))] });
    assert.equal(h.world.units['city-11']?.position?.lat, 41.88);
  });

  it('a batch is one entry per incident its units are on, each on that incident, so each is shown to whoever shares that incident', () => {
    const h = committed();
    const events = h.run(avl, {
      type: 'unit.report_positions',
      positions: [
        fix('city-22', 41.7, -87.7, T0),
        fix('city-11', 41.87, -87.66, T0),
        fix('city-12', 41.871, -87.661, T0),
        fix('city-22', 41.71, -87.7, addSeconds(T0, 1)),
      ],
    });
    assert.deepEqual(
      events.map((e) => [e.incident, e.type === 'unit.positions_reported' ? e.body.positions.map((p) => p.unit) : []]),
      [
        [undefined, ['city-22', 'city-22']],
        ['inc-1', ['city-11', 'city-12']],
      ],
    );
    assert.equal(h.world.units['city-22']?.position?.lat, 41.71);
    assert.equal(h.world.units['city-12']?.position?.lat, 41.871);
  });

  it('refuses another agency unit, an unknown unit, the administration, a source clock far ahead; the batch is refused whole', () => {
    const h = organisation();
    h.refuse(fedAvl, { type: 'unit.report_positions', positions: [fix('city-11', 41, -87, T0)] }, 'NOT_AUTHORISED');
    h.refuse(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41, -87, T0), fix('fed-t1', 41, -87, T0)] }, 'NOT_AUTHORISED', /position 1/);
    h.refuse(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41, -87, T0), fix('city-99', 41, -87, T0)] }, 'UNKNOWN_ENTITY');
    h.refuse({ agency: 'city-pd' }, { type: 'unit.report_positions', positions: [fix('city-11', 41, -87, T0)] }, 'NOT_AUTHORISED');
    h.refuse(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41, -87, '2099-01-01T00:00:00Z')] }, 'BAD_INPUT', /clock/);
    assert.equal(h.world.units['city-11']?.position, undefined);
  });

  it('refuses bad coordinates, a bad accuracy or time, an empty report and too many positions, at the edge', () => {
    const one = (f: Record<string, unknown>): Body => ({ type: 'unit.report_positions', positions: [{ ...fix('city-11', 41, -87, T0), ...f }] }) as Body;
    badInput(avl, one({ lat: 90.0001 }), /positions\.0\.lat/);
    badInput(avl, one({ lat: -91 }), /positions\.0\.lat/);
    badInput(avl, one({ lon: 180.5 }), /positions\.0\.lon/);
    badInput(avl, one({ lon: Number.NaN }), /positions\.0\.lon/);
    badInput(avl, one({ lat: Number.POSITIVE_INFINITY }), /positions\.0\.lat/);
    badInput(avl, one({ accuracy: -1 }), /positions\.0\.accuracy/);
    badInput(avl, one({ observed: '2026-02-30T10:00:00Z' }), /positions\.0\.observed/);
    badInput(avl, one({ speed: 3 }), /positions\.0/);
    badInput(avl, { type: 'unit.report_positions', positions: [] }, /positions/);
    const many = Array.from({ length: MAX_POSITIONS_PER_REPORT + 1 }, () => fix('city-11', 41, -87, T0));
    badInput(avl, { type: 'unit.report_positions', positions: many }, /positions/);
    // the edges themselves are fine
    parsed(avl, { type: 'unit.report_positions', positions: many.slice(1) });
    parsed(avl, { type: 'unit.report_positions', positions: [fix('city-11', -90, 180, T0), fix('city-11', 90, -180, T0, 0)] });
  });

  it('keeps the newest fix by the source time: a late older fix does not overwrite it; on a tie the first stands', () => {
    const h = organisation();
    h.run(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41.9, -87.6, T0)] });
    h.advance(30);
    h.run(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41.1, -87.1, addSeconds(T0, -20))] });
    assert.equal(h.world.units['city-11']?.position?.lat, 41.9, 'the late older fix is recorded but does not win');
    h.run(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41.2, -87.2, T0)] });
    assert.equal(h.world.units['city-11']?.position?.lat, 41.9);
    // within one batch too
    h.run(avl, { type: 'unit.report_positions', positions: [fix('city-11', 42.5, -87, addSeconds(T0, 20)), fix('city-11', 42.1, -87, addSeconds(T0, 10))] });
    assert.equal(h.world.units['city-11']?.position?.lat, 42.5);
  });

  it('property: whatever the arrival order and batching, the kept fix is the one with the newest observed time', () => {
    const units = ['city-11', 'city-12', 'city-22'];
    const fixes = fc.uniqueArray(
      fc.record({
        unit: fc.constantFrom(...units),
        second: fc.integer({ min: -3600, max: 250 }),
        lat: fc.double({ min: -90, max: 90, noNaN: true }),
        lon: fc.double({ min: -180, max: 180, noNaN: true }),
      }),
      { minLength: 1, maxLength: 40, selector: (f) => `${f.unit}@${f.second}` },
    );
    fc.assert(
      fc.property(fixes, fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 40, maxLength: 40 }), (all, cuts) => {
        const h = organisation();
        // arrive in the generated order, in batches of the generated sizes, each from a later receive time
        let i = 0;
        let b = 0;
        while (i < all.length) {
          const batch = all.slice(i, i + (cuts[b++] ?? 1));
          i += batch.length;
          h.advance(1);
          h.run(avl, {
            type: 'unit.report_positions',
            positions: batch.map((f) => fix(f.unit, f.lat, f.lon, addSeconds(T0, f.second))),
          });
        }
        for (const u of units) {
          const mine = all.filter((f) => f.unit === u);
          const newest = mine.reduce<(typeof mine)[number] | undefined>((a, f) => (a === undefined || f.second > a.second ? f : a), undefined);
          const kept = h.world.units[u]?.position;
          if (newest === undefined) assert.equal(kept, undefined);
          else assert.deepEqual([kept?.lat, kept?.lon, kept?.observed], [newest.lat + 0, newest.lon + 0, addSeconds(T0, newest.second)]);
        }
        // and the ledger gives back the same world
        const rebuilt = foldEvents(
          h.log.map(({ event, meta }) => {
            const e = JSON.parse(JSON.stringify(event));
            return { event: parseDomainEvent(e.type, e.actor, e.incident, e.body), meta };
          }),
        );
        assert.deepStrictEqual(rebuilt.units, h.world.units);
      }),
      { numRuns: 200 },
    );
  });

  it('state at a past moment shows the position as it was known then', () => {
    const h = organisation();
    h.run(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41.9, -87.6, T0)] });
    h.advance(60);
    h.run(avl, { type: 'unit.report_positions', positions: [fix('city-11', 41.95, -87.65, addSeconds(T0, 59))] });
    assert.equal(foldUntil(h.log, addSeconds(T0, 59)).units['city-11']?.position?.lat, 41.9);
    assert.equal(foldUntil(h.log, addSeconds(T0, 60)).units['city-11']?.position?.lat, 41.95);
  });
});
