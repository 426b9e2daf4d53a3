/**
 * Properties of verdicts for random facts, checked against the demo book and
 * against a plain TypeScript reference of the City PD rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  AGENCY_KINDS,
  DIRECTIVES,
  OPERATION_KINDS,
  REQUEST_CATEGORIES,
  URGENCIES,
  type OperationKind,
  type RequestCategory,
} from '../../src/domain/vocabulary.ts';
import { isConcordError } from '../../src/errors.ts';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { evaluateOrder, evaluateRequest, type RequestFacts } from '../../src/policy/index.ts';
import { POLICIES_DIR } from './fixtures.ts';

const book = await loadProtocolBook(POLICIES_DIR);
const FIRST = Date.parse('2025-01-01T06:00:00Z'); // city-pd/2025-01-01 begins (midnight, UTC-6)
const AMENDED = Date.parse('2026-01-01T06:00:00Z'); // city-pd/2026-01-01 begins

const agencyId = fc.constantFrom('fed-ice', 'state-police', 'county-sheriff', 'county-fire', 'campus-pd');
const requestFacts: fc.Arbitrary<RequestFacts> = fc.record({
  requestId: fc.string({ minLength: 1, maxLength: 12 }),
  from: fc.record({ id: agencyId, kind: fc.constantFrom(...AGENCY_KINDS) }),
  to: fc.constant({ id: 'city-pd', kind: 'local' as const }),
  category: fc.constantFrom(...REQUEST_CATEGORIES),
  urgency: fc.constantFrom(...URGENCIES),
  operation: fc.constantFrom(...OPERATION_KINDS),
  officerInDanger: fc.boolean(),
  description: fc.string({ maxLength: 40 }),
  requestedUnits: fc.integer({ min: 1, max: 50 }),
  kind: fc.constant('units' as const),
  personalData: fc.constant(false),
  legalBasis: fc.constant({ consent: false }),
});
const instant = fc.integer({ min: Date.parse('2024-06-01T00:00:00Z'), max: Date.parse('2027-06-01T00:00:00Z') }).map((ms) => new Date(ms).toISOString());

test('every verdict is well-formed and uses the version in effect', () => {
  fc.assert(
    fc.property(requestFacts, instant, (facts, at) => {
      const ms = Date.parse(at);
      if (ms < FIRST) {
        assert.throws(
          () => evaluateRequest(book, facts, at),
          (e) => isConcordError(e, 'POLICY_NOT_EFFECTIVE'),
        );
        return;
      }
      const v = evaluateRequest(book, facts, at);
      const expected = ms < AMENDED ? 'city-pd/2025-01-01' : 'city-pd/2026-01-01';
      assert.equal(v.policyVersion, expected);
      assert.equal(v.agency, 'city-pd');
      assert.equal(v.evaluatedAt, at);
      const version = book.agencies.get('city-pd')?.find((x) => x.id === expected);
      const policiesOf = (id: string) => version?.policies.filter((p) => p.clause.id === id) ?? [];
      assert.equal(new Set(v.clauses.map((c) => c.id)).size, v.clauses.length, 'clauses are unique');
      switch (v.decision) {
        case 'prohibited':
          // the ordinance's forbids decide; city-pd's default is never prohibited
          assert.ok(v.clauses.length >= 1);
          for (const c of v.clauses)
            assert.ok(
              policiesOf(c.id).some((p) => p.effect === 'forbid'),
              c.id,
            );
          break;
        case 'permitted':
          assert.ok(v.clauses.length >= 1);
          assert.equal(v.approvalRole, undefined);
          for (const c of v.clauses)
            assert.ok(
              policiesOf(c.id).some((p) => p.effect === 'permit' && !p.approval),
              c.id,
            );
          break;
        case 'needs_approval':
          assert.ok(v.approvalRole);
          if (v.clauses.length === 0) assert.match(v.note ?? '', /manifest default/);
          for (const c of v.clauses)
            assert.ok(
              policiesOf(c.id).some((p) => p.approval === v.approvalRole),
              c.id,
            );
          break;
        default:
          assert.fail(`unexpected decision ${String(v.decision)}`);
      }
      assert.deepEqual(evaluateRequest(book, facts, at), v, 'deterministic');
    }),
    { numRuns: 400 },
  );
});

/** The City PD rules written out plainly: what the Cedar policies must agree with. */
function reference(f: RequestFacts, amended: boolean): { decision: string; clauses: string[]; role?: string } {
  const is = (c: RequestCategory[]) => c.includes(f.category);
  const op = (o: OperationKind[]) => o.includes(f.operation);
  if (op(['civil_immigration_enforcement'])) {
    const forbids: string[] = [];
    if (is(['perimeter', 'traffic_control'])) forbids.push('2-173-020(b)');
    const c: RequestCategory[] = ['transport', 'enforcement_support', 'investigation_support', 'other'];
    if (is(amended ? c : [...c, 'crowd_safety'])) forbids.push('2-173-020(c)');
    if (forbids.length > 0) return { decision: 'prohibited', clauses: forbids };
  }
  const permits: string[] = [];
  if (is(['officer_in_danger']) || f.officerInDanger) permits.push('2-173-030(a)');
  if (is(['crowd_safety'])) permits.push('2-173-030(b)');
  if (is(['medical'])) permits.push('2-173-030(c)');
  if (op(['emergency_response', 'criminal_enforcement'])) permits.push('GO-7.03-II.A');
  if (permits.length > 0) return { decision: 'permitted', clauses: permits };
  const role = 'city-pd.watch-commander';
  if (op(['unknown', 'other'])) return { decision: 'needs_approval', clauses: ['2-173-040'], role };
  return { decision: 'needs_approval', clauses: [], role };
}

