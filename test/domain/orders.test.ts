import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contradicts } from '../../src/domain/orders.ts';
import { Harness, agent, chief, district, officer1, organisation, sendRequest, sgt1, sgt2, sup, verdict, watch } from './fixture.ts';

/** fed-ice leads inc-1 with sup as incident commander; city-pd commits city-11 to fed's request req-1 */
function committed(command: 'single' | 'unified' = 'single'): Harness {
  const h = organisation();
  h.run(sup, {
    type: 'incident.establish_command',
    incidentId: 'inc-1',
    structure: command === 'single' ? { kind: 'single', commander: 'sup' } : { kind: 'unified', members: ['sup', 'watch'] },
    reason: 'stand up command',
  });
  sendRequest(h, 'req-1', { unitsRequested: 1 });
  h.run(watch, { type: 'request.receive', requestId: 'req-1' });
  h.evaluate('req-1', verdict('permitted'));
  h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'officer in danger' });
  h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11'] });
  return h;
}

describe('order authority', () => {
  it('a position directs the units it supervises and everything below it', () => {
    const h = organisation();
    h.run(sgt1, { type: 'order.issue', orderId: 'o1', directive: 'move', units: ['city-11'], target: 'north gate', rationale: 'cover the gate' });
    assert.deepEqual(h.world.orders['o1']?.authority, { kind: 'position', position: 'city-sgt-1' });
    h.run(watch, { type: 'order.issue', orderId: 'o2', directive: 'hold', units: ['city-22'], rationale: 'stay put' });
    h.run(district, { type: 'order.issue', orderId: 'o3', directive: 'other', people: ['sgt1'], details: 'report to the district', rationale: 'briefing' });
  });

  it("an order to a unit outside the issuer's reach is refused", () => {
    const h = organisation();
    h.refuse(
      sgt1,
      { type: 'order.issue', directive: 'move', units: ['city-22'], rationale: 'x' },
      'NOT_IN_CHAIN_OF_COMMAND',
      /22-Boy .*outside the chain of command of sgt1/,
    );
    h.refuse(sup, { type: 'order.issue', directive: 'move', units: ['city-11'], rationale: 'x' }, 'NOT_IN_CHAIN_OF_COMMAND');
    h.refuse(sgt1, { type: 'order.issue', directive: 'move', units: ['city-11', 'city-22'], rationale: 'x' }, 'NOT_IN_CHAIN_OF_COMMAND');
    h.refuse(sgt1, { type: 'order.issue', directive: 'other', people: ['watch'], rationale: 'x' }, 'NOT_IN_CHAIN_OF_COMMAND');
    h.refuse(officer1, { type: 'order.issue', directive: 'move', units: ['city-11'], rationale: 'x' }, 'NOT_AUTHORISED');
    h.refuse({ agency: 'city-pd', device: 'console' }, { type: 'order.issue', directive: 'move', units: ['city-11'], rationale: 'x' }, 'NOT_AUTHORISED');
    h.refuse(
      sgt1,
      { type: 'order.issue', directive: 'move', units: ['city-11'], rationale: 'x', authority: { kind: 'position', position: 'city-watch' } },
      'NOT_AUTHORISED',
    );
  });

  it('an order needs a rationale and a recipient', () => {
    const h = organisation();
    h.refuse(sgt1, { type: 'order.issue', directive: 'withdraw', units: ['city-11'], rationale: '   ' }, 'ORDER_REASON_REQUIRED');
    h.refuse(sgt1, { type: 'order.issue', directive: 'withdraw', units: ['city-11'], rationale: '\u200b\u200d\u2060 \ufeff' }, 'ORDER_REASON_REQUIRED');
    h.refuse(sgt1, { type: 'order.issue', directive: 'withdraw', rationale: 'x' }, 'COMMAND_INCONSISTENT');
    h.refuse(sgt1, { type: 'order.issue', directive: 'withdraw', units: ['city-99'], rationale: 'x' }, 'UNKNOWN_ENTITY');
  });

  it('a unified command member directs units assigned to the incident, and only those', () => {
    const h = committed('unified');
    h.run(sup, { type: 'order.issue', orderId: 'o-hold', directive: 'hold', units: ['city-11'], target: 'east gate', rationale: 'shield the team' });
    const o = h.world.orders['o-hold']!;
    assert.deepEqual(o.authority, { kind: 'unified_command', incident: 'inc-1', agency: 'fed-ice' });
    assert.equal(o.incident, 'inc-1');
    h.refuse(sup, { type: 'order.issue', directive: 'hold', units: ['city-22'], rationale: 'x' }, 'NOT_IN_CHAIN_OF_COMMAND');
    // recall belongs to the home agency
    h.refuse(
      sup,
      { type: 'order.issue', directive: 'recall', units: ['city-11'], rationale: 'x' },
      'NOT_IN_CHAIN_OF_COMMAND',
      /only its home agency may recall/,
    );
    // the city member of UC directs fed's assigned team too once it is assigned
    h.run(sup, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'fed-t1' });
    h.run(watch, { type: 'order.issue', directive: 'move', units: ['fed-t1'], target: 'west lot', rationale: 'regroup' });
  });

  it('operational direction can be delegated', () => {
    const h = committed('single');
    h.refuse(agent, { type: 'order.issue', directive: 'hold', units: ['city-11'], rationale: 'x' }, 'NOT_AUTHORISED');
    h.run(sup, {
      type: 'delegation.grant',
      delegationId: 'ops',
      to: 'agent1',
      scope: { kind: 'incident_command', incident: 'inc-1' },
      reason: 'operations section chief',
    });
    h.run(agent, { type: 'order.issue', orderId: 'o1', directive: 'hold', units: ['city-11'], rationale: 'hold the line' });
    assert.deepEqual(h.world.orders['o1']?.authority, { kind: 'incident_delegation', delegation: 'ops', incident: 'inc-1' });
    h.run(sup, { type: 'delegation.revoke', delegationId: 'ops', reason: 'shift over' });
    h.refuse(agent, { type: 'order.issue', directive: 'hold', units: ['city-11'], rationale: 'x' }, 'NOT_AUTHORISED');
  });

  it("the home agency may always recall its units, even under another agency's command", () => {
    const h = committed('single');
    h.run(sgt1, { type: 'order.issue', orderId: 'o-recall', directive: 'recall', units: ['city-11'], rationale: 'needed for a shooting across town' });
    const r = h.world.requests['req-1']!;
    assert.equal(r.state, 'withdrawn');
    assert.deepEqual(
      r.withdrawals.map((w) => [w.units, w.order, w.reason]),
      [[['city-11'], 'o-recall', 'needed for a shooting across town']],
    );
    assert.equal(h.world.units['city-11']?.assignment, undefined);
    assert.equal(h.world.units['city-11']?.commitment, undefined);
    // the incident commander, who is also the requester, is told once, urgently, with the order
    const told = Object.values(h.world.notifications).filter((n) => n.recipient.person === 'sup' && n.order === 'o-recall');
    assert.deepEqual(
      told.map((n) => [n.topic, n.urgent]),
      [['request.units_withdrawn', true]],
    );
  });
});

