/**
 * `concord init` on a path where no node can be made fails at once with one
 * line, exit 2, and creates nothing: under /proc (where Node's recursive
 * mkdir never returned: procfs answers "no such file or directory" for a new
 * name whose parent exists), through a dangling symbolic link, below a file.
 * A deep new path is still made level by level. The /proc runs are the real
 * bin under a time limit, so a hang fails the test instead of stalling it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeDirectories } from '../../src/files.ts';
import { BIN, cli, isOneLine } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-init-');
after(() => root.cleanup());

/** the real bin, killed after `ms`: resolves with its exit code (null if it had to be killed) and output */
function runWithin(argv: string[], ms: number): Promise<{ code: number | null; stderr: string; stdout: string; killed: boolean; elapsed: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    // the sources, whether or not dist/ is current (a stale build would add a note on stderr)
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CONCORD_RUN_SOURCES: '1' } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed, elapsed: Date.now() - started });
    });
  });
}

const hasProc = existsSync('/proc/self') && statSync('/proc/self').isDirectory();

describe('init where no node can be made', () => {
  for (const path of ['/proc/x', '/proc/self/foo', '/proc/self/concord/deeper']) {
    it(`${path}: exit 2 at once with one line (the real bin, killed if it takes 20 s)`, { skip: hasProc ? false : 'no /proc here' }, async () => {
      const r = await runWithin(['init', '--data', path], 20_000);
      assert.equal(r.killed, false, `init hung on ${path} and was killed after ${r.elapsed} ms`);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(
        r.stderr,
        /^concord init: cannot create the data directory \/proc\/self\/(foo|concord)|^concord init: cannot create the data directory \/proc\/x/,
      );
      assert.match(r.stderr, /the file system refuses new directories in \/proc/);
      assert.equal(r.stdout, '');
    });
  }

  it('scenario run into a directory under /proc fails the same way', { skip: hasProc ? false : 'no /proc here' }, async () => {
    const r = await runWithin(['scenario', 'run', 'scenarios/demo.yaml', '--data', '/proc/x'], 30_000);
    assert.equal(r.killed, false, 'scenario run hung');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot create the data directory \/proc\/x/);
  });

  it('through a dangling symbolic link, or below a file: exit 2, one line, nothing made', async () => {
    const link = join(root.path, 'dangling');
    symlinkSync(join(root.path, 'no', 'such', 'target'), link);
    const dangling = await cli(['init', '--data', link]);
    assert.equal(dangling.code, 2, dangling.stderr);
    assert.ok(isOneLine(dangling.stderr), dangling.stderr);
    assert.match(dangling.stderr, /exists but is not a directory \(a dangling symbolic link\?\)/);
    assert.equal(existsSync(join(root.path, 'no')), false);
    const file = join(root.path, 'a-file');
    writeFileSync(file, 'x');
    for (const path of [join(file, 'node'), join(file, 'deep', 'node')]) {
      const r = await cli(['init', '--data', path]);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLine(r.stderr), r.stderr);
      assert.match(r.stderr, /cannot create the data directory .*(a part of the path is not a directory|is a file, not a directory)/);
    }
  });

  it('a new path several levels deep is made level by level, each level 0700', async () => {
    const deep = join(root.path, 'a', 'b', 'c');
    const r = await cli(['init', '--data', deep, '--origin', 'concord.init.example/ledger']);
    assert.equal(r.code, 0, r.stderr);
    for (const d of [join(root.path, 'a'), join(root.path, 'a', 'b'), deep, join(deep, 'keys')]) assert.equal(statSync(d).mode & 0o777, 0o700, d);
    assert.equal((await cli(['verify', deep])).code, 0);
  });

  it('makeDirectories: an existing directory is fine; a directory made meanwhile by another is fine', () => {
    const d = join(root.path, 'exists');
    mkdirSync(d);
    makeDirectories(d, 0o700);
    makeDirectories(join(d, 'x', 'y'), 0o755);
    assert.ok(statSync(join(d, 'x', 'y')).isDirectory());
  });
});
