/**
 * The console's files as the node serves them (src/server/console-routes.ts):
 * index.html at the client routes under the strict policy, hashed assets
 * cached for good, and a problem, not a blank page, when nothing is built.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { consolePolicy, registerConsoleRoutes } from '../../src/server/console-routes.ts';
import { tempRoot } from '../helpers/data-dir.ts';

function built(): { dir: string; cleanup: () => void } {
  const root = tempRoot('concord-console-');
  const dir = join(root.path, 'dist');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  return { dir, cleanup: root.cleanup };
}

describe('console routes', () => {
  it('answers index.html at each client route, under a policy naming only this host and its feed', async () => {
    const b = built();
    const app = Fastify();
    registerConsoleRoutes(app, b.dir);
    for (const url of ['/', '/login', '/incidents', '/incidents/inc-1']) {
      const r = await app.inject({ url, headers: { host: 'console.example:8080' } });
      assert.equal(r.statusCode, 200, url);
      assert.match(r.headers['content-type'] as string, /^text\/html/);
      assert.equal(r.headers['cache-control'], 'no-cache');
      const csp = r.headers['content-security-policy'] as string;
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /connect-src 'self' ws:\/\/console\.example:8080(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
    }
    await app.close();
    b.cleanup();
  });

  it('serves hashed assets for a year, and refuses a name it does not have', async () => {
    const b = built();
    const app = Fastify();
    registerConsoleRoutes(app, b.dir);
    const js = await app.inject({ url: '/assets/index-abc.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    assert.match(js.headers['cache-control'] as string, /max-age=31536000, immutable/);
    const missing = await app.inject({ url: '/assets/..%2Findex.html' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'NOT_FOUND');
    await app.close();
    b.cleanup();
  });

  it('says how to build the console when it is not built', async () => {
    const root = tempRoot('concord-console-');
    const app = Fastify();
    registerConsoleRoutes(app, join(root.path, 'nothing'));
    const r = await app.inject({ url: '/' });
    assert.equal(r.statusCode, 404);
    assert.match(r.json().detail, /npm run build/);
    await app.close();
    root.cleanup();
  });

  it('names no feed source for a Host header that is not a host', () => {
    assert.match(consolePolicy('evil.example; script-src *', false), /connect-src 'self';/);
    assert.match(consolePolicy('[::1]:8080', true), /connect-src 'self' wss:\/\/\[::1\]:8080;/);
    assert.match(consolePolicy(undefined, false), /connect-src 'self';/);
  });
});
