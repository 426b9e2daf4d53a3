import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../src/domain/commands.ts';
import { parseDomainEvent } from '../../src/domain/events.ts';
import { isConcordError } from '../../src/errors.ts';
import { FED, chief, fod, officer1, organisation, sendRequest, sgt1, sup, supt, verdict, watch } from './fixture.ts';

describe('incidents', () => {
  it("opens with the actor's agency in the lead", () => {
    const h = organisation();
    const i = h.world.incidents['inc-1']!;
    assert.deepEqual([i.leadAgency, i.status, i.agencies, i.liaisons], ['fed-ice', 'open', ['fed-ice'], { 'fed-ice': 'liaison-fed' }]);
    h.refuse(FED, { type: 'incident.open', incidentId: 'inc-1', name: 'x', location: 'y' }, 'DUPLICATE_ID');
  });

  it('is updated only by agencies taking part', () => {
    const h = organisation();
    h.refuse(watch, { type: 'incident.update', incidentId: 'inc-1', location: 'elsewhere' }, 'NOT_AUTHORISED');
    h.refuse(sup, { type: 'incident.update', incidentId: 'inc-1' }, 'COMMAND_INCONSISTENT');
    h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    h.run(sup, { type: 'incident.update', incidentId: 'inc-1', location: '1 Federal Plaza, east gate' });
    assert.equal(h.world.incidents['inc-1']?.location, '1 Federal Plaza, east gate');
    // the other agencies on the incident hear of it
    assert.deepEqual(
      h.notified('incident.updated').map((n) => n.recipient),
      [
        { agency: 'fed-ice', person: 'liaison-fed' },
        { agency: 'city-pd', person: 'liaison-city' },
      ],
    );
  });

  it('single incident commander, then unified command with one member per agency', () => {
    const h = organisation();
    h.refuse(
      watch,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'watch' }, reason: 'x' },
      'NOT_AUTHORISED',
    );
    h.refuse(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: '' }, 'REASON_REQUIRED');
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'initial response' });
    assert.deepEqual(h.world.incidents['inc-1']?.command?.structure, { kind: 'single', commander: { agency: 'fed-ice', person: 'sup' } });
    h.refuse(
      sup,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup', 'fod'] }, reason: 'x' },
      'COMMAND_INCONSISTENT',
    );
    h.refuse(
      sup,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup'] }, reason: 'x' },
      'COMMAND_INCONSISTENT',
    );
    h.advance(60);
    h.run(sup, {
      type: 'incident.establish_command',
      incidentId: 'inc-1',
      structure: { kind: 'unified', members: ['sup', 'watch'] },
      reason: 'city units on scene',
    });
    const i = h.world.incidents['inc-1']!;
    assert.equal(i.command?.structure.kind, 'unified');
    assert.equal(i.commandHistory.length, 1);
    assert.deepEqual(i.agencies, ['fed-ice', 'city-pd']);
    // the city member is told they are part of the command
    assert.ok(h.notified('incident.command_established').some((n) => n.recipient.person === 'watch'));
    // a UC member may change the structure
    h.run(watch, {
      type: 'incident.establish_command',
      incidentId: 'inc-1',
      structure: { kind: 'unified', members: ['fod', 'watch'] },
      reason: 'director arrived',
    });
    assert.deepEqual(h.world.incidents['inc-1']?.command?.authority, { kind: 'unified_command', incident: 'inc-1', agency: 'city-pd' });
  });

  it('each agency designates its own liaison officer', () => {
    const h = organisation();
    h.refuse(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-fed' }, 'NOT_AUTHORISED');
    h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    assert.deepEqual(h.world.incidents['inc-1']?.liaisons, { 'fed-ice': 'liaison-fed', 'city-pd': 'liaison-city' });
    assert.deepEqual(h.world.incidents['inc-1']?.agencies, ['fed-ice', 'city-pd']);
  });

  it('the home agency assigns its units; only the incident command releases them', () => {
    const h = organisation();
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'IC' });
    h.refuse(sup, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'city-22' }, 'NOT_AUTHORISED');
    h.refuse(sgt1, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'city-22' }, 'NOT_IN_CHAIN_OF_COMMAND');
    h.run(watch, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'city-22', reason: 'mutual aid' });
    assert.equal(h.world.units['city-22']?.assignment?.incident, 'inc-1');
    assert.deepEqual(
      h.notified('incident.unit_assigned').map((n) => n.recipient),
      [{ agency: 'fed-ice', person: 'sup' }],
    );
    h.refuse(watch, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'city-22' }, 'INVALID_TRANSITION');
    h.refuse(chief, { type: 'incident.release_unit', incidentId: 'inc-1', unitId: 'city-22', reason: 'x' }, 'NOT_AUTHORISED');
    h.refuse(sup, { type: 'incident.release_unit', incidentId: 'inc-1', unitId: 'city-11', reason: 'x' }, 'INVALID_TRANSITION');
    h.run(sup, { type: 'incident.release_unit', incidentId: 'inc-1', unitId: 'city-22', reason: 'no longer needed' });
    assert.equal(h.world.units['city-22']?.assignment, undefined);
    assert.deepEqual(
      h.notified('incident.unit_released').map((n) => n.recipient),
      [{ agency: 'city-pd' }],
    );
  });

  it('closes only when its requests are closed; a closed incident takes no more actions', () => {
    const h = organisation();
    h.run(watch, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'city-22' });
    sendRequest(h);
    h.refuse(officer1, { type: 'incident.close', incidentId: 'inc-1', reason: 'done' }, 'NOT_AUTHORISED');
    h.refuse(sup, { type: 'incident.close', incidentId: 'inc-1', reason: 'done' }, 'INVALID_TRANSITION', /req-1 \(sent\)/);
    h.run(sup, { type: 'request.cancel', requestId: 'req-1', reason: 'resolved' });
    h.refuse(sup, { type: 'incident.close', incidentId: 'inc-1', reason: '' }, 'REASON_REQUIRED');
    h.run(fod, { type: 'incident.close', incidentId: 'inc-1', reason: 'crowd dispersed' });
    const i = h.world.incidents['inc-1']!;
    assert.equal(i.status, 'closed');
    assert.deepEqual(i.closed?.authority, { kind: 'position', position: 'fed-fod' });
    assert.equal(h.world.units['city-22']?.assignment, undefined);
    assert.deepEqual(
      h.notified('incident.closed').map((n) => n.recipient),
      [{ agency: 'fed-ice', person: 'liaison-fed' }, { agency: 'city-pd' }],
    );
    h.refuse(sup, { type: 'incident.close', incidentId: 'inc-1', reason: 'again' }, 'INCIDENT_CLOSED');
    h.refuse(watch, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'city-22' }, 'INCIDENT_CLOSED');
    h.refuse(sup, { type: 'order.issue', incidentId: 'inc-1', directive: 'hold', units: ['fed-t1'], rationale: 'x' }, 'INCIDENT_CLOSED');
  });

  it('accepting or committing needs the incident open', () => {
    const h = organisation();
    sendRequest(h);
    h.run(watch, { type: 'request.receive', requestId: 'req-1' });
    h.evaluate('req-1', verdict('permitted'));
    h.run(supt, { type: 'request.accept', requestId: 'req-1', reason: 'ok' });
    assert.equal(h.world.requests['req-1']?.state, 'accepted');
  });
});

