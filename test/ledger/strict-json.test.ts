/**
 * The strict JSON reader (src/ledger/strict-json.ts) and the number rule
 * (src/ledger/json-number.ts): agreement with JSON.parse on every text both
 * accept, every text JSON.parse refuses refused too, and refusals exactly
 * where JSON.parse would alter the value: duplicate keys, numbers a double
 * does not hold as written, lone surrogates. The number rule is checked
 * against a reference in exact decimal arithmetic (BigInt).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isConcordError } from '../../src/errors.ts';
import { numberTextProblem } from '../../src/ledger/json-number.ts';
import { parseJsonStrict } from '../../src/ledger/strict-json.ts';

function refusal(text: string): string {
  try {
    parseJsonStrict(text);
  } catch (e) {
    assert.ok(isConcordError(e, 'BAD_INPUT'), `a ConcordError BAD_INPUT, got ${String(e)}`);
    return e.message;
  }
  return 'accepted';
}

describe('parseJsonStrict: what JSON.parse would alter is refused, naming the field', () => {
  it('a key given twice, at any depth; JSON.parse keeps the last', () => {
    const text = '{"type":"note.recorded","actor":{"agency":"city-pd","agency":"fed-ice"},"body":{}}';
    assert.equal((JSON.parse(text) as { actor: { agency: string } }).actor.agency, 'fed-ice', 'the silent alteration this guards against');
    assert.match(refusal(text), /^actor\.agency: appears twice in one object/);
    assert.match(refusal('{"a":1,"a":1}'), /^a: appears twice/);
    assert.match(refusal('{"body":{"list":[{"k":1},{"k":2,"k":3}]}}'), /^body\.list\[1\]\.k: appears twice/);
    assert.match(refusal('{"body":{"a b":{"x":1,"x":2}}}'), /^body\["a b"\]\.x: appears twice/);
    // escapes are undone before keys are compared: "\u0061" is "a"
    assert.match(refusal('{"a":1,"\\u0061":2}'), /^a: appears twice/);
    assert.match(refusal('{"__proto__":1,"__proto__":2}'), /appears twice/);
    // the same key in two objects is not a duplicate
    assert.deepEqual(parseJsonStrict('{"a":{"k":1},"b":{"k":2}}'), { a: { k: 1 }, b: { k: 2 } });
  });

  it('__proto__ is a plain key, as with JSON.parse, never the prototype', () => {
    const v = parseJsonStrict('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__']);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('numbers a double does not hold as written; 0.1 and other exact spellings pass', () => {
    const refused: Array<[string, RegExp]> = [
      ['9007199254740993', /stored as 9007199254740992/],
      ['12345678901234567890', /stored as 12345678901234567000/],
      ['-12345678901234567890', /stored as -12345678901234567000/],
      ['0.10000000000000000001', /stored as 0\.1\b/],
      ['1e400', /beyond the range of a number/],
      ['-1e400', /beyond the range/],
      ['1e-400', /stored as 0\b/],
      ['123456789012345678', /stored as 123456789012345680/],
      ['1.00000000000000000000000001', /stored as 1\b/],
    ];
    for (const [n, reason] of refused) {
      assert.match(
        refusal(`{"body":{"x":${n}}}`),
        new RegExp(`^body\\.x: ${n.replace(/[.+-]/g, '\\$&')} cannot be held exactly|^body\\.x: .*beyond the range`),
        n,
      );
      assert.match(refusal(`{"body":{"x":${n}}}`), reason, n);
    }
    const kept: Array<[string, number]> = [
      ['0.1', 0.1],
      ['1.50', 1.5],
      ['1e2', 100],
      ['-0', -0],
      ['0e999999999999', 0],
      ['9007199254740991', 9007199254740991],
      ['9007199254740992', 2 ** 53],
      ['9007199254740994', 2 ** 53 + 2],
      ['100000000000000000000', 1e20],
      ['1e21', 1e21],
      ['5e-324', 5e-324],
      ['1.7976931348623157e308', Number.MAX_VALUE],
      ['0.30000000000000004', 0.1 + 0.2],
    ];
    for (const [n, v] of kept) assert.equal((parseJsonStrict(`{"x":${n}}`) as { x: number }).x, v, n);
  });

  it('a lone surrogate, escaped or raw; a proper pair passes', () => {
    assert.match(refusal('{"body":{"t":"a\\ud800b"}}'), /^body\.t: a string holds a lone surrogate \\ud800/);
    assert.match(refusal('{"t":"\\udc00\\ud83d"}'), /lone surrogate \\udc00/);
    assert.match(refusal('{"t":"\ud800"}'), /lone surrogate/);
    assert.match(refusal('{"\\ud800":1}'), /lone surrogate/);
    assert.equal((parseJsonStrict('{"t":"\\ud83d\\ude00 ✓"}') as { t: string }).t, '😀 ✓');
  });

  it('nesting deeper than 1,000 levels is refused, not a stack overflow', () => {
    assert.match(refusal(`${'['.repeat(1001)}${']'.repeat(1001)}`), /nested deeper than 1000 levels/);
    assert.match(refusal('['.repeat(200_000)), /nested deeper/);
    assert.equal((parseJsonStrict(`${'['.repeat(999)}${']'.repeat(999)}`) as unknown[]).length, 1);
  });
});

describe('parseJsonStrict: RFC 8259 syntax', () => {
  it('what JSON.parse refuses is refused, with the column', () => {
    const bad = [
      '',
      ' ',
      '{',
      '}',
      '{"a"}',
      '{"a":}',
      '{"a":1,}',
      '[1,]',
      '[1 2]',
      "{'a':1}",
      '{a:1}',
      '01',
      '-',
      '1.',
      '.5',
      '1e',
      '1e+',
      '+1',
      '0x10',
      'NaN',
      'Infinity',
      'tru',
      'nul',
      '"abc',
      '"a\\x"',
      '"\\u12"',
      '"\\u12g4"',
      '"tab\there"',
      '"nl\nhere"',
      '{"a":1}x',
      '{"a":1} {"b":2}',
      '/*c*/1',
      '\ufeff{}',
      '[1]]',
      '{"a" 1}',
      '\u00a0{}',
    ];
    for (const text of bad) {
      assert.throws(() => JSON.parse(text), SyntaxError, `JSON.parse accepts ${JSON.stringify(text)}`);
      assert.match(refusal(text), /^not valid JSON at column \d+/, JSON.stringify(text));
    }
    assert.equal(refusal('{"actor":{"agency":"a" "x":1}}'), 'not valid JSON at column 24 (in actor): \'"\' where "," or "}" should follow a value');
    assert.equal(refusal('{"a":[1,2,x]}'), 'not valid JSON at column 11 (in a[2]): "x" where a value should be');
    assert.match(refusal('{"a":1}x'), /column 8: more text after the JSON value/);
  });

  it('property: on any JSON text both accept, the values are the same; whatever JSON.parse refuses is refused', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2, '\t'), (v, indent) => {
        const text = JSON.stringify(v, null, indent);
        let strict: unknown;
        try {
          strict = parseJsonStrict(text);
        } catch (e) {
          // only for a value JSON.parse would alter: a number that does not round-trip cannot come from JSON.stringify
          return isConcordError(e) && /lone surrogate/.test(e.message);
        }
        assert.deepEqual(strict, JSON.parse(text));
        return true;
      }),
      { numRuns: 500 },
    );
  });

  it('property: a JSON text with one character changed, inserted or deleted is refused whenever JSON.parse refuses it, and read alike otherwise', () => {
    const alphabet = fc.constantFrom(...'{}[],:"\\ -+.0123456789eEtfnulrsa\t\n\r\u00e9\ud800'.split(''));
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.nat(), fc.nat(2), alphabet, (v, at, op, ch) => {
        const base = JSON.stringify(v);
        const i = at % (base.length + 1);
        const text =
          op === 0 ? base.slice(0, i) + ch + base.slice(i + 1) : op === 1 ? base.slice(0, i) + ch + base.slice(i) : base.slice(0, i) + base.slice(i + 1);
        let expected: unknown;
        try {
          expected = JSON.parse(text);
        } catch {
          return /^not valid JSON at column/.test(refusal(text));
        }
        let got: unknown;
        try {
          got = parseJsonStrict(text);
        } catch (e) {
          // refused where JSON.parse accepted: only for what it would have altered
          return isConcordError(e) && /appears twice|cannot be held exactly|beyond the range|lone surrogate/.test(e.message);
        }
        assert.deepEqual(got, expected);
        return true;
      }),
      { numRuns: 3000 },
    );
  });
});

