import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heldAuthorities, positionsHeld } from '../../src/domain/command.ts';
import { CITY, FED, Harness, district, organisation, sgt1, supt, watch } from './fixture.ts';

describe('organisations', () => {
  it('an agency registers itself, once', () => {
    const h = new Harness();
    h.refuse(CITY, { type: 'agency.register', agencyId: 'fed-ice', name: 'x', kind: 'federal', jurisdiction: 'y' }, 'NOT_AUTHORISED');
    h.run(CITY, { type: 'agency.register', agencyId: 'city-pd', name: 'City PD', kind: 'local', jurisdiction: 'City' });
    h.refuse(CITY, { type: 'agency.register', agencyId: 'city-pd', name: 'x', kind: 'local', jurisdiction: 'y' }, 'DUPLICATE_ID');
    h.refuse(FED, { type: 'position.establish', title: 'x' }, 'UNKNOWN_ENTITY');
  });

  it('positions form a chain within the agency', () => {
    const h = organisation();
    h.refuse(CITY, { type: 'position.establish', positionId: 'p', title: 'x', reportsTo: 'fed-sup' }, 'NOT_AUTHORISED');
    h.refuse(CITY, { type: 'position.establish', positionId: 'p', title: 'x', reportsTo: 'nope' }, 'UNKNOWN_ENTITY');
    h.refuse(CITY, { type: 'position.establish', positionId: 'city-watch', title: 'x' }, 'DUPLICATE_ID');
    h.run(CITY, { type: 'position.establish', title: 'Lieutenant', reportsTo: 'city-watch' });
    const created = Object.values(h.world.positions).find((p) => p.title === 'Lieutenant');
    assert.equal(created?.agency, 'city-pd');
  });

  it('appointments have a start and an end; a person may hold several positions', () => {
    const h = organisation();
    h.refuse(CITY, { type: 'person.appoint', personId: 'sup', positionId: 'city-watch' }, 'NOT_AUTHORISED');
    h.refuse(CITY, { type: 'person.appoint', personId: 'watch', positionId: 'city-watch' }, 'INVALID_TRANSITION', /already holds/);
    h.run(CITY, { type: 'person.appoint', personId: 'watch', positionId: 'city-sgt-2', from: '2026-01-01T00:00:00.000Z' });
    assert.deepEqual(positionsHeld(h.world, 'watch', h.now), ['city-sgt-2', 'city-watch']);
    assert.deepEqual(positionsHeld(h.world, 'watch', '2025-12-31T00:00:00.000Z'), []);
    h.refuse(CITY, { type: 'person.relieve', personId: 'watch', positionId: 'city-watch', reason: '' }, 'REASON_REQUIRED');
    h.refuse(CITY, { type: 'person.relieve', personId: 'watch', positionId: 'city-supt', reason: 'x' }, 'INVALID_TRANSITION');
    const before = h.now;
    h.advance(3600);
    h.run(CITY, { type: 'person.relieve', personId: 'watch', positionId: 'city-watch', reason: 'end of shift' });
    assert.deepEqual(positionsHeld(h.world, 'watch', before), ['city-sgt-2', 'city-watch']);
    assert.deepEqual(positionsHeld(h.world, 'watch', h.now), ['city-sgt-2']);
    // relieved people lose the authority of the position
    assert.deepEqual(heldAuthorities(h.world, 'watch', h.now), [{ kind: 'position', position: 'city-sgt-2' }]);
  });

  it('units belong to their agency, with its people as members', () => {
    const h = organisation();
    h.refuse(CITY, { type: 'unit.register', unitId: 'u', unitType: 'car', callsign: 'X', members: ['agent1'] }, 'NOT_AUTHORISED');
    h.refuse(CITY, { type: 'unit.register', unitId: 'u', unitType: 'car', callsign: 'X', supervisor: 'fed-sup' }, 'NOT_AUTHORISED');
    h.refuse(FED, { type: 'unit.update', unitId: 'city-11', callsign: 'mine' }, 'NOT_AUTHORISED');
    h.run(CITY, { type: 'unit.update', unitId: 'city-11', members: ['off1'], callsign: '11-Adam-1' });
    assert.deepEqual([h.world.units['city-11']?.members, h.world.units['city-11']?.callsign], [['off1'], '11-Adam-1']);
  });

  it('a person belongs to the agency named in the actor', () => {
    const h = organisation();
    h.refuse({ agency: 'city-pd', person: 'sup' }, { type: 'person.register', name: 'x' }, 'NOT_AUTHORISED');
    h.refuse({ agency: 'city-pd', person: 'nobody' }, { type: 'person.register', name: 'x' }, 'UNKNOWN_ENTITY');
  });

  it('delegations: only a holder of the position (or above) delegates it, for a time, revocably', () => {
    const h = organisation();
    const grant = { type: 'delegation.grant', delegationId: 'd1', to: 'watch', scope: { kind: 'position', position: 'city-district' }, reason: 'on leave' } as const;
    h.refuse(watch, grant, 'NOT_AUTHORISED');
    h.refuse(district, { ...grant, reason: ' ' }, 'REASON_REQUIRED');
    h.refuse(district, { ...grant, from: '2026-06-02T00:00:00.000Z', until: '2026-06-01T00:00:00.000Z' }, 'BAD_INPUT');
    h.run(district, { ...grant, until: '2026-06-02T00:00:00.000Z' });
    assert.deepEqual(heldAuthorities(h.world, 'watch', h.now), [
      { kind: 'position', position: 'city-watch' },
      { kind: 'delegation', delegation: 'd1', position: 'city-district' },
    ]);
    assert.equal(heldAuthorities(h.world, 'watch', '2026-06-02T00:00:00.000Z').length, 1);
    // a delegate cannot pass the delegated authority on
    h.refuse(watch, { ...grant, delegationId: 'd2', to: 'sgt1' }, 'NOT_AUTHORISED');
    h.refuse(sgt1, { type: 'delegation.revoke', delegationId: 'd1', reason: 'x' }, 'NOT_AUTHORISED');
    h.advance(60);
    h.run(supt, { type: 'delegation.revoke', delegationId: 'd1', reason: 'district back' });
    assert.equal(heldAuthorities(h.world, 'watch', h.now).length, 1);
    h.refuse(district, { type: 'delegation.revoke', delegationId: 'd1', reason: 'x' }, 'INVALID_TRANSITION');
    h.refuse(district, { ...grant, delegationId: 'd1' }, 'DUPLICATE_ID');
  });
});
