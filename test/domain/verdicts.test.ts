import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../src/domain/commands.ts';
import { dueEscalations } from '../../src/domain/deadlines.ts';
import { isConcordError } from '../../src/errors.ts';
import { Harness, district, organisation, sendRequest, supt, verdict, watch } from './fixture.ts';

const requestId = 'req-1';

function evaluated(v: ReturnType<typeof verdict>): Harness {
  const h = organisation();
  sendRequest(h);
  h.run(watch, { type: 'request.receive', requestId });
  h.evaluate(requestId, v);
  return h;
}

describe('verdicts on requests', () => {
  it('records the verdict with its clauses and policy version', () => {
    const h = evaluated(verdict('permitted'));
    assert.deepEqual(h.world.requests[requestId]?.verdict, verdict('permitted'));
  });

  it('a prohibited verdict blocks acceptance, whoever tries', () => {
    const h = evaluated(verdict('prohibited'));
    h.refuse(supt, { type: 'request.accept', requestId, reason: 'I insist' }, 'VERDICT_PROHIBITED', /2-173-020\(b\).*|city-pd\/2026-01-01/);
    h.refuse(watch, { type: 'request.accept_partly', requestId, count: 1, reason: 'one' }, 'VERDICT_PROHIBITED');
    h.run(watch, { type: 'request.decline', requestId, reason: 'prohibited by 2-173-020(b)' });
    assert.equal(h.world.requests[requestId]?.state, 'declined');
  });

  it('needs_approval: only someone holding the role (or above it) may accept', () => {
    const h = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    h.refuse(watch, { type: 'request.accept', requestId, reason: 'ok' }, 'APPROVAL_REQUIRED', /city-district/);
    h.run(district, { type: 'request.accept', requestId, reason: 'approved: crowd safety' });
    assert.deepEqual(h.world.requests[requestId]?.answer?.approval, {
      role: 'city-district',
      authority: { kind: 'position', position: 'city-district' },
    });
  });

  it('needs_approval: a position above the role holds it too', () => {
    const h = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    h.run(supt, { type: 'request.accept', requestId, reason: 'approved' });
    assert.equal(h.world.requests[requestId]?.answer?.approval?.authority.kind, 'position');
  });

  it('needs_approval: a current delegation of the role holds it, an expired one does not', () => {
    const h = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    h.run(district, {
      type: 'delegation.grant',
      delegationId: 'del-1',
      to: 'watch',
      scope: { kind: 'position', position: 'city-district' },
      until: '2026-06-01T21:30:00.000Z',
      reason: 'off shift',
    });
    h.advance(60);
    h.run(watch, { type: 'request.accept_partly', requestId, count: 1, reason: 'approved under delegation' });
    assert.deepEqual(h.world.requests[requestId]?.answer?.approval, {
      role: 'city-district',
      authority: { kind: 'delegation', delegation: 'del-1', position: 'city-district' },
    });

    const g = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    g.run(district, {
      type: 'delegation.grant',
      delegationId: 'del-1',
      to: 'watch',
      scope: { kind: 'position', position: 'city-district' },
      until: '2026-06-01T21:01:00.000Z',
      reason: 'short',
    });
    g.advance(60);
    g.refuse(watch, { type: 'request.accept', requestId, reason: 'too late' }, 'APPROVAL_REQUIRED');
  });

  it('approval can be given first by the role holder, then anyone answerable accepts', () => {
    const h = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    h.refuse(watch, { type: 'request.approve', requestId, reason: 'fine' }, 'APPROVAL_REQUIRED');
    h.refuse(district, { type: 'request.approve', requestId, reason: '' }, 'REASON_REQUIRED');
    h.run(district, { type: 'request.approve', requestId, reason: 'crowd safety outweighs' });
    h.refuse(district, { type: 'request.approve', requestId, reason: 'again' }, 'INVALID_TRANSITION', /already approved/);
    assert.equal(h.world.requests[requestId]?.state, 'evaluated');
    h.run(watch, { type: 'request.accept', requestId, reason: 'approved by district' });
    assert.deepEqual(h.world.requests[requestId]?.answer?.approval, {
      role: 'city-district',
      authority: { kind: 'position', position: 'city-district' },
    });
  });

  it('an approval stands while the verdict needs that role, and falls with a verdict that needs another', () => {
    const h = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    h.run(district, { type: 'request.approve', requestId, reason: 'ok' });
    h.evaluate(requestId, verdict('needs_approval', { approvalRole: 'city-district', policyVersion: 'city-pd/2026-07-01' }));
    assert.equal(h.world.requests[requestId]?.approval?.role, 'city-district');
    h.evaluate(requestId, verdict('needs_approval', { approvalRole: 'city-supt' }));
    assert.equal(h.world.requests[requestId]?.approval, undefined);
    h.refuse(watch, { type: 'request.accept', requestId, reason: 'ok' }, 'APPROVAL_REQUIRED', /city-supt/);
  });

  it('nothing to approve unless the verdict needs approval; the role must be a position of the receiver', () => {
    const h = evaluated(verdict('permitted'));
    h.refuse(district, { type: 'request.approve', requestId, reason: 'ok' }, 'INVALID_TRANSITION', /nothing to approve/);
    const g = evaluated(verdict('needs_approval', { approvalRole: 'fed-fod' }));
    g.refuse(supt, { type: 'request.accept', requestId, reason: 'ok' }, 'APPROVAL_REQUIRED', /not a position of city-pd/);
  });

  it('a verdict is computed from the protocols, never given: a command carrying one is refused as input', () => {
    assert.throws(
      () => parseCommand({ type: 'request.evaluate', actor: watch, requestId, verdict: verdict('permitted') }),
      (e: unknown) => isConcordError(e, 'BAD_INPUT') && /verdict/.test(e.message),
    );
    assert.throws(
      () => parseCommand({ type: 'order.issue', actor: watch, directive: 'hold', units: ['city-11'], rationale: 'x', verdict: verdict('permitted') }),
      (e: unknown) => isConcordError(e, 'BAD_INPUT') && /verdict/.test(e.message),
    );
  });

  it('without a protocol in effect there is no verdict, and so no acceptance', () => {
    const h = organisation();
    sendRequest(h);
    h.run(watch, { type: 'request.receive', requestId });
    assert.equal(h.world.requests[requestId]?.state, 'received');
    h.refuse(watch, { type: 'request.evaluate', requestId }, 'POLICY_NOT_EFFECTIVE', /no protocol of city-pd is in effect/);
    h.advance(120);
    for (const c of dueEscalations(h.world, h.now)) h.runCommand(c);
    assert.equal(h.world.requests[requestId]?.state, 'escalated');
    h.refuse(supt, { type: 'request.accept', requestId, reason: 'go' }, 'POLICY_NOT_EFFECTIVE');
    // with no protocols given to decide at all, the same
    h.protocols = undefined;
    h.refuse(supt, { type: 'request.accept', requestId, reason: 'go' }, 'POLICY_NOT_EFFECTIVE');
    // saying no needs no verdict
    h.run(supt, { type: 'request.decline', requestId, reason: 'nobody can say whether the ordinance allows it' });
    assert.equal(h.world.requests[requestId]?.state, 'declined');
  });

  it('a policy that fails to evaluate keeps no request from arriving and no agency from saying no; it stops what needs a verdict', () => {
    const h = organisation();
    sendRequest(h);
    h.protocols!.failing.add(requestId);
    h.run(watch, { type: 'request.receive', requestId });
    assert.equal(h.world.requests[requestId]?.verdict, undefined);
    h.refuse(watch, { type: 'request.evaluate', requestId }, 'POLICY_EVALUATION_FAILED', /integer overflow/);
    h.run(watch, { type: 'request.escalate', requestId, reason: 'the rules are broken; up to the district' });
    h.refuse(district, { type: 'request.accept', requestId, reason: 'go' }, 'POLICY_EVALUATION_FAILED', /integer overflow/);
    h.run(district, { type: 'request.decline', requestId, reason: 'the protocols cannot be evaluated; declined pending review' });
    assert.equal(h.world.requests[requestId]?.state, 'declined');
  });

  it('a decision rests on the version in force when it is taken, re-evaluated and recorded', () => {
    // permitted under the version in force when it arrived; a new version prohibits it before anyone answers
    const h = evaluated(verdict('permitted'));
    h.advance(30);
    h.rule(requestId, verdict('prohibited', { policyVersion: 'city-pd/2026-06-01' }));
    h.refuse(watch, { type: 'request.accept', requestId, reason: 'it was permitted' }, 'VERDICT_PROHIBITED', /city-pd\/2026-06-01/);
    const before = h.log.length;
    h.run(watch, { type: 'request.decline', requestId, reason: 'the amended ordinance prohibits it' });
    assert.deepEqual(
      h.log
        .slice(before)
        .map((r) => r.event.type)
        .slice(0, 2),
      ['request.evaluated', 'request.declined'],
    );
    const r = h.world.requests[requestId]!;
    assert.equal(r.verdict?.policyVersion, 'city-pd/2026-06-01');
    assert.equal(r.verdict?.evaluatedAt, h.now);

    // the other way: needs approval under the old version, permitted under the new one
    const g = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    g.advance(30);
    g.rule(requestId, verdict('permitted', { policyVersion: 'city-pd/2026-06-01' }));
    const at = g.log.length;
    g.run(watch, { type: 'request.accept', requestId, reason: 'permitted now' });
    assert.deepEqual(
      g.log
        .slice(at)
        .map((x) => x.event.type)
        .slice(0, 2),
      ['request.evaluated', 'request.accepted'],
    );
    assert.equal(g.world.requests[requestId]?.answer?.approval, undefined);

    // an unchanged verdict is not recorded again
    const k = evaluated(verdict('permitted'));
    const n = k.log.length;
    k.run(watch, { type: 'request.accept', requestId, reason: 'go' });
    assert.equal(k.log[n]?.event.type, 'request.accepted');

    // a version that is no longer in force is no ground for accepting
    const m = evaluated(verdict('permitted'));
    m.protocols?.requestVerdicts.delete(requestId);
    m.refuse(watch, { type: 'request.accept', requestId, reason: 'go' }, 'POLICY_NOT_EFFECTIVE', /no longer applies/);
  });
});
