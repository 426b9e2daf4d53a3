/**
 * The entry format (docs/ledger-format.md): draft validation, the canonical
 * entry text, sealed fields as salted commitments with disclosures beside
 * the entry, and reading an entry back.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isConcordError } from '../../src/errors.ts';
import { canonicalize } from '../../src/ledger/canonical.ts';
import {
  buildEntry,
  checkDisclosure,
  checkDisclosures,
  checkEntryText,
  commitment,
  commitmentOf,
  MAX_ENTRY_BYTES,
  MAX_ID_LENGTH,
  parseDraft,
  revealBody,
  sealBody,
  scanEntryText,
  SEALED_KEY,
  type Disclosure,
  type EntryDraft,
  type JsonObject,
  type JsonValue,
} from '../../src/ledger/entry.ts';

const ORIGIN = 'concord.test.example/ledger';
const RECEIVED = '2026-06-01T21:03:00.123Z';

/** a deterministic salt source: 16 bytes from a counter */
function counterSalt(): () => Uint8Array {
  let n = 0;
  return () => createHash('sha256').update(String(n++)).digest().subarray(0, 16);
}

function rejects(input: unknown, field: RegExp, what: string): void {
  try {
    parseDraft(input);
  } catch (e) {
    assert.ok(isConcordError(e, 'BAD_INPUT'), `${what}: BAD_INPUT, got ${String(e)}`);
    assert.match(e.message, field, `${what}: the message names the field`);
    assert.ok(!e.message.includes('\n'), `${what}: one line`);
    return;
  }
  assert.fail(`${what}: accepted`);
}

const good: EntryDraft = { type: 'request.sent', actor: { agency: 'fed-ice', person: 'p-1', device: 'radio-7' }, body: { units: 2 } };

