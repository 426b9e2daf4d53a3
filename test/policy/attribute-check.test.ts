/**
 * `has` on an attribute that exists nowhere is a load error: against the
 * real schema (with file, line and clause), and against a schema of our own
 * with what CEDAR_SCHEMA may grow: nested and optional records, common
 * types, entity shapes, action groups within groups, EntityOrCommon
 * references, a namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchemaJson } from '../../src/policy/cedar-engine.ts';
import { policyToJson } from '../../src/policy/cedar-engine.ts';
import { findMissingAttributes } from '../../src/policy/attribute-check.ts';
import { CEDAR_SCHEMA } from '../../src/policy/cedar-schema.ts';
import { isConcordError } from '../../src/errors.ts';
import { prepareProtocolVersion } from '../../src/policy/index.ts';
import { versionSource } from './fixtures.ts';

const REQ = 'action == Action::"request_assistance"';

function missing(text: string, schema: SchemaJson<string> = CEDAR_SCHEMA): string[] {
  const json = policyToJson(text);
  assert.ok(!Array.isArray(json), `parses: ${text}`);
  return findMissingAttributes(json, text, schema).map((m) => `${m.test} (known: ${m.known.join(', ') || 'none'})`);
}

test('against the real schema: the load fails at the has, naming the test and the attributes known', () => {
  const text = [
    '@id("H-1") @cite("x")',
    `forbid (principal, ${REQ}, resource)`,
    'when {',
    '  context.category == "perimeter" ||',
    '  context has categroy',
    '};',
  ].join('\n');
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'rules.cedar': text } })),
    (e) =>
      isConcordError(e, 'POLICY_INVALID') &&
      e.message ===
        'test-pd/2026-01-01/rules.cedar:5: policy H-1: "context has categroy": no such attribute (known: category, description, information_kind, legal_basis, officer_in_danger, operation, personal_data, request_id, request_kind, requested_units, urgency)',
  );
});

test('against the real schema: what exists passes; orders, groups, entities and nested records', () => {
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { context has officer_in_danger };`), []);
  assert.deepEqual(
    missing('permit (principal, action in Action::"issue_order", resource) when { context has related_request && context.related_request has from };'),
    [],
  );
  assert.deepEqual(missing('permit (principal, action in Action::"issue_order", resource) when { context has related_request.category };'), []);
  assert.deepEqual(
    missing('permit (principal, action in Action::"issue_order", resource) when { context has related_request && context.related_request.from has kind };'),
    [],
  );
  // related_request exists only for orders: asked of a request's context it exists nowhere
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { context has related_request };`), [
    'context has related_request (known: category, description, information_kind, legal_basis, officer_in_danger, operation, personal_data, request_id, request_kind, requested_units, urgency)',
  ]);
  // an unconstrained action: the union of every action's context
  assert.deepEqual(missing('permit (principal, action, resource) when { context has related_request || context has urgency };'), []);
  assert.deepEqual(missing('permit (principal, action, resource) when { context has urgncy };').length, 1);
  assert.deepEqual(missing('permit (principal, action in Action::"issue_order", resource) when { context has related_request.frm };'), [
    'context.related_request has frm (known: category, from, operation, request_id)',
  ]);
  assert.deepEqual(missing('permit (principal, action == Action::"issue_order::withdraw", resource) when { context.related_request.from has knd };'), [
    'context.related_request.from has knd (known: kind)',
  ]);
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { principal has kind && resource has kind };`), []);
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { resource has name };`), ['resource has name (known: kind)']);
  // the legal facts: optional parts of a nested record, and an order's authority
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { context.legal_basis has warrant && context.legal_basis has court_order };`), []);
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { context.legal_basis has warrent };`), [
    'context.legal_basis has warrent (known: consent, court_order, statute, warrant)',
  ]);
  assert.deepEqual(missing('permit (principal, action in Action::"issue_order", resource) when { context has task && context.authority has position };'), []);
});

test('what cannot be resolved is left alone', () => {
  // a Set, a String, a record literal, an unknown action
  assert.deepEqual(missing('permit (principal, action in Action::"issue_order", resource) when { context.unit_ids has x };'), []);
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { context.category has x };`), []);
  assert.deepEqual(missing(`permit (principal, ${REQ}, resource) when { {a: 1} has b };`), []);
  assert.deepEqual(missing('permit (principal, action == Action::"no_such_action", resource) when { context has x };'), []);
});

/** a schema shaped like what CEDAR_SCHEMA may become */
const TEST_SCHEMA: SchemaJson<string> = {
  '': {
    commonTypes: {
      Address: { type: 'Record', attributes: { street: { type: 'String' }, geo: { type: 'Geo', required: false } } },
      Geo: { type: 'Record', attributes: { lat: { type: 'Long' }, lon: { type: 'Long' } } },
      UnitShape: { type: 'Record', attributes: { callsign: { type: 'String' }, home: { type: 'Entity', name: 'Agency' } } },
    },
    entityTypes: {
      Agency: { shape: { type: 'Record', attributes: { kind: { type: 'String' }, address: { type: 'Address', required: false } } } },
      Unit: { shape: { type: 'UnitShape' } },
      Badge: {},
    },
    actions: {
      move: {
        appliesTo: {
          principalTypes: ['Agency'],
          resourceTypes: ['Unit'],
          context: { type: 'Record', attributes: { to: { type: 'EntityOrCommon', name: 'Address' }, by: { type: 'EntityOrCommon', name: 'Unit' } } },
        },
      },
      all_orders: {},
      field_orders: { memberOf: [{ id: 'all_orders' }] },
      hold: {
        memberOf: [{ id: 'field_orders' }],
        appliesTo: { principalTypes: ['Agency'], resourceTypes: ['Agency'], context: { type: 'Record', attributes: { minutes: { type: 'Long' } } } },
      },
      recall: {
        memberOf: [{ id: 'all_orders', type: 'Action' }],
        appliesTo: { principalTypes: ['Badge'], resourceTypes: ['Agency'] },
      },
    },
  },
  Fed: {
    entityTypes: { Office: { shape: { type: 'Record', attributes: { region: { type: 'String' } } } } },
    actions: {
      inspect: {
        appliesTo: { principalTypes: ['Office'], resourceTypes: ['Agency'], context: { type: 'Record', attributes: { reason: { type: 'String' } } } },
      },
    },
  },
};

