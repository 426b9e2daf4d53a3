/**
 * The console map's basemap (src/app/map-source.ts, src/server/map-routes.ts,
 * the CSP in src/server/console-routes.ts): what `--map` accepts, the routes
 * behind a login, and the page's policy naming exactly the configured tile
 * origin and MapLibre's worker on the node's own assets.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readMapSource } from '../../src/app/map-source.ts';
import { DEMO_MAP } from '../../src/cli/commands/serve.ts';
import { isConcordError } from '../../src/errors.ts';
import { consolePolicy } from '../../src/server/console-routes.ts';
import { tempRoot } from '../helpers/data-dir.ts';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

const code = (c: string) => (e: unknown) => isConcordError(e) && e.code === c;

describe('--map: a style URL or a GeoJSON file', () => {
  const root = tempRoot('concord-map-');
  after(root.cleanup);
  const file = (name: string, text: string) => {
    const path = join(root.path, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads the demo basemap: streets and blocks around the demo incident', () => {
    const m = readMapSource(DEMO_MAP);
    assert.equal(m.kind, 'geojson');
    assert.ok(m.kind === 'geojson' && m.geojson.features.length > 20);
  });

  it('takes an http(s) style URL and keeps its origin for the policy', () => {
    const m = readMapSource('https://tiles.city.example:8443/styles/ops/style.json');
    assert.deepEqual(m, { kind: 'style', url: 'https://tiles.city.example:8443/styles/ops/style.json', origin: 'https://tiles.city.example:8443' });
  });

  it('refuses a URL with credentials, another extension, a missing file, non-JSON and JSON that is not a FeatureCollection', () => {
    assert.throws(() => readMapSource('https://user:secret@tiles.example/style.json'), code('BAD_USAGE'));
    assert.throws(() => readMapSource('streets.txt'), code('BAD_USAGE'));
    assert.throws(() => readMapSource(join(root.path, 'none.geojson')), code('NOT_FOUND'));
    assert.throws(() => readMapSource(file('bad.geojson', '{"type":')), /is not JSON/);
    assert.throws(() => readMapSource(file('point.geojson', '{"type":"Point","coordinates":[0,0]}')), /not a GeoJSON FeatureCollection/);
    assert.throws(
      () => readMapSource(file('nogeom.json', '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{}}]}')),
      /feature 0 has no geometry/,
    );
  });
});

describe('the page policy names the map origin exactly', () => {
  it('adds the tile origin to connect-src and img-src, and allows workers only from the node', () => {
    const csp = consolePolicy('ops.example:8080', false, { mapOrigin: 'https://tiles.city.example' });
    assert.match(csp, /connect-src 'self' ws:\/\/ops\.example:8080 https:\/\/tiles\.city\.example(;|$)/);
    assert.match(csp, /img-src 'self' data: https:\/\/tiles\.city\.example(;|$)/);
    assert.match(csp, /worker-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /blob:/);
    assert.doesNotMatch(consolePolicy('ops.example', false), /tiles/);
    assert.throws(() => consolePolicy('ops.example', false, { mapOrigin: "https://x.example; script-src 'unsafe-inline'" }));
  });
});

describe('the map routes', () => {
  let demo: ServedNode;
  let styled: ServedNode;
  before(async () => {
    demo = await serveDemo();
    styled = await serveDemo({ map: readMapSource('https://tiles.city.example/style.json') });
  });
  after(async () => {
    for (const n of [demo, styled]) {
      await n?.stop();
      n?.cleanup();
    }
  });

  it('need a login', async () => {
    assert.equal((await demo.anonymous.get('/v1/map')).status, 401);
    assert.equal((await demo.anonymous.get('/v1/map/basemap')).status, 401);
  });

  it('serve the demo basemap as GeoJSON to a logged-in user', async () => {
    const chen = await demo.as('chen');
    assert.deepEqual(await (await chen.get('/v1/map')).json(), { basemap: { kind: 'geojson', url: '/v1/map/basemap' } });
    const r = await chen.get('/v1/map/basemap');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/geo\+json/);
    const g = (await r.json()) as { type: string; features: unknown[] };
    assert.equal(g.type, 'FeatureCollection');
    assert.ok(g.features.length > 20);
  });

  it('name the configured style, serve no basemap of their own, and the page policy allows that origin', async () => {
    const chen = await styled.as('chen');
    assert.deepEqual(await (await chen.get('/v1/map')).json(), { basemap: { kind: 'style', url: 'https://tiles.city.example/style.json' } });
    const none = await chen.get('/v1/map/basemap');
    assert.equal(none.status, 404);
    assert.match(none.headers.get('content-type') ?? '', /problem\+json/);
    const page = await fetch(`${styled.url}/incidents`);
    if (page.status === 200)
      assert.match(page.headers.get('content-security-policy') ?? '', /connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ https:\/\/tiles\.city\.example/);
    const plain = await fetch(`${demo.url}/incidents`);
    if (plain.status === 200) assert.doesNotMatch(plain.headers.get('content-security-policy') ?? '', /tiles/);
  });

  it('with no map configured, say so', async () => {
    const bare = await serveDemo({ map: null });
    try {
      const chen = await bare.as('chen');
      assert.deepEqual(await (await chen.get('/v1/map')).json(), { basemap: null });
    } finally {
      await bare.stop();
      bare.cleanup();
    }
  });
});
