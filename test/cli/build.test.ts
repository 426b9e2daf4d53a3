/**
 * The compiled CLI: `npm run build` makes dist/ from nothing, bin/concord.js
 * runs it only while it matches the sources, and it answers every command
 * exactly as the TypeScript sources run through tsx do, worker threads and
 * the Cedar wasm included. Timings are printed as diagnostics, never
 * asserted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DIST, ROOT, STAMP, snapshotSources, stampText, whyNotCurrent } from '../../bin/dist.js';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { spawnCli, type CliResult } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-build-');
after(() => root.cleanup());

/** bin/concord.js left to choose: dist/ when it is current */
const FROM_DIST = { CONCORD_RUN_SOURCES: '0' };

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));
}

/** runs argv from dist/ and from the sources, asserts the same answer, returns it */
async function same(argv: string[], env: Record<string, string> = {}, input?: string): Promise<CliResult & { ms: { dist: number; sources: number } }> {
  const t0 = performance.now();
  const compiled = await spawnCli(argv, input, { ...env, ...FROM_DIST });
  const t1 = performance.now();
  const sources = await spawnCli(argv, input, env);
  const t2 = performance.now();
  assert.deepEqual(compiled, sources, `concord ${argv.join(' ')}: dist/ and the sources differ`);
  return Object.assign(compiled, { ms: { dist: Math.round(t1 - t0), sources: Math.round(t2 - t1) } });
}