/** the reference: a decimal text as an exact rational m * 10^e, with BigInt */
function exact(text: string): { m: bigint; e: number } {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  assert.ok(match, text);
  const digits = `${match[2] ?? ''}${match[3] ?? ''}` || '0';
  const m = BigInt(digits) * (match[1] === '-' ? -1n : 1n);
  return { m, e: Number(match[4] ?? '0') - (match[3] ?? '').length };
}
function equalExact(a: { m: bigint; e: number }, b: { m: bigint; e: number }): boolean {
  const e = Math.min(a.e, b.e);
  return a.m * 10n ** BigInt(a.e - e) === b.m * 10n ** BigInt(b.e - e);
}

describe('numberTextProblem against exact decimal arithmetic', () => {
  it('property: a decimal text passes exactly when the shortest form of its double has the same exact value', () => {
    const text = fc
      .tuple(
        fc.boolean(),
        fc.stringMatching(/^(0|[1-9][0-9]{0,24})$/),
        fc.option(fc.stringMatching(/^[0-9]{1,24}$/), { nil: undefined }),
        fc.option(fc.integer({ min: -340, max: 330 }), { nil: undefined }),
      )
      .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac !== undefined ? `.${frac}` : ''}${exp !== undefined ? `e${exp}` : ''}`);
    fc.assert(
      fc.property(text, (t) => {
        const value = Number(t);
        const expected = Number.isFinite(value) && equalExact(exact(t), exact(String(value).replace('e+', 'e')));
        return (numberTextProblem(t, value) === undefined) === expected;
      }),
      { numRuns: 5000 },
    );
  });

  it('property: the shortest form of any double passes, and so does any exact respelling of it', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat(5), (d, zeros) => {
        const s = String(d);
        if (numberTextProblem(s, d) !== undefined) return false;
        // trailing zeros after a decimal point do not change the value
        const padded = s.includes('e')
          ? s.replace(/e/, `${s.includes('.') ? '' : '.'}${'0'.repeat(zeros)}e`)
          : `${s}${s.includes('.') ? '' : '.'}${'0'.repeat(zeros)}`;
        return numberTextProblem(padded, Number(padded)) === undefined;
      }),
      { numRuns: 3000 },
    );
  });
});