test('a schema of our own: common types, optional nested records, EntityOrCommon, entity shapes through common types', () => {
  const move = (cond: string): string[] => missing(`permit (principal, action == Action::"move", resource) when { ${cond} };`, TEST_SCHEMA);
  assert.deepEqual(move('context has to && context.to has geo && context.to.geo has lat'), []);
  assert.deepEqual(move('context has to.geo.lat'), []);
  assert.deepEqual(move('context.to has "geo "'), ['context.to has "geo " (known: geo, street)']);
  assert.deepEqual(move('context has to.geo.alt'), ['context.to.geo has alt (known: lat, lon)']);
  assert.deepEqual(move('context.by has callsign && context.by.home has address && resource has home'), []);
  assert.deepEqual(move('context.by.home.address has zip'), ['context.by.home.address has zip (known: geo, street)']);
  assert.deepEqual(move('resource has kind'), ['resource has kind (known: callsign, home)']);
  assert.deepEqual(move('principal has kind && principal.address has street'), []);
});

test('a schema of our own: groups within groups are the union of their members; no appliesTo is no context', () => {
  const all = (cond: string): string[] => missing(`permit (principal, action in Action::"all_orders", resource) when { ${cond} };`, TEST_SCHEMA);
  // hold (through field_orders) has minutes; recall has an empty context
  assert.deepEqual(all('context has minutes'), []);
  assert.deepEqual(all('context has hours'), ['context has hours (known: minutes)']);
  // principals: Agency (hold) or Badge (recall, no shape)
  assert.deepEqual(all('principal has kind'), []);
  assert.deepEqual(all('principal has badge_no'), ['principal has badge_no (known: address, kind)']);
  const recall = missing('permit (principal, action == Action::"recall", resource) when { context has minutes };', TEST_SCHEMA);
  assert.deepEqual(recall, ['context has minutes (known: none)']);
  // an action in another namespace, named by its qualified type
  const fed = (cond: string): string[] => missing(`permit (principal, action == Fed::Action::"inspect", resource) when { ${cond} };`, TEST_SCHEMA);
  assert.deepEqual(fed('context has reason && principal has region'), []);
  assert.deepEqual(fed('context has reasn'), ['context has reasn (known: reason)']);
});

test('the line points at the failing has, after others on the same attributes', () => {
  const text = [
    '@id("H-2") @cite("x")',
    'permit (principal, action in Action::"issue_order", resource)',
    'when {',
    '  context has related_request &&',
    '  context.related_request has category &&',
    '  context.related_request has categry',
    '};',
  ].join('\n');
  assert.throws(
    () => prepareProtocolVersion(versionSource({ policies: { 'o.cedar': text } })),
    (e) =>
      isConcordError(e, 'POLICY_INVALID') &&
      e.message.startsWith(
        'test-pd/2026-01-01/o.cedar:6: policy H-2: "context.related_request has categry": no such attribute (known: category, from, operation, request_id)',
      ),
  );
});
