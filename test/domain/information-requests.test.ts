/**
 * Requests that are not about units: information (records, footage, a
 * database check) with its legal basis as facts the protocols read, and its
 * own lifecycle (provided, partly provided, refused, closed). Requests for
 * other help (accepted or declined, then closed). Reasons that say nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Harness, chief, organisation, sup, verdict, watch, type Body } from './fixture.ts';

const requestId = 'req-info';

function send(h: Harness, extra: Partial<Extract<Body, { type: 'request.send' }>> = {}): void {
  h.run(sup, {
    type: 'request.send',
    requestId,
    incidentId: 'inc-1',
    to: 'city-pd',
    kind: 'information',
    information: { kind: 'records', personalData: true },
    legalBasis: { statute: '8 U.S.C. § 1357', warrant: { kind: 'administrative', reference: 'I-200 2026-4471' } },
    category: 'investigation_support',
    urgency: 'routine',
    operation: 'civil_immigration_enforcement',
    description: 'Home address and booking history of a named resident',
    ...extra,
  });
}

describe('information requests', () => {
  it('the protocols are given the legal facts as structured facts, never as tags in free text', () => {
    const h = organisation();
    send(h);
    h.rule(requestId, verdict('prohibited', { clauses: [{ id: '2-173-025' }] }));
    h.run(watch, { type: 'request.receive', requestId });
    const facts = h.protocols!.askedAboutRequests.at(-1)!;
    assert.equal(facts.kind, 'information');
    assert.equal(facts.informationKind, 'records');
    assert.equal(facts.personalData, true);
    assert.equal(facts.requestedUnits, 0);
    assert.deepEqual(facts.legalBasis, { statute: '8 U.S.C. § 1357', warrant: { kind: 'administrative', reference: 'I-200 2026-4471' }, consent: false });
    assert.equal(h.world.requests[requestId]?.state, 'evaluated');
  });

  it('prohibited: not provided, whoever tries; refused with a reason, then closed', () => {
    const h = organisation();
    send(h);
    h.rule(requestId, verdict('prohibited', { clauses: [{ id: '2-173-025' }] }));
    h.run(watch, { type: 'request.receive', requestId });
    h.refuse(chief, { type: 'request.provide', requestId, provided: 'address on file', reason: 'they have a warrant' }, 'VERDICT_PROHIBITED', /2-173-025/);
    h.refuse(watch, { type: 'request.provide_partly', requestId, provided: 'booking dates', reason: 'partly' }, 'VERDICT_PROHIBITED');
    h.refuse(watch, { type: 'request.refuse', requestId, reason: '\u200b' }, 'REASON_REQUIRED');
    h.run(watch, { type: 'request.refuse', requestId, reason: 'an administrative warrant is not a judicial warrant: Metro City Code 2-173-025' });
    const r = h.world.requests[requestId]!;
    assert.equal(r.state, 'refused');
    assert.equal(r.answer?.kind, 'refused');
    assert.ok(h.notified('request.refused').some((n) => n.recipient.person === 'sup' && n.urgent === false));
    h.run(sup, { type: 'request.close', requestId, reason: 'will seek a judicial warrant' });
    assert.equal(h.world.requests[requestId]?.state, 'closed');
  });

  it('permitted: provided, with what was handed over and what was held back', () => {
    const h = organisation();
    send(h, { legalBasis: { warrant: { kind: 'judicial', reference: '26-CR-0412' } } });
    h.rule(requestId, verdict('permitted', { clauses: [{ id: '2-173-025' }] }));
    h.run(watch, { type: 'request.receive', requestId });
    h.run(watch, {
      type: 'request.provide_partly',
      requestId,
      provided: 'last known address',
      withheld: 'booking history (sealed juvenile record)',
      reason: 'judicial warrant 26-CR-0412',
    });
    const r = h.world.requests[requestId]!;
    assert.deepEqual([r.state, r.answer?.provided, r.answer?.withheld], ['partly_provided', 'last known address', 'booking history (sealed juvenile record)']);
    assert.equal(r.deadline, undefined, 'answered: no more escalation');
    h.run(watch, { type: 'request.close', requestId, reason: 'answered' });
  });

  it('the actions of a request for units do not apply, nor these to a request for units', () => {
    const h = organisation();
    send(h);
    h.rule(requestId, verdict('permitted'));
    h.run(watch, { type: 'request.receive', requestId });
    h.refuse(
      watch,
      { type: 'request.accept', requestId, reason: 'x' },
      'REQUEST_KIND_MISMATCH',
      /request for information; "accept" applies to requests for units or other/,
    );
    h.refuse(watch, { type: 'request.commit', requestId, units: ['city-11'] }, 'REQUEST_KIND_MISMATCH');
    h.refuse(chief, { type: 'request.withdraw', requestId, reason: 'x' }, 'REQUEST_KIND_MISMATCH');
    h.run(sup, {
      type: 'request.send',
      requestId: 'req-units',
      incidentId: 'inc-1',
      to: 'city-pd',
      category: 'officer_in_danger',
      urgency: 'immediate',
      operation: 'emergency_response',
      description: 'help',
      unitsRequested: 1,
    });
    h.rule('req-units', verdict('permitted'));
    h.run(watch, { type: 'request.receive', requestId: 'req-units' });
    h.refuse(watch, { type: 'request.provide', requestId: 'req-units', provided: 'x', reason: 'x' }, 'REQUEST_KIND_MISMATCH');
    h.refuse(watch, { type: 'request.refuse', requestId: 'req-units', reason: 'x' }, 'REQUEST_KIND_MISMATCH');
  });

  it("a request's shape follows its kind", () => {
    const h = organisation();
    h.refuse(
      sup,
      {
        type: 'request.send',
        incidentId: 'inc-1',
        to: 'city-pd',
        kind: 'information',
        category: 'other',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
      },
      'BAD_INPUT',
      /information/,
    );
    h.refuse(
      sup,
      {
        type: 'request.send',
        incidentId: 'inc-1',
        to: 'city-pd',
        kind: 'information',
        information: { kind: 'footage', personalData: false },
        unitsRequested: 2,
        category: 'other',
        urgency: 'routine',
        operation: 'other',
        description: 'x',
      },
      'BAD_INPUT',
      /asks for no units/,
    );
    h.refuse(
      sup,
      { type: 'request.send', incidentId: 'inc-1', to: 'city-pd', category: 'other', urgency: 'routine', operation: 'other', description: 'x' },
      'BAD_INPUT',
      /says how many/,
    );
  });
});

describe('requests for other help', () => {
  it('are accepted or declined, then closed; no units are committed to them', () => {
    const h = organisation();
    h.run(sup, {
      type: 'request.send',
      requestId: 'req-room',
      incidentId: 'inc-1',
      to: 'city-pd',
      kind: 'other',
      category: 'other',
      urgency: 'routine',
      operation: 'public_order',
      description: 'Use of the district station as a staging area',
    });
    h.rule('req-room', verdict('permitted'));
    h.run(watch, { type: 'request.receive', requestId: 'req-room' });
    h.refuse(watch, { type: 'request.accept_partly', requestId: 'req-room', count: 1, reason: 'x' }, 'REQUEST_KIND_MISMATCH');
    h.run(watch, { type: 'request.accept', requestId: 'req-room', reason: 'the yard is free tonight' });
    h.refuse(watch, { type: 'request.commit', requestId: 'req-room', units: ['city-11'] }, 'REQUEST_KIND_MISMATCH');
    h.run(sup, { type: 'request.close', requestId: 'req-room', reason: 'staging done' });
    assert.equal(h.world.requests['req-room']?.state, 'closed');
  });
});

describe('a reason must say something a reader can see', () => {
  const invisible = ['', '   ', '\u200b', '\u200b\u200c\u200d', '\u2060\ufeff', '\u00ad', '\u3164', '\u2800', '\u202e\u202c', '\u0301', '\u{e0041}\u{e0042}'];

  it('reasons made only of spaces, zero-width, format or filler characters are refused everywhere', () => {
    const h = organisation();
    send(h);
    h.rule(requestId, verdict('permitted'));
    h.run(watch, { type: 'request.receive', requestId });
    for (const reason of invisible) {
      h.refuse(watch, { type: 'request.refuse', requestId, reason }, 'REASON_REQUIRED');
      h.refuse(watch, { type: 'request.provide', requestId, provided: 'x', reason }, 'REASON_REQUIRED');
      h.refuse(chief, { type: 'person.relieve', personId: 'watch', positionId: 'city-watch', reason }, 'REASON_REQUIRED');
      h.refuse(watch, { type: 'order.issue', directive: 'hold', units: ['city-11'], rationale: reason }, 'ORDER_REASON_REQUIRED');
    }
    // a reason in any script, or only punctuation a reader sees, is a reason
    h.run(watch, { type: 'request.refuse', requestId, reason: 'ليس لدينا أمر قضائي' });
    assert.equal(h.world.requests[requestId]?.answer?.reason, 'ليس لدينا أمر قضائي');
  });
});
