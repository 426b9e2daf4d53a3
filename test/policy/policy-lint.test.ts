/**
 * Rules that can never match: Cedar's own "policy is impossible" warnings and
 * ours (policy-lint.ts) reach ProtocolVersion.warnings with file, line and
 * clause, and never stop the set from loading.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { policyToJson } from '../../src/policy/cedar-engine.ts';
import { findNeverMatching } from '../../src/policy/policy-lint.ts';
import { bookWarnings, prepareProtocolVersion, type PolicyWarning } from '../../src/policy/index.ts';
import { POLICIES_DIR, versionSource } from './fixtures.ts';

const REQ = 'action == Action::"request_assistance"';

/** the warnings of a test-pd version holding `text` as rules.cedar */
function warningsOf(text: string): PolicyWarning[] {
  return [...prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })).warnings];
}

/** findNeverMatching on one policy text, for test-pd */
function lint(text: string): string[] {
  const json = policyToJson(text);
  assert.ok(!Array.isArray(json), 'the policy parses');
  return findNeverMatching(json, text, 'test-pd').map((f) => f.message);
}

test("Cedar's impossible-policy warnings come with file, line and clause", () => {
  const text = [
    '@id("OK-1") @cite("x")',
    `permit (principal, ${REQ}, resource) when { context.category == "medical" };`,
    '',
    '// rules Cedar itself can tell never match (`context has nonexistent` is an error: attribute-check.test.ts)',
    '@id("W-1") @cite("x")',
    `permit (principal, ${REQ}, resource) when { context.officer_in_danger && false };`,
    '@id("W-2") @cite("x")',
    `permit (principal, ${REQ}, resource) when { 1 == "a" };`,
  ].join('\n');
  const warnings = warningsOf(text);
  assert.deepEqual(
    warnings.map((w) => [w.file, w.line, w.clause]),
    [
      ['test-pd/2026-01-01/rules.cedar', 5, 'W-1'],
      ['test-pd/2026-01-01/rules.cedar', 7, 'W-2'],
    ],
  );
  for (const w of warnings) assert.match(w.message, /^policy is impossible: the policy expression evaluates to false for all valid requests$/);
});

test("(a) a resource scope naming another agency never matches: a warning at the scope's line", () => {
  const text = ['@id("A-1") @cite("x")', 'permit (', '  principal,', `  ${REQ},`, '  resource == Agency::"fed-ice"', ');'].join('\n');
  assert.deepEqual(warningsOf(text), [
    {
      file: 'test-pd/2026-01-01/rules.cedar',
      line: 5,
      clause: 'A-1',
      message: 'resource == Agency::"fed-ice" never matches: the resource is always the deciding agency, Agency::"test-pd", whose protocols these are',
    },
  ]);
  assert.deepEqual(lint(`permit (principal, ${REQ}, resource in Agency::"fed-ice");`), [
    'resource in Agency::"fed-ice" never matches: the resource is always the deciding agency, Agency::"test-pd", whose protocols these are',
  ]);
  assert.deepEqual(lint(`permit (principal, ${REQ}, resource is Agency in Agency::"fed-ice");`), [
    'resource is Agency in Agency::"fed-ice" never matches: the resource is always the deciding agency, Agency::"test-pd", whose protocols these are',
  ]);
  // its own agency, or the principal naming another, is fine
  assert.deepEqual(lint(`permit (principal == Agency::"fed-ice", ${REQ}, resource == Agency::"test-pd");`), []);
  assert.deepEqual(lint(`permit (principal, ${REQ}, resource in Agency::"test-pd");`), []);
});