describe('verdicts on orders', () => {
  it('a prohibited verdict blocks the order; needs_approval needs the issuer to hold the role', () => {
    const h = committed('single');
    const protocols = h.protocols!;
    const base = {
      type: 'order.issue',
      directive: 'assign',
      units: ['city-11'],
      target: 'perimeter of the enforcement action',
      task: 'perimeter',
      rationale: 'hold the perimeter',
    } as const;
    protocols.orderVerdict = (_f, deciding) => (deciding.id === 'city-pd' ? verdict('prohibited') : undefined);
    h.refuse(sup, base, 'VERDICT_PROHIBITED', /city-pd's protocols .*2-173-020\(b\)/);
    protocols.orderVerdict = (_f, deciding) => (deciding.id === 'city-pd' ? verdict('needs_approval', { approvalRole: 'city-watch' }) : undefined);
    h.refuse(sup, base, 'APPROVAL_REQUIRED', /city-watch/);
    h.run(chief, { ...base, orderId: 'o-ok' });
    const o = h.world.orders['o-ok']!;
    assert.deepEqual(
      o.verdicts.map((v) => [v.agency, v.decision]),
      [['city-pd', 'needs_approval']],
    );
    assert.deepEqual(o.approvals, [{ role: 'city-watch', authority: { kind: 'position', position: 'city-chief-patrol' } }]);
  });

  it("an order from one agency's command to another agency's units is decided by both agencies' protocols", () => {
    const h = committed('unified');
    const protocols = h.protocols!;
    // the city forbids its units to hold a perimeter for a civil immigration enforcement action, whoever directs them
    protocols.orderVerdict = (f, deciding) =>
      deciding.id === 'city-pd' && f.task === 'perimeter' && f.operation === 'civil_immigration_enforcement'
        ? verdict('prohibited')
        : verdict('permitted', { agency: deciding.id, policyVersion: `${deciding.id}/2026-01-01` });
    sendRequest(h, 'req-ice', { operation: 'civil_immigration_enforcement', unitsRequested: 1 });
    h.run(watch, { type: 'request.receive', requestId: 'req-ice' });
    h.evaluate('req-ice', verdict('permitted'));
    h.run(watch, { type: 'request.accept', requestId: 'req-ice', reason: 'officer in danger' });
    h.run(watch, { type: 'request.commit', requestId: 'req-ice', units: ['city-12'] });
    protocols.askedAboutOrders.length = 0;
    h.refuse(
      sup,
      {
        type: 'order.issue',
        directive: 'hold',
        units: ['city-12'],
        target: 'Harrison between Loomis and Ashland',
        task: 'perimeter',
        rationale: 'hold the perimeter for the arrest',
      },
      'VERDICT_PROHIBITED',
      /city-pd's protocols/,
    );
    // both agencies were asked, the issuer's first, and the facts name the authority used and the operation served
    assert.deepEqual(
      protocols.askedAboutOrders.map((a) => a.deciding.id),
      ['fed-ice', 'city-pd'],
    );
    const facts = protocols.askedAboutOrders[1]!.facts;
    assert.deepEqual(facts.issuer.authority, { kind: 'unified_command', agency: { id: 'fed-ice', kind: 'federal' } });
    assert.equal(facts.operation, 'civil_immigration_enforcement');
    assert.equal(facts.relatedRequest?.requestId, 'req-ice');
    // a task the city allows: both verdicts are recorded on the order
    h.run(sup, {
      type: 'order.issue',
      orderId: 'o-gate',
      directive: 'hold',
      units: ['city-12'],
      target: 'north gate',
      task: 'officer_in_danger',
      rationale: 'shield the injured officer',
    });
    assert.deepEqual(
      h.world.orders['o-gate']?.verdicts.map((v) => v.agency),
      ['fed-ice', 'city-pd'],
    );
  });

  it('the order request.withdraw issues is evaluated like any other', () => {
    const h = committed('single');
    const protocols = h.protocols!;
    protocols.orderVerdict = (f, deciding) =>
      deciding.id === 'city-pd' && f.directive === 'withdraw' ? verdict('permitted', { clauses: [{ id: 'GO-7.03-IV.B', cite: 'GO 7.03' }] }) : undefined;
    h.run(chief, { type: 'request.withdraw', requestId: 'req-1', orderId: 'o-wd', reason: 'de-escalation' });
    assert.deepEqual(
      h.world.orders['o-wd']?.verdicts.map((v) => v.clauses.map((c) => c.id)),
      [['GO-7.03-IV.B']],
    );
    protocols.orderVerdict = (f, deciding) => (deciding.id === 'city-pd' && f.directive === 'withdraw' ? verdict('prohibited') : undefined);
    const g = committed('single');
    g.protocols!.orderVerdict = protocols.orderVerdict;
    g.refuse(chief, { type: 'request.withdraw', requestId: 'req-1', reason: 'de-escalation' }, 'VERDICT_PROHIBITED');
    assert.equal(g.world.requests['req-1']?.state, 'units_committed');
  });

  it('facts name the authority the order rests on, not the first position the issuer holds', () => {
    const h = committed('unified');
    const protocols = h.protocols!;
    // watch holds city-watch and a unified command seat: directing city-11 as a unified command member is not the home chain
    h.run(watch, {
      type: 'order.issue',
      directive: 'hold',
      units: ['city-11'],
      rationale: 'hold',
      authority: { kind: 'unified_command', incident: 'inc-1', agency: 'city-pd' },
    });
    assert.deepEqual(protocols.askedAboutOrders.at(-1)?.facts.issuer.authority, { kind: 'unified_command', agency: { id: 'city-pd', kind: 'local' } });
    h.run(watch, { type: 'order.issue', directive: 'hold', units: ['city-11'], rationale: 'hold', authority: { kind: 'position', position: 'city-watch' } });
    assert.deepEqual(protocols.askedAboutOrders.at(-1)?.facts.issuer.authority, {
      kind: 'position',
      agency: { id: 'city-pd', kind: 'local' },
      position: 'city-watch',
    });
  });
});

describe('acknowledgements', () => {
  it("tracks each recipient's acknowledgement", () => {
    const h = committed('single');
    // one authority must cover every recipient: sup's position does not reach city-11, command does not reach agent1 …
    h.refuse(
      sup,
      { type: 'order.issue', directive: 'hold', units: ['city-11'], people: ['agent1'], rationale: 'hold' },
      'NOT_IN_CHAIN_OF_COMMAND',
      /issue separate orders/,
    );
    // … until agent1's team is assigned to the incident
    h.run(sup, { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: 'fed-t1' });
    h.run(sup, { type: 'order.issue', orderId: 'o1', directive: 'hold', units: ['city-11'], people: ['agent1'], rationale: 'hold' });
    h.refuse(agent, { type: 'order.acknowledge', orderId: 'o1', unit: 'city-11' }, 'NOT_A_RECIPIENT', /not a member of unit 11-Adam/);
    h.advance(5);
    h.run(officer1, { type: 'order.acknowledge', orderId: 'o1' });
    h.run(agent, { type: 'order.acknowledge', orderId: 'o1' });
    h.refuse(officer1, { type: 'order.acknowledge', orderId: 'o1' }, 'INVALID_TRANSITION', /already acknowledged/);
    const o = h.world.orders['o1']!;
    assert.deepEqual(
      o.acks.map((a) => [a.recipient, a.by]),
      [
        [{ kind: 'unit', id: 'city-11' }, officer1],
        [{ kind: 'person', id: 'agent1' }, agent],
      ],
    );
    // the issuer in the other agency learns of the city unit's acknowledgement
    assert.deepEqual(
      h.notified('order.acknowledged').map((n) => n.recipient),
      [{ agency: 'fed-ice', person: 'sup' }],
    );
  });

  it('only a member acknowledges for a unit; only a recipient acknowledges at all', () => {
    const h = organisation();
    h.run(sgt1, { type: 'order.issue', orderId: 'o1', directive: 'move', units: ['city-11'], rationale: 'x' });
    // not a device, whose link to the unit the record cannot show; not an officer of another unit; not the supervisor
    h.refuse({ agency: 'city-pd', device: 'mdt-11' }, { type: 'order.acknowledge', orderId: 'o1', unit: 'city-11' }, 'NOT_AUTHORISED', /needs a person/);
    h.refuse({ agency: 'city-pd', person: 'off3' }, { type: 'order.acknowledge', orderId: 'o1', unit: 'city-11' }, 'NOT_A_RECIPIENT', /not a member/);
    h.refuse(sgt1, { type: 'order.acknowledge', orderId: 'o1', unit: 'city-11' }, 'NOT_A_RECIPIENT');
    h.refuse({ agency: 'city-pd', person: 'off3' }, { type: 'order.acknowledge', orderId: 'o1', unit: 'city-12' }, 'NOT_A_RECIPIENT', /not a recipient/);
    h.refuse(sgt2, { type: 'order.acknowledge', orderId: 'o1' }, 'NOT_A_RECIPIENT');
    h.refuse(officer1, { type: 'order.acknowledge', orderId: 'o1', person: 'off2' }, 'NOT_A_RECIPIENT', /only off2/);
    h.run({ agency: 'city-pd', person: 'off2' }, { type: 'order.acknowledge', orderId: 'o1', unit: 'city-11' });
    assert.deepEqual(
      h.world.orders['o1']?.acks.map((a) => a.by),
      [{ agency: 'city-pd', person: 'off2' }],
    );
  });
});

describe('conflicting orders', () => {
  it('contradiction table', () => {
    assert.equal(contradicts({ directive: 'hold' }, { directive: 'withdraw' }), true);
    assert.equal(contradicts({ directive: 'withdraw' }, { directive: 'hold' }), true);
    assert.equal(contradicts({ directive: 'assign', target: 'X' }, { directive: 'withdraw' }), true);
    assert.equal(contradicts({ directive: 'move', target: 'A' }, { directive: 'move', target: 'B' }), true);
    assert.equal(contradicts({ directive: 'move', target: 'A' }, { directive: 'move', target: 'A' }), false);
    assert.equal(contradicts({ directive: 'withdraw' }, { directive: 'recall' }), false);
    assert.equal(contradicts({ directive: 'hold' }, { directive: 'stand_down' }), false);
    // sent to two places, whichever the words: assign here, move there; hold here, hold there
    assert.equal(contradicts({ directive: 'assign', target: 'north gate' }, { directive: 'move', target: 'Ashland and Polk' }), true);
    assert.equal(contradicts({ directive: 'hold', target: 'north gate' }, { directive: 'hold', target: 'east gate' }), true);
    // the same place, however it is typed
    assert.equal(contradicts({ directive: 'assign', target: 'North  Gate' }, { directive: 'move', target: ' north gate' }), false);
  });

  it('an assignment here and a move there are raised as a conflict', () => {
    const h = committed('single');
    h.run(sup, { type: 'order.issue', orderId: 'o-assign', directive: 'assign', units: ['city-11'], target: 'north gate', rationale: 'open a path out' });
    h.run(sgt1, {
      type: 'order.issue',
      orderId: 'o-move',
      directive: 'move',
      units: ['city-11'],
      target: 'Ashland and Polk',
      rationale: 'stage away from the crowd',
    });
    assert.deepEqual(
      Object.values(h.world.conflicts).map((c) => c.orders),
      [['o-assign', 'o-move']],
    );
  });

  it('hold from the incident commander vs withdraw from the home agency: raised to command and both issuers', () => {
    const h = committed('single');
    h.run(sup, { type: 'order.issue', orderId: 'o-hold', directive: 'hold', units: ['city-11'], target: 'east gate', rationale: 'shield the team' });
    h.advance(30);
    h.run(chief, {
      type: 'order.issue',
      orderId: 'o-wd',
      directive: 'withdraw',
      units: ['city-11'],
      rationale: 'ordinance: no support to civil immigration enforcement',
    });
    const conflicts = Object.values(h.world.conflicts);
    assert.equal(conflicts.length, 1);
    const c = conflicts[0]!;
    assert.deepEqual([c.unit, c.orders, c.incident, c.status], ['city-11', ['o-hold', 'o-wd'], 'inc-1', 'open']);
    const told = h.notified('order.conflict_detected');
    assert.deepEqual(
      told.map((n) => n.recipient),
      [
        { agency: 'fed-ice', person: 'sup' },
        { agency: 'city-pd', person: 'chief' },
      ],
    );
    assert.ok(told.every((n) => n.urgent && n.conflict === c.id));
  });

  it('superseded orders are not active: superseding does not conflict, and resolves a conflict', () => {
    const h = committed('single');
    h.run(sup, { type: 'order.issue', orderId: 'm1', directive: 'move', units: ['city-11'], target: 'A', rationale: 'x' });
    h.run(sup, { type: 'order.issue', orderId: 'm2', directive: 'move', units: ['city-11'], target: 'B', rationale: 'changed plan', supersedes: ['m1'] });
    assert.equal(Object.keys(h.world.conflicts).length, 0);
    assert.deepEqual([h.world.orders['m1']?.status, h.world.orders['m1']?.supersededBy], ['superseded', 'm2']);
    assert.deepEqual(h.world.unitOrders['city-11'], ['m2'], "the unit's standing orders: the superseded one is gone");
    h.refuse(
      sup,
      { type: 'order.issue', directive: 'move', units: ['city-11'], target: 'C', rationale: 'x', supersedes: ['m1'] },
      'INVALID_TRANSITION',
      /already superseded/,
    );
    // an unsuperseded contradiction is a conflict, resolved when one side is superseded
    h.run(sup, { type: 'order.issue', orderId: 'm3', directive: 'move', units: ['city-11'], target: 'C', rationale: 'x' });
    const [c] = Object.values(h.world.conflicts);
    assert.deepEqual(c?.orders, ['m2', 'm3']);
    h.run(sup, { type: 'order.issue', orderId: 'm4', directive: 'move', units: ['city-11'], target: 'C', rationale: 'settle on C', supersedes: ['m2', 'm3'] });
    assert.equal(h.world.conflicts[c!.id]?.status, 'resolved');
  });

  it('a conflict can be resolved by the incident command with a reason', () => {
    const h = committed('single');
    h.run(sup, { type: 'order.issue', directive: 'hold', units: ['city-11'], rationale: 'x' });
    h.run(sgt1, { type: 'order.issue', directive: 'move', units: ['city-11'], target: 'B', rationale: 'y' });
    const [c] = Object.values(h.world.conflicts);
    h.refuse(sup, { type: 'conflict.resolve', conflictId: c!.id, reason: '' }, 'REASON_REQUIRED');
    h.refuse(agent, { type: 'conflict.resolve', conflictId: c!.id, reason: 'x' }, 'NOT_AUTHORISED');
    h.run(sup, { type: 'conflict.resolve', conflictId: c!.id, reason: 'spoke with sergeant; unit holds' });
    assert.equal(h.world.conflicts[c!.id]?.status, 'resolved');
    h.refuse(sup, { type: 'conflict.resolve', conflictId: c!.id, reason: 'again' }, 'INVALID_TRANSITION');
  });

  it('a conflict can be named by its two orders, as a scenario file knows them', () => {
    const h = committed('single');
    h.run(sup, { type: 'order.issue', orderId: 'o-hold', directive: 'hold', units: ['city-11'], rationale: 'x' });
    h.run(sgt1, { type: 'order.issue', orderId: 'o-move', directive: 'move', units: ['city-11'], target: 'B', rationale: 'y' });
    h.refuse(sup, { type: 'conflict.resolve', orders: ['o-hold', 'o-nope'], reason: 'x' }, 'UNKNOWN_ENTITY');
    h.run(sup, { type: 'conflict.resolve', orders: ['o-move', 'o-hold'], reason: 'unit holds at the gate' });
    assert.deepEqual(
      Object.values(h.world.conflicts).map((c) => c.status),
      ['resolved'],
    );
    h.refuse(sup, { type: 'conflict.resolve', orders: ['o-move', 'o-hold'], reason: 'again' }, 'INVALID_TRANSITION', /already resolved/);
  });

  it('orders spent by a change of assignment do not conflict with later ones', () => {
    const h = committed('single');
    h.run(sup, { type: 'order.issue', directive: 'hold', units: ['city-11'], rationale: 'x' });
    assert.equal(h.world.unitOrders['city-11']?.length, 1);
    h.run(sup, { type: 'incident.release_unit', incidentId: 'inc-1', unitId: 'city-11', reason: 'no longer needed' });
    assert.deepEqual(h.world.unitOrders['city-11'], [], 'the release spent the hold: it is no longer a standing order');
    h.run(sgt1, { type: 'order.issue', orderId: 'back', directive: 'move', units: ['city-11'], target: 'depot', rationale: 'back to beat' });
    assert.equal(Object.keys(h.world.conflicts).length, 0);
    assert.deepEqual(h.world.unitOrders['city-11'], ['back']);
  });

  it('only the issuer or someone who could have issued it supersedes an order', () => {
    const h = organisation();
    h.run(sgt1, { type: 'order.issue', orderId: 'o1', directive: 'move', units: ['city-11'], target: 'A', rationale: 'x' });
    h.run(watch, { type: 'order.issue', orderId: 'o2', directive: 'move', units: ['city-11'], target: 'B', rationale: 'y', supersedes: ['o1'] });
    h.run(sgt2, { type: 'order.issue', orderId: 'o3', directive: 'hold', units: ['city-22'], rationale: 'z' });
    h.refuse(sgt2, { type: 'order.issue', directive: 'hold', units: ['city-22'], rationale: 'z', supersedes: ['o2'] }, 'NOT_AUTHORISED');
  });
});
