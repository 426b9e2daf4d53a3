/**
 * The bundle verifier on its own (docs/bundle.md), against bundles built in
 * memory: what a valid bundle is, every structural rule, forks, witnesses,
 * and that hostile input yields problems, never an exception.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BUNDLE_FORMAT, serializeBundle, verifyBundleText, type Bundle, type BundleEntry } from '../../src/ledger/bundle.ts';
import { canonicalize } from '../../src/ledger/canonical.ts';
import { formatCheckpoint } from '../../src/ledger/checkpoint.ts';
import type { EntryDraft } from '../../src/ledger/entry.ts';
import { cosignNote, generateSigner, parseSignerKey, parseVerifierKey, signNote } from '../../src/ledger/note.ts';
import type { Report } from '../../src/ledger/report.ts';
import { memoryLog, seeded } from '../helpers/memory-log.ts';

function draft(i: number): EntryDraft {
  if (i % 4 === 1) {
    return {
      type: 'call.received',
      actor: { agency: 'city-pd' },
      body: { n: i, caller: { name: 'Zoë', phone: `555-${i}` } },
      sealed: ['/caller', '/caller/phone'],
    };
  }
  if (i % 4 === 2) return { type: 'note.recorded', actor: { agency: 'city-pd' }, body: { n: i, phone: `555-${i}` }, sealed: ['/phone'] };
  return { type: 'note.recorded', actor: { agency: 'city-pd', person: 'p-1' }, body: { n: i, text: `entry ${i}` } };
}

/** the entries of a fork: same log, other history */
function forked(i: number): EntryDraft {
  return { type: 'note.recorded', actor: { agency: 'city-pd' }, body: { forked: i } };
}

const log = memoryLog(40, draft);
const KEYS = [log.verifier];

// any: these tests write arbitrary JSON into every place of a parsed bundle, which no precise type allows
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

/** the text of `b` after `f` changed its parsed form (re-canonicalised, so only that change counts) */
function edited(b: Bundle, f: (x: Mutable) => void): string {
  const x = JSON.parse(JSON.stringify(b)) as Mutable;
  f(x);
  return serializeBundle(x);
}

function wheres(r: Report): string[] {
  return r.problems.map((p) => p.where);
}

function fails(text: string, where: string | RegExp, reason: RegExp, what: string, keys = KEYS): void {
  const r = verifyBundleText(text, keys);
  assert.equal(r.ok, false, `${what}: accepted`);
  const hit = r.problems.find((p) => (typeof where === 'string' ? p.where === where : where.test(p.where)) && reason.test(p.reason));
  assert.ok(hit, `${what}: ${JSON.stringify(r.problems)}`);
}

const base = log.bundle([0, 1, 2, 9, 39], { history: [1, 2, 16, 17, 39] });
const text = serializeBundle(base);

describe('verifyBundleText: valid bundles', () => {
  it('a bundle with sealed and nested disclosures and history verifies', () => {
    const r = verifyBundleText(text, KEYS);
    assert.equal(r.ok, true, JSON.stringify(r.problems));
    assert.deepEqual(r.warnings, []);
    assert.equal(r.origin, log.origin);
    assert.equal(r.size, 40);
    assert.equal(r.entries, 5);
    assert.equal(r.checkpoints, 1 + 5);
    assert.equal(r.disclosures, 2 + 1 + 2);
  });

  it('without pinned keys, the keys in the bundle are used and a warning says so', () => {
    const r = verifyBundleText(text);
    assert.equal(r.ok, true);
    assert.match(r.warnings.join(), /--key/);
  });

  it('a bundle of no entries, of one entry, and against an older size verify', () => {
    for (const b of [log.bundle([]), log.bundle([39]), log.bundle([0], { size: 1 }), log.bundle([3, 4], { size: 5, history: [1, 4] })]) {
      const r = verifyBundleText(serializeBundle(b), KEYS);
      assert.equal(r.ok, true, JSON.stringify(r.problems));
    }
  });

  it('selection is not tampering: dropping entries, disclosures or history leaves a valid bundle', () => {
    fc.assert(
      fc.property(fc.subarray([0, 1, 2, 3, 4]), fc.boolean(), fc.boolean(), (keep, dropDisclosures, dropHistory) => {
        const t = edited(base, (x) => {
          x.entries = (x.entries as BundleEntry[])
            .filter((_, i) => keep.includes(i))
            .map((e) => {
              if (!dropDisclosures) return e;
              const { disclosures: _d, ...rest } = e;
              return rest;
            });
          if (dropHistory) delete x.consistency;
        });
        assert.equal(verifyBundleText(t, KEYS).ok, true);
      }),
    );
  });

  it('a checkpoint that also carries a witness cosignature verifies; a witness key alone is not the log key', () => {
    const witness = parseSignerKey(generateSigner('witness.example/w1', seeded('witness')).signerKey);
    const body = formatCheckpoint({ origin: log.origin, size: 40, root: log.tree.root(), extensions: [] });
    const cosigned = `${base.checkpoint}${cosignNote(body, witness, 1_780_000_000)}`;
    const t = edited(base, (x) => void (x.checkpoint = cosigned));
    assert.equal(verifyBundleText(t, KEYS).ok, true);
    const witnessKey = parseVerifierKey(witness.cosignerVerifierKey);
    assert.equal(verifyBundleText(t, [log.verifier, witnessKey]).ok, true);
    fails(t, 'bundle.checkpoint', /no verified signature by the log/, 'only the witness pinned', [witnessKey]);
  });
});

