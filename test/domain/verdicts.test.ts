import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueEscalations } from '../../src/domain/deadlines.ts';
import { Harness, district, organisation, sendRequest, supt, verdict, watch } from './fixture.ts';

const requestId = 'req-1';

function evaluated(v: ReturnType<typeof verdict>): Harness {
  const h = organisation();
  sendRequest(h);
  h.run(watch, { type: 'request.receive', requestId });
  h.run(watch, { type: 'request.evaluate', requestId, verdict: v });
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

  it('a new verdict voids an earlier approval', () => {
    const h = evaluated(verdict('needs_approval', { approvalRole: 'city-district' }));
    h.run(district, { type: 'request.approve', requestId, reason: 'ok' });
    h.run(watch, { type: 'request.evaluate', requestId, verdict: verdict('needs_approval', { approvalRole: 'city-district' }) });
    assert.equal(h.world.requests[requestId]?.approval, undefined);
    h.refuse(watch, { type: 'request.accept', requestId, reason: 'ok' }, 'APPROVAL_REQUIRED');
  });

  it('nothing to approve unless the verdict needs approval; the role must be a position of the receiver', () => {
    const h = evaluated(verdict('permitted'));
    h.refuse(district, { type: 'request.approve', requestId, reason: 'ok' }, 'INVALID_TRANSITION', /nothing to approve/);
    const g = evaluated(verdict('needs_approval', { approvalRole: 'fed-fod' }));
    g.refuse(supt, { type: 'request.accept', requestId, reason: 'ok' }, 'APPROVAL_REQUIRED', /not a position of city-pd/);
  });

  it('the verdict must come from the receiving agency\'s protocols', () => {
    const h = organisation();
    sendRequest(h);
    h.run(watch, { type: 'request.receive', requestId });
    h.refuse(watch, { type: 'request.evaluate', requestId, verdict: verdict('permitted', { agency: 'fed-ice' }) }, 'BAD_INPUT');
  });

  it('no acceptance without a verdict', () => {
    const h = organisation();
    sendRequest(h);
    h.advance(120);
    for (const c of dueEscalations(h.world, h.now)) h.runCommand(c);
    assert.equal(h.world.requests[requestId]?.state, 'escalated');
    h.refuse(supt, { type: 'request.accept', requestId, reason: 'go' }, 'INVALID_TRANSITION', /without a verdict/);
  });
});
