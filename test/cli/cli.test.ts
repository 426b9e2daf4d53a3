/**
 * The `concord` command line: help, exit codes (0 ok, 1 verification
 * failed, 2 bad usage or input, 3 an unusable node: test/cli/exit-codes.test.ts)
 * with a one-line reason, append semantics
 * from a file and from stdin, JSON output, the signer key never shown, and
 * progress only on a terminal. Most runs are in-process through runCli; the
 * stdin and exit-code cases also run the real bin/concord.js.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { MAX_ENTRY_BYTES } from '../../src/ledger/entry.ts';
import { leafHash } from '../../src/ledger/merkle/hash.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/merkle/verify.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { allOutputs, cli, isOneLine, spawnCli } from '../helpers/cli.ts';
import { tempRoot, withDb } from '../helpers/data-dir.ts';

const root = tempRoot('concord-cli-');
after(() => root.cleanup());

let dirs = 0;
function freshPath(name = 'node'): string {
  return join(root.path, `${name}-${dirs++}`);
}

async function initDir(): Promise<string> {
  const dir = freshPath();
  const r = await cli(['init', '--data', dir, '--origin', 'concord.cli.example/ledger']);
  assert.equal(r.code, 0, r.stderr);
  return dir;
}

function sizeOf(dir: string): number {
  return withDb(dir, (db) => (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n);
}

function line(i: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'note.recorded',
    actor: { agency: 'city-pd', person: 'p-1' },
    body: { n: i, phone: `555-${i}` },
    sealed: ['/phone'],
    ...extra,
  });
}

function writeLines(name: string, lines: string[]): string {
  const p = join(root.path, name);
  writeFileSync(p, lines.map((l) => `${l}\n`).join(''));
  return p;
}

/** an exit-2 result: the one-line reason matches `reason`, nothing on stdout */
function usageError(r: { code: number; stdout: string; stderr: string }, reason: RegExp, what: string): void {
  assert.equal(r.code, 2, `${what}: exit code (stderr: ${r.stderr})`);
  assert.ok(isOneLine(r.stderr), `${what}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, reason, what);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
}

/** an exit-3 result: the node's own files cannot be used; one-line reason, nothing on stdout */
function unusableError(r: { code: number; stdout: string; stderr: string }, reason: RegExp, what: string): void {
  assert.equal(r.code, 3, `${what}: exit code (stderr: ${r.stderr})`);
  assert.ok(isOneLine(r.stderr), `${what}: one line on stderr, got ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, reason, what);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
}

