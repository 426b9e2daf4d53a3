/**
 * Runs scenarios/policies/city-pd/tests.yaml, the City PD protocol tests,
 * one node:test case per protocol test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { parseProtocolTests, runProtocolTestCase } from '../../src/policy/index.ts';
import { POLICIES_DIR } from './fixtures.ts';

const book = await loadProtocolBook(POLICIES_DIR);
const testsFile = join(POLICIES_DIR, 'city-pd', 'tests.yaml');
const cases = parseProtocolTests(testsFile, readFileSync(testsFile, 'utf8'));

test('city-pd has protocol tests for every clause of the 2026 version', () => {
  const version = book.agencies.get('city-pd')?.find((v) => v.version === '2026-01-01');
  const clauses = new Set(version?.policies.map((p) => p.clause.id));
  const tested = new Set(cases.flatMap((c) => ('clauses' in c.expect ? c.expect.clauses : [])));
  assert.deepEqual(
    [...clauses].filter((id) => !tested.has(id)),
    [],
  );
});

for (const testCase of cases) {
  test(`city-pd: ${testCase.name}`, () => {
    const result = runProtocolTestCase(book, testCase);
    assert.deepEqual(result.failures, [], `${result.file}:${result.line}`);
    assert.ok(result.passed);
  });
}