describe('parseDraft', () => {
  it('accepts a full draft and returns it unchanged', () => {
    const d = { ...good, incident: 'inc-2026-1', claimed: '2026-06-01T21:02:59.5+02:00', body: { caller: { phone: '555' } }, sealed: ['/caller/phone'] };
    assert.deepEqual(parseDraft(d), d);
    assert.deepEqual(parseDraft({ type: 'a', actor: { agency: 'x' }, body: {} }), { type: 'a', actor: { agency: 'x' }, body: {} });
  });

  it('rejects malformed drafts, naming the field', () => {
    const cases: Array<[unknown, RegExp, string]> = [
      [null, /JSON object/, 'null'],
      [[good], /JSON object/, 'an array'],
      ['text', /JSON object/, 'a string'],
      [{ ...good, extra: 1 }, /"extra" is not a known field/, 'unknown field'],
      [{ ...good, index: 3 }, /"index" is not a known field/, 'the store sets index'],
      [{ ...good, type: undefined }, /^type /, 'missing type'],
      [{ ...good, type: 'Request.Sent' }, /^type /, 'upper-case type'],
      [{ ...good, type: 'request..sent' }, /^type /, 'empty type word'],
      [{ ...good, type: 'a'.repeat(65) }, /^type /, 'type too long'],
      [{ ...good, type: 7 }, /^type /, 'type not a string'],
      [{ ...good, actor: undefined }, /^actor must be an object/, 'missing actor'],
      [{ ...good, actor: 'city-pd' }, /^actor must be an object/, 'actor a string'],
      [{ ...good, actor: {} }, /actor\.agency/, 'actor without agency'],
      [{ ...good, actor: { agency: '' } }, /actor\.agency/, 'empty agency'],
      [{ ...good, actor: { agency: 'city pd' } }, /actor\.agency/, 'agency with a space'],
      [{ ...good, actor: { agency: 'a'.repeat(129) } }, /actor\.agency/, 'agency too long'],
      [{ ...good, actor: { agency: 'x', person: 5 } }, /actor\.person/, 'person not a string'],
      [{ ...good, actor: { agency: 'x', device: '-d' } }, /actor\.device/, 'device starting with -'],
      [{ ...good, actor: { agency: 'x', role: 'chief' } }, /actor\.role is not a known field/, 'unknown actor field'],
      [{ ...good, incident: '' }, /^incident /, 'empty incident'],
      [{ ...good, incident: 'inc/1' }, /^incident /, 'incident with a slash'],
      [{ ...good, claimed: '2026-06-01 21:00:00Z' }, /^claimed /, 'claimed without T'],
      [{ ...good, claimed: '2026-06-01T21:00:00' }, /^claimed /, 'claimed without zone'],
      [{ ...good, claimed: '2026-13-01T21:00:00Z' }, /^claimed /, 'claimed month 13'],
      [{ ...good, claimed: 1767225600 }, /^claimed /, 'claimed a number'],
      [{ ...good, body: undefined }, /^body must be a JSON object/, 'missing body'],
      [{ ...good, body: [1] }, /^body must be a JSON object/, 'body an array'],
      [{ ...good, body: 'x' }, /^body must be a JSON object/, 'body a string'],
      [{ ...good, body: { a: { [SEALED_KEY]: 'x' } } }, /body\.a uses the reserved key "\$sealed"/, 'reserved key nested'],
      [{ ...good, body: { list: [{ [SEALED_KEY]: 'x' }] } }, /body\.list\[0\] uses the reserved key/, 'reserved key in an array'],
      [{ ...good, sealed: '/units' }, /^sealed must be an array/, 'sealed a string'],
      [{ ...good, sealed: [1] }, /^sealed must be an array/, 'sealed with a number'],
      [{ ...good, sealed: ['/units', '/units'] }, /sealed lists \/units twice/, 'sealed twice'],
      [{ ...good, sealed: ['/nope'] }, /sealed: \/nope does not exist/, 'sealed path missing'],
      [{ ...good, sealed: ['units'] }, /sealed: "units" is not a JSON pointer/, 'sealed without a slash'],
      [{ ...good, sealed: [''] }, /sealed: "" is not a JSON pointer/, 'sealed whole body'],
      [{ ...good, sealed: ['/units/0'] }, /sealed: \/units\/0 does not exist/, 'sealed into a number'],
      [{ ...good, body: { a: [1, 2] }, sealed: ['/a/2'] }, /sealed: \/a\/2 does not exist/, 'sealed past an array end'],
      [{ ...good, body: { a: [1, 2] }, sealed: ['/a/01'] }, /sealed: \/a\/01 does not exist/, 'sealed array index with a leading zero'],
      [{ ...good, body: { 'a~b': 1 }, sealed: ['/a~2b'] }, /sealed: "\/a~2b" has a bad escape/, 'bad pointer escape'],
    ];
    for (const [input, field, what] of cases) rejects(input, field, what);
  });

  it('resolves RFC 6901 escapes in sealed pointers', () => {
    const d = { ...good, body: { 'a/b': { 'c~d': 1 } }, sealed: ['/a~1b/c~0d'] };
    assert.deepEqual(parseDraft(d), d);
  });
});

