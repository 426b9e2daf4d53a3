/**
 * Statements, claims and links (src/domain/statements.ts) decided and
 * applied on the demo's world: who may record them (a person of an agency
 * taking part in the incident; not a device, not an agency taking no part),
 * what is refused (empty text, unknown speaker, a check naming another
 * incident's order, evidence not on record), and that a closed incident
 * still takes statements. Checked against the record in test/review/claims.test.ts.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { applyEvent, decide, parseCommand, type World } from '../../src/domain/index.ts';
import { demoLedger } from '../helpers/demo-ledger.ts';

const INCIDENT = 'inc-2026-0601-harrison';
const NOW = '2026-06-02T10:00:00.000Z';
let world: World;
let n = 0;
const ctx = { now: NOW, newId: (p: string) => `${p}-t${++n}` };

function run(w: World, input: Record<string, unknown>): World {
  const events = decide(w, parseCommand(input), ctx);
  let out = w;
  for (const e of events) out = applyEvent(out, e, { index: out.lastIndex + 1, received: NOW });
  return out;
}

const statement = (actor: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'statement.record',
  actor,
  statementId: 'stmt-1',
  incidentId: INCIDENT,
  speaker: { agency: 'fed-ice', person: 'ice-brennan' },
  madeAt: '2026-06-02T09:00:00Z',
  publishedIn: 'press release',
  text: 'City police abandoned our officers without notice.',
  ...extra,
});

before(async () => {
  world = (await demoLedger()).final;
});

describe('statements and claims', () => {
  it('a person of an agency taking part records a statement, its claims and the evidence for each', () => {
    let w = run(world, statement({ agency: 'city-pd', person: 'cpd-chen' }));
    w = run(w, {
      type: 'claim.record',
      actor: { agency: 'fed-ice', person: 'ice-santos' },
      statementId: 'stmt-1',
      claimId: 'c1',
      text: 'We were not told.',
      check: { kind: 'notified', agency: 'fed-ice', order: 'ord-001', asserted: false },
    });
    w = run(w, {
      type: 'claim.link',
      actor: { agency: 'city-pd', person: 'cpd-chen' },
      statementId: 'stmt-1',
      claimId: 'c1',
      entry: 126,
      relation: 'contradicts',
    });
    const s = w.statements['stmt-1'];
    assert.equal(s?.speaker.person, 'ice-brennan');
    assert.equal(s?.recordedBy.person, 'cpd-chen');
    assert.deepEqual(
      s?.claims.map((c) => [c.id, c.links.map((l) => [l.entry, l.relation, l.by.agency])]),
      [['c1', [[126, 'contradicts', 'city-pd']]]],
    );
    assert.equal(world.statements['stmt-1'], undefined, 'the world given is untouched');
  });

  it('refuses a recorder with no part in the incident, a device, and bad content', () => {
    const refused = (input: Record<string, unknown>, code: string, w = world): void => {
      assert.throws(() => decide(w, parseCommand(input), ctx), { code }, JSON.stringify(input));
    };
    refused(statement({ agency: 'review-board', person: 'rb-ig' }), 'NOT_AUTHORISED');
    refused(statement({ agency: 'fed-ice', device: 'fed-ice-cad' }), 'NOT_AUTHORISED');
    refused(statement({ agency: 'fed-ice' }), 'NOT_AUTHORISED');
    refused(statement({ agency: 'fed-ice', person: 'ice-santos' }, { text: '  ' }), 'BAD_INPUT');
    refused(statement({ agency: 'fed-ice', person: 'ice-santos' }, { publishedIn: '' }), 'BAD_INPUT');
    refused(statement({ agency: 'fed-ice', person: 'ice-santos' }, { speaker: { agency: 'nobody' } }), 'UNKNOWN_ENTITY');
    refused(statement({ agency: 'fed-ice', person: 'ice-santos' }, { speaker: { agency: 'fed-ice', person: 'cpd-chen' } }), 'COMMAND_INCONSISTENT');
    refused(statement({ agency: 'fed-ice', person: 'ice-santos' }, { incidentId: 'inc-none' }), 'UNKNOWN_ENTITY');
    const w = run(world, statement({ agency: 'fed-ice', person: 'ice-santos' }));
    refused(statement({ agency: 'fed-ice', person: 'ice-santos' }), 'DUPLICATE_ID', w);
    const claim = { type: 'claim.record', actor: { agency: 'fed-ice', person: 'ice-santos' }, statementId: 'stmt-1', text: 'x' };
    refused({ ...claim, check: { kind: 'notified', agency: 'fed-ice', asserted: false } }, 'COMMAND_INCONSISTENT', w);
    refused({ ...claim, check: { kind: 'notified', agency: 'fed-ice', order: 'ord-none', asserted: false } }, 'UNKNOWN_ENTITY', w);
    refused({ ...claim, check: { kind: 'supported', request: 'req-001', at: 'soon', asserted: false } }, 'BAD_INPUT', w);
    refused({ ...claim, statementId: 'stmt-none' }, 'UNKNOWN_ENTITY', w);
    const link = {
      type: 'claim.link',
      actor: { agency: 'fed-ice', person: 'ice-santos' },
      statementId: 'stmt-1',
      claimId: 'none',
      entry: 1,
      relation: 'supports',
    };
    refused(link, 'UNKNOWN_ENTITY', w);
    const w2 = run(w, { ...claim, claimId: 'c1' });
    refused({ ...link, claimId: 'c1', entry: w2.lastIndex + 1 }, 'COMMAND_INCONSISTENT', w2);
    refused({ ...link, claimId: 'c1', relation: 'maybe' }, 'BAD_INPUT', w2);
  });

  it('a closed incident still takes statements: they come after the fact', () => {
    let w = world;
    for (const requestId of ['req-002', 'req-003', 'req-004'])
      w = run(w, { type: 'request.close', actor: { agency: 'city-pd', person: 'cpd-harris' }, requestId, reason: 'Answered.' });
    const closed = run(w, { type: 'incident.close', actor: { agency: 'fed-ice', person: 'ice-santos' }, incidentId: INCIDENT, reason: 'Scene cleared.' });
    assert.equal(closed.incidents[INCIDENT]?.status, 'closed');
    assert.ok(run(closed, statement({ agency: 'fed-ice', person: 'ice-santos' })).statements['stmt-1']);
  });
});
