/**
 * GET /v1/incidents/:incidentId/bundle (src/server/bundle-routes.ts): the
 * incident's bundle over the API, verifying offline with the log's key. A
 * reviewer gets every entry of the incident; an agency's member the entries
 * its agency may read, never another agency's own; a stranger nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EntryAudiences } from '../../src/app/entry-audiences.ts';
import { mayRead } from '../../src/domain/index.ts';
import { verifyBundleText } from '../../src/ledger/bundle.ts';
import { parseVerifierKey } from '../../src/ledger/note.ts';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

const INCIDENT = 'inc-2026-0601-harrison';
let node: ServedNode;
before(async () => {
  node = await serveDemo();
});
after(async () => {
  await node.stop();
  node.cleanup();
});

async function incidentIndexes(): Promise<number[]> {
  const out: number[] = [];
  const store = node.live.ledger.store;
  for await (const e of store.entries(0, await store.size(), { incident: INCIDENT })) out.push(e.index);
  return out;
}

describe('GET /v1/incidents/:incidentId/bundle', () => {
  it("a reviewer gets every entry of the incident; an agency the entries it may read; each verifies with the log's key", async () => {
    const key = [parseVerifierKey(node.live.node.verifierKey)];
    const all = await incidentIndexes();
    const audiences = new EntryAudiences();
    await audiences.catchUp(node.live.ledger.store);
    for (const [login, caller] of [
      ['liu', { agency: 'review-board', person: 'rb-ig', role: 'reviewer' }],
      ['santos', { agency: 'fed-ice', person: 'ice-santos', role: 'member' }],
      ['chen', { agency: 'city-pd', person: 'cpd-chen', role: 'member' }],
    ] as const) {
      const c = await node.as(login);
      const r = await c.get(`/v1/incidents/${INCIDENT}/bundle`);
      assert.equal(r.status, 200, login);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      const text = await r.text();
      const report = verifyBundleText(text, key);
      assert.ok(report.ok, `${login}: ${JSON.stringify(report.problems)}`);
      const got = (JSON.parse(text) as { entries: { index: number }[] }).entries.map((e) => e.index);
      const want = all.filter((i) => mayRead(caller, audiences.at(i) as NonNullable<ReturnType<typeof audiences.at>>));
      assert.deepEqual(got, want, login);
      if (login === 'liu') assert.deepEqual(got, all, 'a reviewer gets the whole incident');
      else assert.ok(got.length < all.length, `${login} does not get the other agency's own entries`);
    }
  });

  it('a stranger is refused; an unknown incident is answered as not existing (problem+json)', async () => {
    const anon = await node.anonymous.get(`/v1/incidents/${INCIDENT}/bundle`);
    assert.equal(anon.status, 401);
    const c = await node.as('reyes');
    const missing = await c.get('/v1/incidents/inc-nope/bundle');
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /problem\+json/);
    const bad = await c.get('/v1/incidents/..%2Fx/bundle');
    assert.ok(bad.status >= 400 && bad.status < 500, String(bad.status));
  });
});