describe('buildEntry and checkEntryText', () => {
  it('builds the canonical text with index, origin and receive time, and reads it back', () => {
    const b = buildEntry({ ...good, incident: 'inc-1', claimed: '2026-06-01T21:00:00Z' }, 42, ORIGIN, RECEIVED, counterSalt());
    assert.equal(b.text, canonicalize(b.entry));
    assert.equal(
      b.text,
      `{"actor":{"agency":"fed-ice","device":"radio-7","person":"p-1"},"body":{"units":2},"claimed":"2026-06-01T21:00:00Z","incident":"inc-1","index":42,"origin":"${ORIGIN}","received":"${RECEIVED}","type":"request.sent","v":1}`,
    );
    assert.deepEqual(b.disclosures, []);
    const back = checkEntryText(b.text);
    assert.ok('entry' in back);
    assert.deepEqual(back.entry, b.entry);
  });

  it('refuses an entry over MAX_ENTRY_BYTES', () => {
    const big = { ...good, body: { s: 'x'.repeat(MAX_ENTRY_BYTES) } };
    assert.throws(
      () => buildEntry(big, 0, ORIGIN, RECEIVED, counterSalt()),
      (e) => isConcordError(e, 'BAD_INPUT') && /larger than/.test(e.message),
    );
  });

  it('names what is wrong with a stored entry text', () => {
    const text = buildEntry(good, 3, ORIGIN, RECEIVED, counterSalt()).text;
    const e = JSON.parse(text) as Record<string, unknown>;
    const problem = (t: string): string => {
      const r = checkEntryText(t);
      assert.ok('problem' in r, `accepted: ${t}`);
      return r.problem;
    };
    assert.match(problem(text.slice(0, -1)), /not valid JSON/);
    assert.match(problem('[1]'), /not a JSON object/);
    assert.match(problem(JSON.stringify(e, null, 1)), /not RFC 8785 canonical/);
    assert.match(problem(`${text} `), /not RFC 8785 canonical/);
    assert.match(problem(canonicalize({ ...e, extra: 1 })), /unknown field "extra"/);
    assert.match(problem(canonicalize({ ...e, v: 2 })), /format version 2/);
    assert.match(problem(canonicalize({ ...e, index: -1 })), /index/);
    assert.match(problem(canonicalize({ ...e, index: 1.5 })), /index/);
    assert.match(problem(canonicalize({ ...e, origin: '' })), /origin/);
    assert.match(problem(canonicalize({ ...e, received: '2026-06-01T21:03:00Z' })), /received/);
    assert.match(problem(canonicalize({ ...e, claimed: 'yesterday' })), /claimed/);
    assert.match(problem(canonicalize({ ...e, type: 'X' })), /type/);
    assert.match(problem(canonicalize({ ...e, actor: { agency: 'a b' } })), /actor\.agency/);
    assert.match(problem(canonicalize({ ...e, incident: '' })), /incident/);
    assert.match(problem(canonicalize({ ...e, body: [] })), /body/);
    assert.match(problem(canonicalize({ ...e, body: { a: { [SEALED_KEY]: 'short' } } })), /sealed value at \/a is malformed/);
    assert.match(problem(canonicalize({ ...e, body: { a: { [SEALED_KEY]: 'A'.repeat(43), b: 1 } } })), /sealed value at \/a is malformed/);
    // a lone surrogate escape is valid JSON but has no canonical form
    assert.match(problem(text.replace('"units":2', '"units":"\\ud800"')), /canonical/);
  });
});

describe('buildEntry text (property)', () => {
  const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/);
  const json: fc.Arbitrary<JsonValue> = fc.jsonValue() as fc.Arbitrary<JsonValue>;
  it('the envelope written out equals canonicalize(entry), for any valid draft and origin', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){0,2}$/),
            actor: fc.record({ agency: id, person: id, device: id }, { requiredKeys: ['agency'] }),
            incident: id,
            claimed: fc.constantFrom('2026-06-01T21:00:00Z', '2026-06-01T21:00:00.5+02:00', '2026-06-01T20:59:59.123456789-05:30'),
            body: fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), json, { maxKeys: 6 }),
          },
          { requiredKeys: ['type', 'actor', 'body'] },
        ),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
        fc.nat({ max: 2 ** 40 }),
        (draft, origin, index) => {
          let parsed: EntryDraft;
          try {
            parsed = parseDraft(draft);
          } catch {
            return; // a body with the reserved key, say: not a valid draft
          }
          const built = buildEntry(parsed, index, origin, RECEIVED, () => new Uint8Array(16));
          assert.equal(built.text, canonicalize(built.entry));
          assert.ok('entry' in checkEntryText(built.text));
        },
      ),
      { numRuns: 400 },
    );
  });
});

