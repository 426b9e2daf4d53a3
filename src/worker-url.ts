/**
 * Where a worker thread's code is. Run from the sources through tsx, a worker
 * starts at its `.mjs` bootstrap, which registers tsx in the thread (on
 * Node 20 a worker does not inherit the main thread's module hooks) and then
 * imports the TypeScript body; compiled into dist/, it starts at the body's
 * `.js` and never loads tsx. Which of the two is told by this very module's
 * own file name: `worker-url.ts` or `worker-url.js`.
 */
const FROM_SOURCES = new URL(import.meta.url).pathname.endsWith('.ts');

/** the worker `name` ("writer", "entry-runs", "kept-writer") in the workers/ folder beside the module at `base` (its import.meta.url) */
export function workerUrl(name: string, base: string): URL {
  return new URL(FROM_SOURCES ? `./workers/${name}.mjs` : `./workers/${name}-worker.js`, base);
}
