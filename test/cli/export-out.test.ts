/**
 * `export bundle --out` never writes inside the node's own directory: the
 * ledger, a key, the configuration, a new file beside them, or the directory
 * itself, named directly, through `..`, or through a symbolic link (to the
 * directory, or to a file in it). Each is exit 2 with one line, and nothing
 * is written: the node's files keep their bytes and no checkpoint is signed.
 * A path outside (even one reached through `..` out of the directory) works.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, isOneLine } from '../helpers/cli.ts';
import { tempRoot, withDb } from '../helpers/data-dir.ts';

const root = tempRoot('concord-out-');
after(() => root.cleanup());

let dir: string;
before(async () => {
  dir = join(root.path, 'node');
  assert.equal((await cli(['init', '--data', dir, '--origin', 'concord.out.example/ledger'])).code, 0);
  const lines = join(root.path, 'lines.ndjson');
  writeFileSync(lines, '{"type":"note.recorded","actor":{"agency":"city-pd"},"body":{"n":1}}\n');
  assert.equal((await cli(['append', '--data', dir, '--ndjson', lines])).code, 0);
});

/** every file under the node's directory with a hash of its bytes */
function snapshot(d: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (p: string): void => {
    for (const name of readdirSync(p)) {
      const full = join(p, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(d, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(d);
  return out;
}

function checkpoints(d: string): number {
  return withDb(d, (db) => (db.prepare('SELECT count(*) AS n FROM checkpoints').get() as { n: number }).n);
}

describe('export bundle --out inside the data directory is refused', () => {
  it('the ledger, a key, the configuration, a new file, the directory itself; directly, through .., through symbolic links', async () => {
    const linkToDir = join(root.path, 'link-to-node');
    symlinkSync(dir, linkToDir);
    const linkToDb = join(root.path, 'link-to-db');
    symlinkSync(join(dir, 'ledger.db'), linkToDb);
    const inside = join(dir, 'keys', 'sub');
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'ledger.db'), /the node's own ledger\.db/],
      [join(dir, 'keys', 'log.key'), /the node's own keys\/log\.key/],
      [join(dir, 'keys', 'log.pub'), /keys\/log\.pub/],
      [join(dir, 'concord.json'), /the node's own concord\.json/],
      [join(dir, 'bundle.json'), /the node's own bundle\.json/],
      [join(inside, 'deeper', 'b.json'), /keys\/sub\/deeper\/b\.json/],
      [dir, /the data directory itself/],
      [`${dir}/`, /the data directory itself/],
      [join(dir, 'keys', '..', 'ledger.db'), /the node's own ledger\.db/],
      [`${root.path}/elsewhere/../node/ledger.db`, /ledger\.db/],
      [join(linkToDir, 'ledger.db'), /the node's own ledger\.db/],
      [join(linkToDir, 'keys', 'log.key'), /keys\/log\.key/],
      [linkToDb, /the node's own ledger\.db/],
      [relative(process.cwd(), join(dir, 'ledger.db')), /ledger\.db/],
    ];
    const before = snapshot(dir);
    const cps = checkpoints(dir);
    for (const [out, reason] of cases) {
      const r = await cli(['export', 'bundle', '--data', dir, '--all', '--out', out]);
      assert.equal(r.code, 2, `${out}: exit ${r.code}; ${r.stderr}`);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /^concord export bundle: --out .* is inside the data directory /, out);
      assert.match(r.stderr, reason, out);
      assert.equal(r.stdout, '');
      assert.deepEqual(snapshot(dir), before, `${out}: the node's files keep their bytes, and no file was added`);
      assert.equal(checkpoints(dir), cps, `${out}: no checkpoint was signed`);
    }
    assert.equal(existsSync(inside), false);
    // also through --data given as the link: the node's real directory is what counts
    const viaLink = await cli(['export', 'bundle', '--data', linkToDir, '--all', '--out', join(dir, 'ledger.db')]);
    assert.equal(viaLink.code, 2, viaLink.stderr);
    assert.equal((await cli(['verify', dir])).code, 0);
  });

  it('a path outside works, even one that passes through the directory and leaves it; a directory as --out is refused', async () => {
    const out = join(dir, 'keys', '..', '..', 'outside.json');
    const r = await cli(['export', 'bundle', '--data', dir, '--all', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await cli(['verify', join(root.path, 'outside.json')])).code, 0);
    const aDir = join(root.path, 'a-dir');
    mkdirSync(aDir);
    const d = await cli(['export', 'bundle', '--data', dir, '--all', '--out', aDir]);
    assert.equal(d.code, 2, d.stderr);
    assert.match(d.stderr, /--out .* is a directory; name a file/);
    assert.deepEqual(readdirSync(aDir), [], 'nothing written, no temp file left');
  });
});