describe('help and usage', () => {
  it('concord, concord --help, -h and help print the command list', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const r = await cli(argv);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: concord <command>/);
      for (const c of COMMANDS) assert.ok(r.stdout.includes(c.path.join(' ')), `lists ${c.path.join(' ')}`);
      assert.equal(r.stderr, '');
    }
  });

  it('every command has --help and -h: exit 0, a Usage line naming the command', async () => {
    assert.ok(COMMANDS.length >= 7);
    for (const c of COMMANDS) {
      for (const h of ['--help', '-h']) {
        const r = await cli([...c.path, h]);
        assert.equal(r.code, 0, `${c.path.join(' ')} ${h}`);
        assert.match(r.stdout, new RegExp(`Usage: concord ${c.path.join(' ')}`), c.path.join(' '));
        assert.equal(r.stderr, '');
      }
      // --help wins over anything else on the line
      assert.equal((await cli([...c.path, '--bogus', '--help'])).code, 0);
    }
  });

  it('an unknown command exits 2 with a one-line reason', async () => {
    usageError(await cli(['frobnicate']), /unknown command "frobnicate"/, 'unknown');
    usageError(await cli(['--frobnicate']), /unknown command/, 'a flag as command');
    usageError(await cli(['proof']), /"proof" is not a command; try: proof inclusion, proof consistency/, 'group only');
    usageError(await cli(['proof', 'bogus']), /"proof bogus" is not a command/, 'group with a wrong word');
    usageError(await cli(['export']), /try: export bundle/, 'export alone');
  });

  it('an unknown flag, a missing argument or a bad value exits 2 with a one-line reason, for every command', async () => {
    for (const c of COMMANDS) {
      usageError(await cli([...c.path, '--bogus-flag']), /bogus-flag/, `${c.path.join(' ')} --bogus-flag`);
      usageError(await cli([...c.path]), /required|missing argument/, `${c.path.join(' ')} with nothing`);
    }
    const dir = await initDir();
    usageError(await cli(['proof', 'inclusion', '--data', dir, '--index', 'abc']), /--index must be a non-negative integer/, '--index abc');
    usageError(await cli(['proof', 'inclusion', '--data', dir, '--index', '-1']), /./, '--index -1');
    usageError(await cli(['proof', 'inclusion', '--data', dir, '--index', '01']), /--index must be/, '--index 01');
    usageError(await cli(['proof', 'consistency', '--data', dir, '--from', '1.5']), /--from must be/, '--from 1.5');
    usageError(await cli(['export', 'bundle', '--data', dir, '--out', freshPath('b'), '--all', '--indexes', '0']), /exactly one of/, 'both selections');
    usageError(await cli(['export', 'bundle', '--data', dir, '--out', freshPath('b')]), /exactly one of/, 'no selection');
    usageError(await cli(['export', 'bundle', '--data', dir, '--out', freshPath('b'), '--indexes', '0,x']), /--indexes must be/, 'a bad index list');
    usageError(await cli(['verify', dir, dir]), /unexpected argument/, 'two paths');
    usageError(await cli(['verify', dir, '--key', 'not-a-key']), /verifier key/, 'a malformed --key');
    usageError(await cli(['init', '--data', freshPath(), '--origin', 'has space']), /origin/, 'a bad origin');
    usageError(await cli(['append', '--data', freshPath('nothing'), '--ndjson', '-']), /not a Concord data directory/, 'append to no node');
    usageError(await cli(['checkpoint', '--data', freshPath('nothing')]), /not a Concord data directory/, 'checkpoint of no node');
  });
});