describe('verifyBundleText: every rule of docs/bundle.md', () => {
  it('the encoding: canonical JSON and one newline, an object, known fields, the format', () => {
    fails(text.slice(0, -1), 'bundle', /canonical JSON followed by one newline/, 'no final newline');
    fails(`${text}\n`, 'bundle', /canonical JSON followed by one newline/, 'two newlines');
    fails(`${JSON.stringify(base, null, 2)}\n`, 'bundle', /canonical/, 'pretty printed');
    fails(`${JSON.stringify(base)}\n`.replace('{"format"', '{ "format"'), 'bundle', /canonical/, 'a space');
    fails('', 'bundle', /not valid JSON/, 'empty');
    fails('[]\n', 'bundle', /not a JSON object/, 'an array');
    fails('"x"\n', 'bundle', /not a JSON object/, 'a string');
    fails(
      edited(base, (x) => void (x.extra = 1)),
      'bundle.extra',
      /not a known field/,
      'unknown field',
    );
    fails(
      edited(base, (x) => void ((x as Record<string, unknown>).format = 'concord-bundle/2')),
      'bundle.format',
      /expected/,
      'format',
    );
    fails(
      edited(base, (x) => void delete (x as Record<string, unknown>).format),
      'bundle.format',
      /expected/,
      'no format',
    );
  });

  it('keys and checkpoint', () => {
    fails(
      edited(base, (x) => void ((x as Record<string, unknown>).verifier_keys = 'k')),
      'bundle.verifier_keys',
      /not an array/,
      'keys not an array',
    );
    fails(
      edited(base, (x) => void (x.verifier_keys = [...x.verifier_keys, 'nonsense'])),
      'bundle.verifier_keys[1]',
      /./,
      'a bad extra key',
    );
    fails(
      edited(base, (x) => void ((x as Record<string, unknown>).verifier_keys = [7])),
      'bundle.verifier_keys[0]',
      /./,
      'a number as key',
    );
    // with the key pinned the checkpoint opens, but the bundle must still list the key that signed it
    fails(
      edited(base, (x) => void (x.verifier_keys = [])),
      'bundle.verifier_keys',
      /does not list the key/,
      'no keys listed',
    );
    const stranger = generateSigner(log.origin, seeded('stranger')).verifierKey;
    fails(
      edited(base, (x) => void (x.verifier_keys = [stranger])),
      'bundle.verifier_keys',
      /does not list the key/,
      "another key under the log's name",
    );
    fails(
      edited(base, (x) => void ((x as Record<string, unknown>).checkpoint = 5)),
      'bundle.checkpoint',
      /not a signed note/,
      'checkpoint not a string',
    );
    fails(
      edited(base, (x) => void (x.checkpoint = x.checkpoint.replace('\n40\n', '\n41\n'))),
      'bundle.checkpoint',
      /invalid signature/,
      'size changed',
    );
    // signed by a key whose name is not the origin: the note opens, but not as the log's
    const other = parseSignerKey(generateSigner('someone.else/log', seeded('other')).signerKey);
    const body = formatCheckpoint({ origin: log.origin, size: 40, root: log.tree.root(), extensions: [] });
    const foreign = edited(base, (x) => {
      x.checkpoint = signNote(body, [other]);
      x.verifier_keys = [other.verifierKey];
    });
    fails(foreign, 'bundle.checkpoint', /no verified signature by the log/, 'signed by another name', []);
  });

  it('entries: shape, order, range, text, origin, receive time', () => {
    fails(
      edited(base, (x) => void ((x as Record<string, unknown>).entries = {})),
      'bundle.entries',
      /not an array/,
      'entries an object',
    );
    fails(
      edited(base, (x) => void ((x.entries as unknown[])[0] = 5)),
      'entries[0]',
      /not an object/,
      'entry a number',
    );
    fails(
      edited(base, (x) => void ((x.entries[0] as Record<string, unknown>).extra = 1)),
      'entries[0].extra',
      /not a known field/,
      'unknown entry field',
    );
    for (const bad of [-1, 1.5, '0', null]) {
      fails(
        edited(base, (x) => void ((x.entries[0] as Record<string, unknown>).index = bad)),
        'entries[0].index',
        /non-negative integer/,
        `index ${String(bad)}`,
      );
    }
    fails(
      edited(base, (x) => void (x.entries as BundleEntry[]).reverse()),
      /^entries\[1\] \(index/,
      /out of order/,
      'reversed',
    );
    fails(
      edited(base, (x) => void (x.entries as BundleEntry[]).splice(1, 0, x.entries[1] as BundleEntry)),
      'entries[2] (index 1)',
      /out of order/,
      'duplicate',
    );
    fails(
      edited(base, (x) => void ((x.entries[4] as { index: number }).index = 40)),
      'entries[4] (index 40)',
      /beyond the checkpoint's tree size 40/,
      'index = size',
    );
    fails(
      edited(base, (x) => void ((x.entries[0] as Record<string, unknown>).entry = { v: 1 })),
      'entries[0] (index 0).entry',
      /not a string/,
      'entry an object',
    );
    fails(
      edited(base, (x) => void ((x.entries[0] as { entry: string }).entry = '{}')),
      'entries[0] (index 0).entry',
      /unknown field|version/,
      'entry {}',
    );
    fails(
      edited(base, (x) => void ((x.entries[3] as { index: number }).index = 10)),
      'entries[3] (index 10).entry',
      /says index 9/,
      'index moved',
    );
    // an entry of another log, with a valid proof in that log's tree of the same shape
    const other = memoryLog(40, draft, { origin: 'concord.other.example/log' });
    const foreign = edited(base, (x) => {
      (x.entries as BundleEntry[])[0] = other.bundle([0]).entries[0] as BundleEntry;
    });
    fails(foreign, 'entries[0] (index 0).entry', /belongs to log "concord.other.example\/log"/, 'another origin');
    // receive times that go backwards, with valid proofs (the log itself was built that way)
    const backwards = memoryLog(4, draft, { received: (i) => new Date(Date.parse('2026-06-01T21:00:00.000Z') - i * 1000).toISOString() });
    fails(serializeBundle(backwards.bundle([0, 1])), 'entries[1] (index 1).entry', /is earlier than the entry before it/, 'time runs back', [
      backwards.verifier,
    ]);
  });

  it('inclusion proofs', () => {
    const at = 'entries[2] (index 2)';
    fails(
      edited(base, (x) => void ((x.entries[2] as Record<string, unknown>).inclusion_proof = 'abc')),
      `${at}.inclusion_proof`,
      /not an array/,
      'not an array',
    );
    fails(
      edited(base, (x) => void ((x.entries[2]!.inclusion_proof as string[])[0] = 'AAAA')),
      `${at}.inclusion_proof[0]`,
      /base64 SHA-256/,
      'short hash',
    );
    fails(
      edited(base, (x) => void ((x.entries[2]!.inclusion_proof as string[])[1] = `${'A'.repeat(42)}-=`)),
      `${at}.inclusion_proof[1]`,
      /base64/,
      'base64url',
    );
    // the last base64 character of a 32-byte hash carries 2 padding bits that decoding ignores:
    // a changed padding bit decodes to the same hash, and must still fail
    const paddingFlip = (h: string): string => {
      const i = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(h[42] as string);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      const flipped = `${h.slice(0, 42)}${alphabet[i ^ 1]}=`;
      assert.deepEqual(Buffer.from(flipped, 'base64'), Buffer.from(h, 'base64'), 'same bytes');
      return flipped;
    };
    fails(
      edited(base, (x) => void ((x.entries[2]!.inclusion_proof as string[])[0] = paddingFlip(x.entries[2]!.inclusion_proof[0] as string))),
      `${at}.inclusion_proof[0]`,
      /canonical base64/,
      'padding bit in a proof',
    );
    fails(
      edited(base, (x) => void ((x.consistency![0]!.proof as string[])[0] = paddingFlip(x.consistency![0]!.proof[0] as string))),
      'consistency[0].proof[0]',
      /canonical base64/,
      'padding bit in a consistency proof',
    );
    fails(
      edited(base, (x) => void (x.entries[2]!.inclusion_proof as string[]).pop()),
      at,
      /inclusion proof fails/,
      'one hash short',
    );
    fails(
      edited(base, (x) => void (x.entries[2]!.inclusion_proof as string[]).push(x.entries[2]!.inclusion_proof[0] as string)),
      at,
      /inclusion proof fails/,
      'one hash long',
    );
    fails(
      edited(base, (x) => void (x.entries[2]!.inclusion_proof as string[]).reverse()),
      at,
      /inclusion proof fails/,
      'reversed proof',
    );
    fails(
      edited(base, (x) => void ((x.entries[2] as Record<string, unknown>).inclusion_proof = x.entries[3]!.inclusion_proof)),
      at,
      /inclusion proof fails/,
      "another entry's proof",
    );
  });

  it('disclosures', () => {
    const at = 'entries[1] (index 1)';
    fails(
      edited(base, (x) => void ((x.entries[1] as Record<string, unknown>).disclosures = {})),
      `${at}.disclosures`,
      /not an array/,
      'not an array',
    );
    fails(
      edited(base, (x) => void ((x.entries[1]!.disclosures as unknown as Array<Record<string, unknown>>)[0]!.extra = 1)),
      `${at}.disclosures[0].extra`,
      /not a known field/,
      'an extra field',
    );
    // the same disclosure twice: both match the commitment, the second is inert bytes
    fails(
      edited(base, (x) => void (x.entries[1]!.disclosures as unknown[]).push((x.entries[1]!.disclosures as unknown[])[0])),
      `${at}.disclosures[2]`,
      new RegExp(`discloses ${base.entries[1]!.disclosures![0]!.path} again \\(it is disclosures\\[0\\]\\)`),
      'a disclosure twice',
    );
    fails(
      edited(base, (x) => void ((x.entries[1]!.disclosures as unknown as Array<Record<string, unknown>>)[1]!.value = 'changed')),
      `${at}.disclosures[1]`,
      /commitment/,
      'a changed value',
    );
    // a disclosure for an entry with nothing sealed
    const d = base.entries[1]!.disclosures![0]!;
    fails(
      edited(base, (x) => void ((x.entries[0] as Record<string, unknown>).disclosures = [d])),
      'entries[0] (index 0).disclosures[0]',
      /./,
      'a disclosure out of place',
    );
  });

  it('consistency with older checkpoints, and forks', () => {
    fails(
      edited(base, (x) => void ((x as Record<string, unknown>).consistency = {})),
      'bundle.consistency',
      /not an array/,
      'not an array',
    );
    fails(
      edited(base, (x) => void ((x.consistency as unknown[])[0] = 5)),
      'consistency[0]',
      /is not an object \{"checkpoint": note, "proof": \[hashes\]\}/,
      'not an object',
    );
    fails(
      edited(base, (x) => void ((x.consistency![0] as Record<string, unknown>).checkpoint = 7)),
      'consistency[0].checkpoint',
      /not a signed note string/,
      'checkpoint not a string',
    );
    fails(
      edited(base, (x) => void (x.consistency![1]!.proof as string[]).pop()),
      'consistency[1]',
      /not consistent/,
      'a short proof',
    );
    fails(
      edited(base, (x) => void ((x.consistency![1] as Record<string, unknown>).proof = x.consistency![2]!.proof)),
      'consistency[1]',
      /not consistent/,
      "another size's proof",
    );
    fails(
      edited(base, (x) => void ((x.consistency![1] as Record<string, unknown>).proof = 'x')),
      'consistency[1].proof',
      /not an array/,
      'proof a string',
    );
    fails(
      edited(base, (x) => void delete (x.consistency![2] as Record<string, unknown>).proof),
      'consistency[2].proof',
      /is missing: each older checkpoint comes with its consistency proof/,
      'no proof',
    );
    // no proof is no proof even where it could be empty (an older checkpoint of the bundle's own size)
    fails(
      edited(base, (x) => void (x.consistency = [{ checkpoint: x.checkpoint }])),
      'consistency[0].proof',
      /is missing/,
      'no proof at the same size',
    );
    // a validly signed older checkpoint whose root is not a prefix of this tree: a fork
    const forkRoot = memoryLog(16, forked).tree.root();
    fails(
      edited(base, (x) => void (x.consistency![2]!.checkpoint = log.checkpoint(16, forkRoot))),
      'consistency[2]',
      /not consistent/,
      'forked at 16',
    );
    // same size, other root, empty proof
    fails(
      edited(base, (x) => void (x.consistency = [{ checkpoint: log.checkpoint(40, forkRoot), proof: [] }])),
      'consistency[0]',
      /not consistent/,
      'forked at the same size',
    );
    // an older checkpoint of another log
    const other = memoryLog(40, draft, { origin: 'concord.other.example/log', seed: 'other' });
    fails(
      edited(base, (x) => {
        x.consistency![0]!.checkpoint = other.checkpoint(1);
        x.verifier_keys = [...x.verifier_keys, other.verifier.verifierKey];
      }),
      'consistency[0]',
      /origin/,
      'another log',
      [log.verifier, other.verifier],
    );
    fails(
      edited(
        base,
        (x) =>
          void (x.consistency = [
            { checkpoint: log.checkpoint(40), proof: [] },
            { checkpoint: memoryLog(41, draft).checkpoint(41), proof: [] },
          ]),
      ),
      'consistency[1]',
      /newer than the bundle's/,
      'a newer checkpoint',
    );
  });

  it('--checkpoint: a fork at the same size, an unprovable older one, a newer one', () => {
    const forkRoot = memoryLog(40, forked).tree.root();
    const fork = log.checkpoint(40, forkRoot);
    assert.match(verifyBundleText(text, KEYS, [fork]).problems[0]?.reason ?? '', /forked: same size 40, other root/);
    assert.equal(verifyBundleText(text, KEYS, [log.checkpoint(40)]).ok, true);
    assert.match(verifyBundleText(text, KEYS, [log.checkpoint(10)]).problems[0]?.reason ?? '', /needs a consistency proof/);
    assert.deepEqual(wheres(verifyBundleText(text, KEYS, ['not a note'])), ['--checkpoint #1']);
    const bigger = memoryLog(41, draft);
    assert.match(verifyBundleText(text, KEYS, [bigger.checkpoint(41)]).problems[0]?.reason ?? '', /newer/);
  });
});

describe('verifyBundleText: every element checked for unknown fields, types and ranges', () => {
  it('an unknown field inside a consistency element is refused, naming it', () => {
    fails(
      edited(base, (x) => void ((x.consistency![0] as Record<string, unknown>).note = 'hello')),
      'consistency[0].note',
      /is not a known field/,
      'consistency[0].note',
    );
    fails(
      edited(base, (x) => void ((x.consistency![1] as Record<string, unknown>).witness = { a: 1 })),
      'consistency[1].witness',
      /is not a known field/,
      'consistency[1].witness',
    );
  });

  it('an older checkpoint given twice is refused; each given once passes', () => {
    fails(
      edited(base, (x) => void x.consistency!.push(x.consistency![1]!)),
      'consistency[5]',
      /repeats consistency\[1\]/,
      'twice',
    );
    assert.equal(verifyBundleText(text, KEYS).ok, true);
  });

  it("a checkpoint of size 0 must have the empty tree's root (SHA-256 of nothing), as the bundle checkpoint, as an older one, and as --checkpoint", () => {
    const empty = memoryLog(0, draft);
    const good = serializeBundle(empty.bundle([]));
    assert.equal(verifyBundleText(good, [empty.verifier]).ok, true, 'the empty log, with the empty root, verifies');
    const someRoot = log.tree.root(1);
    const lying = edited(empty.bundle([]), (x) => void (x.checkpoint = empty.checkpoint(0, someRoot)));
    fails(
      lying,
      'bundle.checkpoint',
      /is of size 0 but its root is .*, not the empty tree's 47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU= \(RFC 9162 §2\.1\.1/,
      'size 0, a root of something',
      [empty.verifier],
    );
    fails(
      edited(base, (x) => void x.consistency!.unshift({ checkpoint: log.checkpoint(0, someRoot), proof: [] })),
      'consistency[0]',
      /checkpoint is of size 0 but its root is/,
      'older, size 0, a root of something',
    );
    // with the right root it proves nothing: refused as inert in a bundle, accepted as a --checkpoint
    fails(
      edited(base, (x) => void x.consistency!.unshift({ checkpoint: log.checkpoint(0), proof: [] })),
      'consistency[0]',
      /size 0, which proves nothing about the log; leave it out/,
      'older, size 0',
    );
    assert.equal(verifyBundleText(text, KEYS, [log.checkpoint(0)]).ok, true);
    assert.match(verifyBundleText(text, KEYS, [log.checkpoint(0, someRoot)]).problems[0]?.reason ?? '', /is of size 0 but its root is/);
  });

  it('a key listed twice is refused as listed twice, pinned or not (it was "does not list the key" / "ambiguous key")', () => {
    const twice = edited(base, (x) => void (x.verifier_keys = [x.verifier_keys[0]!, x.verifier_keys[0]!]));
    for (const keys of [KEYS, []]) {
      const r = verifyBundleText(twice, keys);
      assert.deepEqual(r.problems, [
        { where: 'bundle.verifier_keys[1]', reason: `lists the key of "${log.origin}" again (it is verifier_keys[0]); list each key once` },
      ]);
    }
  });

  it('a key given twice in the JSON text is named (JSON.parse keeps the last, so the text is not canonical)', () => {
    assert.ok(text.includes('"format":"concord-bundle/1"'));
    const t = text.replace('"format":"concord-bundle/1"', '"format":"concord-bundle/1","format":"concord-bundle/1"');
    fails(t, 'bundle', /not canonical JSON .*: format: appears twice in one object/, 'format twice');
    assert.ok(text.includes('"index":0}'));
    const inEntry = text.replace('"index":0}', '"index":0,"index":0}');
    fails(inEntry, 'bundle', /entries\[0\]\.index: appears twice/, 'index twice');
  });

  it('property: an unknown field added to any element (the bundle, an entry, a disclosure, a consistency element) is refused, naming the element', () => {
    // defineProperty: `__proto__` is a field like any other in JSON, never the prototype
    const put = (o: object, k: string, v: unknown): void =>
      void Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
    const places: Array<{ at: string; add: (x: Mutable, k: string, v: unknown) => void }> = [
      { at: 'bundle', add: (x, k, v) => put(x, k, v) },
      { at: 'entries[2]', add: (x, k, v) => put(x.entries[2], k, v) },
      { at: 'entries[1] (index 1).disclosures[0]', add: (x, k, v) => put(x.entries[1].disclosures[0], k, v) },
      { at: 'consistency[3]', add: (x, k, v) => put(x.consistency[3], k, v) },
    ];
    fc.assert(
      fc.property(
        fc.nat(places.length - 1),
        fc.oneof(fc.stringMatching(/^[a-z_]{1,12}$/), fc.constant('__proto__')),
        fc.jsonValue({ maxDepth: 2 }),
        (which, key, value) => {
          const place = places[which] as { at: string; add: (x: Mutable, k: string, v: unknown) => void };
          const known = [
            'format',
            'checkpoint',
            'verifier_keys',
            'entries',
            'consistency',
            'index',
            'entry',
            'inclusion_proof',
            'disclosures',
            'path',
            'salt',
            'value',
            'proof',
          ];
          fc.pre(!known.includes(key));
          const r = verifyBundleText(
            edited(base, (x) => place.add(x, key, value)),
            KEYS,
          );
          return !r.ok && r.problems.some((p) => p.where === `${place.at}.${key}` && /is not a known field/.test(p.reason));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('verifyBundleText: hostile input', () => {
  it('random single-byte changes to random valid bundles always fail', () => {
    const logs = new Map<number, ReturnType<typeof memoryLog>>();
    const logOf = (n: number): ReturnType<typeof memoryLog> => {
      let l = logs.get(n);
      if (!l) logs.set(n, (l = memoryLog(n, draft, { seed: 'shared' })));
      return l;
    };
    const arb = fc
      .integer({ min: 1, max: 33 })
      .chain((n) =>
        fc.tuple(
          fc.constant(n),
          fc.subarray(Array.from({ length: n }, (_, i) => i)),
          fc.subarray(Array.from({ length: n - 1 }, (_, i) => i + 1)),
          fc.nat(),
          fc.nat(254),
        ),
      );
    fc.assert(
      fc.property(arb, ([n, indexes, history, rawPos, delta]) => {
        const l = logOf(n);
        const bytes = Buffer.from(serializeBundle(l.bundle(indexes, { history })), 'utf8');
        assert.equal(verifyBundleText(bytes.toString('utf8'), [l.verifier]).ok, true);
        const pos = rawPos % bytes.length;
        const changed = Buffer.from(bytes);
        changed[pos] = ((changed[pos] as number) + 1 + delta) % 256;
        assert.equal(verifyBundleText(changed.toString('utf8'), [l.verifier]).ok, false, `n=${n} byte ${pos}`);
        assert.equal(verifyBundleText(changed.toString('utf8')).ok, false, `n=${n} byte ${pos}, unpinned`);
      }),
      { numRuns: 300 },
    );
  });

  it('any JSON value in any place of a bundle gives problems, never an exception', () => {
    const paths: Array<(x: Mutable, v: unknown) => void> = [
      (x, v) => void ((x as Record<string, unknown>).format = v),
      (x, v) => void ((x as Record<string, unknown>).checkpoint = v),
      (x, v) => void ((x as Record<string, unknown>).verifier_keys = v),
      (x, v) => void ((x as Record<string, unknown>).entries = v),
      (x, v) => void ((x as Record<string, unknown>).consistency = v),
      (x, v) => void ((x.entries as unknown[])[1] = v),
      (x, v) => void ((x.entries[1] as Record<string, unknown>).index = v),
      (x, v) => void ((x.entries[1] as Record<string, unknown>).entry = v),
      (x, v) => void ((x.entries[1] as Record<string, unknown>).inclusion_proof = v),
      (x, v) => void ((x.entries[1] as Record<string, unknown>).disclosures = v),
      (x, v) => void ((x.entries[1]!.disclosures as unknown[])[0] = v),
      (x, v) => void ((x.entries[1]!.disclosures as unknown as Array<Record<string, unknown>>)[0]!.path = v),
      (x, v) => void ((x.entries[1]!.disclosures as unknown as Array<Record<string, unknown>>)[0]!.value = v),
      (x, v) => void ((x.consistency as unknown[])[0] = v),
      (x, v) => void ((x.consistency![0] as Record<string, unknown>).proof = v),
    ];
    fc.assert(
      fc.property(fc.nat(paths.length - 1), fc.jsonValue({ maxDepth: 3 }), (which, v) => {
        const x = JSON.parse(text) as Mutable;
        (paths[which] as (x: Mutable, v: unknown) => void)(x, v);
        let t: string;
        try {
          t = `${canonicalize(x)}\n`;
        } catch {
          t = `${JSON.stringify(x)}\n`;
        }
        const r = verifyBundleText(t, KEYS);
        // the original value passes, and so does an empty selection (no entries, history or disclosures);
        // anything else must fail
        const selection = Array.isArray(v) && v.length === 0 && [3, 4, 9].includes(which);
        if (t !== text && !selection) assert.equal(r.ok, false, `path ${which}: ${JSON.stringify(v)}`);
      }),
      { numRuns: 300 },
    );
    // deep nesting and huge numbers
    for (const t of [`${'['.repeat(5000)}${']'.repeat(5000)}\n`, '{"format":1e400}\n', `{"entries":[{"index":9007199254740993}]}\n`]) {
      assert.equal(verifyBundleText(t, KEYS).ok, false);
    }
  });

  it('the format constant is the documented one', () => {
    assert.equal(BUNDLE_FORMAT, 'concord-bundle/1');
  });
});
