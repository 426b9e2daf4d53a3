import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteToIndex, effectToken, lineAt, PolicyText, splitPolicies, tokenizeCedar } from '../../src/policy/cedar-source.ts';

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

test('tokens leave out comments and keep strings whole', () => {
  const tokens = tokenizeCedar('@id("a // b") permit (principal, action, resource) // note "x"\nwhen { context.n >= 10 && resource == Agency::"c\\"d" };');
  assert.deepEqual(
    tokens.map((t) => t.text),
    [
      '@',
      'id',
      '(',
      '"a // b"',
      ')',
      'permit',
      '(',
      'principal',
      ',',
      'action',
      ',',
      'resource',
      ')',
      'when',
      '{',
      'context',
      '.',
      'n',
      '>=',
      '10',
      '&&',
      'resource',
      '==',
      'Agency',
      '::',
      '"c\\"d"',
      '}',
      ';',
    ],
  );
  assert.equal(effectToken(tokens), 5);
  assert.equal(effectToken(tokenizeCedar('@permit("x") forbid (principal, action, resource);')), 5);
});

test("PolicyText: the scope's variables, then constructs of the conditions in order", () => {
  const text = [
    '@id("x") @cite("resource == 1")',
    'permit (principal, action, resource == Agency::"a")',
    'when { context.c == "a" && context.c == "a" }',
    'unless { context has resource };',
  ].join('\n');
  const source = new PolicyText(text);
  assert.equal(lineAt(text, source.scopeVariable('resource') as number), 2);
  // the scope's "a" is not a condition's
  const first = source.next(['"a"']) as number;
  const second = source.next(['"a"']) as number;
  assert.equal(lineAt(text, first), 3);
  assert.ok(second > first && lineAt(text, second) === 3);
  assert.equal(source.next(['"a"']), undefined);
  assert.equal(lineAt(text, source.next(['has', 'resource']) as number), 4);
});
