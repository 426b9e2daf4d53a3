import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isConcordError } from '../../src/errors.ts';
import { checkRequestFile } from '../../src/policy/index.ts';
import { POLICIES_DIR, REQUESTS_DIR } from './fixtures.ts';

test('the sample perimeter request for fed-ice is prohibited by 2-173-020(b)', async () => {
  const v = await checkRequestFile(POLICIES_DIR, join(REQUESTS_DIR, 'perimeter-for-ice.yaml'));
  assert.equal(v.decision, 'prohibited');
  assert.deepEqual(v.clauses.map((c) => c.id), ['2-173-020(b)']);
  assert.equal(v.policyVersion, 'city-pd/2026-01-01');
  assert.equal(v.evaluatedAt, '2026-03-14T20:30:00-05:00');
});

test('the sample officer-down request is permitted by 2-173-030(a)', async () => {
  const v = await checkRequestFile(POLICIES_DIR, join(REQUESTS_DIR, 'officer-down.yaml'));
  assert.equal(v.decision, 'permitted');
  assert.deepEqual(v.clauses.map((c) => c.id), ['2-173-030(a)']);
});

test('an explicit time overrides the file\'s and picks the version', async () => {
  const v = await checkRequestFile(POLICIES_DIR, join(REQUESTS_DIR, 'officer-down.yaml'), '2025-05-01T00:00:00Z');
  assert.equal(v.policyVersion, 'city-pd/2025-01-01');
  await assert.rejects(
    checkRequestFile(POLICIES_DIR, join(REQUESTS_DIR, 'officer-down.yaml'), 'yesterday'),
    (e) => isConcordError(e, 'BAD_INPUT') && /--at/.test(e.message),
  );
});

test('JSON files, bad fields and missing files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'concord-check-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
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
  await writeFile(join(dir, 'good.json'), JSON.stringify(good, null, 2));
  const v = await checkRequestFile(POLICIES_DIR, join(dir, 'good.json'));
  assert.deepEqual(v.clauses.map((c) => c.id), ['2-173-030(b)']);

  await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...good, urgency: 'asap' }, null, 2));
  await assert.rejects(checkRequestFile(POLICIES_DIR, join(dir, 'bad.json')), (e) => {
    assert.ok(isConcordError(e, 'BAD_INPUT'));
    assert.match(e.message, /bad.json:13: urgency: /);
    return true;
  });

  await writeFile(join(dir, 'missing.yaml'), 'id: r\nfrom: { id: fed-ice, kind: federal }\n');
  await assert.rejects(checkRequestFile(POLICIES_DIR, join(dir, 'missing.yaml')), (e) => isConcordError(e, 'BAD_INPUT') && /missing.yaml:1: to: /.test(e.message));

  await writeFile(join(dir, 'kind.yaml'), 'id: r\nfrom: { id: fed-ice, kind: federl }\n');
  await assert.rejects(checkRequestFile(POLICIES_DIR, join(dir, 'kind.yaml')), (e) => isConcordError(e, 'BAD_INPUT') && /kind.yaml:2: from.kind: /.test(e.message));

  await writeFile(join(dir, 'extra.yaml'), `${JSON.stringify(good)}\n`.replace('"id":"r"', '"id":"r","priority":1'));
  await assert.rejects(checkRequestFile(POLICIES_DIR, join(dir, 'extra.yaml')), (e) => isConcordError(e, 'BAD_INPUT') && /priority/.test(e.message));

  await assert.rejects(checkRequestFile(POLICIES_DIR, join(dir, 'nope.yaml')), (e) => isConcordError(e, 'NOT_FOUND'));
});
