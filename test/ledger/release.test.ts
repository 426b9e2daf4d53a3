/**
 * Redacted releases (ledger/release.ts, docs/releases.md): withholding by
 * rule, and verification of what a release says it withholds. Tamper tests
 * as for bundles: a withheld value put back, in its place or another;
 * commitments swapped within an entry or between entries; a statement of
 * what was withheld removed, changed or added; and a property: any one
 * change to an entry, disclosure, proof, checkpoint or statement of a
 * release makes it fail verification.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { serializeBundle, verifyBundleText, type Release } from '../../src/ledger/bundle.ts';
import { checkEntryText, type Disclosure, type EntryDraft } from '../../src/ledger/entry.ts';
import { parseWithholdRules, redactEntries, RELEASE_FORMAT, type HeldEntry, type WithholdRule } from '../../src/ledger/release.ts';
import { isConcordError } from '../../src/errors.ts';
import { memoryLog } from '../helpers/memory-log.ts';

function draft(i: number): EntryDraft {
  if (i % 3 === 0) {
    return {
      type: 'person.registered',
      actor: { agency: 'city-pd' },
      body: { person: `p-${i}`, name: `Officer Name${i}`, agency: 'city-pd' },
      sealed: ['/name'],
    };
  }
  if (i % 3 === 1) {
    return {
      type: 'request.sent',
      actor: { agency: 'fed-ice', person: `p-${i - 1}` },
      body: { request: `r-${i}`, description: `caller at 12${i} Harrison St, phone 555-01${i}`, location: `Harrison ${i}`, category: 'officer_in_danger' },
      sealed: ['/description', '/location'],
    };
  }
  return {
    type: 'message.sent',
    actor: { agency: 'city-pd', person: 'p-0' },
    body: { message: `m-${i}`, text: `secret words ${i}`, extra: { note: `inner ${i}` } },
    sealed: ['/extra', '/extra/note', '/text'],
  };
}

const log = memoryLog(24, draft);
const KEYS = [log.verifier];
const RULES: WithholdRule[] = parseWithholdRules(
  [
    { id: 'names', reason: 'names of officers below rank 2', type: 'person.registered', fields: ['/name'], below_rank: 2 },
    { id: 'texts', reason: 'court order 114', type: '*', fields: ['/description', '/text', '/extra'] },
  ],
  'rules',
);
const ranks: Record<string, number> = { 'p-0': 1, 'p-3': 4 };

function held(indexes: readonly number[]): HeldEntry[] {
  return log.bundle(indexes).entries.map((b) => {
    const checked = checkEntryText(b.entry);
    if ('problem' in checked) throw new Error(checked.problem);
    return { index: b.index, text: b.entry, entry: checked.entry, disclosures: b.disclosures ?? [], inclusion_proof: b.inclusion_proof };
  });
}

function release(indexes: readonly number[] = [0, 1, 2, 3, 4, 5, 23]): Release {
  const bundle = log.bundle(indexes);
  const { entries, withheld } = redactEntries(held(indexes), RULES, { rankOf: (p) => ranks[p] });
  return { format: RELEASE_FORMAT, checkpoint: bundle.checkpoint, verifier_keys: bundle.verifier_keys, entries, rules: RULES, withheld };
}

// any: the tests write arbitrary JSON into parsed releases
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

function edited(r: Release, f: (x: Mutable) => void): string {
  const x = JSON.parse(JSON.stringify(r)) as Mutable;
  f(x);
  return serializeBundle(x);
}

function fails(text: string, reason: RegExp, what: string): void {
  const r = verifyBundleText(text, KEYS);
  assert.equal(r.ok, false, `${what}: accepted`);
  assert.ok(
    r.problems.some((p) => reason.test(`${p.where}: ${p.reason}`)),
    `${what}: ${JSON.stringify(r.problems)}`,
  );
}

const base = release();
const text = serializeBundle(base);
/** the value the node holds for a withheld (index, path) */
function heldValue(index: number, path: string): Disclosure {
  const d = log.built[index]?.disclosures.find((x) => x.path === path);
  assert.ok(d);
  return d;
}

