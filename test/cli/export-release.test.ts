/**
 * Incident bundles, tlog-proof files and redacted public releases of the
 * demo, end to end through the CLI: the demo is replayed once (its node's
 * default sealing policy seals names, free text and notices), then exported
 * and verified offline. A release contains none of the values it withholds
 * (its bytes are searched for each), still verifies against the same signed
 * checkpoint, and says what it withheld under which rule; a value that was
 * not sealed, or that is in the clear elsewhere, cannot be withheld (exit 2,
 * nothing written). docs/bundle.md, docs/releases.md.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { cli, isOneLine } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-release-');
after(() => root.cleanup());
const INCIDENT = 'inc-2026-0601-harrison';

let dir: string;
let key: string;
let out: string;
before(async () => {
  dir = join(root.path, 'demo');
  out = join(root.path, 'out');
  const r = await cli(['scenario', 'run', 'scenarios/demo.yaml', '--data', dir]);
  assert.equal(r.code, 0, r.stderr);
  key = readFileSync(join(dir, 'keys', 'log.pub'), 'utf8').trim();
  // one entry more, outside the incident, and a checkpoint over it: the one signed when the replay closed is now an older one
  const note = join(root.path, 'note.ndjson');
  writeFileSync(note, '{"type":"note.recorded","actor":{"agency":"city-pd"},"body":{"text":"review opened"}}\n');
  assert.equal((await cli(['append', '--data', dir, '--ndjson', note])).code, 0);
  assert.equal((await cli(['checkpoint', '--data', dir])).code, 0);
});

/** the node's disclosures, as stored beside the entries: index → path → value */
function disclosures(): Map<number, Map<string, unknown>> {
  const db = new Database(join(dir, 'ledger.db'), { readonly: true });
  try {
    const m = new Map<number, Map<string, unknown>>();
    for (const r of db.prepare('SELECT idx, path, value FROM disclosures').all() as { idx: number; path: string; value: string }[]) {
      if (!m.has(r.idx)) m.set(r.idx, new Map());
      m.get(r.idx)?.set(r.path, JSON.parse(r.value));
    }
    return m;
  } finally {
    db.close();
  }
}

const PUBLIC_RULES = [
  {
    id: 'public-personal-data',
    reason: 'personal data of members of the public (records law §7(1)(c))',
    type: 'request.sent',
    fields: ['/description', '/location'],
  },
  { id: 'court-order-114', reason: 'free text sealed by court order 2026-114', type: '*', fields: ['/reason', '/rationale', '/text'] },
  { id: 'notices', reason: 'notices quote the sealed text above', type: 'notification.created', fields: ['/message'] },
  { id: 'conflicts', reason: 'conflict descriptions quote the orders', type: 'order.conflict_detected', fields: ['/description'] },
  { id: 'officer-names', reason: 'names of officers below the rank of district commander', type: 'person.registered', fields: ['/name'], below_rank: 3 },
];

