/**
 * YAML from outside, parsed defensively: the same values as the yaml
 * package's toJS on ordinary files, and a one-line error, quickly, on
 * hostile ones (alias bombs, many aliases, many keys, deep nesting).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseDocument } from 'yaml';
import { isConcordError } from '../src/errors.ts';
import { parseYamlSource } from '../src/policy/yaml-source.ts';
import { parseYamlDocument, YAML_LIMITS } from '../src/yaml-document.ts';
import { BILLION_LAUGHS } from './helpers/yaml.ts';

const value = (text: string, merge = false): unknown => parseYamlDocument('f.yaml', text, 'BAD_INPUT', { merge }).value;

/** refused with BAD_INPUT, one line `f.yaml:LINE: ...` matching `message`, in well under `ms` */
function refused(text: string, message: RegExp, opts: { merge?: boolean; ms?: number } = {}): void {
  const started = performance.now();
  assert.throws(
    () => parseYamlDocument('f.yaml', text, 'BAD_INPUT', { merge: opts.merge ?? false }),
    (e: unknown) => {
      assert.ok(isConcordError(e, 'BAD_INPUT'), String(e));
      assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
      assert.match(e.message, message);
      return true;
    },
  );
  const ms = performance.now() - started;
  assert.ok(ms < (opts.ms ?? 2000), `took ${Math.round(ms)} ms`);
}

test('the same values as the yaml package on the shipped files, merge keys included', () => {
  const files = [
    'scenarios/demo.yaml',
    'scenarios/requests/officer-down.yaml',
    'scenarios/policies/city-pd/tests.yaml',
    'scenarios/policies/fed-ice/tests.yaml',
    'scenarios/policies/city-pd/2026-01-01/protocol.yaml',
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(value(text, true), parseDocument(text, { merge: true }).toJS(), file);
  }
});

test('the same values as the yaml package on the corners: scalars, empties, flow pairs, merges', () => {
  const texts = [
    // (.inf is refused: see the numbers test)
    'a: 1\nb: 1.5\nc: true\nd: ~\ne: "x"\nf: 0x10\ng: -1.5e3\nh:\n',
    '- [a: b, c]\n- {a, b: 1}\n- !!str 12\n',
    '1: one\ntrue: yes\n~: nothing\n',
    'base: &b { x: 1, y: 2 }\nm: { <<: *b, y: 3 }\nn: { y: 3, <<: *b }\n',
    'a: &a { x: 1 }\nb: &b { x: 2, z: 2 }\nm: { <<: [*a, *b] }\n',
    'm: { <<: { x: 1 }, x: 2 }\n',
    'a: &a [1, 2]\nb: [*a, *a]\nc: &a 3\nd: *a\n',
    '',
    '# only a comment\n',
  ];
  for (const text of texts) assert.deepEqual(value(text, true), parseDocument(text, { merge: true }).toJS(), text);
  // without merge keys, << is a key like any other
  assert.deepEqual(value('m: { <<: 1 }\n'), { m: { '<<': 1 } });
});

test('a billion laughs is refused at the alias that crosses the cap, at once', () => {
  const text = `${BILLION_LAUGHS}top: *i\n`;
  // a stands for 10 nodes, b 91, c 820, d 7,381, e 66,430: the aliases in b to e add 74,718, the first in f 66,430 more
  const line = text.split('\n').findIndex((l) => l.startsWith('f:')) + 1;
  refused(text, new RegExp(`^f\\.yaml:${line}: refused: aliases here expand to more than 100,000 nodes \\(an alias bomb\\?\\)$`));
  // as JSON, in one line, and through every reader
  refused(
    `{"a": &a [1,1,1,1,1,1,1,1,1,1], "b": &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], "c": &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], "d": &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], "e": [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]}`,
    /^f\.yaml:1: refused/,
  );
  assert.throws(
    () => parseYamlSource('t.yaml', text, 'POLICY_INVALID'),
    (e: unknown) => isConcordError(e, 'POLICY_INVALID') && /^t\.yaml:\d+: refused: aliases/.test(e.message),
  );
});

test('what aliases add is counted exactly: up to the cap passes, shared rather than copied', () => {
  const items = Array.from({ length: 999 }, (_, i) => i).join(', ');
  // the anchored list is 1,000 nodes; 100 aliases of it add 100,000
  const ok = `a: &a [${items}]\nb: [${Array(100).fill('*a').join(', ')}]\n`;
  const v = value(ok) as { a: number[]; b: number[][] };
  assert.equal(v.b.length, 100);
  assert.equal(v.b[99], v.a, "an alias shares its anchor's value");
  refused(`${ok}c: *a\n`, /^f\.yaml:3: refused: aliases here expand/);
  assert.equal(YAML_LIMITS.maxAliasedNodes, 100_000);
});

test('many aliases, many anchors, many keys: linear, where the yaml package is quadratic', () => {
  const n = 20_000;
  let anchors = '';
  for (let i = 0; i < n; i++) anchors += `a${i}: &x${i} ${i}\n`;
  const aliases = `${anchors}all: [${Array.from({ length: n }, (_, i) => `*x${i}`).join(', ')}]\n`;
  const started = performance.now();
  const v = value(aliases) as { all: number[] };
  assert.equal(v.all[n - 1], n - 1);
  let keys = '';
  for (let i = 0; i < n; i++) keys += `k${i}: ${i}\n`;
  assert.equal((value(keys) as Record<string, number>)[`k${n - 1}`], n - 1);
  refused(`${keys}k7: again\n`, new RegExp(`^f\\.yaml:${n + 1}: not valid YAML: map keys must be unique \\("k7" appears twice\\)$`));
  assert.ok(performance.now() - started < 5000, `took ${Math.round(performance.now() - started)} ms`);
});

