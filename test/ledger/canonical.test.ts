import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { canonicalBytes, canonicalize, isPlainCanonicalText, MAX_DEPTH, plainCanonicalValueEnd } from '../../src/ledger/canonical.ts';
import { isConcordError } from '../../src/errors.ts';

// cyberphone/json-canonicalization test data (RFC 8785), copied with its licence and
// provenance: test/vectors/json-canonicalization/PROVENANCE.md
const TESTDATA = new URL('../vectors/json-canonicalization/testdata/', import.meta.url);

function listJson(dir: string): string[] {
  return readdirSync(new URL(dir, TESTDATA))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

test('RFC 8785 vectors: every input/*.json canonicalises to output/*.json and outhex/*.txt', () => {
  const inputs = listJson('input/');
  assert.deepEqual(inputs, listJson('output/'), 'input/ and output/ hold the same vector names');
  assert.ok(inputs.length >= 6, `expected the 6 published vectors, found ${inputs.length}`);
  for (const name of inputs) {
    const input: unknown = JSON.parse(readFileSync(new URL(`input/${name}`, TESTDATA), 'utf8'));
    const expected = readFileSync(new URL(`output/${name}`, TESTDATA));
    const hexName = name.replace(/\.json$/, '.txt');
    const expectedHex = readFileSync(new URL(`outhex/${hexName}`, TESTDATA), 'utf8').replace(/\s+/g, '');
    assert.equal(canonicalize(input), expected.toString('utf8'), `output/${name}`);
    assert.equal(canonicalBytes(input).toString('hex'), expectedHex, `outhex/${hexName}`);
    assert.ok(canonicalBytes(input).equals(expected), `output/${name} (bytes)`);
  }
});

test('RFC 8785 number vectors: every line of es6testfile10k.txt', () => {
  const file = readFileSync(new URL('es6testfile10k.txt', TESTDATA));
  // Upstream testdata/README.md publishes the SHA-256 of the first 10,000 lines of the
  // generated sequence: proves the copy is whole and unaltered.
  assert.equal(
    createHash('sha256').update(file).digest('hex'),
    'b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892',
    'es6testfile10k.txt: SHA-256 differs from the one in upstream testdata/README.md',
  );
  const lines = file.toString('ascii').split('\n');
  assert.equal(lines.pop(), '', 'es6testfile10k.txt ends with a newline');
  assert.equal(lines.length, 10_000, 'es6testfile10k.txt line count');
  const bits = Buffer.alloc(8);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const comma = line.indexOf(',');
    const hex = line.slice(0, comma);
    const expected = line.slice(comma + 1);
    assert.match(hex, /^[0-9a-f]{1,16}$/, `es6testfile10k.txt line ${i + 1}: malformed`);
    bits.write(hex.padStart(16, '0'), 'hex');
    const value = bits.readDoubleBE(0);
    assert.equal(canonicalize(value), expected, `es6testfile10k.txt line ${i + 1}: ${line}`);
  }
});

test('numbers: -0 is 0, integers and exponents as ES6 prints them', () => {
  assert.equal(canonicalize(-0), '0');
  assert.equal(canonicalize([-0, 0]), '[0,0]');
  assert.equal(canonicalize(1e21), '1e+21');
  assert.equal(canonicalize(1e-7), '1e-7');
  assert.equal(canonicalize(Number.MAX_SAFE_INTEGER), '9007199254740991');
  assert.equal(canonicalize(5e-324), '5e-324');
});

test('strings: RFC 8785 escapes, surrogate pairs kept as UTF-8', () => {
  assert.equal(canonicalize('\u0000\u0007\b\t\n\f\r\u001f"\\/\u007f'), '"\\u0000\\u0007\\b\\t\\n\\f\\r\\u001f\\"\\\\/\u007f"');
  assert.equal(canonicalize('😂'), '"😂"');
  assert.equal(canonicalBytes('😂').toString('hex'), '22f09f988222');
  assert.equal(canonicalize('\u2028\u2029'), '"\u2028\u2029"');
});

