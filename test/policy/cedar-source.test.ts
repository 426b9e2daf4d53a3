import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteToIndex, lineAt, splitPolicies } from '../../src/policy/cedar-source.ts';

test('splits at semicolons, not inside strings or comments', () => {
  const text = [
    '// header; with a semicolon',
    '@id("a;b") permit (principal, action, resource)',
    'when { context.description like "x;*" }; // trailing; comment',
    '',
    '@id("c\\";") forbid (principal, action, resource);',
    '',
  ].join('\n');
  const chunks = splitPolicies(text);
  assert.equal(chunks.length, 2);
  assert.equal(chunks[0]?.line, 2);
  assert.equal(chunks[1]?.line, 5);
  assert.match(chunks[1]?.text ?? '', /forbid/);
  assert.equal(chunks.map((c) => c.text).join(''), text.slice(0, text.lastIndexOf(';') + 1));
});

test('no policies in a file of comments', () => {
  assert.deepEqual(splitPolicies('// nothing here\n\n'), []);
});

test('trailing tokens after the last policy form a chunk', () => {
  const chunks = splitPolicies('permit (principal, action, resource);\npermit (principal');
  assert.equal(chunks.length, 2);
  assert.equal(chunks[1]?.line, 2);
});

test('byte offsets map to lines through multi-byte characters', () => {
  const text = '@cite("§§§")\nline two';
  // "§" is two bytes in UTF-8: the "l" of line two is at byte 16, index 13
  assert.equal(byteToIndex(text, 16), 13);
  assert.equal(lineAt(text, byteToIndex(text, 16)), 2);
  assert.equal(lineAt(text, 0), 1);
});
