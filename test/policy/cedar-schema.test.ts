import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { CEDAR_SCHEMA, CEDAR_SCHEMA_TEXT } from '../../src/policy/cedar-schema.ts';

/** keys sorted; Cedar's resolver spells the boolean type "Bool", its JSON format "Boolean" */
function normalise(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(normalise);
  if (x && typeof x === 'object') {
    return Object.fromEntries(
      Object.entries(x)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, k === 'type' && v === 'Bool' ? 'Boolean' : normalise(v)]),
    );
  }
  return x;
}

test('the schema the engine uses is the schema people read', () => {
  const answer = cedar.schemaToJsonWithResolvedTypes(CEDAR_SCHEMA_TEXT);
  assert.equal(answer.type, 'success');
  if (answer.type !== 'success') return;
  assert.deepEqual(normalise(answer.json), normalise(CEDAR_SCHEMA));
});

test('docs/protocols.md shows the schema as it is', async () => {
  const docs = await readFile(new URL('../../docs/protocols.md', import.meta.url), 'utf8');
  assert.ok(docs.includes(CEDAR_SCHEMA_TEXT.trim()), 'update the schema block in docs/protocols.md');
});
