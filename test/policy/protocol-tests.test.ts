import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConcordError } from '../../src/errors.ts';
import { parseProtocolTests, runProtocolTests } from '../../src/policy/index.ts';
import { POLICIES_DIR } from './fixtures.ts';

test('every agency\'s tests.yaml in the demo passes', async () => {
  const report = await runProtocolTests(POLICIES_DIR);
  assert.equal(report.failed, 0, JSON.stringify(report.results.filter((r) => !r.passed), null, 2));
  assert.ok(report.passed >= 25);
  assert.ok(report.results.some((r) => r.file.endsWith(join('fed-ice', 'tests.yaml'))));
});

test('a wrong expectation is reported with file, line and what differed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'concord-ptests-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await cp(join(POLICIES_DIR, 'fed-ice'), join(dir, 'fed-ice'), { recursive: true });
  await writeFile(
    join(dir, 'fed-ice', 'tests.yaml'),
    [
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
    ].join('\n'),
  );
  const report = await runProtocolTests(dir);
  assert.equal(report.failed, 2);
  const [first, second] = report.results;
  assert.equal(first?.line, 2);
  assert.deepEqual(first?.failures, [
    'decision: expected prohibited, got permitted',
    'clauses: expected [X], got [FOD-11-2(3)(a)]',
    'version: expected fed-ice/2025-01-01, got fed-ice/2026-01-01',
  ]);
  assert.equal(second?.line, 14);
  assert.match(second?.failures[0] ?? '', /expected error POLICY_NOT_EFFECTIVE, got needs_approval/);
});

test('a malformed tests file names the line and field', () => {
  const text = 'cases:\n  - name: x\n    at: "2026-03-14T21:05:00Z"\n    expect: { decision: permitted, clauses: [], version: v }\n';
  assert.throws(
    () => parseProtocolTests('tests.yaml', text),
    (e) => isConcordError(e, 'POLICY_INVALID') && /^tests.yaml:2: cases\[0\]: give exactly one of "request" or "order"/.test(e.message),
  );
  const bad = 'cases:\n  - name: x\n    at: "2026-03-14T21:05:00Z"\n    request: { id: r, from: { id: a, kind: local }, to: { id: b, kind: local }, category: perimetre, urgency: routine, operation: other, officer_in_danger: false, requested_units: 1 }\n    expect: { error: BAD_INPUT }\n';
  assert.throws(
    () => parseProtocolTests('tests.yaml', bad),
    (e) => isConcordError(e, 'POLICY_INVALID') && /^tests.yaml:4: cases\[0\].request.category: /.test(e.message),
  );
});