describe('the compiled CLI (dist/)', () => {
  let buildMs = 0;
  let unbuilt: CliResult | undefined;
  before(async () => {
    rmSync(DIST, { recursive: true, force: true });
    unbuilt = await spawnCli(['--help'], undefined, FROM_DIST);
    const t0 = performance.now();
    await promisify(execFile)(process.execPath, [join(ROOT, 'bin', 'build.js')], { cwd: ROOT });
    buildMs = performance.now() - t0;
  });

  it('without a build, bin/concord.js runs the sources and says so', () => {
    assert.equal(unbuilt?.code, 0);
    assert.match(unbuilt?.stdout ?? '', /^concord: interagency/);
    assert.match(unbuilt?.stderr ?? '', /^concord: note: no build in dist\/; running the TypeScript sources through tsx, .*npm run build.*\n$/);
  });

  it('npm run build (and npm install, through prepare) makes dist/ from nothing: every module, the workers, the stamp', (t) => {
    t.diagnostic(`build: ${Math.round(buildMs)} ms`);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    assert.equal(pkg.scripts.build, 'node bin/build.js');
    assert.match(pkg.scripts.prepare ?? '', /^node bin\/build\.js\b/);
    const built = files(DIST).map((f) => relative(DIST, f));
    const sources = files(join(ROOT, 'src'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => relative(join(ROOT, 'src'), f).replace(/\.ts$/, '.js'));
    assert.deepEqual(built.filter((f) => f !== STAMP).sort(), sources.sort());
    assert.ok(built.includes(join('store', 'sqlite', 'workers', 'writer-worker.js')));
    assert.ok(built.includes(join('store', 'sqlite', 'workers', 'entry-runs-worker.js')));
    // nothing compiled imports a .ts file or needs tsx
    for (const f of files(DIST).filter((p) => p.endsWith('.js'))) {
      const text = readFileSync(f, 'utf8');
      assert.doesNotMatch(text, /(from\s+|import\s*\(\s*)['"]\.{1,2}\/[^'"]*\.ts['"]/, relative(DIST, f));
      assert.doesNotMatch(text, /['"]tsx(\/[^'"]*)?['"]/, relative(DIST, f));
    }
    assert.equal(whyNotCurrent(), undefined);
  });

  it("--help and every command's --help: the same from dist/, and no note on stderr", async (t) => {
    const help = await same(['--help']);
    assert.equal(help.code, 0);
    assert.equal(help.stderr, '');
    t.diagnostic(`concord --help: dist ${help.ms.dist} ms, sources ${help.ms.sources} ms (one run each, spawn included)`);
    for (const c of COMMANDS) assert.equal((await same([...c.path, '--help'])).code, 0);
    assert.equal((await same(['frobnicate'])).code, 2);
  });

  it('a node: init, append (the writer thread), checkpoint, proofs, verify (with worker threads), export', async () => {
    const a = join(root.path, 'a');
    const b = join(root.path, 'b');
    const init = await Promise.all([
      spawnCli(['init', '--data', a, '--origin', 'build.test.example/log'], undefined, FROM_DIST),
      spawnCli(['init', '--data', b, '--origin', 'build.test.example/log']),
    ]);
    const masked = (r: CliResult, dir: string): CliResult => ({
      ...r,
      stdout: r.stdout.replaceAll(dir, 'DIR').replace(/build\.test\.example\/log\+\S+/g, 'KEY'),
    });
    assert.deepEqual(masked(init[0], a), masked(init[1], b));
    assert.equal(init[0].code, 0, init[0].stderr);
    const lines = [0, 1, 2, 3, 4]
      .map(
        (i) =>
          `${JSON.stringify({ type: 'note.recorded', actor: { agency: 'city-pd', person: `p-${i}` }, body: { n: i, phone: `555-${i}` }, sealed: ['/phone'] })}\n`,
      )
      .join('');
    const appended = await spawnCli(['append', '--data', a, '--ndjson', '-'], lines, FROM_DIST);
    assert.equal(appended.code, 0, appended.stderr);
    // dist/ signs the checkpoint first; then both print the same latest one
    assert.equal((await spawnCli(['checkpoint', '--data', a], undefined, FROM_DIST)).code, 0);
    assert.equal((await same(['checkpoint', '--data', a])).code, 0);
    assert.equal((await same(['checkpoint', '--data', a, '--json'])).code, 0);
    assert.equal((await same(['proof', 'inclusion', '--data', a, '--index', '3', '--json'])).code, 0);
    assert.equal((await same(['proof', 'consistency', '--data', a, '--from', '2'])).code, 0);
    const threads = { CONCORD_VERIFY_WORKER_THRESHOLD: '1' };
    assert.match((await same(['verify', a], threads)).stdout, /^OK data-dir/);
    assert.equal((await same(['verify', a, '--json'], threads)).code, 0);
    const bundle = join(root.path, 'a.bundle.json');
    assert.equal((await spawnCli(['export', 'bundle', '--data', a, '--out', bundle, '--indexes', '1,3'], undefined, FROM_DIST)).code, 0);
    assert.equal((await same(['verify', bundle, '--json'])).code, 0);
    // refusals: the same one-line reason and exit code
    assert.equal((await same(['checkpoint', '--data', join(root.path, 'nothing')])).code, 2);
    assert.equal((await same(['append', '--data', a, '--ndjson', '-'], {}, '{\n')).code, 2);
    writeFileSync(join(root.path, 'junk'), 'x');
    assert.equal((await same(['verify', join(root.path, 'junk')])).code, 1);
  });

  it('a scenario, incident state and protocols (YAML, zod, the Cedar wasm, scenarios/ and policies read from the repository)', async () => {
    const demo = join(ROOT, 'scenarios', 'demo.yaml');
    const [x, y] = [join(root.path, 'x'), join(root.path, 'y')];
    // two nodes: the same text (notification ids, which depend on the node's key, are not in it)
    const runs = await Promise.all([spawnCli(['scenario', 'run', demo, '--data', x], undefined, FROM_DIST), spawnCli(['scenario', 'run', demo, '--data', y])]);
    assert.deepEqual({ ...runs[0], stdout: runs[0].stdout.replaceAll(x, 'DIR') }, { ...runs[1], stdout: runs[1].stdout.replaceAll(y, 'DIR') });
    assert.equal(runs[0].code, 0, runs[0].stderr);
    assert.equal((await same(['state', '--data', x, '--incident', 'inc-2026-0601-harrison'])).code, 0);
    assert.equal((await same(['state', '--data', x, '--incident', 'inc-2026-0601-harrison', '--at', '2026-06-01T21:10:00Z', '--json'])).code, 0);
    const policies = join(ROOT, 'scenarios', 'policies');
    assert.equal((await same(['protocol', 'test', '--policies', policies])).code, 0);
    const request = join(ROOT, 'scenarios', 'requests', 'perimeter-for-ice.yaml');
    assert.equal((await same(['protocol', 'check', '--policies', policies, '--request', request, '--json'])).code, 0);
  });
});

describe('when dist/ is current', () => {
  const dist = join(root.path, 'stamped');
  const stamp = (edit: (files: Record<string, [number, number]>) => void): void => {
    const files = snapshotSources();
    edit(files);
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, STAMP), stampText(files));
  };

  it('only while every source file has the time and size it had when the build began', () => {
    rmSync(dist, { recursive: true, force: true });
    assert.match(whyNotCurrent(dist) ?? '', /no build in dist/);
    stamp(() => {});
    assert.equal(whyNotCurrent(dist), undefined);
    stamp((f) => (f['src/cli/main.ts']![0] -= 1));
    assert.match(whyNotCurrent(dist) ?? '', /src\/cli\/main\.ts changed/);
    stamp((f) => (f['src/errors.ts']![1] += 1));
    assert.match(whyNotCurrent(dist) ?? '', /src\/errors\.ts changed/);
    stamp((f) => delete f['src/files.ts']);
    assert.match(whyNotCurrent(dist) ?? '', /src\/files\.ts was added/);
    stamp((f) => (f['src/gone.ts'] = [1, 1]));
    assert.match(whyNotCurrent(dist) ?? '', /src\/gone\.ts was removed/);
    stamp((f) => (f['tsconfig.build.json']![0] += 1));
    assert.match(whyNotCurrent(dist) ?? '', /tsconfig\.build\.json changed/);
    writeFileSync(join(dist, STAMP), '{"format":0}');
    assert.match(whyNotCurrent(dist) ?? '', /another version/);
    writeFileSync(join(dist, STAMP), 'not json');
    assert.ok(whyNotCurrent(dist) !== undefined);
    assert.ok(existsSync(join(ROOT, 'src', 'cli', 'main.ts')));
  });
});
