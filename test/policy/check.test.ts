/** checkRequestText: a request text evaluated against a book, with the time passed in. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadProtocolBook } from '../../src/app/protocol-files.ts';
import { isConcordError } from '../../src/errors.ts';
import { checkRequestText, parseRequestText } from '../../src/policy/index.ts';
import { BILLION_LAUGHS } from '../helpers/yaml.ts';
import { POLICIES_DIR, REQUESTS_DIR } from './fixtures.ts';

const book = await loadProtocolBook(POLICIES_DIR);
const NOW = '2026-05-01T12:00:00Z';
const sample = (name: string): string => readFileSync(join(REQUESTS_DIR, name), 'utf8');

test('the sample perimeter request for fed-ice is prohibited by 2-173-020(b), at the time the file names', () => {
  const v = checkRequestText(book, 'perimeter-for-ice.yaml', sample('perimeter-for-ice.yaml'), undefined, NOW);
  assert.equal(v.decision, 'prohibited');
  assert.deepEqual(
    v.clauses.map((c) => c.id),
    ['2-173-020(b)'],
  );
  assert.equal(v.policyVersion, 'city-pd/2026-01-01');
  assert.equal(v.evaluatedAt, '2026-03-14T20:30:00-05:00');
});

test('the sample officer-down request is permitted by 2-173-030(a)', () => {
  const v = checkRequestText(book, 'officer-down.yaml', sample('officer-down.yaml'), undefined, NOW);
  assert.equal(v.decision, 'permitted');
  assert.deepEqual(
    v.clauses.map((c) => c.id),
    ['2-173-030(a)'],
  );
});

test("the time: an explicit one overrides the file's; without either, now is used", () => {
  const text = sample('officer-down.yaml');
  assert.equal(checkRequestText(book, 'r.yaml', text, '2025-05-01T00:00:00Z', NOW).policyVersion, 'city-pd/2025-01-01');
  const undated = text.replace(/^at: .*\n/m, '');
  assert.equal(checkRequestText(book, 'r.yaml', undated, undefined, NOW).evaluatedAt, NOW);
  assert.equal(checkRequestText(book, 'r.yaml', undated, undefined, '2025-05-01T00:00:00Z').policyVersion, 'city-pd/2025-01-01');
  assert.throws(
    () => checkRequestText(book, 'r.yaml', text, 'yesterday', NOW),
    (e) => isConcordError(e, 'BAD_INPUT') && /--at/.test(e.message),
  );
});

test('JSON texts, bad fields, alias bombs', () => {
  const good = {
    at: '2026-03-14T21:05:00Z',
    id: 'r',
    from: { id: 'fed-ice', kind: 'federal' },
    to: { id: 'city-pd', kind: 'local' },
    category: 'crowd_safety',
    urgency: 'urgent',
    operation: 'civil_immigration_enforcement',
    officer_in_danger: false,
    requested_units: 2,
  };
  const v = checkRequestText(book, 'good.json', JSON.stringify(good, null, 2), undefined, NOW);
  assert.deepEqual(
    v.clauses.map((c) => c.id),
    ['2-173-030(b)'],
  );
  const fails = (name: string, text: string, message: RegExp): void =>
    assert.throws(
      () => parseRequestText(name, text),
      (e) => isConcordError(e, 'BAD_INPUT') && message.test(e.message),
      name,
    );
  fails('bad.json', JSON.stringify({ ...good, urgency: 'asap' }, null, 2), /^bad.json:13: urgency: /);
  fails('missing.yaml', 'id: r\nfrom: { id: fed-ice, kind: federal }\n', /^missing.yaml:1: to: /);
  fails('kind.yaml', 'id: r\nfrom: { id: fed-ice, kind: federl }\n', /^kind.yaml:2: from.kind: /);
  fails('extra.yaml', `${JSON.stringify(good)}\n`.replace('"id":"r"', '"id":"r","priority":1'), /priority/);
  fails('bomb.yaml', `${BILLION_LAUGHS}id: *i\n`, /^bomb.yaml:\d+: refused: aliases here expand to more than 100,000 nodes/);
});

test('a time the calendar does not have is refused, in the file and as --at, and not read as another day', () => {
  const text = sample('officer-down.yaml');
  for (const impossible of ['2026-02-30T10:00:00Z', '2026-03-14T24:00:00Z', '2026-06-30T23:59:60Z']) {
    assert.throws(
      () => checkRequestText(book, 'r.yaml', text, impossible, NOW),
      (e) => isConcordError(e, 'BAD_INPUT') && /--at/.test(e.message),
      impossible,
    );
    const inFile = text.replace(/^at: .*$/m, `at: "${impossible}"`);
    assert.throws(
      () => parseRequestText('r.yaml', inFile),
      (e) => isConcordError(e, 'BAD_INPUT') && /^r\.yaml:\d+: at: expected an RFC 3339 date-time/.test(e.message),
      impossible,
    );
  }
});

test('a request file with a number a double does not hold as written is refused at its line', () => {
  const text = sample('perimeter-for-ice.yaml').replace(/^requested_units: 4$/m, 'requested_units: 40000000000000000001');
  assert.throws(
    () => parseRequestText('r.yaml', text),
    (e) => isConcordError(e, 'BAD_INPUT') && /^r\.yaml:\d+: requested_units: 40000000000000000001 cannot be held exactly/.test(e.message),
  );
});