test('keys: sorted by UTF-16 code units, not code points, numbers or locale', () => {
  // U+1F602 (surrogates D83D DE02) sorts before U+FB33 in UTF-16, after it by code point.
  assert.equal(canonicalize({ '\ufb33': 1, '😂': 2 }), '{"😂":2,"\ufb33":1}');
  assert.equal(canonicalize({ 9: 'a', 10: 'b', 1: 'c' }), '{"1":"c","10":"b","9":"a"}');
  assert.equal(canonicalize({ b: 1, a: 1, B: 1, A: 1, é: 1, e: 1 }), '{"A":1,"B":1,"a":1,"b":1,"e":1,"é":1}');
  const many: Record<string, number> = {};
  for (let i = 40; i > 0; i--) many[`k${i}`] = i; // past the insertion-sort threshold
  const keys = Object.keys(JSON.parse(canonicalize(many)) as object);
  assert.deepEqual(keys, Object.keys(many).sort());
});

test('plain values that are accepted: null-prototype objects, shared (acyclic) references, empty containers', () => {
  const bare = Object.create(null) as Record<string, unknown>;
  bare.z = 1;
  bare.a = [];
  assert.equal(canonicalize(bare), '{"a":[],"z":1}');
  const shared = { x: 1 };
  assert.equal(canonicalize({ a: shared, b: [shared, shared] }), '{"a":{"x":1},"b":[{"x":1},{"x":1}]}');
  // "__proto__" from JSON.parse is an own data property, and just a key
  assert.equal(canonicalize(JSON.parse('{"b":1,"__proto__":{"x":0}}')), '{"__proto__":{"x":0},"b":1}');
  assert.equal(canonicalize({}), '{}');
  assert.equal(canonicalize([]), '[]');
  assert.equal(canonicalize(null), 'null');
  assert.equal(canonicalize(true), 'true');
});

function rejects(value: unknown, path: string, reason: RegExp, label: string): void {
  assert.throws(
    () => canonicalize(value),
    (e: unknown) => {
      assert.ok(isConcordError(e, 'CANONICAL_JSON'), `${label}: expected ConcordError CANONICAL_JSON, got ${String(e)}`);
      assert.ok(e.message.startsWith(`${path}: `), `${label}: message "${e.message}" should start with path ${path}`);
      assert.match(e.message, reason, label);
      assert.equal(e.details?.path, path, `${label}: details.path`);
      return true;
    },
    label,
  );
}

class Incident {
  id = 'inc-1';
}

test('rejections name the JSON path of the offending value', () => {
  rejects({ body: { items: [0, 1, 2, NaN] } }, '$.body.items[3]', /NaN/, 'NaN');
  rejects([Infinity], '$[0]', /Infinity/, 'Infinity');
  rejects({ a: -Infinity }, '$.a', /-Infinity/, '-Infinity');
  rejects({ a: 1, b: undefined }, '$.b', /undefined/, 'undefined in object');
  rejects([1, undefined], '$[1]', /undefined/, 'undefined in array');
  rejects([1, , 3], '$[1]', /undefined/, 'array hole');
  rejects(undefined, '$', /undefined/, 'top-level undefined');
  rejects({ n: 10n }, '$.n', /bigint/, 'bigint');
  rejects({ f: () => 1 }, '$.f', /function/, 'function');
  rejects({ toJSON: () => 'x' }, '$.toJSON', /function/, 'toJSON is not honoured');
  rejects({ s: Symbol('x') }, '$.s', /symbol/, 'symbol');
  rejects({ at: new Date(0) }, '$.at', /Date is not a plain JSON object/, 'Date');
  rejects({ m: new Map() }, '$.m', /Map/, 'Map');
  rejects({ s: new Set() }, '$.s', /Set/, 'Set');
  rejects({ i: new Incident() }, '$.i', /Incident/, 'class instance');
  rejects({ b: Buffer.from('x') }, '$.b', /Buffer/, 'Buffer');
  rejects({ u: new Uint8Array(1) }, '$.u', /Uint8Array/, 'Uint8Array');
  rejects({ s: new String('x') }, '$.s', /String/, 'boxed string');
  rejects({ r: /x/ }, '$.r', /RegExp/, 'RegExp');
  class List extends Array<number> {}
  rejects({ l: List.from([1]) }, '$.l', /array subclass/, 'Array subclass');
  rejects({ 'a b': { 'c.d': [{ x: NaN }] } }, '$["a b"]["c.d"][0].x', /NaN/, 'quoted path steps');
  rejects(Object.defineProperty({}, '__proto__', { value: { t: undefined }, enumerable: true }), '$.__proto__.t', /undefined/, '__proto__ key');
});

