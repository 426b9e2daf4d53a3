import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueEscalations } from '../../src/domain/deadlines.ts';
import { incidentView } from '../../src/domain/incident-view.ts';
import { ALLOWED_FROM, FINAL_STATES, REQUEST_ACTIONS, type RequestAction } from '../../src/domain/requests.ts';
import { REQUEST_STATES, type RequestState } from '../../src/domain/world.ts';
import type { Actor } from '../../src/domain/values.ts';
import { Harness, chief, district, organisation, sendRequest, sup, supt, verdict, watch, type Body } from './fixture.ts';

const requestId = 'req-1';
const FED_UNIT_DEVICE: Actor = { agency: 'fed-ice', device: 'mdt-7' };

/** the states a request for units can be in (the information answers are not among them) */
const UNIT_STATES = REQUEST_STATES.filter((s) => !['provided', 'partly_provided', 'refused'].includes(s));

/** how to bring req-1, a request for three units, into each state */
const drive: Record<Exclude<RequestState, 'provided' | 'partly_provided' | 'refused'>, (h: Harness) => void> = {
  sent: (h) => sendRequest(h, requestId, { unitsRequested: 3 }),
  received: (h) => {
    drive.sent(h);
    h.run(watch, { type: 'request.receive', requestId });
  },
  evaluated: (h) => {
    drive.received(h);
    h.evaluate(requestId, verdict('permitted'));
  },
  escalated: (h) => {
    drive.evaluated(h);
    h.advance(120);
    for (const c of dueEscalations(h.world, h.now)) h.runCommand(c);
  },
  accepted: (h) => {
    drive.evaluated(h);
    h.run(watch, { type: 'request.accept', requestId, reason: 'officer in danger; permitted by 2-173-030(a)' });
  },
  partly_accepted: (h) => {
    drive.evaluated(h);
    h.run(watch, { type: 'request.accept_partly', requestId, count: 1, reason: 'one unit free' });
  },
  declined: (h) => {
    drive.received(h);
    h.run(watch, { type: 'request.decline', requestId, reason: 'no units available' });
  },
  units_committed: (h) => {
    drive.accepted(h);
    h.run(watch, { type: 'request.commit', requestId, units: ['city-11', 'city-12'] });
  },
  on_scene: (h) => {
    drive.units_committed(h);
    h.run(FED_UNIT_DEVICE, { type: 'request.report_on_scene', requestId, units: ['city-11'] });
  },
  withdrawn: (h) => {
    drive.on_scene(h);
    h.run(chief, { type: 'request.withdraw', requestId, reason: 'de-escalation' });
  },
  released: (h) => {
    drive.units_committed(h);
    h.run(sup, { type: 'request.release', requestId, reason: 'team extracted' });
  },
  closed: (h) => {
    drive.declined(h);
    h.run(sup, { type: 'request.close', requestId, reason: 'declined; handled otherwise' });
  },
  cancelled: (h) => {
    drive.sent(h);
    h.run(sup, { type: 'request.cancel', requestId, reason: 'team got out' });
  },
};

type UnitAction = Exclude<RequestAction, 'approve' | 'provide' | 'provide_partly' | 'refuse'>;

/** a command for each action, valid whenever its state allows it (the protocols give req-1 a permitted verdict) */
const act: Record<UnitAction, [Actor, Body]> = {
  receive: [watch, { type: 'request.receive', requestId }],
  evaluate: [watch, { type: 'request.evaluate', requestId }],
  accept: [supt, { type: 'request.accept', requestId, reason: 'permitted' }],
  accept_partly: [supt, { type: 'request.accept_partly', requestId, count: 1, reason: 'one unit' }],
  decline: [supt, { type: 'request.decline', requestId, reason: 'none free' }],
  escalate: [supt, { type: 'request.escalate', requestId, reason: 'needs a commander' }],
  commit: [supt, { type: 'request.commit', requestId, units: ['city-22'] }],
  report_on_scene: [FED_UNIT_DEVICE, { type: 'request.report_on_scene', requestId, units: ['city-12'] }],
  withdraw: [chief, { type: 'request.withdraw', requestId, units: ['city-11'], reason: 'needed elsewhere' }],
  release: [sup, { type: 'request.release', requestId, units: ['city-11'], reason: 'no longer needed' }],
  close: [sup, { type: 'request.close', requestId, reason: 'done' }],
  cancel: [sup, { type: 'request.cancel', requestId, reason: 'not needed' }],
};