describe('scanEntryText', () => {
  const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/);
  const draftArb = fc.record(
    {
      type: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){0,2}$/),
      actor: fc.record({ agency: id, person: id, device: id }, { requiredKeys: ['agency'] }),
      incident: id,
      claimed: fc.constantFrom('2026-06-01T21:00:00Z', '2026-06-01T21:00:00.5+02:00', '2026-13-01T21:00:00Z'),
      body: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>, { maxKeys: 6 }),
    },
    { requiredKeys: ['type', 'actor', 'body'] },
  );
  /** what checkEntryText says, in the shape scanEntryText answers */
  const slow = (text: string): { index: number; origin: string; received: string; type: string; incident?: string } | string => {
    const r = checkEntryText(text);
    if ('problem' in r) return r.problem;
    const e = r.entry;
    return e.incident === undefined
      ? { index: e.index, origin: e.origin, received: e.received, type: e.type }
      : { index: e.index, origin: e.origin, received: e.received, type: e.type, incident: e.incident };
  };

  it('reads index, origin, receive time, type and incident from a plain entry without parsing it', () => {
    const built = buildEntry(good, 41, ORIGIN, RECEIVED, counterSalt());
    assert.deepEqual(scanEntryText(built.text), { index: 41, origin: ORIGIN, received: RECEIVED, type: 'request.sent' });
    const onIncident = buildEntry({ ...good, incident: 'inc-7' }, 42, ORIGIN, RECEIVED, counterSalt());
    assert.deepEqual(scanEntryText(onIncident.text), { index: 42, origin: ORIGIN, received: RECEIVED, type: 'request.sent', incident: 'inc-7' });
  });

  it('leaves to checkEntryText what it cannot vouch for', () => {
    const sealed = buildEntry({ ...good, body: { name: 'x' }, sealed: ['/name'] }, 0, ORIGIN, RECEIVED, counterSalt());
    const text = buildEntry(good, 7, ORIGIN, RECEIVED, counterSalt()).text;
    for (const t of [
      sealed.text, // sealed values: their markers are checked by parsing
      buildEntry({ ...good, body: { note: 'line\nbreak' } }, 0, ORIGIN, RECEIVED, counterSalt()).text, // an escape
      text.replace('"index":7', '"index":7.0'),
      text.replace('"index":7', '"index":9007199254740993'),
      text.replace('"v":1', '"v":2'),
      text.replace('"v":1}', '"v":1,"w":1}'),
      text.replace('"received":"2026-06-01T21:03:00.123Z"', '"received":"2026-06-01T21:03:00Z"'),
      text.replace('"received":"2026-06-01T21:03:00.123Z"', '"received":"2026-02-31T25:03:00.123Z"'),
      text.replace('"origin":"concord.test.example/ledger"', '"origin":""'),
      text.replace('{"units":2}', '{"units":2,"units":3}'),
      text.replace('{"units":2}', '[2]'),
      text.replace('"agency":"fed-ice"', `"agency":"${'a'.repeat(MAX_ID_LENGTH + 1)}"`),
      ` ${text}`,
      `${text} `,
    ]) {
      assert.equal(scanEntryText(t), undefined, t);
    }
  });

  it('property: whatever it reads, checkEntryText accepts with the same fields; it reads most plain entries', () => {
    let read = 0;
    let plain = 0;
    fc.assert(
      fc.property(draftArb, fc.string({ minLength: 1, maxLength: 30 }), fc.nat({ max: 2 ** 40 }), (draft, origin, index) => {
        let parsed: EntryDraft;
        try {
          parsed = parseDraft(draft);
        } catch {
          return;
        }
        const { text } = buildEntry(parsed, index, origin, RECEIVED, () => new Uint8Array(16));
        const fast = scanEntryText(text);
        if (!/[\\\uD800-\uDFFF\u0000-\u001F]/.test(text) && !draft.claimed?.startsWith('2026-13')) plain++;
        if (fast === undefined) return;
        read++;
        assert.deepEqual(fast, slow(text), text);
      }),
      { numRuns: 500 },
    );
    assert.ok(read > 0 && read >= plain * 0.9, `read ${read} of ${plain} plain entries`);
  });

  it('property: a text changed by one character is either refused by both or read alike', () => {
    const base = buildEntry(
      { ...good, incident: 'inc-1', claimed: '2026-06-01T21:00:00.5+02:00', body: { a: [1, -2.5, true, null, 'x'], b: { c: 'd' }, n: 1e21 } },
      123,
      ORIGIN,
      RECEIVED,
      counterSalt(),
    ).text;
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom(' ', '\n', '\u0000', ',', ':', '"', '{', '}', '[', ']', '0', '1', '9', '-', '+', '.', 'e', 'a', 'Z', 'T', '\\', '\ud800', 'é', '$'),
        fc.constantFrom('insert', 'delete', 'replace'),
        (at, ch, how) => {
          const k = at % base.length;
          const t =
            how === 'insert'
              ? base.slice(0, k) + ch + base.slice(k)
              : how === 'delete'
                ? base.slice(0, k) + base.slice(k + 1)
                : base.slice(0, k) + ch + base.slice(k + 1);
          const fast = scanEntryText(t);
          if (fast !== undefined) assert.deepEqual(fast, slow(t), t);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('sealed fields', () => {
  const phone = '+1-555-0199';
  const draft: EntryDraft = {
    type: 'call.received',
    actor: { agency: 'city-pd' },
    body: { caller: { name: 'Zoë', phone, notes: ['asked for help'] }, location: 'Main St' },
    sealed: ['/caller/phone', '/location'],
  };

  it('keeps the plaintext out of the hashed text and commits to it', () => {
    const b = buildEntry(draft, 0, ORIGIN, RECEIVED, counterSalt());
    assert.ok(!b.text.includes(phone), 'the phone number is not in the hashed text');
    assert.ok(!b.text.includes('Main St'), 'the location is not in the hashed text');
    assert.ok(b.text.includes('Zoë'), 'unsealed values stay');
    assert.equal(b.disclosures.length, 2);
    for (const d of b.disclosures) {
      assert.match(d.salt, /^[A-Za-z0-9_-]{22}$/);
      assert.equal(checkDisclosure(b.entry, d), undefined, d.path);
    }
    const marker = (b.entry.body.caller as JsonObject).phone as JsonObject;
    const d = b.disclosures.find((x) => x.path === '/caller/phone') as Disclosure;
    assert.deepEqual(marker, { [SEALED_KEY]: commitment(d) });
    // the commitment is base64url(SHA-256(canonical [salt, path, value]))
    assert.equal(
      commitment(d),
      createHash('sha256')
        .update(JSON.stringify([d.salt, '/caller/phone', phone]))
        .digest('base64url'),
    );
    assert.ok('entry' in checkEntryText(b.text));
  });

  it('commitmentOf, given the canonical value, is the commitment of the canonical [salt, path, value] (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), fc.jsonValue() as fc.Arbitrary<JsonValue>, (salt, path, value) => {
        const d: Disclosure = { salt, path, value };
        const expected = createHash('sha256')
          .update(canonicalize([salt, path, value]))
          .digest('base64url');
        assert.equal(commitmentOf(d, canonicalize(value)), expected);
        assert.equal(commitment(d), expected);
      }),
      { numRuns: 500 },
    );
  });

  it('two entries with the same sealed value have different commitments (salted)', () => {
    const salt = counterSalt();
    const a = buildEntry(draft, 0, ORIGIN, RECEIVED, salt);
    const b = buildEntry(draft, 0, ORIGIN, RECEIVED, salt);
    assert.notEqual(a.text, b.text);
  });

  it('a disclosure with a changed salt, value or path, or of another shape, fails', () => {
    const b = buildEntry(draft, 0, ORIGIN, RECEIVED, counterSalt());
    const d = b.disclosures.find((x) => x.path === '/caller/phone') as Disclosure;
    const other = b.disclosures.find((x) => x.path === '/location') as Disclosure;
    const salt2 = `${d.salt[0] === 'A' ? 'B' : 'A'}${d.salt.slice(1)}`;
    const cases: Array<[unknown, RegExp]> = [
      [{ ...d, salt: salt2 }, /does not match its commitment/],
      [{ ...d, value: '+1-555-0198' }, /does not match its commitment/],
      [{ ...d, value: null }, /does not match its commitment/],
      // the path is inside the commitment: a value cannot be moved to another sealed field
      [{ ...d, path: '/location' }, /does not match its commitment/],
      [{ ...other, path: '/caller/phone' }, /does not match its commitment/],
      [{ ...d, path: '/caller/name' }, /no sealed value at \/caller\/name/],
      [{ ...d, path: '/caller/nope' }, /does not exist/],
      [{ ...d, path: 'caller' }, /does not exist/],
      [{ ...d, salt: 'short' }, /16-byte base64url salt/],
      [{ path: d.path, salt: d.salt }, /needs path/],
      [null, /not an object/],
      [[d], /not an object/],
    ];
    for (const [bad, reason] of cases) assert.match(checkDisclosure(b.entry, bad) ?? 'passed', reason, JSON.stringify(bad));
  });

  it('nested sealed pointers: the child is committed to inside the sealed parent', () => {
    const nested: EntryDraft = { ...draft, sealed: ['/caller', '/caller/phone'] };
    const b = buildEntry(nested, 0, ORIGIN, RECEIVED, counterSalt());
    assert.ok(!b.text.includes(phone) && !b.text.includes('Zoë'));
    const parent = b.disclosures.find((d) => d.path === '/caller') as Disclosure;
    const child = b.disclosures.find((d) => d.path === '/caller/phone') as Disclosure;
    // disclosing the parent does not disclose the child
    assert.deepEqual((parent.value as JsonObject).phone, { [SEALED_KEY]: commitment(child) });
    assert.equal(JSON.stringify(parent.value).includes(phone), false);
    // one at a time, the child has nothing to check against in the body...
    assert.equal(checkDisclosure(b.entry, parent), undefined);
    assert.match(checkDisclosure(b.entry, child) ?? '', /does not exist/);
    // ...as a set, in any order, both check
    assert.deepEqual(checkDisclosures(b.entry, [child, parent]), [undefined, undefined]);
    assert.deepEqual(checkDisclosures(b.entry, [parent, child]), [undefined, undefined]);
    assert.deepEqual(revealBody(b.entry, [child, parent]), nested.body);
    // the parent withheld: the child cannot be checked; the parent alone reveals a sealed child
    assert.match(checkDisclosures(b.entry, [child])[0] ?? '', /does not exist/);
    assert.deepEqual((revealBody(b.entry, [parent]).caller as JsonObject).phone, { [SEALED_KEY]: commitment(child) });
    // a tampered parent makes its child unverifiable too; a tampered child alone fails alone
    const badParent = { ...parent, value: { ...(parent.value as JsonObject), name: 'Zoe' } };
    const r1 = checkDisclosures(b.entry, [badParent, child]);
    assert.match(r1[0] ?? '', /commitment/);
    assert.ok(r1[1] !== undefined);
    const r2 = checkDisclosures(b.entry, [parent, { ...child, value: 'x' }]);
    assert.equal(r2[0], undefined);
    assert.match(r2[1] ?? '', /commitment/);
    // the same path twice: the second has no sealed value left to open
    assert.match(checkDisclosures(b.entry, [parent, parent])[1] ?? '', /no sealed value/);
  });

  it('revealBody puts disclosed values back; withheld ones stay sealed', () => {
    const b = buildEntry(draft, 0, ORIGIN, RECEIVED, counterSalt());
    assert.deepEqual(revealBody(b.entry, b.disclosures), draft.body);
    const partial = revealBody(
      b.entry,
      b.disclosures.filter((d) => d.path === '/location'),
    );
    assert.equal(partial.location, 'Main St');
    assert.ok(SEALED_KEY in ((partial.caller as JsonObject).phone as JsonObject));
    assert.equal(revealBody(b.entry, []), b.entry.body);
  });

  it('sealing leaves the draft untouched', () => {
    const body = JSON.parse(JSON.stringify(draft.body)) as JsonObject;
    buildEntry(draft, 0, ORIGIN, RECEIVED, counterSalt());
    assert.deepEqual(draft.body, body);
  });
});

