/**
 * The public log over HTTP, as a C2SP tlog-tiles client reads it: the
 * checkpoint verifies with the published key, every hash tile equals the
 * hashes of the entries it covers, proofs verify against the checkpoint's
 * root, and nothing of an entry's contents is given without a login.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../src/ledger/checkpoint.ts';
import { leafHashText } from '../../src/ledger/merkle/hash.ts';
import { verifyConsistency, verifyInclusion } from '../../src/ledger/merkle/verify.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { formatTileIndex, formatTilePath, parseTilePath } from '../../src/ledger/tile-path.ts';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

let node: ServedNode;
const get = (path: string): Promise<Response> => fetch(`${node.url}${path}`);

before(async () => {
  node = await serveDemo();
});
after(async () => {
  await node.stop();
  node.cleanup();
});

async function texts(): Promise<string[]> {
  const out: string[] = [];
  for await (const e of node.live.ledger.store.entries(0, await node.live.ledger.store.size())) out.push(e.text);
  return out;
}

describe('public log', () => {
  it('GET /checkpoint is the signed note, and it verifies with the key from GET /log/key', async () => {
    const r = await get('/checkpoint');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    const note = await r.text();
    const key = (await (await get('/log/key')).text()).trim();
    const opened = openCheckpoint(note, [parseVerifierKey(key)], node.live.node.origin);
    assert.equal(opened.checkpoint.size, await node.live.ledger.store.size());
  });

  it('level-0 tiles hold the leaf hashes of the entries; the partial tile at every width is a prefix', async () => {
    const all = await texts();
    const size = all.length;
    assert.ok(size > 0 && size < 256, 'the demo fits in one partial tile');
    const full = await get('/tile/0/000');
    assert.equal(full.status, 404, 'no full tile until 256 entries');
    for (const w of [1, 7, size]) {
      const r = await get(`/tile/0/000.p/${w}`);
      assert.equal(r.status, 200);
      const bytes = Buffer.from(await r.arrayBuffer());
      assert.equal(bytes.length, 32 * w);
      for (let i = 0; i < w; i++) assert.ok(bytes.subarray(32 * i, 32 * i + 32).equals(leafHashText(all[i] as string)), `hash ${i}`);
    }
    assert.equal((await get(`/tile/0/000.p/${size + 1}`)).status, 404, 'wider than the checkpoint covers');
  });

  it('an inclusion proof for every entry verifies against the checkpoint root', async () => {
    const all = await texts();
    const root = openCheckpoint(
      await (await get('/checkpoint')).text(),
      [parseVerifierKey((await (await get('/log/key')).text()).trim())],
      node.live.node.origin,
    ).checkpoint.root;
    for (let i = 0; i < all.length; i += 13) {
      const r = await get(`/v1/proofs/inclusion?index=${i}`);
      assert.equal(r.status, 200);
      const p = (await r.json()) as { size: number; proof: string[]; root: string; leafHash: string };
      assert.equal(p.root, root.toString('base64'));
      verifyInclusion(
        leafHashText(all[i] as string),
        i,
        p.size,
        p.proof.map((h) => Buffer.from(h, 'base64')),
        root,
      );
    }
  });

  it('a consistency proof from an older size verifies', async () => {
    const r = await get('/v1/proofs/consistency?from=10');
    assert.equal(r.status, 200);
    const p = (await r.json()) as { from: number; to: number; proof: string[]; fromRoot: string; toRoot: string };
    const b = (s: string): Buffer => Buffer.from(s, 'base64');
    verifyConsistency(p.from, p.to, p.proof.map(b), b(p.fromRoot), b(p.toRoot));
  });

  it('bad proof and tile requests are 4xx problems naming the field', async () => {
    for (const [path, status, field] of [
      ['/v1/proofs/inclusion?index=-1', 400, 'query.index'],
      ['/v1/proofs/inclusion?index=abc', 400, 'query.index'],
      ['/v1/proofs/inclusion?index=100000', 400, undefined],
      ['/v1/proofs/inclusion?index=1&size=99999999', 400, 'query.size'],
      ['/v1/proofs/inclusion?index=1&extra=2', 400, 'query.extra'],
      ['/v1/proofs/consistency?from=0', 400, undefined],
      ['/tile/0/0', 404, 'path'],
      ['/tile/0/x000/000', 404, 'path'],
      ['/tile/64/000', 404, 'path'],
      ['/tile/0/000.p/0', 404, 'path'],
      ['/tile/0/000.p/256', 404, 'path'],
    ] as const) {
      const r = await get(path);
      assert.equal(r.status, status, path);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8', path);
      const body = (await r.json()) as { code: string; field?: string; detail: string };
      assert.ok(body.detail.length > 0);
      if (field !== undefined) assert.equal(body.field, field, `${path}: ${JSON.stringify(body)}`);
    }
  });

  it('entry bundles hold contents: without a login, 401 (once a checkpoint covers them)', async () => {
    const size = (await texts()).length;
    const r = await get(`/tile/entries/000.p/${size}`);
    assert.equal(r.status, 401);
    assert.equal(((await r.json()) as { code: string }).code, 'UNAUTHENTICATED');
  });
});

describe('tile paths (C2SP tlog-tiles)', () => {
  it('formats and parses the index in groups of three, x-prefixed but the last', () => {
    assert.equal(formatTileIndex(0), '000');
    assert.equal(formatTileIndex(1234067), 'x001/x234/067');
    assert.equal(formatTilePath({ level: 1, index: 1000, width: 5 }), 'tile/1/x001/000.p/5');
    for (const n of [0, 1, 999, 1000, 1234067, 2 ** 40]) assert.deepEqual(parseTilePath(`3/${formatTileIndex(n)}`), { level: 3, index: n });
    assert.deepEqual(parseTilePath('entries/x001/234.p/17'), { level: 'entries', index: 1234, width: 17 });
    for (const bad of ['', '0', '0/', '0/1', '0/0001', '00/000', '-1/000', '0/x000/001', '0/001/002', '0/000.p/', '0/000.p/01', 'entries/000.p/300'])
      assert.equal(typeof parseTilePath(bad), 'string', bad);
  });
});
