import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConcordError, type ErrorCode } from '../../src/errors.ts';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { evaluateOrder, evaluateRequest, prepareProtocolBook, type RequestFacts } from '../../src/policy/index.ts';
import { checkRequestAgainstSchema } from '../../src/policy/cedar-engine.ts';
import { orderToCedar, requestToCedar } from '../../src/policy/facts.ts';
import { manifestText, order, POLICIES_DIR, request, versionSource } from './fixtures.ts';

const AT = '2026-03-14T21:05:00Z';
const REQ = 'action == Action::"request_assistance"';

const RULES = `
@id("F-1") @cite("Test Code § 1") @summary("no perimeters")
forbid (principal, ${REQ}, resource) when { context.category == "perimeter" };

@id("P-1") @cite("Test Code § 2")
permit (principal, ${REQ}, resource)
when { context.category == "officer_in_danger" || context.category == "perimeter" };

@id("A-1") @cite("Test Code § 3") @approval("test-pd.sergeant")
permit (principal, ${REQ}, resource) when { context.operation == "unknown" };

@id("A-2") @cite("Test Code § 4") @approval("test-pd.lieutenant")
permit (principal, ${REQ}, resource) when { ["unknown", "other"].contains(context.operation) };

@id("P-2") @cite("Test Code § 5")
permit (principal, ${REQ}, resource) when { context.officer_in_danger };

// a second policy for clause P-2: one clause may take several policies
@id("P-2") @cite("Test Code § 5")
permit (principal, ${REQ}, resource) when { context.category == "officer_in_danger" };

@id("O-1") @cite("Test Code § 9")
permit (principal, action == Action::"issue_order::withdraw", resource)
when { context has related_request && context.related_request.from.kind == "federal" };
`;

const book = prepareProtocolBook([versionSource({ policies: { 'rules.cedar': RULES } })]);
const evaluate = (overrides: Partial<RequestFacts>) => evaluateRequest(book, request(overrides), AT);
const ids = (v: { clauses: readonly { id: string }[] }) => v.clauses.map((c) => c.id);

function fails(code: ErrorCode, message: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isConcordError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  };
}

test('a forbid wins over a permit: prohibited, naming the forbid', () => {
  const v = evaluate({ category: 'perimeter', officerInDanger: false });
  assert.deepEqual(v, {
    decision: 'prohibited',
    clauses: [{ id: 'F-1', cite: 'Test Code § 1', summary: 'no perimeters' }],
    agency: 'test-pd',
    policyVersion: 'test-pd/2026-01-01',
    evaluatedAt: AT,
  });
});

test('a plain permit wins over approval permits; one entry per clause, in file order', () => {
  const v = evaluate({ category: 'officer_in_danger', officerInDanger: true, operation: 'unknown' });
  assert.equal(v.decision, 'permitted');
  assert.equal(v.approvalRole, undefined);
  assert.deepEqual(ids(v), ['P-1', 'P-2']);
});

test('only approval permits: the first in file order names the role', () => {
  const v = evaluate({ category: 'transport', officerInDanger: false, operation: 'unknown' });
  assert.equal(v.decision, 'needs_approval');
  assert.equal(v.approvalRole, 'test-pd.sergeant');
  assert.deepEqual(ids(v), ['A-1']);
  const w = evaluate({ category: 'transport', officerInDanger: false, operation: 'other' });
  assert.equal(w.approvalRole, 'test-pd.lieutenant');
  assert.deepEqual(ids(w), ['A-2']);
});

test('no rule matched: the manifest default, no clauses, a note', () => {
  const v = evaluate({ category: 'transport', officerInDanger: false, operation: 'criminal_enforcement' });
  assert.equal(v.decision, 'needs_approval');
  assert.equal(v.approvalRole, 'test-pd.duty-officer');
  assert.deepEqual(v.clauses, []);
  assert.match(v.note ?? '', /no rule of test-pd\/2026-01-01 matched; the manifest default applies/);
});

