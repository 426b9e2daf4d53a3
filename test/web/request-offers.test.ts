/**
 * Which action forms a request card offers (web/src/features/board/request-offers.ts):
 * those the request's state allows and the person's standing covers, and
 * none of the others.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offersFor } from '../../web/src/features/board/request-offers.ts';
import type { AssistanceRequest, Session } from '../../web/src/shared/types.ts';

const base: AssistanceRequest = {
  id: 'req-1',
  from: 'fed-ice',
  to: 'city-pd',
  kind: 'units',
  category: 'officer_in_danger',
  urgency: 'immediate',
  operation: 'emergency_response',
  description: 'help',
  state: 'evaluated',
  actions: ['approve', 'accept', 'accept_partly', 'decline', 'escalate', 'cancel'],
  sentAt: '2026-06-01T20:00:00Z',
  responsible: { position: 'city-pd.watch-commander', holders: [] },
};

function session(agency: string, positions: Session['positions'], over: Partial<Session> = {}): Session {
  return { kind: 'session', agency, login: 'x', reviewer: false, scope: 'write', csrfToken: 't', person: 'p', positions, authorities: [], ...over };
}

const watchCommander = session('city-pd', [
  { id: 'city-pd.watch-commander', title: 'WC', agency: 'city-pd', positions: ['city-pd.watch-commander', 'city-pd.sergeant'], units: ['cpd-1', 'cpd-2'] },
]);
const sergeant = session('city-pd', [{ id: 'city-pd.sergeant', title: 'Sgt', agency: 'city-pd', positions: ['city-pd.sergeant'], units: ['cpd-1'] }]);
const supervisor = session('fed-ice', [{ id: 'fed-ice.sup', title: 'Sup', agency: 'fed-ice', positions: ['fed-ice.sup'], units: [] }]);
const actions = (r: AssistanceRequest, s: Session) => offersFor(r, s, []).map((o) => o.action);

describe('the forms a request card offers', () => {
  it('the receiving side answers when it commands the position responsible, and only then', () => {
    assert.deepEqual(actions(base, watchCommander), ['accept', 'accept_partly', 'decline', 'escalate']);
    assert.deepEqual(actions(base, sergeant), [], 'a sergeant below the responsible position answers nothing');
  });

  it('the requesting side cancels, and answers nothing', () => {
    assert.deepEqual(actions(base, supervisor), ['cancel']);
  });

  it('approval needs the role the verdict names', () => {
    const r = {
      ...base,
      verdict: { decision: 'needs_approval', approvalRole: 'city-pd.sergeant', clauses: [], agency: 'city-pd', policyVersion: 'v', evaluatedAt: '' },
    };
    assert.ok(actions(r, watchCommander).includes('approve'));
    assert.ok(actions(r, sergeant).includes('approve'));
    assert.ok(!actions(r, supervisor).includes('approve'));
  });

  it('withdrawal is offered for the committed units the person commands, with those units only', () => {
    const r: AssistanceRequest = {
      ...base,
      state: 'units_committed',
      actions: ['commit', 'report_on_scene', 'withdraw', 'release'],
      units: [
        { unit: 'cpd-1', committedAt: '', status: 'committed' },
        { unit: 'cpd-2', committedAt: '', status: 'committed' },
      ],
    };
    const w = offersFor(r, sergeant, []).find((o) => o.action === 'withdraw');
    assert.deepEqual(
      w?.fields?.flatMap((f) => (f.kind === 'units' ? f.options.map((o) => o.id) : [])),
      ['cpd-1'],
    );
    assert.ok(!actions(r, supervisor).includes('withdraw'), 'the requester releases, it does not withdraw');
    assert.ok(actions(r, supervisor).includes('release'));
  });

  it('a reviewer or a read-only session is offered nothing', () => {
    assert.deepEqual(actions(base, { ...watchCommander, reviewer: true }), []);
    assert.deepEqual(actions(base, { ...watchCommander, scope: 'read' }), []);
  });

  it('nothing the state does not allow', () => {
    assert.deepEqual(actions({ ...base, state: 'closed', actions: [] }, watchCommander), []);
  });
});
