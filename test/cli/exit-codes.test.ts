/**
 * Exit codes for data directories, for every command that takes one: 2 when
 * the path named is no Concord data directory at all (the user named the
 * wrong thing), 3 when it is a node whose own files cannot be used (broken
 * concord.json, keys missing or unreadable, a database that cannot be
 * opened or is corrupt), each with a one-line reason naming the file; and
 * the command changes nothing. verify answers 1 where it can read the
 * ledger and finds it wrong, which is its job.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { EXIT_CODES_SENTENCE } from '../../src/cli/exit-codes.ts';
import { generateSigner } from '../../src/ledger/note.ts';
import { cli, isOneLine } from '../helpers/cli.ts';
import { copyDir, tempRoot, tileKey, withDb } from '../helpers/data-dir.ts';

const root = tempRoot('concord-exit-');
after(() => root.cleanup());
let n = 0;
const fresh = (name: string): string => join(root.path, `${name}-${n++}`);

let template: string;
let ndjson: string;
before(async () => {
  template = fresh('template');
  assert.equal((await cli(['init', '--data', template, '--origin', 'concord.exit.example/ledger'])).code, 0);
  ndjson = join(root.path, 'lines.ndjson');
  // 300 entries: a full tile 0/0, so a missing tile is a corrupt ledger the store refuses to open
  writeFileSync(ndjson, Array.from({ length: 300 }, (_, i) => `{"type":"note.recorded","actor":{"agency":"city-pd"},"body":{"n":${i}}}\n`).join(''));
  assert.equal((await cli(['append', '--data', template, '--ndjson', ndjson])).code, 0);
});

/** every command that takes a data directory, run against `dir` */
function commandsOn(dir: string): Array<{ name: string; argv: string[]; needsSigner: boolean }> {
  return [
    { name: 'state', argv: ['state', '--data', dir, '--incident', 'inc-1'], needsSigner: true },
    { name: 'checkpoint', argv: ['checkpoint', '--data', dir], needsSigner: true },
    { name: 'proof inclusion', argv: ['proof', 'inclusion', '--data', dir, '--index', '0'], needsSigner: true },
    { name: 'proof consistency', argv: ['proof', 'consistency', '--data', dir, '--from', '1'], needsSigner: true },
    { name: 'export bundle', argv: ['export', 'bundle', '--data', dir, '--all', '--out', join(root.path, `out-${n++}.json`)], needsSigner: true },
    { name: 'append', argv: ['append', '--data', dir, '--ndjson', ndjson], needsSigner: true },
    { name: 'scenario run', argv: ['scenario', 'run', 'scenarios/demo.yaml', '--data', dir], needsSigner: true },
    { name: 'verify', argv: ['verify', dir], needsSigner: false },
  ];
}

