import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { isConcordError } from '../../src/errors.ts';
import { parseProtocolTests, runProtocolTestFiles } from '../../src/policy/index.ts';
import { BILLION_LAUGHS } from '../helpers/yaml.ts';
import { POLICIES_DIR } from './fixtures.ts';

const book = await loadProtocolBook(POLICIES_DIR);

test('a wrong expectation is reported with file, line and what differed', () => {
  const text = [
    'cases:',
    '  - name: wrong on purpose',
    '    at: "2026-03-14T21:05:00Z"',
    '    request:',
    '      id: r',
    '      from: { id: city-pd, kind: local }',
    '      to: { id: fed-ice, kind: federal }',
    '      category: officer_in_danger',
    '      urgency: immediate',
    '      operation: criminal_enforcement',
    '      officer_in_danger: true',
    '      requested_units: 1',
    '    expect: { decision: prohibited, clauses: ["X"], version: fed-ice/2025-01-01 }',
    '  - name: expects an error that does not happen',
    '    at: "2026-03-14T21:05:00Z"',
    '    request: { id: r, from: { id: city-pd, kind: local }, to: { id: fed-ice, kind: federal }, category: medical, urgency: routine, operation: other, officer_in_danger: false, requested_units: 1 }',
    '    expect: { error: POLICY_NOT_EFFECTIVE }',
    '',
  ].join('\n');
  const report = runProtocolTestFiles(book, [{ path: 'fed-ice/tests.yaml', text }]);
  assert.equal(report.failed, 2);
  const [first, second] = report.results;
  assert.equal(first?.file, 'fed-ice/tests.yaml');
  assert.equal(first?.line, 2);
  assert.deepEqual(first?.failures, [
    'decision: expected prohibited, got permitted',
    'clauses: expected [X], got [FOD-11-2(3)(a)]',
    'version: expected fed-ice/2025-01-01, got fed-ice/2026-01-01',
  ]);
  assert.equal(second?.line, 14);
  assert.match(second?.failures[0] ?? '', /expected error POLICY_NOT_EFFECTIVE, got needs_approval/);
});

test('the demo tests pass when run from their texts', () => {
  const files = ['city-pd', 'fed-ice'].map((a) => {
    const path = join(POLICIES_DIR, a, 'tests.yaml');
    return { path, text: readFileSync(path, 'utf8') };
  });
  const report = runProtocolTestFiles(book, files);
  assert.equal(report.failed, 0);
  assert.equal(report.passed, report.results.length);
});

test('a malformed tests file names the line and field', () => {
  const text = 'cases:\n  - name: x\n    at: "2026-03-14T21:05:00Z"\n    expect: { decision: permitted, clauses: [], version: v }\n';
  assert.throws(
    () => parseProtocolTests('tests.yaml', text),
    (e) => isConcordError(e, 'POLICY_INVALID') && /^tests.yaml:2: cases\[0\]: give exactly one of "request" or "order"/.test(e.message),
  );
  const bad =
    'cases:\n  - name: x\n    at: "2026-03-14T21:05:00Z"\n    request: { id: r, from: { id: a, kind: local }, to: { id: b, kind: local }, category: perimetre, urgency: routine, operation: other, officer_in_danger: false, requested_units: 1 }\n    expect: { error: BAD_INPUT }\n';
  assert.throws(
    () => parseProtocolTests('tests.yaml', bad),
    (e) => isConcordError(e, 'POLICY_INVALID') && /^tests.yaml:4: cases\[0\].request.category: /.test(e.message),
  );
});

test('a tests file that is an alias bomb is refused in one line, at once', () => {
  const started = Date.now();
  assert.throws(
    () => parseProtocolTests('tests.yaml', `${BILLION_LAUGHS}cases: *i\n`),
    (e) =>
      isConcordError(e, 'POLICY_INVALID') &&
      /^tests.yaml:\d+: refused: aliases here expand to more than 100,000 nodes/.test(e.message) &&
      !e.message.includes('\n'),
  );
  assert.ok(Date.now() - started < 2000);
});