const resulting: Record<UnitAction, (from: RequestState) => RequestState> = {
  // with a protocol in effect, a received request is evaluated at once
  receive: () => 'evaluated',
  // a request sent up the chain stays with the position it was sent to
  evaluate: (from) => (from === 'escalated' ? 'escalated' : 'evaluated'),
  accept: () => 'accepted',
  accept_partly: () => 'partly_accepted',
  decline: () => 'declined',
  escalate: () => 'escalated',
  commit: (from) => (from === 'on_scene' ? 'on_scene' : 'units_committed'),
  report_on_scene: () => 'on_scene',
  // city-11 leaves; city-12 stays committed (not on scene)
  withdraw: () => 'units_committed',
  release: () => 'units_committed',
  close: () => 'closed',
  cancel: () => 'cancelled',
};

describe('assistance request state machine', () => {
  for (const action of Object.keys(act) as (keyof typeof act)[]) {
    for (const state of UNIT_STATES as (keyof typeof drive)[]) {
      const allowed = ALLOWED_FROM.units[action]?.includes(state) === true;
      it(`${action} from ${state}: ${allowed ? 'allowed' : 'refused'}`, () => {
        const h = organisation();
        drive[state](h);
        assert.equal(h.world.requests[requestId]?.state, state);
        h.rule(requestId, verdict('permitted'));
        const [actor, body] = act[action];
        if (allowed) {
          h.run(actor, body);
          assert.equal(h.world.requests[requestId]?.state, resulting[action](state));
        } else {
          const code = FINAL_STATES.includes(state) ? 'REQUEST_NOT_OPEN' : 'INVALID_TRANSITION';
          h.refuse(actor, body, code, new RegExp(`is ${state}; cannot`));
        }
      });
    }
  }

  it('records every step with actor, authority and reason', () => {
    const h = organisation();
    drive.withdrawn(h);
    const r = h.world.requests[requestId]!;
    assert.deepEqual(
      r.log.map((s) => s.action),
      ['sent', 'received', 'evaluated', 'accepted', 'units_committed', 'units_on_scene', 'units_withdrawn'],
    );
    const accepted = r.log[3]!;
    assert.deepEqual(accepted.by, watch);
    assert.deepEqual(accepted.authority, { kind: 'position', position: 'city-watch' });
    assert.equal(accepted.reason, 'officer in danger; permitted by 2-173-030(a)');
    assert.deepEqual(r.log[6]?.authority, { kind: 'position', position: 'city-chief-patrol' });
  });

  it('only an agency that is part of the incident may ask for help on it (asking would make it a party to its picture)', () => {
    const h = organisation();
    const ask = {
      type: 'request.send',
      requestId: 'req-city',
      incidentId: 'inc-1',
      to: 'fed-ice',
      category: 'officer_in_danger',
      urgency: 'immediate',
      operation: 'emergency_response',
      description: 'need a tactical team',
      unitsRequested: 1,
    } as const;
    h.refuse(watch, ask, 'NOT_AUTHORISED', /city-pd takes no part in incident inc-1/);
    // once fed-ice has brought city-pd in with a request of its own, city-pd may ask too
    sendRequest(h);
    h.run(watch, ask);
    assert.equal(h.world.requests['req-city']?.from, 'city-pd');
  });

  it('every decision needs a non-empty reason', () => {
    const h = organisation();
    drive.evaluated(h);
    h.refuse(watch, { type: 'request.accept', requestId, reason: '  ' }, 'REASON_REQUIRED');
    h.refuse(watch, { type: 'request.decline', requestId, reason: '' }, 'REASON_REQUIRED');
    h.refuse(watch, { type: 'request.escalate', requestId, reason: '' }, 'REASON_REQUIRED');
    h.refuse(sup, { type: 'request.cancel', requestId, reason: '' }, 'REASON_REQUIRED');
  });

  it('a decision needs authority over the position answerable for the request', () => {
    const h = organisation();
    drive.evaluated(h);
    // the sergeant is below the watch commander's desk
    h.refuse({ agency: 'city-pd', person: 'sgt1' }, { type: 'request.accept', requestId, reason: 'yes' }, 'NOT_AUTHORISED');
    // a person with no position at all
    h.refuse({ agency: 'city-pd', person: 'off1' }, { type: 'request.decline', requestId, reason: 'no' }, 'NOT_AUTHORISED');
    // a device cannot decide
    h.refuse({ agency: 'city-pd', device: 'console' }, { type: 'request.accept', requestId, reason: 'yes' }, 'NOT_AUTHORISED');
    // the requesting agency cannot answer its own request
    h.refuse(sup, { type: 'request.accept', requestId, reason: 'yes' }, 'NOT_AUTHORISED');
    // a named authority must be held
    h.refuse(watch, { type: 'request.accept', requestId, reason: 'yes', authority: { kind: 'position', position: 'city-supt' } }, 'NOT_AUTHORISED');
    // above the desk is fine, and is what gets recorded
    h.run(district, { type: 'request.accept', requestId, reason: 'go' });
    assert.deepEqual(h.world.requests[requestId]?.answer?.authority, { kind: 'position', position: 'city-district' });
  });

  it('only the requester cancels, only before units are committed', () => {
    const h = organisation();
    drive.units_committed(h);
    h.refuse(sup, { type: 'request.cancel', requestId, reason: 'x' }, 'INVALID_TRANSITION', /release them instead/);
    const g = organisation();
    drive.sent(g);
    g.refuse(watch, { type: 'request.cancel', requestId, reason: 'x' }, 'NOT_AUTHORISED');
    g.run(sup, { type: 'request.cancel', requestId, reason: 'team got out' });
    assert.equal(g.world.requests[requestId]?.deadline, undefined);
    assert.deepEqual(
      g.notified('request.cancelled').map((n) => [n.recipient, n.reason]),
      [[{ agency: 'city-pd', person: 'watch' }, 'team got out']],
    );
  });

  it('refuses requests to oneself, to unknown agencies, and on closed incidents', () => {
    const h = organisation();
    h.refuse(
      sup,
      {
        type: 'request.send',
        incidentId: 'inc-1',
        to: 'fed-ice',
        category: 'perimeter',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
        unitsRequested: 1,
      },
      'COMMAND_INCONSISTENT',
    );
    h.refuse(
      sup,
      {
        type: 'request.send',
        incidentId: 'inc-1',
        to: 'state-pd',
        category: 'perimeter',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
        unitsRequested: 1,
      },
      'UNKNOWN_ENTITY',
    );
    h.refuse(
      sup,
      {
        type: 'request.send',
        incidentId: 'inc-9',
        to: 'city-pd',
        category: 'perimeter',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
        unitsRequested: 1,
      },
      'UNKNOWN_ENTITY',
    );
    h.run(sup, { type: 'incident.close', incidentId: 'inc-1', reason: 'over' });
    h.refuse(
      sup,
      {
        type: 'request.send',
        incidentId: 'inc-1',
        to: 'city-pd',
        category: 'perimeter',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
        unitsRequested: 1,
      },
      'INCIDENT_CLOSED',
    );
  });

  it('addresses the receiving agency request desk, or a named position', () => {
    const h = organisation();
    sendRequest(h);
    assert.equal(h.world.requests[requestId]?.responsible, 'city-watch');
    sendRequest(h, 'req-2', { toPosition: 'city-district' });
    assert.equal(h.world.requests['req-2']?.responsible, 'city-district');
    h.refuse(
      sup,
      {
        type: 'request.send',
        requestId: 'req-3',
        incidentId: 'inc-1',
        to: 'city-pd',
        category: 'perimeter',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
        unitsRequested: 1,
        toPosition: 'fed-sup',
      },
      'AGENCY_MISMATCH',
    );
    h.refuse(
      sup,
      {
        type: 'request.send',
        requestId: 'req-1',
        incidentId: 'inc-1',
        to: 'city-pd',
        category: 'perimeter',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
        unitsRequested: 1,
      },
      'DUPLICATE_ID',
    );
  });

  it('a partial acceptance caps the units committed', () => {
    const h = organisation();
    drive.partly_accepted(h);
    h.refuse(watch, { type: 'request.commit', requestId, units: ['city-11', 'city-12'] }, 'COUNT_EXCEEDED', /partly accepted for 1/);
    h.run(watch, { type: 'request.commit', requestId, units: ['city-11'] });
    h.refuse(watch, { type: 'request.commit', requestId, units: ['city-12'] }, 'COUNT_EXCEEDED');
    const g = organisation();
    drive.evaluated(g);
    g.refuse(watch, { type: 'request.accept_partly', requestId, count: 3, reason: 'all' }, 'COUNT_EXCEEDED');
  });

  it('no more units serve a request at once than it asks for; a withdrawn unit can be replaced', () => {
    const h = organisation();
    drive.accepted(h);
    h.run(watch, { type: 'request.commit', requestId, units: ['city-11'] });
    h.refuse(watch, { type: 'request.commit', requestId, units: ['city-12', 'city-22', 'fed-t1'] }, 'AGENCY_MISMATCH');
    h.run(sup, { type: 'request.release', requestId, units: ['city-11'], reason: 'not needed after all' });
    const g = organisation();
    sendRequest(g, requestId, { unitsRequested: 2 });
    g.rule(requestId, verdict('permitted')).run(watch, { type: 'request.receive', requestId });
    g.run(watch, { type: 'request.accept', requestId, reason: 'officer in danger' });
    g.refuse(
      watch,
      { type: 'request.commit', requestId, units: ['city-11', 'city-12', 'city-22'] },
      'COUNT_EXCEEDED',
      /asks for 2 unit\(s\); 0 serve it now, 3 more/,
    );
    g.run(watch, { type: 'request.commit', requestId, units: ['city-11', 'city-12'] });
    g.refuse(watch, { type: 'request.commit', requestId, units: ['city-22'] }, 'COUNT_EXCEEDED', /2 serve it now/);
    g.run(chief, { type: 'request.withdraw', requestId, units: ['city-12'], reason: 'needed on the other side of the district' });
    g.run(watch, { type: 'request.commit', requestId, units: ['city-22'] });
    assert.deepEqual(
      g.world.requests[requestId]?.commitments.filter((c) => c.ended === undefined).map((c) => c.unit),
      ['city-11', 'city-22'],
    );
  });

  it("commits only units of the receiving agency within the committer's chain, once", () => {
    const h = organisation();
    drive.accepted(h);
    h.refuse(watch, { type: 'request.commit', requestId, units: ['fed-t1'] }, 'AGENCY_MISMATCH');
    h.refuse({ agency: 'city-pd', person: 'sgt2' }, { type: 'request.commit', requestId, units: ['city-11'] }, 'NOT_IN_CHAIN_OF_COMMAND');
    h.run({ agency: 'city-pd', person: 'sgt1' }, { type: 'request.commit', requestId, units: ['city-11'] });
    h.refuse(watch, { type: 'request.commit', requestId, units: ['city-11'] }, 'INVALID_TRANSITION', /already committed/);
    // committing assigns the unit to the incident: operational direction passes to its command
    assert.deepEqual(h.world.units['city-11']?.assignment, { incident: 'inc-1', since: h.now, request: requestId });
    assert.equal(h.world.units['city-11']?.commitment, requestId);
  });

  it('release returns units to their agency and frees them', () => {
    const h = organisation();
    drive.released(h);
    const r = h.world.requests[requestId]!;
    assert.deepEqual(
      r.commitments.map((c) => c.ended?.kind),
      ['released', 'released'],
    );
    assert.equal(h.world.units['city-11']?.assignment, undefined);
    assert.equal(h.world.units['city-11']?.commitment, undefined);
  });
});

describe('request locations as coordinates', () => {
  it('a request carries where help is needed as a point, beside the address text, into the world and the view', () => {
    const h = organisation();
    sendRequest(h, 'req-1', { location: 'north gate', coordinates: { lat: 41.8747, lon: -87.6611 } });
    const r = h.world.requests['req-1'];
    assert.deepEqual([r?.location, r?.coordinates], ['north gate', { lat: 41.8747, lon: -87.6611 }]);
    const view = incidentView(h.world, 'inc-1').requests[0];
    assert.deepEqual([view?.location, view?.coordinates], ['north gate', { lat: 41.8747, lon: -87.6611 }]);
    sendRequest(h, 'req-2');
    assert.equal(h.world.requests['req-2']?.coordinates, undefined, 'optional');
  });
});
