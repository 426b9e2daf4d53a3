/**
 * What verify reads beyond the hashed text, and how it meets a damaged or a
 * busy database: the columns stored beside each entry, every sealed value's
 * disclosure, values of the wrong type, corrupted pages (one line each,
 * never a crash), and a node appending while it reads (never a false alarm).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LedgerService } from '../../src/app/ledger.ts';
import { verifyDataDir } from '../../src/app/verify.ts';
import { cli } from '../helpers/cli.ts';
import { buildDataDir, copyDir, draftAt, tempRoot, withDb, type BuiltDir } from '../helpers/data-dir.ts';

const root = tempRoot('concord-verify-damage-');
after(() => root.cleanup());

const SIZE = 300;
let tpl: BuiltDir;
before(async () => {
  tpl = await buildDataDir(join(root.path, 'template'), SIZE, [100]);
});

let copies = 0;
function copy(): string {
  return copyDir(tpl.dir, join(root.path, `copy-${copies++}`));
}

async function problems(dir: string): Promise<string[]> {
  const r = await verifyDataDir(dir);
  return r.problems.map((p) => `${p.where}: ${p.reason}`);
}

describe('verify reads everything the node and state rely on', () => {
  it('an edited received, type or incident column is reported, naming the entry', async () => {
    const dir = copy();
    withDb(dir, (db) => {
      db.prepare("UPDATE entries SET received = '2020-01-01T00:00:00.000Z' WHERE idx = 7").run();
      db.prepare("UPDATE entries SET type = 'note.deleted' WHERE idx = 8").run();
      db.prepare("UPDATE entries SET incident = 'inc-other' WHERE idx = 9").run();
    });
    const found = await problems(dir);
    assert.ok(
      found.some((p) => /^entry 7: its received column says 2020-01-01T00:00:00\.000Z/.test(p)),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => /^entry 8: its type column says note\.deleted/.test(p)),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => /^entry 9: its incident column says inc-other/.test(p)),
      found.join('\n'),
    );
    const out = await cli(['verify', dir]);
    assert.equal(out.code, 1);
  });

  it("an edited received column of the last entry neither stops nor moves the node's clock", async () => {
    for (const received of ['garbage', '9999-12-31T23:59:59.999Z']) {
      const dir = copy();
      withDb(dir, (db) => db.prepare('UPDATE entries SET received = ? WHERE idx = ?').run(received, SIZE - 1));
      const ledger = await LedgerService.open(dir, { clock: () => Date.parse('2026-06-02T00:00:00.000Z'), checkpoints: { everyMs: 0, everyEntries: 0 } });
      try {
        const [next] = await ledger.append([draftAt(SIZE)]);
        // the next entry follows the receive time in the last entry's text, not the edited column
        assert.equal(next!.received, '2026-06-02T00:00:00.000Z');
      } finally {
        await ledger.close();
      }
      const found = await problems(dir);
      assert.ok(
        found.some((p) => p.startsWith(`entry ${SIZE - 1}: its received column says ${received}`)),
        found.join('\n'),
      );
    }
  });

  it('a deleted disclosure of a sealed value is reported', async () => {
    const dir = copy();
    const gone = withDb(dir, (db) => {
      const d = db.prepare<[], { idx: number; path: string }>('SELECT idx, path FROM disclosures ORDER BY idx, path LIMIT 1').get()!;
      db.prepare('DELETE FROM disclosures WHERE idx = ? AND path = ?').run(d.idx, d.path);
      return d;
    });
    const found = await problems(dir);
    assert.ok(found.includes(`entry ${gone.idx}: the disclosure of its sealed value at ${gone.path} is missing from the store`), found.join('\n'));
  });

  it('values of the wrong type, and a corrupted page: one line each, never a crash', async () => {
    const blob = copy();
    withDb(blob, (db) => {
      db.prepare('UPDATE entries SET text = CAST(text AS BLOB) WHERE idx = 3').run();
      db.prepare("UPDATE tiles SET hashes = 'not bytes' WHERE tile_key = 0").run();
      db.prepare("UPDATE checkpoints SET root = 'not bytes' WHERE size = 100").run();
    });
    const found = await problems(blob);
    assert.ok(
      found.some((p) => /^entry 3: its stored text is a BLOB, not text/.test(p)),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => /^tile 0\/0: its stored hashes or root are not bytes/.test(p)),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => /^checkpoint at size 100: its stored note or root is not of the type stored/.test(p)),
      found.join('\n'),
    );
    const out = await cli(['verify', blob]);
    assert.equal(out.code, 1);
    assert.doesNotMatch(out.stderr + out.stdout, /at .*\.ts:\d+|internal error/);

    const pages = copy();
    withDb(pages, (db) => db.pragma('wal_checkpoint(TRUNCATE)'));
    const path = join(pages, 'ledger.db');
    const fd = openSync(path, 'r+');
    try {
      const size = statSync(path).size;
      // garbage over the pages past the first (the header stays, so SQLite opens the file)
      for (let at = 4096; at < size; at += 4096) writeSync(fd, Buffer.alloc(512, 0xa5), 0, 512, at + 100);
    } finally {
      closeSync(fd);
    }
    const damaged = await cli(['verify', pages]);
    assert.ok(damaged.code === 1 || damaged.code === 3, `exit ${damaged.code}: ${damaged.stderr}${damaged.stdout}`);
    // each finding is one line: FAILED, then "also:" for the others; nothing else, no stack
    const lines = (damaged.stdout + damaged.stderr).trim().split('\n');
    assert.match(lines[0] ?? '', /^(FAILED data-dir |concord verify: )/);
    for (const line of lines.slice(1)) assert.match(line, /^ {2}also: /, damaged.stdout + damaged.stderr);
    assert.doesNotMatch(damaged.stderr + damaged.stdout, /internal error|\n\s+at /);
    // and every command on the node refuses it, in one line, exit 3, never an internal error (exit 70)
    for (const argv of [
      ['checkpoint', '--data', pages],
      ['state', '--data', pages, '--incident', 'inc-1'],
      ['proof', 'inclusion', '--data', pages, '--index', '5'],
      ['export', 'bundle', '--data', pages, '--all', '--out', join(root.path, 'damaged-bundle.json')],
    ]) {
      const out = await cli(argv);
      assert.equal(out.code, 3, `${argv.slice(0, 2).join(' ')}: exit ${out.code}: ${out.stderr}`);
      assert.equal(out.stderr.trim().split('\n').length, 1, out.stderr);
      assert.doesNotMatch(out.stderr, /internal error/);
    }
  });
});

describe('verify on a node that is appending', () => {
  it('reads one snapshot: no false alarm while 300,000 entries are appended', async () => {
    const dir = join(root.path, 'live');
    await buildDataDir(dir, 10);
    const appender = fileURLToPath(new URL('../helpers/live-appender.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', appender, dir, '300000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    let running = true;
    void done.then(() => (running = false));
    let runs = 0;
    const sizes: number[] = [];
    try {
      while (running || runs === 0) {
        const r = await verifyDataDir(dir);
        runs++;
        sizes.push(r.size);
        assert.deepEqual(r.problems, [], `run ${runs} at size ${r.size}`);
      }
      assert.equal(await done, 0, stderr);
      const final = await verifyDataDir(dir);
      assert.deepEqual(final.problems, []);
      assert.equal(final.size, 300_010);
      assert.ok(runs >= 2 && new Set(sizes).size >= 2, `verify ran ${runs} times during the append (sizes ${sizes.join(', ')})`);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