test('a prohibiting default, and a separate default for orders', () => {
  const manifest = manifestText({
    defaultBlock: 'default:\n  decision: prohibited\n  note: not covered\norder_default:\n  decision: needs_approval\n  approval_role: test-pd.chief',
  });
  const strict = prepareProtocolBook([versionSource({ manifest })]);
  const v = evaluateRequest(strict, request({ category: 'transport', officerInDanger: false }), AT);
  assert.equal(v.decision, 'prohibited');
  assert.deepEqual(v.clauses, []);
  assert.match(v.note ?? '', /: not covered$/);
  const o = evaluateOrder(
    strict,
    order({
      issuer: { agency: { id: 'test-pd', kind: 'local' }, authority: { kind: 'position', agency: { id: 'test-pd', kind: 'local' }, position: 'test-pd.sgt' } },
    }),
    AT,
  );
  assert.equal(o.decision, 'needs_approval');
  assert.equal(o.approvalRole, 'test-pd.chief');
});

test('orders: the issuer decides, or the agency passed as deciding', () => {
  const issuer = {
    agency: { id: 'test-pd', kind: 'local' as const },
    authority: { kind: 'position' as const, agency: { id: 'test-pd', kind: 'local' as const }, position: 'test-pd.sgt' },
  };
  const v = evaluateOrder(book, order({ issuer }), AT);
  assert.equal(v.decision, 'permitted');
  assert.deepEqual(ids(v), ['O-1']);
  // without a related request from a federal agency, O-1 does not apply
  const { relatedRequest: _, ...plain } = order({ issuer });
  assert.equal(evaluateOrder(book, plain, AT).decision, 'needs_approval');
  // a city-pd order evaluated by test-pd's protocols, as the units' home agency would
  const homed = evaluateOrder(book, order(), AT, { id: 'test-pd', kind: 'local' });
  assert.equal(homed.agency, 'test-pd');
  assert.deepEqual(ids(homed), ['O-1']);
});

test('the same facts give the same verdict, across calls and across loads', async () => {
  const a = await loadProtocolBook(POLICIES_DIR);
  const b = await loadProtocolBook(POLICIES_DIR);
  const facts = request({ to: { id: 'city-pd', kind: 'local' }, category: 'perimeter', officerInDanger: false });
  const first = evaluateRequest(a, facts, AT);
  for (let i = 0; i < 20; i++) assert.deepEqual(evaluateRequest(a, facts, AT), first);
  assert.deepEqual(evaluateRequest(b, facts, AT), first);
  assert.equal(JSON.stringify(evaluateRequest(b, facts, AT)), JSON.stringify(first));
});

test('refusals: unknown agency, bad time, contradictory or out-of-vocabulary facts', () => {
  assert.throws(
    () => evaluateRequest(book, request({ to: { id: 'nobody', kind: 'local' } }), AT),
    fails('POLICY_NOT_EFFECTIVE', /no protocol version of nobody/),
  );
  assert.throws(() => evaluateRequest(book, request(), '2026-03-14 21:05'), fails('BAD_INPUT', /RFC 3339/));
  assert.throws(() => evaluateRequest(book, request({ from: { id: 'test-pd', kind: 'federal' } }), AT), fails('BAD_INPUT', /both federal and local/));
  assert.throws(() => evaluateRequest(book, request({ requestedUnits: 0 }), AT), fails('BAD_INPUT', /positive integer/));
  const bogus = request({ category: 'bogus' as RequestFacts['category'] });
  assert.throws(() => evaluateRequest(book, bogus, AT), fails('BAD_INPUT', /unknown request category: "bogus"/));
});

test('a policy that errors at run time stops the evaluation instead of being skipped', () => {
  const overflow = `@id("F-9") @cite("x") forbid (principal, ${REQ}, resource) when { context.requested_units * 9223372036854775807 > 0 };`;
  const risky = prepareProtocolBook([versionSource({ policies: { 'rules.cedar': overflow } })]);
  assert.throws(() => evaluateRequest(risky, request({ requestedUnits: 3 }), AT), fails('POLICY_EVALUATION_FAILED', /rules.cedar:1 \(F-9\): .*overflow/));
});

test('the facts we hand Cedar have the shape of the schema the policies were validated against', () => {
  for (const facts of [request(), request({ category: 'medical', urgency: 'routine', operation: 'other' })]) {
    assert.deepEqual(checkRequestAgainstSchema(requestToCedar(facts)), []);
  }
  for (const facts of [order(), { ...order({ directive: 'assign' }), relatedRequest: undefined }]) {
    const { relatedRequest, ...rest } = facts;
    const o = relatedRequest ? { ...rest, relatedRequest } : rest;
    assert.deepEqual(checkRequestAgainstSchema(orderToCedar(o, { id: 'city-pd', kind: 'local' })), []);
  }
});
