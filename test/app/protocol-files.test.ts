/**
 * Protocol sets read from disk: the layout, the size limits, the protocol
 * tests run from their files, and a request file checked with the clock
 * passed in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRequestFile, loadProtocolBook, readProtocolSources, readProtocolTestFiles, runProtocolTests } from '../../src/app/protocol-files.ts';
import { isConcordError, type ErrorCode } from '../../src/errors.ts';
import { BILLION_LAUGHS } from '../helpers/yaml.ts';
import { manifestText, PERMIT_ALL_DANGER, POLICIES_DIR, REQUESTS_DIR } from '../policy/fixtures.ts';

function fails(code: ErrorCode, message: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(isConcordError(e, code), `expected ${code}, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  };
}

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'concord-protocol-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** a one-version protocol set for test-pd under `dir` */
async function writeVersion(dir: string, policies: Record<string, string> = { 'rules.cedar': PERMIT_ALL_DANGER }): Promise<string> {
  const versionDir = join(dir, 'test-pd', '2026-01-01');
  await mkdir(versionDir, { recursive: true });
  await writeFile(join(versionDir, 'protocol.yaml'), manifestText());
  for (const [name, text] of Object.entries(policies)) await writeFile(join(versionDir, name), text);
  return versionDir;
}

test('the demo protocols load from disk, with their files in name order', async () => {
  const sources = await readProtocolSources(POLICIES_DIR);
  assert.deepEqual(
    sources.map((s) => `${s.agency}/${s.version}`),
    ['city-pd/2025-01-01', 'city-pd/2026-01-01', 'fed-ice/2026-01-01'],
  );
  assert.deepEqual(
    sources[1]?.policies.map((p) => p.path.split('/').pop()),
    ['general-order-7-03.cedar', 'welcoming-city.cedar'],
  );
  const book = await loadProtocolBook(POLICIES_DIR);
  assert.deepEqual([...book.agencies.keys()], ['city-pd', 'fed-ice']);
});

test('layout: missing directory, a file for a directory, missing manifest, nested directory, bad names, ignored files', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(loadProtocolBook(join(dir, 'nope')), fails('NOT_FOUND', /no such directory/));
  await writeFile(join(dir, 'a-file'), 'x');
  await assert.rejects(loadProtocolBook(join(dir, 'a-file')), fails('BAD_INPUT', /not a directory: .*a-file$/));

  const versionDir = join(dir, 'set', 'test-pd', '2026-01-01');
  await mkdir(versionDir, { recursive: true });
  await writeFile(join(versionDir, 'rules.cedar'), PERMIT_ALL_DANGER);
  await assert.rejects(loadProtocolBook(join(dir, 'set')), fails('POLICY_INVALID', /2026-01-01\/protocol.yaml:1: missing manifest/));

  await writeFile(join(versionDir, 'protocol.yaml'), manifestText());
  await writeFile(join(versionDir, 'README.md'), 'ignored');
  await mkdir(join(dir, 'set', '.git'));
  const book = await loadProtocolBook(join(dir, 'set'));
  assert.equal(book.agencies.get('test-pd')?.[0]?.policies.length, 1);

  await mkdir(join(versionDir, 'more'));
  await assert.rejects(loadProtocolBook(join(dir, 'set')), fails('POLICY_INVALID', /more:1: unexpected directory/));
  await rm(join(versionDir, 'more'), { recursive: true });

  await mkdir(join(dir, 'set', 'bad name'));
  await assert.rejects(loadProtocolBook(join(dir, 'set')), fails('POLICY_INVALID', /bad name:1: agency directory name must use/));
});

test('size limits: a policy file, a manifest or a tests file over 1 MiB is refused, naming the file, its size and the limit', async (t) => {
  const dir = await tempDir(t);
  const versionDir = await writeVersion(dir);
  const big = join(versionDir, 'big.cedar');
  await writeFile(big, '');
  await truncate(big, 1024 * 1024 + 1);
  await assert.rejects(
    loadProtocolBook(dir),
    fails('BAD_INPUT', new RegExp(`^cannot read policy file ${big}: 1,048,577 bytes \\(1\\.0 MiB\\) is larger than the limit of 1,048,576 bytes \\(1 MiB\\)$`)),
  );
  await rm(big);
  await truncate(join(versionDir, 'protocol.yaml'), 2 * 1024 * 1024);
  await assert.rejects(loadProtocolBook(dir), fails('BAD_INPUT', /^cannot read protocol manifest .*protocol.yaml: 2,097,152 bytes/));
  await writeFile(join(versionDir, 'protocol.yaml'), manifestText());
  const tests = join(dir, 'test-pd', 'tests.yaml');
  await writeFile(tests, '');
  await truncate(tests, 5 * 1024 * 1024);
  await assert.rejects(
    runProtocolTests(dir),
    fails('BAD_INPUT', /^cannot read protocol tests .*tests.yaml: 5,242,880 bytes \(5 MiB\) is larger than the limit/),
  );
});

test('runProtocolTests: the demo passes, with no warnings; every tests.yaml is found', async () => {
  const run = await runProtocolTests(POLICIES_DIR);
  assert.equal(
    run.failed,
    0,
    JSON.stringify(
      run.results.filter((r) => !r.passed),
      null,
      2,
    ),
  );
  assert.ok(run.passed >= 25);
  assert.ok(run.results.some((r) => r.file.endsWith(join('fed-ice', 'tests.yaml'))));
  assert.deepEqual(run.warnings, []);
  assert.deepEqual(
    (await readProtocolTestFiles(POLICIES_DIR)).map((f) => f.path),
    [join(POLICIES_DIR, 'city-pd', 'tests.yaml'), join(POLICIES_DIR, 'fed-ice', 'tests.yaml')],
  );
});

