/**
 * `concord verify FILE` on a bundle exported by a real node and then edited:
 * each element the format does not allow is a failed verification (exit 1)
 * reported on one line that names the element.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { canonicalize } from '../../src/ledger/canonical.ts';
import { cli } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-vbundle-');
after(() => root.cleanup());

let bundleText: string;
before(async () => {
  const dir = join(root.path, 'node');
  assert.equal((await cli(['init', '--data', dir, '--origin', 'concord.vbundle.example/ledger'])).code, 0);
  for (let round = 0; round < 3; round++) {
    const f = join(root.path, `r${round}.ndjson`);
    writeFileSync(f, Array.from({ length: 3 }, (_, i) => `{"type":"note.recorded","actor":{"agency":"city-pd"},"body":{"n":${round * 3 + i}}}\n`).join(''));
    assert.equal((await cli(['append', '--data', dir, '--ndjson', f])).code, 0);
  }
  const out = join(root.path, 'bundle.json');
  assert.equal((await cli(['export', 'bundle', '--data', dir, '--all', '--history', '--out', out])).code, 0);
  bundleText = readFileSync(out, 'utf8');
});

let n = 0;
async function verifyEdited(text: string): Promise<{ code: number; first: string }> {
  const p = join(root.path, `edited-${n++}.json`);
  writeFileSync(p, text);
  const r = await cli(['verify', p]);
  return { code: r.code, first: r.stdout.split('\n')[0] ?? '' };
}

function edited(f: (x: { consistency: Array<Record<string, unknown>>; verifier_keys: string[] }) => void): string {
  const x = JSON.parse(bundleText) as { consistency: Array<Record<string, unknown>>; verifier_keys: string[] };
  f(x);
  return `${canonicalize(x)}\n`;
}

describe('verify FILE names the element a bundle gets wrong', () => {
  it('the exported bundle, with history, verifies', async () => {
    assert.ok((JSON.parse(bundleText) as { consistency?: unknown[] }).consistency?.length, 'it has older checkpoints');
    assert.equal((await verifyEdited(bundleText)).code, 0);
  });

  it('an unknown field in a consistency element, an older checkpoint twice, a missing proof, a key listed twice, a key given twice in the text', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        edited((x) => void (x.consistency[0]!['note'] = 'x')),
        /^FAILED bundle concord\.vbundle\.example\/ledger: consistency\[0\]\.note: is not a known field$/,
      ],
      [edited((x) => void x.consistency.push(x.consistency[0]!)), /: consistency\[\d+\]: repeats consistency\[0\]/],
      [edited((x) => void delete x.consistency[0]!['proof']), /: consistency\[0\]\.proof: is missing/],
      [
        edited((x) => void x.verifier_keys.push(x.verifier_keys[0]!)),
        /: bundle\.verifier_keys\[1\]: lists the key of "concord\.vbundle\.example\/ledger" again/,
      ],
      [
        bundleText.replace('"format":"concord-bundle/1"', '"format":"concord-bundle/1","format":"concord-bundle/1"'),
        /: bundle: is not canonical JSON .*: format: appears twice in one object/,
      ],
    ];
    for (const [text, first] of cases) {
      const r = await verifyEdited(text);
      assert.equal(r.code, 1, r.first);
      assert.match(r.first, first);
    }
  });
});
