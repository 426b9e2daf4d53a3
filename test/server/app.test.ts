/**
 * What every route shares, driven over HTTP: errors are problem+json with
 * a code and the field at fault, never a 5xx for what a client sends;
 * commands need a caller; every domain command has a route; the OpenAPI
 * document describes every route; the docs page loads nothing from
 * elsewhere; health and readiness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { commandSchema } from '../../src/domain/index.ts';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

let node: ServedNode;
before(async () => {
  node = await serveDemo();
});
after(async () => {
  await node.stop();
  node.cleanup();
});

const post = (path: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> =>
  fetch(`${node.url}${path}`, { method: 'POST', body, headers });

async function problemOf(r: Response): Promise<{ status: number; code: string; detail: string; field?: string; type: string; title: string }> {
  assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  return (await r.json()) as never;
}

describe('the server', () => {
  it('answers health and readiness without a login', async () => {
    assert.deepEqual(await (await fetch(`${node.url}/health`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${node.url}/ready`)).json(), { status: 'ready' });
  });

  it('answers carry headers that keep browsers and caches from misusing them', async () => {
    const r = await fetch(`${node.url}/v1/incidents`);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('x-frame-options'), 'DENY');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal((await fetch(`${node.url}/tile/0/000.p/1`)).headers.get('cache-control'), 'public, max-age=31536000, immutable');
  });

  it('unknown routes are 404 problems', async () => {
    const r = await fetch(`${node.url}/v1/nothing-here`);
    assert.equal(r.status, 404);
    const p = await problemOf(r);
    assert.equal(p.code, 'NOT_FOUND');
    assert.equal(p.type, 'urn:concord:problem:not-found');
  });

  it('commands without a login are 401, before the body is even read', async () => {
    for (const body of ['{"to":"city-pd"}', '{"a":1,"a":2}', `{"a":"${'x'.repeat(1 << 20)}"}`]) {
      const r = await post('/v1/requests', body);
      assert.equal(r.status, 401);
      assert.equal((await problemOf(r)).code, 'UNAUTHENTICATED');
    }
  });

  it('every domain command has a POST route in the OpenAPI document, and every route is documented', async () => {
    const doc = (await (await fetch(`${node.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { description?: string; requestBody?: unknown; responses: Record<string, unknown>; security: unknown[] }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    const described = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.description ?? ''));
    for (const option of commandSchema.options) {
      const type = (option.shape.type as { value: string }).value;
      // the deadline clock's own command, and the node administration's: no client runs them
      if (type === 'notification.resend' || type === 'agency.register') continue;
      assert.ok(
        described.some((d) => d.includes(`\`${type}\``)),
        `a route runs ${type}`,
      );
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(op.responses['400'], `${method} ${path} documents its 400`);
        if (op.description?.includes('Runs the domain command')) assert.ok(op.requestBody, `${method} ${path} documents its body`);
      }
    }
    assert.deepEqual(doc.paths['/checkpoint']?.['get']?.security, []);
    assert.ok((doc.paths['/v1/requests/{requestId}/accept']?.['post']?.security.length ?? 0) > 0);
  });

  it('the docs page is served by the node and loads nothing from elsewhere', async () => {
    const page = await (await fetch(`${node.url}/docs`)).text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    assert.ok(sources.length >= 3);
    for (const s of sources) {
      assert.ok(s.startsWith('/docs/'), s);
      assert.equal((await fetch(`${node.url}${s}`)).status, 200, s);
    }
  });
});