describe('redactEntries and a valid release', () => {
  it('withholds what the rules select, keeps the rest disclosed, and verifies', () => {
    const r = verifyBundleText(text, KEYS);
    assert.equal(r.ok, true, JSON.stringify(r.problems));
    assert.equal(r.kind, 'release');
    assert.deepEqual(
      base.withheld.map((w) => `${w.index}${w.path}:${w.rule}`),
      // p-0 is rank 1: named; p-3 rank 4 and p-x without a rank: withheld; /extra/note goes with /extra
      [
        '1/description:texts',
        '2/extra:texts',
        '2/text:texts',
        '3/name:names',
        '4/description:texts',
        '5/extra:texts',
        '5/text:texts',
        '23/extra:texts',
        '23/text:texts',
      ],
    );
    assert.equal(r.withheld, base.withheld.length);
    // /location is not selected: disclosed
    assert.ok(base.entries.find((e) => e.index === 1)?.disclosures?.some((d) => d.path === '/location'));
    for (const w of base.withheld) {
      const v = heldValue(w.index, w.path).value;
      assert.equal(text.includes(JSON.stringify(v).slice(1, -1)), false, `${w.index}${w.path} in the release`);
    }
    assert.equal(text.includes('inner 2'), false, 'a field sealed inside a withheld one is withheld with it');
  });

  it('refuses to withhold a field written in the clear, naming the entry and field', () => {
    const rules = parseWithholdRules([{ id: 'cat', reason: 'r', type: 'request.sent', fields: ['/category'] }], 'rules');
    assert.throws(
      () => redactEntries(held([1]), rules, { rankOf: () => undefined }),
      (e: unknown) => isConcordError(e, 'BAD_INPUT') && /entry 1 \(request\.sent\): \/category was not sealed when it was written/.test((e as Error).message),
    );
    const inner = parseWithholdRules([{ id: 'n', reason: 'r', type: 'message.sent', fields: ['/extra/missing'] }], 'rules');
    assert.doesNotThrow(() => redactEntries(held([2]), inner, { rankOf: () => undefined }), 'a field absent from the entry has nothing to withhold');
  });
});

