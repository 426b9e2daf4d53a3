import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainAbove, commandsPosition, commandsUnit, heldAuthorities, holdersOf, topPositions } from '../../src/domain/command.ts';
import { CITY, organisation, sup } from './fixture.ts';

describe('chain of command', () => {
  const h = organisation();
  const w = h.world;

  it('walks up the chain nearest first', () => {
    assert.deepEqual(chainAbove(w, 'city-sgt-1'), ['city-watch', 'city-district', 'city-chief-patrol', 'city-supt']);
    assert.deepEqual(chainAbove(w, 'city-supt'), []);
    assert.deepEqual(topPositions(w, 'city-pd'), ['city-supt']);
  });

  it('a position commands itself and everything below, nothing beside or above', () => {
    assert.equal(commandsPosition(w, 'city-watch', 'city-sgt-1'), true);
    assert.equal(commandsPosition(w, 'city-watch', 'city-watch'), true);
    assert.equal(commandsPosition(w, 'city-sgt-1', 'city-sgt-2'), false);
    assert.equal(commandsPosition(w, 'city-sgt-1', 'city-watch'), false);
    assert.equal(commandsPosition(w, 'fed-fod', 'city-sgt-1'), false);
  });

  it('a unit is commanded from its supervisor up; one without a supervisor from the top', () => {
    const u = w.units['city-11']!;
    assert.equal(commandsUnit(w, 'city-sgt-1', u), true);
    assert.equal(commandsUnit(w, 'city-supt', u), true);
    assert.equal(commandsUnit(w, 'city-sgt-2', u), false);
    assert.equal(commandsUnit(w, 'fed-fod', u), false);
    h.run(CITY, { type: 'unit.register', unitId: 'city-horse', unitType: 'mounted', callsign: 'Horse 1' });
    const loose = h.world.units['city-horse']!;
    assert.equal(commandsUnit(h.world, 'city-supt', loose), true);
    assert.equal(commandsUnit(h.world, 'city-chief-patrol', loose), false);
  });

  it('authorities held: positions, then delegations, then incident command roles', () => {
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'IC' });
    assert.deepEqual(heldAuthorities(h.world, 'sup', h.now), [
      { kind: 'position', position: 'fed-sup' },
      { kind: 'incident_commander', incident: 'inc-1' },
    ]);
    assert.deepEqual(holdersOf(h.world, 'city-watch', h.now), ['watch']);
  });
});
