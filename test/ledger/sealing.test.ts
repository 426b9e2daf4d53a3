/**
 * The sealing policy (ledger/sealing.ts): strict parsing of a deployment's
 * policy, and which fields of an entry it seals; the default policy
 * (domain/sealing.ts) seals names, free text and the notices quoting it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SEALING_POLICY } from '../../src/domain/sealing.ts';
import { isConcordError } from '../../src/errors.ts';
import { parseSealingPolicy, sealedFields } from '../../src/ledger/sealing.ts';

describe('parseSealingPolicy', () => {
  it('accepts types, families and "*", and refuses anything else naming the field', () => {
    assert.deepEqual(parseSealingPolicy([{ type: 'request.*', fields: ['/a', '/b~1c'] }], 'cfg'), [{ type: 'request.*', fields: ['/a', '/b~1c'] }]);
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^cfg must be an array/],
      [[{ type: 'Request', fields: ['/a'] }], /^cfg\[0\]\.type must be an entry type/],
      [[{ type: 'a', fields: [] }], /^cfg\[0\]\.fields must be a non-empty array/],
      [[{ type: 'a', fields: ['a'] }], /^cfg\[0\]\.fields\[0\] "a" is not a JSON pointer/],
      [[{ type: 'a', fields: ['/a~2'] }], /^cfg\[0\]\.fields\[0\] .*bad escape/],
      [[{ type: 'a', fields: ['/a', '/a'] }], /^cfg\[0\]\.fields\[1\] lists \/a twice/],
      [[{ type: 'a', fields: ['/a'], seal: true }], /^cfg\[0\]\.seal is not a known field/],
      [
        [
          { type: 'a', fields: ['/a'] },
          { type: 'a', fields: ['/b'] },
        ],
        /^cfg\[1\]\.type "a" has a rule already/,
      ],
    ];
    for (const [input, want] of cases) {
      assert.throws(
        () => parseSealingPolicy(input, 'cfg'),
        (e: unknown) => isConcordError(e, 'BAD_INPUT') && want.test((e as Error).message),
        JSON.stringify(input),
      );
    }
  });
});

describe('sealedFields', () => {
  it('seals the fields present, each once, by type, family and "*"', () => {
    const policy = parseSealingPolicy(
      [
        { type: '*', fields: ['/reason'] },
        { type: 'request.*', fields: ['/description', '/reason'] },
        { type: 'request.sent', fields: ['/list/1', '/missing'] },
      ],
      'p',
    );
    assert.deepEqual(sealedFields(policy, 'request.sent', { reason: 'r', description: 'd', list: ['a', 'b'] }), ['/reason', '/description', '/list/1']);
    assert.deepEqual(sealedFields(policy, 'requests.sent', { reason: 'r', description: 'd' }), ['/reason']);
    assert.deepEqual(sealedFields(policy, 'order.issued', { target: 't' }), []);
  });

  it('the default seals names of people, request free text, reasons, messages and the notices quoting them', () => {
    assert.deepEqual(sealedFields(DEFAULT_SEALING_POLICY, 'person.registered', { person: 'p', name: 'N', agency: 'a' }), ['/name']);
    assert.deepEqual(sealedFields(DEFAULT_SEALING_POLICY, 'request.sent', { request: 'r', description: 'd', location: 'l', category: 'c' }), [
      '/description',
      '/location',
    ]);
    assert.deepEqual(sealedFields(DEFAULT_SEALING_POLICY, 'request.declined', { request: 'r', reason: 'x' }), ['/reason']);
    assert.deepEqual(sealedFields(DEFAULT_SEALING_POLICY, 'order.issued', { order: 'o', rationale: 'x' }), ['/rationale']);
    assert.deepEqual(sealedFields(DEFAULT_SEALING_POLICY, 'message.sent', { message: 'm', text: 't' }), ['/text']);
    assert.deepEqual(sealedFields(DEFAULT_SEALING_POLICY, 'notification.created', { notification: 'n', message: 'm' }), ['/message']);
  });
});