function entriesIn(dir: string): number | undefined {
  try {
    return withDb(dir, (db) => (db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n);
  } catch {
    return undefined;
  }
}

const isRoot = process.getuid?.() === 0;

/** the ways a node's own files break, and what verify answers for each (the other commands exit 3) */
const BREAKAGES: Array<{ what: string; names: RegExp; verify: 0 | 1 | 3; skip?: boolean; apply: (dir: string) => void }> = [
  {
    what: 'concord.json is not JSON',
    names: /concord\.json is broken: not valid JSON/,
    verify: 3,
    apply: (d) => writeFileSync(join(d, 'concord.json'), '{"format":1,"origin":'),
  },
  {
    what: 'concord.json names its origin twice',
    names: /concord\.json is broken: origin: appears twice/,
    verify: 3,
    apply: (d) => writeFileSync(join(d, 'concord.json'), '{"format":1,"origin":"concord.exit.example/ledger","origin":"other.example/log"}'),
  },
  {
    what: 'concord.json has no origin',
    names: /concord\.json is broken: it has no origin/,
    verify: 3,
    apply: (d) => writeFileSync(join(d, 'concord.json'), '{"format":1}'),
  },
  {
    what: 'concord.json has another format',
    names: /concord\.json says format 2; this Concord reads format 1/,
    verify: 3,
    apply: (d) => writeFileSync(join(d, 'concord.json'), '{"format":2,"origin":"concord.exit.example/ledger"}'),
  },
  {
    what: 'concord.json is a directory',
    names: /concord\.json cannot be read: is a directory/,
    verify: 3,
    apply: (d) => {
      rmSync(join(d, 'concord.json'));
      mkdirSync(join(d, 'concord.json'));
    },
  },
  {
    what: 'concord.json cannot be read (permission)',
    names: /concord\.json cannot be read: permission denied/,
    verify: 3,
    skip: isRoot,
    apply: (d) => chmodSync(join(d, 'concord.json'), 0o000),
  },
  { what: 'keys/log.pub is missing', names: /log\.pub cannot be read: no such file or directory/, verify: 3, apply: (d) => rmSync(join(d, 'keys', 'log.pub')) },
  {
    what: 'keys/log.pub is not a key',
    names: /log\.pub does not hold a verifier key/,
    verify: 3,
    apply: (d) => writeFileSync(join(d, 'keys', 'log.pub'), 'not a key\n'),
  },
  {
    what: "keys/log.pub is another log's key",
    names: /log\.pub is for "other\.example\/log", not this log's origin/,
    verify: 3,
    apply: (d) => writeFileSync(join(d, 'keys', 'log.pub'), `${generateSigner('other.example/log').verifierKey}\n`),
  },
  {
    what: 'keys/log.key is missing',
    names: /log\.key is missing: this node cannot sign checkpoints/,
    verify: 0,
    apply: (d) => rmSync(join(d, 'keys', 'log.key')),
  },
  {
    what: 'keys/log.key is readable by others',
    names: /log\.key is readable by others \(mode 644\)/,
    verify: 0,
    apply: (d) => chmodSync(join(d, 'keys', 'log.key'), 0o644),
  },
  {
    what: 'keys/log.key is not a key',
    names: /log\.key does not hold a valid signer key/,
    verify: 0,
    apply: (d) => writeFileSync(join(d, 'keys', 'log.key'), 'garbage\n', { mode: 0o600 }),
  },
  {
    what: "keys/log.key is another log's key",
    names: /log\.key does not match keys\/log\.pub/,
    verify: 0,
    apply: (d) => writeFileSync(join(d, 'keys', 'log.key'), `${generateSigner('concord.exit.example/ledger').signerKey}\n`, { mode: 0o600 }),
  },
  {
    what: 'ledger.db is a directory',
    names: /ledger\.db cannot be opened: it is not a file/,
    verify: 3,
    apply: (d) => {
      rmSync(join(d, 'ledger.db'));
      mkdirSync(join(d, 'ledger.db'));
    },
  },
  {
    what: 'ledger.db cannot be read (permission)',
    names: /ledger\.db cannot be opened: permission denied/,
    verify: 3,
    skip: isRoot,
    apply: (d) => chmodSync(join(d, 'ledger.db'), 0o000),
  },
  {
    what: 'ledger.db is not a database',
    names: /ledger\.db|not a database/,
    verify: 1,
    apply: (d) => writeFileSync(join(d, 'ledger.db'), Buffer.alloc(8192, 0x5a)),
  },
  {
    what: 'the ledger misses a tile (corrupt)',
    names: /tile 0\/0 is missing/,
    verify: 1,
    apply: (d) => withDb(d, (db) => db.prepare('DELETE FROM tiles WHERE tile_key = ?').run(tileKey(0, 0))),
  },
];

describe('a node whose own files cannot be used: exit 3 from every command, naming the file, changing nothing', () => {
  for (const b of BREAKAGES) {
    it(b.what, { skip: b.skip ? 'running as root: permissions do not stop root' : false }, async () => {
      const dir = copyDir(template, fresh('broken'));
      b.apply(dir);
      const before = entriesIn(dir);
      const keyBefore = readKey(dir);
      for (const c of commandsOn(dir)) {
        const r = await cli(c.argv);
        const expected = c.name === 'verify' ? b.verify : !c.needsSigner && b.verify === 0 ? 0 : 3;
        assert.equal(r.code, expected, `${c.name}: exit ${r.code}, expected ${expected}; stderr: ${r.stderr}; stdout: ${r.stdout.slice(0, 300)}`);
        if (expected === 3) {
          assert.ok(isOneLine(r.stderr), `${c.name}: one line, got ${JSON.stringify(r.stderr)}`);
          assert.match(r.stderr, b.names, `${c.name}: names the file and why`);
          assert.equal(r.stdout, '', `${c.name}: nothing on stdout`);
        }
        if (expected === 1) assert.match(r.stdout, /^FAILED data-dir/, `${c.name}: ${r.stdout}`);
        assert.equal(entriesIn(dir), before, `${c.name}: nothing appended`);
        assert.equal(readKey(dir), keyBefore, `${c.name}: the keys untouched`);
      }
    });
  }
});

function readKey(dir: string): string {
  try {
    return readFileSync(join(dir, 'keys', 'log.key'), 'utf8');
  } catch {
    return '(unreadable)';
  }
}

describe('a path that is not a data directory: exit 2 from every command', () => {
  it('nothing there, a file, a directory without concord.json', async () => {
    const file = join(root.path, 'a-file');
    writeFileSync(file, 'hello\n');
    const empty = fresh('empty');
    mkdirSync(empty);
    for (const [path, reason] of [
      [fresh('nothing'), /does not exist, so it is not a Concord data directory \(run: concord init/],
      [file, /is a file, not a Concord data directory/],
      [empty, /is not a Concord data directory \(run: concord init/],
    ] as Array<[string, RegExp]>) {
      for (const c of commandsOn(path)) {
        // scenario run makes a node of a new or empty directory; verify reads a file as a bundle (exit 1)
        if (c.name === 'scenario run' && path !== file) continue;
        if (c.name === 'verify') continue;
        const r = await cli(c.argv);
        assert.equal(r.code, 2, `${c.name} on ${path}: ${r.stderr}`);
        assert.ok(isOneLine(r.stderr), r.stderr);
        if (c.name !== 'scenario run') assert.match(r.stderr, reason, c.name);
      }
    }
    assert.equal((await cli(['verify', fresh('nothing')])).code, 2);
    assert.equal((await cli(['verify', empty])).code, 2);
  });
});

describe('the exit codes are said in every --help and in the README', () => {
  it("each command's --help has an exit codes paragraph; those that take a data directory say 2 for no node and 3 for an unusable one", async () => {
    for (const entry of COMMANDS) {
      const c = await entry.load();
      const r = await cli([...c.path, '--help']);
      assert.match(r.stdout, /\nExit codes: 0 /, c.path.join(' '));
      if ('data' in c.options && c.path[0] !== 'init')
        assert.match(r.stdout, /2 [^;]*not a Concord data\s+directory|2 [^;]*neither a data directory/, c.path.join(' '));
      if ('data' in c.options || c.path[0] === 'verify') assert.match(r.stdout, /; 3 /, c.path.join(' '));
    }
    assert.ok((await cli(['--help'])).stdout.includes(EXIT_CODES_SENTENCE));
    const readme = readFileSync('README.md', 'utf8').replace(/\s+/g, ' ');
    assert.match(
      readme,
      /exits 0 on success, 1 when a verification fails, 2 on bad usage or bad input \(a path that is not a data directory included\)[^.]*, 3 when the data directory is a node that cannot be used/,
    );
  });
});