describe('concord export bundle --incident', () => {
  it('holds every entry of the incident with proofs, and one tlog-proof file per entry, all verifying offline', async () => {
    const bundle = join(out, 'incident.bundle.json');
    const proofs = join(out, 'proofs');
    const r = await cli(['export', 'bundle', '--data', dir, '--incident', INCIDENT, '--out', bundle, '--proofs', proofs, '--history', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const parsed = JSON.parse(readFileSync(bundle, 'utf8')) as { entries: { index: number; entry: string }[]; consistency?: unknown[] };
    const db = new Database(join(dir, 'ledger.db'), { readonly: true });
    const want = (db.prepare('SELECT idx FROM entries WHERE incident = ? ORDER BY idx').all(INCIDENT) as { idx: number }[]).map((x) => x.idx);
    db.close();
    assert.deepEqual(
      parsed.entries.map((e) => e.index),
      want,
    );
    assert.ok(want.length > 100);
    assert.ok((parsed.consistency?.length ?? 0) >= 1, 'the older checkpoints come with consistency proofs');
    const v = await cli(['verify', bundle, '--key', key]);
    assert.equal(v.code, 0, v.stdout);
    assert.match(v.stdout, new RegExp(`^OK bundle .*: ${want.length} entries`));
    const files = readdirSync(proofs).sort();
    assert.equal(files.length, want.length);
    const first = join(proofs, `${want[0]}.tlog-proof`);
    const text = readFileSync(first, 'utf8');
    assert.match(text, /^c2sp\.org\/tlog-proof@v1\nextra [A-Za-z0-9+/=]+\nindex \d+\n/);
    assert.equal((await cli(['verify', first, '--key', key])).code, 0);
    // an altered entry (its extra data), index or proof line fails
    const lines = text.split('\n');
    const extra = Buffer.from((lines[1] as string).slice(6), 'base64')
      .toString('utf8')
      .replace('"v":1', '"v":1 ');
    for (const bad of [
      text.replace(/^index (\d+)$/m, (_, n: string) => `index ${Number(n) + 1}`),
      [lines[0], `extra ${Buffer.from(extra).toString('base64')}`, ...lines.slice(2)].join('\n'),
      text.replace(/^([A-Za-z0-9+/]{43}=)$/m, (h: string) => (h[0] === 'A' ? `B${h.slice(1)}` : `A${h.slice(1)}`)),
    ]) {
      const f = join(out, 'bad.tlog-proof');
      writeFileSync(f, bad);
      const b = await cli(['verify', f, '--key', key]);
      assert.equal(b.code, 1, b.stdout);
      assert.match(b.stdout, /^FAILED tlog-proof/);
    }
  });

  it('refuses an unknown incident, a bad id and an output inside the data directory, writing nothing', async () => {
    const missing = await cli(['export', 'bundle', '--data', dir, '--incident', 'inc-none', '--out', join(out, 'none.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /incident inc-none has no entries/);
    const badId = await cli(['export', 'bundle', '--data', dir, '--incident', '../x', '--out', join(out, 'none.json')]);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /--incident/);
    const inside = await cli(['export', 'bundle', '--data', dir, '--incident', INCIDENT, '--out', join(out, 'x.json'), '--proofs', join(dir, 'proofs')]);
    assert.equal(inside.code, 2);
    assert.ok(isOneLine(inside.stderr), inside.stderr);
    assert.match(inside.stderr, /--proofs .* is inside the data directory/);
    assert.equal(existsSync(join(dir, 'proofs')), false);
    assert.equal(existsSync(join(out, 'none.json')), false);
  });
});

describe('concord export release', () => {
  let release: string;
  let bytes: Buffer;
  let parsed: {
    format: string;
    entries: { index: number; entry: string; disclosures?: { path: string }[] }[];
    withheld: { index: number; path: string; rule: string }[];
    rules: { id: string }[];
  };
  before(async () => {
    const rules = join(out, 'rules.json');
    writeFileSync(rules, JSON.stringify(PUBLIC_RULES));
    release = join(out, 'release.json');
    // the registrations of the people, so that the rank rule has names to judge
    const db = new Database(join(dir, 'ledger.db'), { readonly: true });
    const people = (db.prepare("SELECT idx FROM entries WHERE type = 'person.registered'").all() as { idx: number }[]).map((x) => x.idx);
    db.close();
    const r = await cli(['export', 'release', '--data', dir, '--incident', INCIDENT, '--rules', rules, '--indexes', people.join(','), '--out', release]);
    assert.equal(r.code, 0, r.stderr);
    bytes = readFileSync(release);
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  });

  it('verifies against the same signed checkpoint and says what it withholds under which rule', async () => {
    const v = await cli(['verify', release, '--key', key, '--json']);
    assert.equal(v.code, 0, v.stdout);
    const report = JSON.parse(v.stdout) as { kind: string; withheld: number; ok: boolean };
    assert.equal(report.kind, 'release');
    assert.equal(report.withheld, parsed.withheld.length);
    assert.ok(parsed.withheld.length > 100);
    const ruleIds = new Set(parsed.rules.map((r) => r.id));
    for (const w of parsed.withheld) assert.ok(ruleIds.has(w.rule));
    const used = new Set(parsed.withheld.map((w) => w.rule));
    for (const r of PUBLIC_RULES) assert.ok(used.has(r.id), `rule ${r.id} withheld something`);
    // the bundle of the same incident rests on the same checkpoint
    const b = join(out, 'same.bundle.json');
    assert.equal((await cli(['export', 'bundle', '--data', dir, '--incident', INCIDENT, '--out', b])).code, 0);
    assert.equal(
      (JSON.parse(readFileSync(b, 'utf8')) as { checkpoint: string }).checkpoint,
      (JSON.parse(bytes.toString()) as { checkpoint: string }).checkpoint,
    );
  });

  it('contains none of the withheld values anywhere in its bytes', () => {
    const held = disclosures();
    let searched = 0;
    for (const w of parsed.withheld) {
      const value = held.get(w.index)?.get(w.path);
      assert.notEqual(value, undefined, `the node holds ${w.index} ${w.path}`);
      const json = JSON.stringify(value);
      const needles = typeof value === 'string' ? [value, json.slice(1, -1)] : [json];
      for (const n of needles) assert.equal(bytes.includes(Buffer.from(n, 'utf8')), false, `entry ${w.index} ${w.path} is in the release: ${n.slice(0, 60)}`);
      searched++;
    }
    assert.equal(searched, parsed.withheld.length);
    // the rank rule: names of officers below rank 3 are withheld, those at or above it are disclosed
    const names = parsed.withheld.filter((w) => w.rule === 'officer-names');
    assert.ok(names.length > 0);
    const disclosedNames = parsed.entries.filter((e) => e.entry.includes('"person.registered"') && (e.disclosures ?? []).some((d) => d.path === '/name'));
    assert.ok(disclosedNames.length > 0, 'a senior officer is named');
    assert.ok(bytes.includes(Buffer.from('Supt. Rosa Alvarez')), 'rank 1 is not withheld');
  });

  it('refuses a value that was not sealed when it was written, naming the entry and field, and writes nothing', async () => {
    const target = join(out, 'refused.json');
    const r = await cli(['export', 'release', '--data', dir, '--incident', INCIDENT, '--withhold', 'request.sent:/category', '--out', target]);
    assert.equal(r.code, 2);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /entry \d+ \(request\.sent\): \/category was not sealed when it was written, so it cannot be withheld/);
    assert.equal(existsSync(target), false);
  });

  it('refuses to withhold a value that is also in the release in the clear', async () => {
    const r = await cli([
      'export',
      'release',
      '--data',
      dir,
      '--incident',
      INCIDENT,
      '--withhold',
      'notification.created:/message',
      '--out',
      join(out, 'leak.json'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is also in the release in the clear, in entry \d+: withhold it there too/);
    assert.equal(existsSync(join(out, 'leak.json')), false);
  });

  it('refuses bad rules with one line naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [[{ id: 'x', reason: 'r', type: 'request.sent', fields: ['category'] }], /\[0\]\.fields\[0\] .*must start with "\/"/],
      [[{ id: 'x', reason: 'r', type: 'Request', fields: ['/a'] }], /\[0\]\.type must be an entry type/],
      [[{ id: 'x', reason: 'r', type: 'request.sent', fields: ['/a'], rank: 2 }], /\[0\]\.rank is not a known field/],
      [[{ id: 'x', reason: '', type: 'request.sent', fields: ['/a'] }], /\[0\]\.reason must say why/],
      [[], /must be a non-empty array/],
    ];
    for (const [rules, want] of cases) {
      const f = join(out, 'bad-rules.json');
      writeFileSync(f, JSON.stringify(rules));
      const r = await cli(['export', 'release', '--data', dir, '--incident', INCIDENT, '--rules', f, '--out', join(out, 'bad.json')]);
      assert.equal(r.code, 2, JSON.stringify(rules));
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, want);
    }
    const both = await cli(['export', 'release', '--data', dir, '--incident', INCIDENT, '--withhold', 'nocolon', '--out', join(out, 'bad.json')]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--withhold "nocolon" is not TYPE:FIELD/);
  });
});

describe('the sealing policy in concord.json', () => {
  it('a bad policy is refused in one line naming the field (exit 2)', async () => {
    const d = join(root.path, 'badpolicy');
    assert.equal((await cli(['init', '--data', d, '--origin', 'concord.test/badpolicy'])).code, 0);
    const config = JSON.parse(readFileSync(join(d, 'concord.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(d, 'concord.json'), JSON.stringify({ ...config, sealing: [{ type: 'request.sent', fields: ['description'] }] }));
    const r = await cli(['scenario', 'run', 'scenarios/demo.yaml', '--data', d]);
    assert.equal(r.code, 2);
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /concord\.json: sealing\[0\]\.fields\[0\]/);
  });

  it('an empty policy seals nothing, so nothing can be withheld', async () => {
    const d = join(root.path, 'nopolicy');
    assert.equal((await cli(['init', '--data', d, '--origin', 'concord.test/nopolicy'])).code, 0);
    const config = JSON.parse(readFileSync(join(d, 'concord.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(d, 'concord.json'), JSON.stringify({ ...config, sealing: [] }));
    assert.equal((await cli(['scenario', 'run', 'scenarios/demo.yaml', '--data', d])).code, 0);
    const r = await cli([
      'export',
      'release',
      '--data',
      d,
      '--incident',
      INCIDENT,
      '--withhold',
      'request.sent:/description',
      '--out',
      join(out, 'nopolicy.json'),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\/description was not sealed when it was written/);
  });
});