test('runProtocolTests: a failing case is reported from its file; the warnings of every version come with the results', async (t) => {
  const dir = await tempDir(t);
  await cp(join(POLICIES_DIR, 'fed-ice'), join(dir, 'fed-ice'), { recursive: true });
  const never = '@id("FOD-X") @cite("x")\npermit (principal, action, resource == Agency::"city-pd");\n';
  await writeFile(join(dir, 'fed-ice', '2026-01-01', 'zz-never.cedar'), never);
  await writeFile(
    join(dir, 'fed-ice', 'tests.yaml'),
    [
      'cases:',
      '  - name: wrong on purpose',
      '    at: "2026-03-14T21:05:00Z"',
      '    request: { id: r, from: { id: city-pd, kind: local }, to: { id: fed-ice, kind: federal }, category: officer_in_danger, urgency: immediate, operation: criminal_enforcement, officer_in_danger: true, requested_units: 1 }',
      '    expect: { decision: prohibited, clauses: ["FOD-11-2(3)(a)"], version: fed-ice/2026-01-01 }',
      '',
    ].join('\n'),
  );
  const run = await runProtocolTests(dir);
  assert.equal(run.failed, 1);
  assert.equal(run.results[0]?.file, join(dir, 'fed-ice', 'tests.yaml'));
  assert.deepEqual(run.results[0]?.failures, ['decision: expected prohibited, got permitted']);
  assert.deepEqual(run.warnings, [
    {
      file: join(dir, 'fed-ice', '2026-01-01', 'zz-never.cedar'),
      line: 2,
      clause: 'FOD-X',
      message: 'resource == Agency::"city-pd" never matches: the resource is always the deciding agency, Agency::"fed-ice", whose protocols these are',
    },
  ]);
});

test('checkRequestFile: the request file, the book and the clock', async (t) => {
  const perimeter = await checkRequestFile(POLICIES_DIR, join(REQUESTS_DIR, 'perimeter-for-ice.yaml'));
  assert.equal(perimeter.verdict.decision, 'prohibited');
  assert.deepEqual(perimeter.warnings, []);
  const dir = await tempDir(t);
  const undated = join(dir, 'undated.yaml');
  await writeFile(
    undated,
    'id: r\nfrom: { id: fed-ice, kind: federal }\nto: { id: city-pd, kind: local }\ncategory: medical\nurgency: routine\noperation: other\nofficer_in_danger: false\nrequested_units: 1\n',
  );
  const clock = (): number => Date.parse('2025-06-01T12:00:00Z');
  const v = (await checkRequestFile(POLICIES_DIR, undated, undefined, clock)).verdict;
  assert.equal(v.evaluatedAt, '2025-06-01T12:00:00.000Z');
  assert.equal(v.policyVersion, 'city-pd/2025-01-01');
  await assert.rejects(checkRequestFile(POLICIES_DIR, join(dir, 'nope.yaml')), fails('NOT_FOUND', /cannot read request .*nope.yaml: no such file/));
  const big = join(dir, 'big.yaml');
  await writeFile(big, '');
  await truncate(big, 3 * 1024 * 1024);
  await assert.rejects(
    checkRequestFile(POLICIES_DIR, big),
    fails('BAD_INPUT', /^cannot read request .*big.yaml: 3,145,728 bytes \(3 MiB\) is larger than the limit of 1,048,576 bytes \(1 MiB\)$/),
  );
  const bomb = join(dir, 'bomb.yaml');
  await writeFile(bomb, `${BILLION_LAUGHS}id: *i\n`);
  await assert.rejects(checkRequestFile(POLICIES_DIR, bomb), fails('BAD_INPUT', /bomb.yaml:\d+: refused: aliases here expand/));
  // the request is checked before the protocols load: a bad request is reported even with no protocols
  await assert.rejects(checkRequestFile(join(dir, 'no-policies'), bomb), fails('BAD_INPUT', /bomb.yaml/));
});

test('checkRequestFile: an information request, its legal basis read as facts', async (t) => {
  const records = await checkRequestFile(POLICIES_DIR, join(REQUESTS_DIR, 'records-for-ice.yaml'));
  assert.equal(records.verdict.decision, 'prohibited');
  assert.deepEqual(
    records.verdict.clauses.map((c) => c.id),
    ['2-173-025'],
  );
  // the same request under a judge's warrant
  const dir = await tempDir(t);
  const judicial = join(dir, 'judicial.yaml');
  const text = await readFile(join(REQUESTS_DIR, 'records-for-ice.yaml'), 'utf8');
  await writeFile(judicial, text.replace('{ kind: administrative, reference: I-200 2026-4471 }', '{ kind: judicial, reference: 26-CR-0412 }'));
  const permitted = await checkRequestFile(POLICIES_DIR, judicial);
  assert.equal(permitted.verdict.decision, 'permitted');
  assert.deepEqual(
    permitted.verdict.clauses.map((c) => c.id),
    ['2-173-025'],
  );
  // a warrant of a kind that does not exist is a bad file, named at its line
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, text.replace('kind: administrative', 'kind: verbal'));
  await assert.rejects(checkRequestFile(POLICIES_DIR, bad), fails('BAD_INPUT', /bad.yaml:\d+: legal_basis\.warrant\.kind/));
});