test('rejections: lone surrogates in values and keys (RFC 8785 §3.1, I-JSON)', () => {
  rejects({ a: 'x\ud800' }, '$.a', /lone surrogate/, 'lone high surrogate at end');
  rejects({ a: '\udc00x' }, '$.a', /lone surrogate/, 'lone low surrogate');
  rejects({ a: '\ude02\ud83d' }, '$.a', /lone surrogate/, 'reversed pair');
  rejects({ 'k\ud83d': 1 }, '$["k\\ud83d"]', /property name contains a lone surrogate/, 'lone surrogate in key');
  rejects(['ok', '"\ud800"'], '$[1]', /lone surrogate/, 'lone surrogate beside escapes');
});

test('rejections: cycles and excessive nesting', () => {
  const o: Record<string, unknown> = { a: { b: [] as unknown[] } };
  ((o.a as Record<string, unknown>).b as unknown[]).push(o);
  rejects(o, '$.a.b[0]', /cycle/, 'object cycle');
  const arr: unknown[] = [1];
  arr.push(arr);
  rejects(arr, '$[1]', /cycle/, 'array cycle');
  let deep: unknown = 0;
  for (let i = 0; i < MAX_DEPTH; i++) deep = [deep];
  assert.equal(canonicalize(deep).length, 2 * MAX_DEPTH + 1, 'MAX_DEPTH levels are accepted');
  assert.throws(
    () => canonicalize([deep]),
    (e: unknown) => isConcordError(e, 'CANONICAL_JSON') && /nesting deeper/.test(e.message),
  );
});

test('property: values nested 50 to 150 levels deep come out the same as the reference', () => {
  fc.assert(
    fc.property(fc.integer({ min: 50, max: 150 }), fc.jsonValue({ maxDepth: 2 }), (depth, leaf) => {
      let v: unknown = leaf;
      for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { z: i, [`k${i}`]: v, a: 'é"\n' } : [i, v];
      assert.equal(canonicalize(v), reference(withoutNegativeZero(v)));
    }),
    { numRuns: 50 },
  );
});

/** an independent reference: JSON.stringify for leaves, keys sorted by the built-in sort */
function reference(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${reference(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function withoutNegativeZero(v: unknown): unknown {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(withoutNegativeZero);
  if (v !== null && typeof v === 'object') {
    // fromEntries defines own properties, so a "__proto__" key stays a key
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutNegativeZero(x)]));
  }
  return v;
}

test('property: canonical JSON is idempotent, parses back to the value, and matches the reference', () => {
  for (const stringUnit of ['grapheme-ascii', 'grapheme', 'binary'] as const) {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit }), (v) => {
        const c = canonicalize(v);
        const parsed: unknown = JSON.parse(c);
        assert.equal(canonicalize(parsed), c);
        assert.deepStrictEqual(parsed, withoutNegativeZero(v));
        assert.equal(c, reference(v));
      }),
      { numRuns: 300 },
    );
  }
});