describe('init', () => {
  it('creates keys (0600, in a 0700 directory), a database and a first checkpoint; --json parses', async () => {
    const dir = freshPath();
    const r = await cli(['init', '--data', dir, '--origin', 'concord.cli.example/ledger', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { data: string; origin: string; verifier_key: string; checkpoint: string };
    assert.equal(out.origin, 'concord.cli.example/ledger');
    assert.equal(out.verifier_key, readFileSync(join(dir, 'keys', 'log.pub'), 'utf8').trim());
    const cp = openCheckpoint(out.checkpoint, [parseVerifierKey(out.verifier_key)]).checkpoint;
    assert.equal(cp.size, 0);
    assert.equal(statSync(join(dir, 'keys', 'log.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'keys')).mode & 0o777, 0o700);
    const v = await cli(['verify', dir]);
    assert.equal(v.code, 0, v.stdout);
  });

  it('init twice on the same directory exits 2 and changes nothing', async () => {
    const dir = await initDir();
    const key = readFileSync(join(dir, 'keys', 'log.key'), 'utf8');
    usageError(await cli(['init', '--data', dir]), /already holds a Concord node/, 'second init');
    usageError(await cli(['init', '--data', dir, '--origin', 'concord.cli.example/ledger']), /already/, 'second init, same origin');
    assert.equal(readFileSync(join(dir, 'keys', 'log.key'), 'utf8'), key, 'the key was not replaced');
  });

  it('a default origin is chosen when none is given', async () => {
    const r = await cli(['init', '--data', freshPath()]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /origin: +concord\.local\/log-[0-9a-f]{8}/);
  });
});

describe('append', () => {
  it('appends from a file, printing each index; --json prints one object per entry', async () => {
    const dir = await initDir();
    const file = writeLines('three.ndjson', [line(0), '', line(1), line(2)]);
    const r = await cli(['append', '--data', dir, '--ndjson', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '0\n1\n2\n');
    assert.equal(r.stderr, '');
    const j = await cli(['append', '--data', dir, '--ndjson', file, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const acks = j.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; index: number; received: string });
    assert.deepEqual(
      acks.map((a) => [a.line, a.index]),
      [
        [1, 3],
        [3, 4],
        [4, 5],
      ],
    );
    for (const a of acks) assert.match(a.received, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(sizeOf(dir), 6);
  });

  it('a bad line in a FILE exits 2 naming its line number, and nothing at all is written', async () => {
    const dir = await initDir();
    await cli(['append', '--data', dir, '--ndjson', writeLines('one.ndjson', [line(0)])]);
    const cases: Array<[string[], RegExp, string]> = [
      [[line(1), line(2), '{"type":'], /line 3: not valid JSON/, 'broken JSON'],
      [[line(1), '', JSON.stringify({ type: 'Bad Type', actor: { agency: 'a' }, body: {} })], /line 3: type must be/, 'a bad type after a blank line'],
      [[line(1), line(2, { actor: {} })], /line 2: actor\.agency/, 'no agency'],
      [[line(1), line(2, { sealed: ['/nope'] })], /line 2: sealed: \/nope does not exist/, 'a bad sealed pointer'],
      [[line(1), '[1,2]'], /line 2: an entry must be a JSON object/, 'an array'],
      [[line(1), '{"type":"a","actor":{"agency":"a"},"body":{"x":1e400}}'], /line 2: /, 'a number JSON cannot hold'],
      [[line(1), '{"type":"a","actor":{"agency":"a"},"body":{"x":"\\ud800"}}'], /line 2: .*surrogate/i, 'a lone surrogate'],
      // passes every field check but is over MAX_ENTRY_BYTES once built: still refused up front
      [[line(1), line(2, { body: { s: 'x'.repeat(MAX_ENTRY_BYTES) }, sealed: [] }), line(3)], /line 2: entry is larger than/, 'an entry too large'],
    ];
    for (const [lines, reason, what] of cases) {
      const r = await cli(['append', '--data', dir, '--ndjson', writeLines('bad.ndjson', lines)]);
      usageError(r, reason, what);
      assert.equal(sizeOf(dir), 1, `${what}: nothing written`);
    }
    usageError(
      await cli(['append', '--data', dir, '--ndjson', join(root.path, 'no-such.ndjson')]),
      /no-such\.ndjson: no such file or directory/,
      'a missing file',
    );
    usageError(await cli(['append', '--data', dir, '--ndjson', root.path]), /: is a directory, not a file/, 'a directory');
    assert.equal(sizeOf(dir), 1, 'a file that cannot be read: nothing written');
    assert.equal((await cli(['verify', dir])).code, 0);
  });

  it('from stdin (the real bin): lines before a bad line are stored and printed; the bad line and what follows are not', async () => {
    const dir = await initDir();
    await cli(['append', '--data', dir, '--ndjson', writeLines('two.ndjson', [line(0), line(1)])]);
    const input = [line(2), line(3), line(4), '{"type":"note.recorded","actor":{"agency":"city-pd"},"body":{"n":"bad"},"oops":1}', line(6)].join('\n');
    const r = await spawnCli(['append', '--data', dir, '--ndjson', '-'], `${input}\n`);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '2\n3\n4\n');
    assert.ok(isOneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /line 4: "oops" is not a known field/);
    assert.equal(sizeOf(dir), 5);
    const texts = withDb(dir, (db) =>
      db
        .prepare<[], { text: string }>('SELECT text FROM entries ORDER BY idx')
        .all()
        .map((x) => x.text),
    );
    assert.ok(!texts.some((t) => t.includes('"bad"')), 'nothing of the bad line was written');
    assert.equal((await cli(['verify', dir])).code, 0);
    // good input through stdin, in-process, exits 0
    const ok = await cli(['append', '--data', dir, '--ndjson', '-', '--json'], { stdin: `${line(7)}\n${line(8)}\n` });
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(
      ok.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { index: number }).index),
      [5, 6],
    );
  });
});

describe('checkpoint, proofs, export, verify', () => {
  let dir: string;
  let vkey: string;
  before(async () => {
    dir = await initDir();
    vkey = readFileSync(join(dir, 'keys', 'log.pub'), 'utf8').trim();
    const r = await cli([
      'append',
      '--data',
      dir,
      '--ndjson',
      writeLines(
        'ten.ndjson',
        Array.from({ length: 10 }, (_, i) => line(i)),
      ),
    ]);
    assert.equal(r.code, 0, r.stderr);
  });

  it('checkpoint prints the signed note; --json parses and agrees with it', async () => {
    const r = await cli(['checkpoint', '--data', dir]);
    assert.equal(r.code, 0, r.stderr);
    const cp = openCheckpoint(r.stdout, [parseVerifierKey(vkey)]).checkpoint;
    assert.equal(cp.size, 10);
    const j = JSON.parse((await cli(['checkpoint', '--data', dir, '--json'])).stdout) as { origin: string; size: number; root: string; note: string };
    assert.deepEqual([j.origin, j.size, j.root, j.note], [cp.origin, 10, cp.root.toString('base64'), r.stdout]);
  });

  it('proof inclusion and consistency: --json parses and the proofs verify; out of range exits 2', async () => {
    const inc = JSON.parse((await cli(['proof', 'inclusion', '--data', dir, '--index', '3', '--json'])).stdout) as {
      index: number;
      size: number;
      leaf_hash: string;
      root: string;
      inclusion_proof: string[];
    };
    const text = withDb(dir, (db) => (db.prepare('SELECT text FROM entries WHERE idx = 3').get() as { text: string }).text);
    assert.equal(inc.leaf_hash, leafHash(Buffer.from(text, 'utf8')).toString('base64'));
    const b = (s: string): Buffer => Buffer.from(s, 'base64');
    verifyInclusion(b(inc.leaf_hash), inc.index, inc.size, inc.inclusion_proof.map(b), b(inc.root));
    const older = await cli(['proof', 'inclusion', '--data', dir, '--index', '3', '--size', '4']);
    assert.equal(older.code, 0);
    assert.match(older.stdout, /^index 3\nsize 4\nleaf /);
    const con = JSON.parse((await cli(['proof', 'consistency', '--data', dir, '--from', '4', '--to', '10', '--json'])).stdout) as {
      from: number;
      to: number;
      from_root: string;
      to_root: string;
      consistency_proof: string[];
    };
    verifyConsistency(con.from, con.to, con.consistency_proof.map(b), b(con.from_root), b(con.to_root));
    assert.equal((await cli(['proof', 'consistency', '--data', dir, '--from', '4'])).code, 0);

    usageError(await cli(['proof', 'inclusion', '--data', dir, '--index', '10']), /index 10 is not in a tree of 10 entries/, 'index = size');
    usageError(await cli(['proof', 'inclusion', '--data', dir, '--index', '999999']), /not in a tree/, 'far out');
    usageError(await cli(['proof', 'inclusion', '--data', dir, '--index', '3', '--size', '3']), /not in a tree of 3/, 'index beyond --size');
    usageError(await cli(['proof', 'inclusion', '--data', dir, '--index', '0', '--size', '11']), /tree size 11/, '--size beyond the log');
    usageError(
      await cli(['proof', 'consistency', '--data', dir, '--from', '5', '--to', '4']),
      /older tree size 5 must be between 1 and the newer size 4/,
      'from > to',
    );
    usageError(await cli(['proof', 'consistency', '--data', dir, '--from', '1', '--to', '11']), /tree size 11/, 'to beyond the log');
  });

  it('export bundle: --json parses, the file verifies; an index out of range exits 2 and writes nothing', async () => {
    const out = join(root.path, 'cli-bundle.json');
    const r = await cli(['export', 'bundle', '--data', dir, '--out', out, '--indexes', '1,3', '--history', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { out, entries: 2, checkpoint_size: 10 });
    const v = await cli(['verify', out, '--key', vkey, '--json']);
    assert.equal(v.code, 0);
    const report = JSON.parse(v.stdout) as { ok: boolean; kind: string; entries_checked: number };
    assert.deepEqual([report.ok, report.kind, report.entries_checked], [true, 'bundle', 2]);
    const missing = join(root.path, 'never.json');
    usageError(await cli(['export', 'bundle', '--data', dir, '--out', missing, '--indexes', '10']), /index 10 is not in the log/, 'index out of range');
    assert.throws(() => statSync(missing));
  });

  it('verify: a missing path or a plain directory exits 2; a file that is no bundle exits 1; --json parses both ways', async () => {
    usageError(await cli(['verify', join(root.path, 'no-such-thing')]), /cannot read/, 'missing path');
    const plain = freshPath('plain');
    mkdirSync(plain);
    usageError(await cli(['verify', plain]), /not a Concord data directory/, 'plain directory');
    usageError(await cli(['verify', dir, '--checkpoint', join(root.path, 'no-such.checkpoint')]), /cannot read --checkpoint/, 'missing --checkpoint file');
    const junk = join(root.path, 'junk.txt');
    writeFileSync(junk, 'hello\n');
    const j = await cli(['verify', junk]);
    assert.equal(j.code, 1);
    assert.match(j.stdout, /^FAILED bundle: bundle: is not valid JSON/);
    assert.equal(j.stdout.trimEnd().split('\n').length, 1, `one line, though the parser quoted the newline in the file: ${j.stdout}`);
    const ok = JSON.parse((await cli(['verify', dir, '--json'])).stdout) as { ok: boolean; entries_checked: number; size: number };
    assert.deepEqual([ok.ok, ok.entries_checked, ok.size], [true, 10, 10]);
    const bad = await cli(['verify', junk, '--json']);
    assert.equal(bad.code, 1);
    assert.equal((JSON.parse(bad.stdout) as { ok: boolean }).ok, false);
  });

  it('the real bin gives the same exit codes: 0, 1 and 2', async () => {
    const junk = join(root.path, 'junk2.txt');
    writeFileSync(junk, '{}\n');
    const [ok, failed, usage] = await Promise.all([spawnCli(['verify', dir]), spawnCli(['verify', junk]), spawnCli(['verify'])]);
    assert.deepEqual([ok.code, failed.code, usage.code], [0, 1, 2], `${ok.stderr}${failed.stderr}${usage.stderr}`);
    assert.ok(isOneLine(usage.stderr));
  });
});

describe('the signer key', () => {
  it('is never printed: every command, its errors and its JSON, in-process and through the real bin', async () => {
    const dir = await initDir();
    const key = readFileSync(join(dir, 'keys', 'log.key'), 'utf8').trim();
    assert.match(key, /^PRIVATE\+KEY\+/);
    // PRIVATE+KEY+<name>+<key id>+<base64>: the base64 may itself hold '+', so take all after the fourth
    const material = key.split('+').slice(4).join('+');
    assert.equal(material.length, 44, 'base64 of 0x01 || a 32-byte seed');
    const file = writeLines('secret-lines.ndjson', [line(0), line(1)]);
    const bundle = join(root.path, 'secret-bundle.json');
    const runs: string[][] = [
      ['append', '--data', dir, '--ndjson', file],
      ['append', '--data', dir, '--ndjson', file, '--json'],
      ['append', '--data', dir, '--ndjson', writeLines('secret-bad.ndjson', ['{'])],
      ['checkpoint', '--data', dir],
      ['checkpoint', '--data', dir, '--json'],
      ['proof', 'inclusion', '--data', dir, '--index', '1', '--json'],
      ['proof', 'inclusion', '--data', dir, '--index', '99'],
      ['proof', 'consistency', '--data', dir, '--from', '1', '--json'],
      ['export', 'bundle', '--data', dir, '--out', bundle, '--all', '--history', '--json'],
      ['verify', dir],
      ['verify', dir, '--json'],
      ['verify', bundle, '--json'],
      ['verify', dir, '--key', key],
      ['verify', dir, '--checkpoint', join(dir, 'keys', 'log.key')],
      ['verify', join(dir, 'keys', 'log.key')],
      ['init', '--data', dir],
      ['state', '--data', dir, '--incident', 'inc-1'],
      ['state', '--data', dir, '--incident', 'inc-1', '--json'],
      ...COMMANDS.map((c) => [...c.path, '--help']),
      ...COMMANDS.map((c) => [...c.path, '--data', dir, '--bogus']),
    ];
    for (const argv of runs) await cli(argv);
    const spawned = await Promise.all([spawnCli(['checkpoint', '--data', dir]), spawnCli(['append', '--data', dir, '--ndjson', '-'], `${line(9)}\n{\n`)]);
    assert.equal(spawned[1].code, 2);
    // a key file that is readable by others, or damaged, is refused without echoing it (exit 3: the node's own files)
    chmodSync(join(dir, 'keys', 'log.key'), 0o644);
    unusableError(await cli(['checkpoint', '--data', dir]), /readable by others/, 'mode 0644');
    chmodSync(join(dir, 'keys', 'log.key'), 0o600);
    writeFileSync(join(dir, 'keys', 'log.key'), `${key.slice(0, -3)}!!!\n`, { mode: 0o600 });
    unusableError(await cli(['checkpoint', '--data', dir]), /does not hold a valid signer key/, 'a damaged key');
    assert.ok(allOutputs.length > runs.length * 2);
    for (const out of allOutputs) {
      assert.ok(!out.includes('PRIVATE+KEY'), `an output shows a signer key: ${out.slice(0, 200)}`);
      assert.ok(!out.includes(material), 'an output shows the key material');
      assert.ok(!out.includes(material.slice(0, -4)), 'an output shows most of the key material');
    }
  });
});

describe('progress output', () => {
  const many = (): string =>
    writeLines(
      'many.ndjson',
      Array.from({ length: 3000 }, (_, i) => line(i)),
    );

  it('append and verify stay quiet on stderr when it is not a terminal, or with --json', async () => {
    const dir = await initDir();
    const file = many();
    const a = await cli(['append', '--data', dir, '--ndjson', file], { tty: false });
    assert.equal(a.code, 0);
    assert.equal(a.stderr, '');
    assert.equal(a.stdout.split('\n').length, 3001);
    const v = await cli(['verify', dir], { tty: false });
    assert.equal(v.stderr, '');
    const tj = await cli(['append', '--data', dir, '--ndjson', file, '--json'], { tty: true });
    assert.equal(tj.code, 0);
    assert.equal(tj.stderr, '');
    const vj = await cli(['verify', dir, '--json'], { tty: true });
    assert.equal(vj.stderr, '');
    // the real bin, whose stderr is a pipe
    const s = await spawnCli(['verify', dir]);
    assert.equal(s.code, 0);
    assert.equal(s.stderr, '');
  });

  it('on a terminal, append and verify show progress on stderr (and nothing of it on stdout)', async () => {
    const dir = await initDir();
    const a = await cli(['append', '--data', dir, '--ndjson', many()], { tty: true });
    assert.equal(a.code, 0);
    assert.match(a.stderr, /\rappended: [\d,]+/);
    assert.match(a.stderr, /3000 entries stored\n$/);
    assert.ok(!a.stdout.includes('appended'), 'progress is not mixed into the indexes');
    const v = await cli(['verify', dir], { tty: true });
    assert.equal(v.code, 0);
    assert.match(v.stderr, /\rverified: 3,000 of 3,000 \(100%\)/);
  });
});
