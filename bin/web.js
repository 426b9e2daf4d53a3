/**
 * The operations console's build (web/ → web/dist/ by Vite), and whether the
 * build is current. Like dist/ for src/ (bin/dist.js), web/dist/ carries a
 * stamp (web/dist/sources.json) of every file the build read, with its
 * modification time and size when the build began; the console is current
 * only when every file still has them and none was added or removed.
 *
 * `npm run build` and `npm install` build it (bin/build.js), `npm start`
 * builds it when it is missing or stale, `npm test` too (once, before the
 * tests, which then all use the same build).
 *
 * Vite writes into a staging folder; renaming it to web/dist/ is the commit
 * point, so a server never reads half a build.
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './dist.js';

export const WEB = join(ROOT, 'web');
export const WEB_DIST = join(WEB, 'dist');
const STAMP = 'sources.json';
const STAMP_FORMAT = 1;
/** what the build reads besides web/src/ (package-lock.json: the versions of Vite, React and the rest) */
const CONFIGS = ['web/index.html', 'web/vite.config.ts', 'web/tsconfig.json', 'package-lock.json'];
const SOURCE = /^[^.].*\.(ts|tsx|js|jsx|css|json|svg|png|html)$/;

/** every input of the console's build, relative path → [mtimeMs, size] */
export function snapshotWebSources() {
  /** @type {Record<string, [number, number]>} */
  const files = {};
  const add = (rel) => {
    const s = statSync(join(ROOT, rel));
    files[rel] = [s.mtimeMs, s.size];
  };
  const walk = (rel) => {
    for (const d of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const path = `${rel}/${d.name}`;
      if (d.isDirectory()) walk(path);
      else if (SOURCE.test(d.name)) add(path);
    }
  };
  walk('web/src');
  for (const c of CONFIGS) add(c);
  return files;
}

/** undefined when web/dist/ was built from the sources as they are, else why not */
export function whyWebNotCurrent() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(WEB_DIST, STAMP), 'utf8'));
  } catch {
    return 'the console is not built (web/dist/sources.json is missing)';
  }
  if (stamp?.format !== STAMP_FORMAT || typeof stamp.files !== 'object' || stamp.files === null) return 'web/dist/ has a stamp of another format';
  const now = snapshotWebSources();
  for (const [path, [mtime, size]] of Object.entries(now)) {
    const was = stamp.files[path];
    if (!Array.isArray(was)) return `${path} was added since the console was built`;
    if (was[0] !== mtime || was[1] !== size) return `${path} changed since the console was built`;
  }
  for (const path of Object.keys(stamp.files)) if (!(path in now)) return `${path} was removed since the console was built`;
  return undefined;
}

/** the path of Vite's command, or undefined when Vite is not installed (it is a devDependency) */
export function viteBin() {
  try {
    // vite's exports do not name its bin; its package.json is exported
    return join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  } catch {
    return undefined;
  }
}

/** builds the console into web/dist/; true when it did. Vite's own output goes to stderr. */
export function buildWeb() {
  const vite = viteBin();
  if (vite === undefined) {
    process.stderr.write('build: Vite is not installed (a devDependency), so the console (web/) is not built\n');
    return false;
  }
  const sources = snapshotWebSources();
  const staging = join(WEB, `.dist-next-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const r = spawnSync(process.execPath, [vite, 'build', WEB, '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'], {
      stdio: ['ignore', 2, 2],
      cwd: ROOT,
    });
    if (r.status !== 0) {
      process.stderr.write(`build: the console's build failed (${r.error?.message ?? `exit ${r.status ?? r.signal}`}); web/dist/ is unchanged\n`);
      return false;
    }
    writeFileSync(join(staging, STAMP), `${JSON.stringify({ format: STAMP_FORMAT, files: sources })}\n`);
    // commit point: web/dist/ is the new build from here on
    rmSync(WEB_DIST, { recursive: true, force: true });
    renameSync(staging, WEB_DIST);
    return true;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** builds the console unless it is current; says why on stderr. True when web/dist/ is current afterwards. */
export function ensureWeb() {
  const why = whyWebNotCurrent();
  if (why === undefined) return true;
  process.stderr.write(`concord: ${why}; building it (vite build web)\n`);
  return buildWeb();
}

// `node bin/web.js`: build the console if it is not current (npm test runs this once before the tests)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = ensureWeb() ? 0 : 1;
}