test('property: key insertion order does not change the canonical form', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue(), { maxKeys: 30 }), fc.infiniteStream(fc.nat()), (dict, rand) => {
      const keys = Object.keys(dict);
      const it = rand[Symbol.iterator]();
      for (let i = keys.length - 1; i > 0; i--) {
        const j = (it.next().value as number) % (i + 1);
        [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
      }
      const shuffled = Object.fromEntries(keys.map((k) => [k, dict[k]]));
      assert.equal(canonicalize(shuffled), canonicalize(dict));
    }),
    { numRuns: 300 },
  );
});

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

test('property: any UTF-16 string is rejected exactly when it holds a lone surrogate, else escaped as JSON.stringify does', () => {
  const codeUnit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }),
    fc.integer({ min: 0xd800, max: 0xdfff }), // surrogates often, so pairs form too
    fc.integer({ min: 0, max: 0x7f }),
  );
  fc.assert(
    fc.property(fc.string({ unit: codeUnit.map((c) => String.fromCharCode(c)), maxLength: 12 }), (s) => {
      if (hasLoneSurrogate(s)) {
        assert.throws(
          () => canonicalize({ [s]: 1 }),
          (e: unknown) => isConcordError(e, 'CANONICAL_JSON'),
        );
        assert.throws(
          () => canonicalize([s]),
          (e: unknown) => isConcordError(e, 'CANONICAL_JSON') && e.message.startsWith('$[0]: '),
        );
      } else {
        assert.equal(canonicalize(s), JSON.stringify(s));
        assert.equal(canonicalize({ [s]: s }), `{${JSON.stringify(s)}:${JSON.stringify(s)}}`);
      }
    }),
    { numRuns: 2000 },
  );
});

test('isPlainCanonicalText: true for canonical text without escapes, false for whitespace, key order, duplicates, number spellings', () => {
  assert.equal(isPlainCanonicalText('{"a":1,"b":[true,false,null,"x",{}],"c":{"d":-2.5}}'), true);
  assert.equal(isPlainCanonicalText('{"10":1,"9":2}'), true, 'keys by UTF-16 code units');
  for (const t of ['{"b":1,"a":2}', '{"a":1,"a":2}', '{"a": 1}', ' {}', '[1.0]', '[1e2]', '[-0]', '[1E+21]', '{"a":"\\n"}', '{"a":"😀"}', '[0.10]']) {
    assert.equal(isPlainCanonicalText(t), false, t);
  }
});

test('property: isPlainCanonicalText says true for every canonical text without escapes or surrogates', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const t = canonicalize(v);
      const plain = !/[\\\uD800-\uDFFF]/.test(t);
      assert.equal(isPlainCanonicalText(t), plain, t);
    }),
    { numRuns: 500 },
  );
});

/** whether `t` is JSON whose canonical form is `t` itself: the exact answer the fast checks must agree with */
function exact(t: string): boolean {
  try {
    return canonicalize(JSON.parse(t)) === t;
  } catch {
    return false;
  }
}

test('property: isPlainCanonicalText never says true for text that is not canonical', () => {
  const spelling = fc.constantFrom(
    '1.0',
    '1e2',
    '1E2',
    '-0',
    '0.10',
    '1e+2',
    '100',
    '2',
    '-1.5',
    '1.5e-7',
    '0.0000001',
    '1e21',
    '"a"',
    '"b"',
    'true',
    'null',
    '{}',
    '[]',
  );
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.nat(),
      fc.constantFrom(' ', '\n', ',', ':', '"', '{', '}', '[', ']', '0', '1', '-', '.', 'e', 'a', 'b', '\\'),
      spelling,
      (v, at, ch, token) => {
        const canonical = canonicalize(v);
        const variants = [
          JSON.stringify(v), // insertion order: often not sorted
          JSON.stringify(v, null, 1), // whitespace
          canonical.slice(0, at % (canonical.length + 1)) + ch + canonical.slice(at % (canonical.length + 1)), // one character more
          canonical.slice(0, at % canonical.length) + canonical.slice((at % canonical.length) + 1), // one character less
          `{"a":${token},"a":${token}}`, // duplicate keys
          `{"b":${token},"a":1}`,
          `[${token}]`,
        ];
        for (const t of variants) {
          if (isPlainCanonicalText(t)) {
            let parses = true;
            try {
              JSON.parse(t);
            } catch {
              parses = false;
            }
            // the scan is only ever asked about text JSON.parse accepted
            if (parses) assert.ok(exact(t), `said canonical but is not: ${t}`);
          }
        }
      },
    ),
    { numRuns: 2000 },
  );
});

