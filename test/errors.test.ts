/** The error registry: a re-stated error keeps the one it re-states. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcordError, ERROR_CODES, isConcordError } from '../src/errors.ts';

test('a ConcordError keeps its cause, code and details', () => {
  const inner = new ConcordError('POLICY_INVALID', 'a.cedar:3: unexpected token');
  const outer = new ConcordError('POLICY_INVALID', `demo.yaml: protocols: ${inner.message}`, { file: 'a.cedar' }, { cause: inner });
  assert.equal(outer.cause, inner);
  assert.equal(outer.code, 'POLICY_INVALID');
  assert.deepEqual(outer.details, { file: 'a.cedar' });
  assert.ok(isConcordError(outer, 'POLICY_INVALID'));
  assert.equal(new ConcordError('BAD_INPUT', 'x').cause, undefined);
});

test('every code has a sentence saying what it means', () => {
  for (const [code, meaning] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^[A-Z][A-Z_]+$/);
    assert.ok(meaning.length > 10, code);
  }
});
