import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isConcordError } from '../../src/errors.ts';
import { evaluateRequest, findVersionInEffect, prepareProtocolBook, versionInEffect } from '../../src/policy/index.ts';
import { request, versionSource } from './fixtures.ts';

const permits = (id: string): string => `@id("${id}") @cite("Test Code, ${id}") permit (principal, action == Action::"request_assistance", resource);`;

// 2025-01-01 .. 2025-07-01 (explicit end), a gap, 2025-09-01 .. (ended by the next), 2026-01-01 ..
const book = prepareProtocolBook([
  versionSource({ version: 'v3', from: '2026-01-01T00:00:00Z', policies: { 'r.cedar': permits('V3') } }),
  versionSource({ version: 'v1', from: '2025-01-01T00:00:00Z', until: '2025-07-01T00:00:00Z', policies: { 'r.cedar': permits('V1') } }),
  versionSource({ version: 'v2', from: '2025-09-01T00:00:00Z', policies: { 'r.cedar': permits('V2') } }),
]);

const versionAt = (at: string): string | undefined => findVersionInEffect(book, 'test-pd', at)?.version;

test('the version in effect follows the effective dates', () => {
  assert.equal(versionAt('2024-12-31T23:59:59Z'), undefined);
  assert.equal(versionAt('2025-01-01T00:00:00Z'), 'v1');
  assert.equal(versionAt('2025-06-30T23:59:59.999Z'), 'v1');
  assert.equal(versionAt('2025-07-01T00:00:00Z'), undefined, 'effective_until is exclusive; then a gap');
  assert.equal(versionAt('2025-09-01T00:00:00Z'), 'v2');
  assert.equal(versionAt('2025-12-31T23:59:59Z'), 'v2');
  assert.equal(versionAt('2026-01-01T00:00:00Z'), 'v3', 'a version without effective_until ends where the next begins');
  assert.equal(versionAt('2099-01-01T00:00:00Z'), 'v3');
});

test('times with offsets compare as instants', () => {
  assert.equal(versionAt('2025-12-31T19:00:00-05:00'), 'v3');
  assert.equal(versionAt('2025-12-31T18:59:59-05:00'), 'v2');
  assert.equal(versionAt('2026-01-01T00:30:00+01:00'), 'v2');
});

test('the verdict records the version used and cites its clauses', () => {
  const v1 = evaluateRequest(book, request(), '2025-03-01T00:00:00Z');
  assert.equal(v1.policyVersion, 'test-pd/v1');
  assert.deepEqual(v1.clauses, [{ id: 'V1', cite: 'Test Code, V1' }]);
  const v3 = evaluateRequest(book, request(), '2026-03-01T00:00:00Z');
  assert.equal(v3.policyVersion, 'test-pd/v3');
  assert.deepEqual(
    v3.clauses.map((c) => c.id),
    ['V3'],
  );
});

test('no version in effect is POLICY_NOT_EFFECTIVE, naming the versions there are', () => {
  assert.throws(
    () => versionInEffect(book, 'test-pd', '2025-08-01T00:00:00Z'),
    (e) => isConcordError(e, 'POLICY_NOT_EFFECTIVE') && /test-pd\/v1, test-pd\/v2, test-pd\/v3/.test(e.message),
  );
  assert.throws(
    () => evaluateRequest(book, request(), '2024-01-01T00:00:00Z'),
    (e) => isConcordError(e, 'POLICY_NOT_EFFECTIVE'),
  );
});