describe('tampered releases fail verification', () => {
  it('a withheld value put back in the wrong place', () => {
    const d = heldValue(2, '/text');
    fails(
      edited(base, (x) => {
        const e = x.entries.find((y: Mutable) => y.index === 2);
        // the value of /text, disclosed as if it were /extra (which is withheld too)
        e.disclosures = [...(e.disclosures ?? []), { path: '/extra', salt: d.salt, value: d.value }];
      }),
      /does not match its commitment/,
      'moved to another sealed field',
    );
    fails(
      edited(base, (x) => {
        const e = x.entries.find((y: Mutable) => y.index === 4);
        e.disclosures = [...(e.disclosures ?? []), { path: '/description', salt: d.salt, value: d.value }];
      }),
      /does not match its commitment/,
      'moved to another entry',
    );
    fails(
      edited(base, (x) => {
        const e = x.entries.find((y: Mutable) => y.index === 2);
        e.disclosures = [...(e.disclosures ?? []), { path: '/message', salt: d.salt, value: d.value }];
      }),
      /no sealed value at \/message/,
      'put over a field in the clear',
    );
    fails(
      edited(base, (x) => {
        const e = x.entries.find((y: Mutable) => y.index === 2);
        e.entry = e.entry.replace(/"text":\{"\$sealed":"[^"]+"\}/, `"text":${JSON.stringify(d.value)}`);
      }),
      /inclusion proof fails/,
      'written back into the entry',
    );
  });

  it('a withheld value put back in its place while still listed as withheld', () => {
    const d = heldValue(3, '/name');
    fails(
      edited(base, (x) => {
        x.entries.find((y: Mutable) => y.index === 3).disclosures = [d];
      }),
      /\/name is listed as withheld but the release discloses it/,
      'disclosed and withheld',
    );
  });

  it('swapped commitments, within an entry and between entries', () => {
    fails(
      edited(base, (x) => {
        const e = x.entries.find((y: Mutable) => y.index === 1);
        const m = [...(e.entry as string).matchAll(/\{"\$sealed":"([^"]+)"\}/g)].map((k) => k[1] as string);
        e.entry = (e.entry as string)
          .replace(m[0] as string, 'TMP')
          .replace(m[1] as string, m[0] as string)
          .replace('TMP', m[1] as string);
      }),
      /inclusion proof fails/,
      'swapped within entry 1',
    );
    fails(
      edited(base, (x) => {
        const a = x.entries.find((y: Mutable) => y.index === 2);
        const b = x.entries.find((y: Mutable) => y.index === 5);
        const ca = /"text":\{"\$sealed":"([^"]+)"\}/.exec(a.entry)?.[1] as string;
        const cb = /"text":\{"\$sealed":"([^"]+)"\}/.exec(b.entry)?.[1] as string;
        a.entry = a.entry.replace(ca, cb);
        b.entry = b.entry.replace(cb, ca);
      }),
      /inclusion proof fails/,
      'swapped between entries 2 and 5',
    );
  });

  it('what it says it withholds: removed, renamed, pointed elsewhere, or a rule missing', () => {
    fails(
      edited(base, (x) => {
        x.withheld = x.withheld.filter((w: Mutable) => !(w.index === 3));
      }),
      /sealed value \/name is neither disclosed nor listed as withheld/,
      'a statement removed',
    );
    fails(
      edited(base, (x) => {
        x.withheld[0].rule = 'nobody';
      }),
      /"nobody" is not one of the release's rules/,
      'an unknown rule',
    );
    fails(
      edited(base, (x) => {
        x.withheld.push({ index: 23, path: '/message', rule: 'texts' });
      }),
      /has no sealed value there/,
      'a field in the clear said to be withheld',
    );
    fails(
      edited(base, (x) => {
        x.rules = x.rules.filter((r: Mutable) => r.id !== 'names');
      }),
      /"names" is not one of the release's rules/,
      'a rule removed',
    );
    fails(
      edited(base, (x) => {
        x.entries = x.entries.filter((e: Mutable) => e.index !== 3);
      }),
      /names entry 3, which is not a sound entry/,
      'an entry removed under its statement',
    );
    fails(
      edited(base, (x) => {
        delete x.entries[0].inclusion_proof;
      }),
      /inclusion_proof/,
      'a proof removed',
    );
  });

  it('property: any one change to an entry, disclosure, proof, checkpoint or statement fails', () => {
    // every string and number reachable under these fields, with its path
    const leaves: Array<{ path: Array<string | number>; value: string | number }> = [];
    const walk = (v: unknown, path: Array<string | number>): void => {
      if (typeof v === 'string' || typeof v === 'number') leaves.push({ path, value: v });
      else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    };
    const parsed = JSON.parse(text) as Record<string, unknown>;
    for (const k of ['checkpoint', 'entries', 'withheld']) walk(parsed[k], [k]);
    fc.assert(
      fc.property(fc.nat(leaves.length - 1), fc.nat(1 << 20), fc.integer({ min: 33, max: 126 }), (which, at, code) => {
        const leaf = leaves[which] as (typeof leaves)[number];
        const x = JSON.parse(text) as Mutable;
        let parent = x;
        for (const p of leaf.path.slice(0, -1)) parent = parent[p];
        const key = leaf.path[leaf.path.length - 1] as string | number;
        if (typeof leaf.value === 'number') parent[key] = leaf.value + 1 + (at % 3);
        else {
          const s = leaf.value;
          const i = at % Math.max(1, s.length);
          const c = String.fromCharCode(code);
          fc.pre(s[i] !== c);
          parent[key] = `${s.slice(0, i)}${c}${s.slice(i + 1)}`;
        }
        const r = verifyBundleText(serializeBundle(x), KEYS);
        assert.equal(r.ok, false, `changing ${leaf.path.join('.')} was accepted`);
      }),
      { numRuns: 300 },
    );
  });
});