test('city-pd verdicts agree with the plain reference of its rules, in both versions', () => {
  fc.assert(
    fc.property(requestFacts, fc.boolean(), (facts, amended) => {
      const at = amended ? '2026-03-14T21:05:00-05:00' : '2025-06-01T12:00:00-05:00';
      const v = evaluateRequest(book, facts, at);
      const want = reference(facts, amended);
      assert.equal(v.decision, want.decision);
      assert.deepEqual(v.clauses.map((c) => c.id).sort(), [...want.clauses].sort());
      assert.equal(v.approvalRole, want.role);
    }),
    { numRuns: 500 },
  );
});

test('every city-pd order is permitted; withdrawals cite the reason-and-notice clause', () => {
  fc.assert(
    fc.property(fc.constantFrom(...DIRECTIVES), fc.boolean(), (directive, related) => {
      const v = evaluateOrder(
        book,
        {
          orderId: 'o',
          issuer: {
            agency: { id: 'city-pd', kind: 'local' },
            authority: { kind: 'position', agency: { id: 'city-pd', kind: 'local' }, position: 'city-pd.chief-of-patrol' },
          },
          directive,
          operation: related ? 'civil_immigration_enforcement' : 'unknown',
          units: [{ id: 'city-pd.1A12', home: { id: 'city-pd', kind: 'local' } }],
          people: [],
          ...(related
            ? {
                relatedRequest: {
                  requestId: 'r',
                  from: { id: 'fed-ice', kind: 'federal' },
                  category: 'officer_in_danger',
                  operation: 'civil_immigration_enforcement',
                },
              }
            : {}),
        },
        '2026-03-14T21:40:00-05:00',
      );
      assert.equal(v.decision, 'permitted');
      const withdrawal = ['withdraw', 'recall', 'stand_down'].includes(directive);
      assert.deepEqual(
        v.clauses.map((c) => c.id),
        [withdrawal ? 'GO-7.03-IV.B' : 'GO-7.03-III.A'],
      );
    }),
  );
});
