import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heldAuthorities, positionsHeld } from '../../src/domain/command.ts';
import { addSeconds } from '../../src/domain/time.ts';
import { CITY, FED, Harness, chief, district, fod, organisation, sgt1, sgt2, sup, supt, watch } from './fixture.ts';

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
    h.refuse(CITY, { type: 'position.establish', positionId: 'p', title: 'x', reportsTo: 'fed-sup' }, 'AGENCY_MISMATCH');
    h.refuse(CITY, { type: 'position.establish', positionId: 'p', title: 'x', reportsTo: 'nope' }, 'UNKNOWN_ENTITY');
    h.refuse(CITY, { type: 'position.establish', positionId: 'city-watch', title: 'x' }, 'DUPLICATE_ID');
    h.run(CITY, { type: 'position.establish', title: 'Lieutenant', reportsTo: 'city-watch' });
    const created = Object.values(h.world.positions).find((p) => p.title === 'Lieutenant');
    assert.equal(created?.agency, 'city-pd');
  });

  it('appointments have a start and an end; a person may hold several positions', () => {
    const h = organisation();
    h.refuse(CITY, { type: 'person.appoint', personId: 'sup', positionId: 'city-watch' }, 'AGENCY_MISMATCH');
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
    h.refuse(CITY, { type: 'unit.register', unitId: 'u', unitType: 'car', callsign: 'X', members: ['agent1'] }, 'AGENCY_MISMATCH');
    h.refuse(CITY, { type: 'unit.register', unitId: 'u', unitType: 'car', callsign: 'X', supervisor: 'fed-sup' }, 'AGENCY_MISMATCH');
    h.refuse(FED, { type: 'unit.update', unitId: 'city-11', callsign: 'mine' }, 'NOT_AUTHORISED');
    h.run(CITY, { type: 'unit.update', unitId: 'city-11', members: ['off1'], callsign: '11-Adam-1' });
    assert.deepEqual([h.world.units['city-11']?.members, h.world.units['city-11']?.callsign], [['off1'], '11-Adam-1']);
  });

  it('a person belongs to the agency named in the actor', () => {
    const h = organisation();
    h.refuse({ agency: 'city-pd', person: 'sup' }, { type: 'person.register', name: 'x' }, 'NOT_AUTHORISED', /belongs to fed-ice/);
    h.refuse({ agency: 'city-pd', person: 'nobody' }, { type: 'person.register', name: 'x' }, 'UNKNOWN_ENTITY');
  });

  it('delegations: only a holder of the position (or above) delegates it, for a time, revocably', () => {
    const h = organisation();
    const grant = {
      type: 'delegation.grant',
      delegationId: 'd1',
      to: 'watch',
      scope: { kind: 'position', position: 'city-district' },
      reason: 'on leave',
    } as const;
    h.refuse(watch, { ...grant, to: 'sgt1' }, 'NOT_AUTHORISED');
    h.refuse(watch, grant, 'COMMAND_INCONSISTENT', /to themselves/);
    h.refuse(district, { ...grant, reason: ' ' }, 'REASON_REQUIRED');
    h.refuse(district, { ...grant, from: '2026-06-02T00:00:00.000Z', until: '2026-06-01T00:00:00.000Z' }, 'COMMAND_INCONSISTENT');
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

describe('the organisation is guarded: every change rests on authority over what it changes', () => {
  const officer = { agency: 'city-pd', person: 'off1' } as const;
  const hr = { agency: 'city-pd', device: 'hr-system' } as const;

  it('a patrol officer cannot appoint herself, or anyone, to the top of her agency and then give orders', () => {
    const h = organisation();
    h.refuse(officer, { type: 'person.appoint', personId: 'off1', positionId: 'city-supt' }, 'NOT_AUTHORISED', /cannot appoint themselves/);
    h.refuse(officer, { type: 'person.appoint', personId: 'off2', positionId: 'city-supt' }, 'NOT_AUTHORISED', /holds no position/);
    // a position below cannot fill one above, nor the holder of a position fill their own
    h.refuse(sgt1, { type: 'person.appoint', personId: 'off1', positionId: 'city-supt' }, 'NOT_AUTHORISED');
    h.refuse(watch, { type: 'person.appoint', personId: 'off1', positionId: 'city-watch' }, 'NOT_AUTHORISED');
    h.refuse(hr, { type: 'person.appoint', personId: 'off1', positionId: 'city-sgt-2' }, 'NOT_AUTHORISED', /a device/);
    // and so the order she would give has nothing to rest on
    h.refuse(officer, { type: 'order.issue', directive: 'withdraw', units: ['city-11'], rationale: 'I am in charge now' }, 'NOT_AUTHORISED');
    // a position above appoints, and the record says on what authority
    h.run(watch, { type: 'person.appoint', personId: 'off1', positionId: 'city-sgt-2' });
    const appointed = h.eventsOf('person.appointed').at(-1)!;
    assert.deepEqual(appointed.event.body.authority, { kind: 'position', position: 'city-watch' });
  });

  it('a device relieves nobody; a position above relieves, and the administration may relieve anyone', () => {
    const h = organisation();
    h.refuse(hr, { type: 'person.relieve', personId: 'chief', positionId: 'city-chief-patrol', reason: 'x' }, 'NOT_AUTHORISED', /a device/);
    h.refuse(watch, { type: 'person.relieve', personId: 'chief', positionId: 'city-chief-patrol', reason: 'x' }, 'NOT_AUTHORISED');
    h.refuse(chief, { type: 'person.relieve', personId: 'chief', positionId: 'city-chief-patrol', reason: 'x' }, 'NOT_AUTHORISED');
    h.refuse(FED, { type: 'person.relieve', personId: 'chief', positionId: 'city-chief-patrol', reason: 'x' }, 'AGENCY_MISMATCH');
    h.run(supt, { type: 'person.relieve', personId: 'chief', positionId: 'city-chief-patrol', reason: 'reassigned' });
    assert.deepEqual(h.eventsOf('person.relieved').at(-1)!.event.body.authority, { kind: 'position', position: 'city-supt' });
    h.run(CITY, { type: 'person.relieve', personId: 'supt', positionId: 'city-supt', reason: 'retired by the mayor' });
    assert.deepEqual(h.eventsOf('person.relieved').at(-1)!.event.body.authority, { kind: 'agency_administration', agency: 'city-pd' });
    // the administration acts on its own authority and no other
    h.refuse(
      CITY,
      { type: 'person.appoint', personId: 'supt', positionId: 'city-supt', authority: { kind: 'position', position: 'city-supt' } },
      'NOT_AUTHORISED',
    );
  });

  it('positions are established under a position one commands; a new top only by the administration', () => {
    const h = organisation();
    h.refuse(sgt1, { type: 'position.establish', positionId: 'city-lt', title: 'Lieutenant', reportsTo: 'city-watch' }, 'NOT_AUTHORISED');
    h.refuse(watch, { type: 'position.establish', positionId: 'city-board', title: 'Board' }, 'NOT_AUTHORISED', /administration/);
    h.refuse(hr, { type: 'position.establish', positionId: 'city-lt', title: 'Lieutenant', reportsTo: 'city-watch' }, 'NOT_AUTHORISED');
    h.run(watch, { type: 'position.establish', positionId: 'city-lt', title: 'Lieutenant', reportsTo: 'city-watch' });
    h.run(CITY, { type: 'position.establish', positionId: 'city-board', title: 'Police Board' });
    assert.deepEqual(h.eventsOf('position.established').at(-1)!.event.body.authority, { kind: 'agency_administration', agency: 'city-pd' });
  });

  it('a unit is moved only by someone who commands it where it is and where it goes', () => {
    const h = organisation();
    // sergeant 2 does not command city-11; sergeant 1 does not command sergeant 2's squad
    h.refuse(sgt2, { type: 'unit.update', unitId: 'city-11', supervisor: 'city-sgt-2' }, 'NOT_AUTHORISED');
    h.refuse(sgt1, { type: 'unit.update', unitId: 'city-11', supervisor: 'city-sgt-2' }, 'NOT_AUTHORISED');
    h.refuse(hr, { type: 'unit.update', unitId: 'city-11', supervisor: 'city-sgt-2' }, 'NOT_AUTHORISED');
    h.refuse(sup, { type: 'unit.update', unitId: 'city-11', supervisor: 'city-sgt-2' }, 'NOT_AUTHORISED');
    h.refuse(watch, { type: 'unit.update', unitId: 'city-11' }, 'COMMAND_INCONSISTENT', /nothing to update/);
    h.run(sgt1, { type: 'unit.update', unitId: 'city-11', callsign: '11-Adam-X' });
    h.run(watch, { type: 'unit.update', unitId: 'city-11', supervisor: 'city-sgt-2' });
    assert.equal(h.world.units['city-11']?.supervisor, 'city-sgt-2');
    assert.deepEqual(h.eventsOf('unit.updated').at(-1)!.event.body.authority, { kind: 'position', position: 'city-watch' });
    // and now sergeant 1 no longer commands it
    h.refuse(sgt1, { type: 'order.issue', directive: 'move', units: ['city-11'], target: 'depot', rationale: 'refuel' }, 'NOT_IN_CHAIN_OF_COMMAND');
  });

  it('people and units are registered by the administration or a position that commands where they go', () => {
    const h = organisation();
    h.refuse(officer, { type: 'person.register', personId: 'new-1', name: 'New Officer' }, 'NOT_AUTHORISED');
    h.refuse(hr, { type: 'person.register', personId: 'new-1', name: 'New Officer' }, 'NOT_AUTHORISED');
    h.run(sgt1, { type: 'person.register', personId: 'new-1', name: 'New Officer' });
    h.refuse(sgt1, { type: 'unit.register', unitId: 'city-23', unitType: 'patrol', callsign: '23', supervisor: 'city-sgt-2' }, 'NOT_AUTHORISED');
    h.refuse(sgt1, { type: 'unit.register', unitId: 'city-99', unitType: 'patrol', callsign: '99' }, 'NOT_AUTHORISED');
    h.run(sgt1, { type: 'unit.register', unitId: 'city-13', unitType: 'patrol', callsign: '13', supervisor: 'city-sgt-1', members: ['new-1'] });
    h.run(supt, { type: 'unit.register', unitId: 'city-99', unitType: 'command post', callsign: 'Command 1' });
    // registering an agency is its own administration's act, never a device's
    h.refuse(
      { agency: 'state-pd', device: 'setup' },
      { type: 'agency.register', agencyId: 'state-pd', name: 'State Police', kind: 'state', jurisdiction: 'State' },
      'NOT_AUTHORISED',
    );
    h.run({ agency: 'campus-sec' }, { type: 'agency.register', agencyId: 'campus-sec', name: 'Campus Security', kind: 'private', jurisdiction: 'Campus' });
    assert.equal(h.world.agencies['campus-sec']?.kind, 'private');
  });
});

describe("delegated authority lasts no longer, and reaches no further, than its grantor's", () => {
  it('a delegation ends when its grantor is relieved of the position it was granted on', () => {
    const h = organisation();
    h.run(district, { type: 'delegation.grant', delegationId: 'd1', to: 'watch', scope: { kind: 'position', position: 'city-district' }, reason: 'on leave' });
    assert.equal(heldAuthorities(h.world, 'watch', h.now).length, 2);
    h.advance(60);
    h.run(chief, { type: 'person.relieve', personId: 'district', positionId: 'city-district', reason: 'reassigned' });
    assert.deepEqual(heldAuthorities(h.world, 'watch', h.now), [{ kind: 'position', position: 'city-watch' }]);
    // so it no longer reaches the district commander's units
    h.refuse(
      watch,
      { type: 'request.accept', requestId: 'none', reason: 'x', authority: { kind: 'delegation', delegation: 'd1', position: 'city-district' } },
      'UNKNOWN_ENTITY',
    );
    h.refuse(
      watch,
      { type: 'person.appoint', personId: 'off1', positionId: 'city-watch', authority: { kind: 'delegation', delegation: 'd1', position: 'city-district' } },
      'NOT_AUTHORISED',
      /does not hold/,
    );
    // a later appointment does not revive it, even of the same person: it rested on the one that ended
    h.advance(60);
    h.run(chief, { type: 'person.appoint', personId: 'district', positionId: 'city-district' });
    assert.deepEqual(heldAuthorities(h.world, 'watch', h.now), [{ kind: 'position', position: 'city-watch' }]);
    // while it stood, it stood: the state at an earlier moment still shows it
    assert.equal(heldAuthorities(h.world, 'watch', addSeconds(h.now, -90)).length, 2);
  });

  it('a delegation of incident command ends with a change of incident commander', () => {
    const h = organisation();
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'initial response' });
    h.run(sup, {
      type: 'delegation.grant',
      delegationId: 'ops',
      to: 'agent1',
      scope: { kind: 'incident_command', incident: 'inc-1' },
      reason: 'operations section',
    });
    assert.deepEqual(heldAuthorities(h.world, 'agent1', h.now), [{ kind: 'incident_delegation', delegation: 'ops', incident: 'inc-1' }]);
    h.advance(60);
    h.run(fod, {
      type: 'incident.establish_command',
      incidentId: 'inc-1',
      structure: { kind: 'single', commander: 'fod' },
      reason: 'the director takes command',
    });
    assert.deepEqual(heldAuthorities(h.world, 'agent1', h.now), []);
    // nor does it come back when the supervisor is put back in command: that is a new command
    h.advance(60);
    h.run(fod, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'back to the supervisor' });
    assert.deepEqual(heldAuthorities(h.world, 'agent1', h.now), []);
  });

  it("an agency's authority is delegated only to its own people", () => {
    const h = organisation();
    // a city position handed to a federal officer would let him withdraw city units under federal rules
    h.refuse(
      district,
      { type: 'delegation.grant', to: 'sup', scope: { kind: 'position', position: 'city-district' }, reason: 'liaison' },
      'AGENCY_MISMATCH',
      /belongs to fed-ice/,
    );
    h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup', 'watch'] }, reason: 'joint' });
    h.refuse(watch, { type: 'delegation.grant', to: 'agent1', scope: { kind: 'incident_command', incident: 'inc-1' }, reason: 'help' }, 'AGENCY_MISMATCH');
    h.run(watch, {
      type: 'delegation.grant',
      delegationId: 'city-ops',
      to: 'sgt1',
      scope: { kind: 'incident_command', incident: 'inc-1' },
      reason: 'city operations',
    });
  });
});