// ---------------------------------------------------------------------------
// property: seal any subset of a random body's fields, then check and reveal

const key = fc.string({ maxLength: 6 }).filter((k) => k !== SEALED_KEY);
const json: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
    fc.string({ maxLength: 8, unit: 'grapheme' }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;
const body = fc.dictionary(key, json, { minKeys: 1, maxKeys: 5, noNullPrototype: true }) as fc.Arbitrary<JsonObject>;

/** every JSON pointer to a value inside `v` (RFC 6901, escaped) */
function pointers(v: JsonValue, prefix = ''): string[] {
  const out: string[] = [];
  const esc = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
  if (Array.isArray(v)) {
    v.forEach((x, i) => out.push(`${prefix}/${i}`, ...pointers(x, `${prefix}/${i}`)));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) out.push(`${prefix}/${esc(k)}`, ...pointers(x, `${prefix}/${esc(k)}`));
  }
  return out;
}

function at(v: JsonValue, pointer: string): JsonValue | undefined {
  let node: JsonValue | undefined = v;
  for (const raw of pointer.slice(1).split('/')) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, JsonValue>)[k] : undefined;
  }
  return node;
}

describe('sealed fields (property)', () => {
  it('for random bodies and any subset of their fields: seal, check every disclosure, reveal the original', () => {
    const arb = body.chain((b) => {
      const all = pointers(b);
      return fc.tuple(fc.constant(b), fc.subarray(all), fc.nat(1000));
    });
    fc.assert(
      fc.property(arb, ([b, sealed, seed]) => {
        let n = seed;
        const salt = (): Uint8Array => createHash('sha256').update(String(n++)).digest().subarray(0, 16);
        const draft = parseDraft({ type: 'note.recorded', actor: { agency: 'a' }, body: b, sealed });
        const built = buildEntry(draft, 7, ORIGIN, RECEIVED, salt);
        assert.equal(built.disclosures.length, sealed.length);
        assert.ok('entry' in checkEntryText(built.text), 'the sealed entry is a valid entry');
        assert.deepEqual(
          checkDisclosures(built.entry, built.disclosures),
          sealed.map(() => undefined),
        );
        // those not inside another sealed field also check one by one
        for (const d of built.disclosures) {
          const nested = sealed.some((p) => p !== d.path && d.path.startsWith(`${p}/`));
          if (!nested) assert.equal(checkDisclosure(built.entry, d), undefined, d.path);
        }
        assert.deepEqual(revealBody(built.entry, built.disclosures), b);
        // every outermost sealed field is exactly a marker in the hashed body: its value is not there
        for (const d of built.disclosures) {
          if (sealed.some((p) => p !== d.path && d.path.startsWith(`${p}/`))) continue;
          assert.deepEqual(at(built.entry.body, d.path), { [SEALED_KEY]: commitment(d) }, d.path);
        }
        // any one disclosure changed fails, the others still check
        if (built.disclosures.length > 0) {
          const i = seed % built.disclosures.length;
          const d = built.disclosures[i] as Disclosure;
          const changed = [...built.disclosures];
          changed[i] = { ...d, value: [d.value] };
          assert.notEqual(checkDisclosures(built.entry, changed)[i], undefined);
        }
      }),
      { numRuns: 300 },
    );
  });
});