describe("the incident's command is guarded like the organisation", () => {
  const agent = { agency: 'fed-ice', person: 'agent1' } as const;

  it("a junior cannot replace the command that directs them; a superior of the lead agency's member can", () => {
    const h = organisation();
    h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'initial response' });
    // the agent holds no post at all; with one below the commander's, still no
    h.refuse(
      agent,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'agent1' }, reason: 'mine now' },
      'NOT_AUTHORISED',
    );
    h.run(FED, { type: 'position.establish', positionId: 'fed-tl', title: 'Team leader', reportsTo: 'fed-sup' });
    h.run(FED, { type: 'person.appoint', personId: 'agent1', positionId: 'fed-tl' });
    h.refuse(
      agent,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'agent1' }, reason: 'mine now' },
      'NOT_AUTHORISED',
    );
    h.refuse(agent, { type: 'incident.close', incidentId: 'inc-1', reason: 'done' }, 'NOT_AUTHORISED');
    // nor does a delegate of command restructure it
    h.run(sup, { type: 'delegation.grant', delegationId: 'ops', to: 'agent1', scope: { kind: 'incident_command', incident: 'inc-1' }, reason: 'operations' });
    h.refuse(
      agent,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'agent1' }, reason: 'mine now' },
      'NOT_AUTHORISED',
    );
    // the director, above the commander in the lead agency's chain, takes over
    h.run(fod, {
      type: 'incident.establish_command',
      incidentId: 'inc-1',
      structure: { kind: 'single', commander: 'fod' },
      reason: 'the director takes command',
    });
    assert.deepEqual(h.world.incidents['inc-1']?.command?.authority, { kind: 'position', position: 'fed-fod' });
  });

  it('nobody without a post speaks for their agency in the command', () => {
    const h = organisation();
    h.refuse(
      sup,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup', 'off1'] }, reason: 'joint' },
      'NOT_AUTHORISED',
      /off1 holds no position in city-pd/,
    );
    h.refuse(
      sup,
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'agent1' }, reason: 'x' },
      'NOT_AUTHORISED',
      /agent1 holds no position/,
    );
  });

  it('a liaison is named by the agency, not by a device', () => {
    const h = organisation();
    h.refuse(
      { agency: 'city-pd', device: 'console' },
      { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' },
      'NOT_AUTHORISED',
      /a device/,
    );
    h.refuse({ agency: 'city-pd', person: 'off1' }, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'off1' }, 'NOT_AUTHORISED');
    h.run(sgt1, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
    assert.deepEqual(h.eventsOf('incident.liaison_designated').at(-1)?.event.body.authority, { kind: 'position', position: 'city-sgt-1' });
  });
});