test('duplicate keys, by the key the value will have', () => {
  refused('a: 1\nb: 2\na: 3\n', /^f\.yaml:3: not valid YAML: map keys must be unique \("a" appears twice\)$/);
  refused('1: a\n"1": b\n', /^f\.yaml:2: .*\("1" appears twice\)/);
  refused('x:\n  - { a: 1, a: 2 }\n', /^f\.yaml:2: /);
  // a merged key is not a duplicate of an explicit one
  assert.deepEqual(value('b: &b { a: 1 }\nm: { a: 2, <<: *b }\n', true), { b: { a: 1 }, m: { a: 2 } });
});

test('aliases that name nothing, or their own node; merge keys that do not merge mappings', () => {
  refused('a: *nope\n', /^f\.yaml:1: not valid YAML: alias \*nope has no anchor &nope before it$/);
  refused('a: *x\nb: &x 1\n', /^f\.yaml:1: .*alias \*x has no anchor &x before it/);
  refused('a: &x [1, *x]\n', /^f\.yaml:1: not valid YAML: alias \*x is inside the node it names$/);
  refused('a: &x { b: [ *x ] }\n', /alias \*x is inside the node it names/);
  refused('a: &x 1\nm: { <<: *x }\n', /^f\.yaml:2: not valid YAML: a merge key \(<<\) takes a mapping/, { merge: true });
  refused('m: { <<: [1, 2] }\n', /merge key/, { merge: true });
});

test('keys that are not plain values, and __proto__', () => {
  refused('? [1, 2]\n: x\n', /^f\.yaml:1: not valid YAML here: a mapping key must be plain text, a number or a boolean$/);
  refused('a: &k x\n*k : y\n', /mapping key must be plain/);
  const v = value('__proto__: { polluted: true }\n') as Record<string, unknown>;
  assert.deepEqual(Object.keys(v), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
});

test('deep nesting is refused in one line: past our limit, and past what the parser can recurse', () => {
  const depth = YAML_LIMITS.maxDepth + 1;
  refused(`${'['.repeat(depth + 1)}${']'.repeat(depth + 1)}`, /^f\.yaml:1: refused: nested more than 64 levels deep$/);
  assert.deepEqual(value(`${'['.repeat(depth)}${']'.repeat(depth)}`) !== undefined, true);
  refused(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, /^f\.yaml:1: not valid YAML: /);
  let block = '';
  for (let i = 0; i < 100; i++) block += `${' '.repeat(i)}k:\n`;
  refused(block, /refused: nested more than 64 levels deep/);
});

test('syntax errors and several documents name their line', () => {
  refused('a: 1\nb: [unclosed\nc: 2\n', /^f\.yaml:\d+: not valid YAML: /);
  refused('a: 1\n---\nb: 2\n', /^f\.yaml:2: not valid YAML: Source contains multiple documents/);
});

test('line lookups do not follow aliases or merges', () => {
  const text = 'base: &b\n  x: 1\n  y: { deep: 2 }\nm:\n  <<: *b\n  z: 3\nn: *b\n';
  const source = parseYamlSource('t.yaml', text, 'BAD_INPUT');
  assert.equal(source.lineOf(['m', 'z']), 6);
  // x came from the merge: the line is the mapping that merged it
  assert.equal(source.lineOf(['m', 'x']), 5);
  assert.equal(source.lineOf(['n', 'y', 'deep']), 7);
});

test('numbers a double does not hold as written are refused with their line and field; exact ones keep their value', () => {
  refused(
    'a: 1\nlimits:\n  count: 12345678901234567890\n',
    /^f\.yaml:3: limits\.count: 12345678901234567890 cannot be held exactly as a number: it would be stored as 12345678901234567000/,
  );
  refused('steps:\n  - n: 1\n  - n: 9007199254740993\n', /^f\.yaml:3: steps\[1\]\.n: 9007199254740993 cannot be held exactly/);
  refused('x: 0.10000000000000000001\n', /^f\.yaml:1: x: .*stored as 0\.1 /);
  refused('x: 1e400\n', /^f\.yaml:1: x: 1e400 is beyond the range of a number/);
  refused('x: -.inf\n', /^f\.yaml:1: x: -\.inf is not a finite number/);
  refused('x: .nan\n', /^f\.yaml:1: x: \.nan is not a finite number/);
  refused('x: 0x20000000000001\n', /^f\.yaml:1: x: 0x20000000000001 is an integer beyond 2\^53/);
  refused('list: [1, 2, 123456789012345678901234]\n', /^f\.yaml:1: list\[2\]: /);
  refused('m:\n  12345678901234567890: a\n', /^f\.yaml:2: m: the key 12345678901234567890 cannot be held exactly/);
  // an alias to a refused number is refused where the anchor is
  refused('a: &n 12345678901234567890\nb: *n\n', /^f\.yaml:1: a: /);
  assert.deepEqual(value('a: 0.1\nb: 1.50\nc: 1e2\nd: 0x1F\ne: 0o17\nf: 9007199254740992\ng: -0\nh: "12345678901234567890"\ni: .5\n'), {
    a: 0.1,
    b: 1.5,
    c: 100,
    d: 31,
    e: 15,
    f: 2 ** 53,
    g: -0,
    h: '12345678901234567890',
    i: 0.5,
  });
});