test('property: isPlainCanonicalText accepts a number only as ES6 Number-to-String writes it', () => {
  fc.assert(
    fc.property(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: 1, max: 21 }),
      fc.integer({ min: 0, max: 20 }),
      (d, precision, digits) => {
        for (const s of [String(d), d.toPrecision(precision), d.toFixed(digits), d.toExponential(Math.min(precision, 20)), `${String(d)}0`, `-${String(d)}`]) {
          if (!Number.isFinite(Number(s))) continue;
          const canonical = String(Number(s)) === s;
          assert.equal(isPlainCanonicalText(`[${s}]`), canonical, s);
        }
      },
    ),
    { numRuns: 5000 },
  );
});

test('plainCanonicalValueEnd: the end of a plain canonical value; -1 for anything not valid, not canonical or not plain', () => {
  const t = '{"a":1,"b":[true,false,null,"x",{}],"c":{"d":-2.5}}';
  assert.equal(plainCanonicalValueEnd(t, 0), t.length);
  assert.equal(plainCanonicalValueEnd(`${t},"next":1`, 0), t.length, 'stops where the value ends');
  assert.equal(plainCanonicalValueEnd('x:[1,2]', 2), 7);
  const refused = [
    '{"b":1,"a":2}',
    '{"a":1,"a":2}',
    '{"a": 1}',
    ' {}',
    '[1.0]',
    '[1e2]',
    '[-0]',
    '{"a":"\\n"}',
    '{"a":"\u{1F600}"}',
    '[0.10]',
    // not JSON at all: the scan must see it, there is no JSON.parse before it
    '{',
    '[',
    '{"a"}',
    '{"a":}',
    '{"a":1,}',
    '[1,]',
    '[,1]',
    '{,}',
    '{"a":1"b":2}',
    '[1 2]',
    '"abc',
    'tru',
    'nul',
    '-',
    '01',
    '1.',
    '.5',
    '+1',
    '{"a":1]',
    '[1}',
    '"a\u0001b"',
    '{1:2}',
    'undefined',
    '',
  ];
  for (const bad of refused) assert.equal(plainCanonicalValueEnd(bad, 0), -1, bad);
  assert.equal(plainCanonicalValueEnd(`${'['.repeat(100)}${']'.repeat(100)}`, 0), -1, 'very deep: left to the exact check');
});

test('property: plainCanonicalValueEnd covers the whole text only when JSON.parse accepts it and it is canonical', () => {
  fc.assert(
    fc.property(
      fc.jsonValue(),
      fc.nat(),
      fc.constantFrom(' ', '\n', '\u0000', ',', ':', '"', '{', '}', '[', ']', '0', '1', '-', '+', '.', 'e', 'E', 'a', 'n', 't', '\\', '\ud800', 'é'),
      (v, at, ch) => {
        const canonical = canonicalize(v);
        const plain = !/[\\\uD800-\uDFFF]/.test(canonical);
        assert.equal(plainCanonicalValueEnd(canonical, 0) === canonical.length, plain, canonical);
        const k = at % (canonical.length + 1);
        for (const t of [
          JSON.stringify(v),
          canonical.slice(0, k) + ch + canonical.slice(k),
          canonical.slice(0, k) + canonical.slice(k + 1),
          canonical.slice(0, k) + ch + canonical.slice(k + 1),
          canonical.slice(0, k),
        ]) {
          if (plainCanonicalValueEnd(t, 0) === t.length) assert.ok(exact(t), `covered but not canonical JSON: ${JSON.stringify(t)}`);
        }
      },
    ),
    { numRuns: 3000 },
  );
});
