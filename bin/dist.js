/**
 * Which code a `concord` process runs. dist/ holds the CLI compiled by
 * `npm run build` (bin/build.js, also run by `npm install` and `npm ci`),
 * which starts in tens of milliseconds; the TypeScript in src/ runs through
 * tsx, which compiles it on every start and takes most of a second.
 *
 * dist/ is used only when it was built from the sources exactly as they are
 * now: its stamp (dist/sources.json) lists every file the build read, with
 * the modification time and size it had when the build began, and every
 * file must still have them, with none added or removed. Anything else (an
 * edited, added, deleted or checked-out file, an unfinished build, no build
 * at all) runs the sources through tsx and says so on stderr, so a developer
 * who edits src/ never gets the old behaviour silently. The check costs one
 * small JSON read and a stat per source file, about a millisecond.
 *
 * CONCORD_RUN_SOURCES=1 runs the sources through tsx without a word (the
 * tests do, to test what is in src/ whatever the state of dist/).
 *
 * Plain JavaScript: it runs before anything is compiled.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const STAMP = 'sources.json';
const STAMP_FORMAT = 1;
/** what the build reads besides src/ */
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];
/** the files of src/ that count: not an editor's swap or backup file, nor .DS_Store */
const SOURCE = /^[^.].*\.(ts|mts|cts|js|mjs|cjs|json)$/;

/** every build input, relative path → [mtimeMs, size] */
export function snapshotSources() {
  /** @type {Record<string, [number, number]>} */
  const files = {};
  const walk = (rel) => {
    for (const d of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const path = `${rel}/${d.name}`;
      if (d.isDirectory()) walk(path);
      else if (SOURCE.test(d.name)) add(path);
    }
  };
  const add = (rel) => {
    const s = statSync(join(ROOT, rel));
    files[rel] = [s.mtimeMs, s.size];
  };
  walk('src');
  for (const c of CONFIGS) add(c);
  return files;
}

export function stampText(files) {
  return `${JSON.stringify({ format: STAMP_FORMAT, files })}\n`;
}

/** undefined when dist/ was built from the sources as they are, else why not */
export function whyNotCurrent(dist = DIST) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(dist, STAMP), 'utf8'));
  } catch {
    return 'no build in dist/';
  }
  if (stamp?.format !== STAMP_FORMAT || typeof stamp.files !== 'object' || stamp.files === null) return 'dist/ was built by another version of the build';
  let now;
  try {
    now = snapshotSources();
  } catch (e) {
    return `the sources cannot be read (${e.message})`;
  }
  for (const [rel, [mtime, size]] of Object.entries(now)) {
    const then = stamp.files[rel];
    if (!Array.isArray(then)) return `${rel} was added since dist/ was built`;
    if (then[0] !== mtime || then[1] !== size) return `${rel} changed since dist/ was built`;
  }
  for (const rel of Object.keys(stamp.files)) {
    if (!(rel in now)) return `${rel} was removed since dist/ was built`;
  }
  return undefined;
}

/**
 * Imports `module` ("cli/main") from dist/ if it is current, else from src/
 * through tsx, with a one-line note on stderr unless CONCORD_RUN_SOURCES=1.
 */
export async function importEntry(module) {
  if (process.env.CONCORD_RUN_SOURCES !== '1') {
    const why = whyNotCurrent();
    if (why === undefined) return import(pathToFileURL(join(DIST, `${module}.js`)).href);
    process.stderr.write(`concord: note: ${why}; running the TypeScript sources through tsx, which starts slowly (npm run build to start fast)\n`);
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(join(ROOT, 'src', `${module}.ts`)).href);
}