describe('incident locations as coordinates', () => {
  it('an incident is opened and moved with a WGS84 point beside its address; everyone on it hears of the move', () => {
    const h = organisation();
    h.run(FED, { type: 'incident.open', incidentId: 'inc-2', name: 'Gate', location: '1400 W Harrison St', coordinates: { lat: 41.8743, lon: -87.6606 } });
    assert.deepEqual(h.world.incidents['inc-2']?.coordinates, { lat: 41.8743, lon: -87.6606 });
    assert.equal(h.world.incidents['inc-1']?.coordinates, undefined, 'the field is optional: inc-1 has none');
    h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-2', personId: 'liaison-city' });
    h.run(sup, { type: 'incident.update', incidentId: 'inc-2', coordinates: { lat: 41.8748, lon: -87.6619 } });
    const i = h.world.incidents['inc-2'];
    assert.deepEqual([i?.location, i?.coordinates], ['1400 W Harrison St', { lat: 41.8748, lon: -87.6619 }]);
    assert.match(h.notified('incident.updated').at(-1)?.message ?? '', /coordinates: 41\.8748, -87\.6619/);
  });

  it('refuses coordinates off the globe at the edge; entries written before coordinates existed still read', () => {
    for (const coordinates of [{ lat: 91, lon: 0 }, { lat: 0, lon: -180.01 }, { lat: 0 }, { lat: 0, lon: 0, alt: 3 }, { lat: '41', lon: 0 }]) {
      assert.throws(
        () => parseCommand({ type: 'incident.open', actor: FED, name: 'x', location: 'y', coordinates }),
        (e: unknown) => isConcordError(e, 'BAD_INPUT') && /coordinates/.test(e.message),
        JSON.stringify(coordinates),
      );
    }
    const old = parseDomainEvent('incident.opened', { agency: 'fed-ice' }, 'inc-old', { name: 'x', location: 'y', leadAgency: 'fed-ice' });
    assert.equal(old.type, 'incident.opened');
    assert.throws(
      () =>
        parseDomainEvent('incident.opened', { agency: 'fed-ice' }, 'inc-old', {
          name: 'x',
          location: 'y',
          leadAgency: 'fed-ice',
          coordinates: { lat: 99, lon: 0 },
        }),
      (e: unknown) => isConcordError(e, 'LEDGER_CORRUPT'),
    );
  });
});