test('(a) in the conditions: comparing resource with another agency never holds', () => {
  assert.deepEqual(lint(`permit (principal, ${REQ}, resource) when { resource == Agency::"fed-ice" };`), [
    'resource == Agency::"fed-ice" never holds: the resource is always the deciding agency, Agency::"test-pd", whose protocols these are',
  ]);
  assert.deepEqual(lint(`permit (principal, ${REQ}, resource) unless { resource == Agency::"test-pd" };`), [
    'resource != Agency::"test-pd" never holds: the resource is always the deciding agency, Agency::"test-pd", whose protocols these are',
  ]);
  assert.deepEqual(lint(`permit (principal, ${REQ}, resource) when { resource == Agency::"test-pd" && principal != Agency::"test-pd" };`), []);
});

test('(b) one attribute equal to two literals in one conjunction: a warning at the second', () => {
  const text = [
    '@id("B-1") @cite("x")',
    `forbid (principal, ${REQ}, resource)`,
    'when {',
    '  context.category == "perimeter" &&',
    '  context.category == "medical"',
    '};',
  ].join('\n');
  assert.deepEqual(warningsOf(text), [
    {
      file: 'test-pd/2026-01-01/rules.cedar',
      line: 5,
      clause: 'B-1',
      message: 'context.category == "perimeter" && context.category == "medical" cannot hold together: the rule never matches',
    },
  ]);
});

test('(b) contradictions through when and unless, negation, sets and Booleans', () => {
  const rule = (when: string, unless?: string): string => `permit (principal, ${REQ}, resource) when { ${when} }${unless ? ` unless { ${unless} }` : ''};`;
  // across a when and the negation of an unless
  assert.deepEqual(lint(rule('context.category == "perimeter"', 'context.category != "medical"')), [
    'context.category == "perimeter" && context.category == "medical" cannot hold together: the rule never matches',
  ]);
  assert.deepEqual(lint(rule('context.urgency == "urgent"', 'context.urgency == "urgent" || context.officer_in_danger')), [
    'context.urgency == "urgent" && context.urgency != "urgent" cannot hold together: the rule never matches',
  ]);
  assert.deepEqual(lint(rule('["perimeter", "transport"].contains(context.category) && context.category == "medical"')), [
    '["perimeter", "transport"].contains(context.category) && context.category == "medical" cannot hold together: the rule never matches',
  ]);
  assert.deepEqual(
    lint(rule('["perimeter", "transport"].contains(context.category) && !(context.category == "perimeter") && context.category != "transport"')).length,
    1,
  );
  assert.deepEqual(lint(rule('context.officer_in_danger && !context.officer_in_danger')), [
    'context.officer_in_danger && !context.officer_in_danger cannot hold together: the rule never matches',
  ]);
  assert.deepEqual(lint(rule('principal.kind == "federal"', 'principal.kind == "federal"')).length, 1);
  assert.deepEqual(lint(rule('context.requested_units == 1 && 2 == context.requested_units')).length, 1);
});

test('(b) what can hold is not flagged: alternatives, overlapping sets, different paths, a conjunction under a negation', () => {
  const rule = (when: string, unless?: string): string => `permit (principal, ${REQ}, resource) when { ${when} }${unless ? ` unless { ${unless} }` : ''};`;
  assert.deepEqual(lint(rule('context.category == "perimeter" || context.category == "medical"')), []);
  assert.deepEqual(lint(rule('["perimeter", "medical"].contains(context.category) && context.category == "medical"')), []);
  assert.deepEqual(lint(rule('context.category == "perimeter" && context.operation == "other"')), []);
  assert.deepEqual(lint(rule('context.category == "perimeter"', 'context.category == "medical" && context.urgency == "urgent"')), []);
  assert.deepEqual(lint(rule('!(context.category == "perimeter" && context.category == "medical")')), []);
  assert.deepEqual(lint(rule('context.category == "perimeter" && context.category == "perimeter"')), []);
  assert.deepEqual(lint(rule('context.category != "perimeter" && context.category != "medical"')), []);
});

test('the demo protocols have no warnings', async () => {
  assert.deepEqual(bookWarnings(await loadProtocolBook(POLICIES_DIR)), []);
});
