/**
 * POST /v1/preview: a command decided as its route would decide it, and
 * nothing recorded. It appends no entry and keeps no Idempotency-Key
 * receipt; it answers a prohibited action with the verdict and the clauses
 * that prohibit it; a withdrawal's preview names the agencies that would be
 * told; and it tells a caller nothing the command itself would not (agency
 * boundaries: another agency's request is refused exactly as the command is).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { serveDemo, type Client, type ServedNode } from '../helpers/server.ts';

const INCIDENT = 'inc-2026-0601-harrison';

interface Preview {
  type: string;
  allowed: boolean;
  refusal?: { code: string; status: number; detail: string; field?: string };
  verdicts: { decision: string; agency: string; policyVersion: string; clauses: { id: string; cite?: string; summary?: string }[] }[];
  events: { type: string }[];
  notified: { agency: string; person?: string; urgent: boolean }[];
}

let node: ServedNode;
let santos: Client;
let chen: Client;
let harris: Client;
let next = 0;

before(async () => {
  node = await serveDemo();
  santos = await node.as('santos');
  chen = await node.as('chen');
  harris = await node.as('harris');
});
after(async () => {
  await node.stop();
  node.cleanup();
});

async function preview(c: Client, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Preview> {
  const r = await c.post('/v1/preview', { path, body }, headers);
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return JSON.parse(text) as Preview;
}

async function run(c: Client, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const r = await c.post(path, body, headers);
  assert.equal(r.status, 201, `${path}: ${await r.clone().text()}`);
  return r;
}

/** a request from santos to the city on the demo incident */
async function request(over: Record<string, unknown> = {}): Promise<string> {
  const requestId = `req-preview-${++next}`;
  await run(santos, '/v1/requests', {
    requestId,
    incidentId: INCIDENT,
    to: 'city-pd',
    category: 'officer_in_danger',
    urgency: 'immediate',
    operation: 'civil_immigration_enforcement',
    description: 'An officer is down at the south gate.',
    unitsRequested: 2,
    ...over,
  });
  return requestId;
}

const size = () => node.live.ledger.store.size();

describe('POST /v1/preview', () => {
  it('decides the command as the route would and appends nothing; an Idempotency-Key is not kept', async () => {
    const id = await request();
    const before = await size();
    const state = node.live.coordination.world.requests[id]?.state;
    const key = `preview-key-${id}`;
    const p = await preview(chen, `/v1/requests/${id}/accept`, { reason: 'Officer in danger: 2-173-030(a).' }, { 'idempotency-key': key });
    assert.equal(p.type, 'request.accept');
    assert.equal(p.allowed, true);
    assert.ok(
      p.events.some((e) => e.type === 'request.accepted'),
      JSON.stringify(p.events),
    );
    assert.equal(await size(), before, 'the preview appended nothing');
    assert.equal(node.live.coordination.world.requests[id]?.state, state, 'the world is unchanged');
    // the same key on the real command is carried out, not answered with the preview's answer
    const done = await run(chen, `/v1/requests/${id}/accept`, { reason: 'Officer in danger: 2-173-030(a).' }, { 'idempotency-key': key });
    assert.equal(done.headers.get('idempotent-replayed'), null);
    assert.equal(node.live.coordination.world.requests[id]?.state, 'accepted');
  });

  it('a request the protocols prohibit: the preview of sending it shows the verdict and its clauses; accepting it is refused with them', async () => {
    const body = {
      incidentId: INCIDENT,
      to: 'city-pd',
      kind: 'units',
      category: 'perimeter',
      urgency: 'urgent',
      operation: 'civil_immigration_enforcement',
      description: 'Hold the perimeter at the south gate.',
      unitsRequested: 2,
    };
    const before = await size();
    const sent = await preview(santos, '/v1/requests', body);
    assert.equal(sent.allowed, true, 'sending is allowed: the city judges it on receipt');
    const v = sent.verdicts.find((x) => x.agency === 'city-pd');
    assert.equal(v?.decision, 'prohibited');
    assert.ok(
      v?.clauses.some((c) => c.id === '2-173-020(b)' && c.summary !== undefined && c.cite !== undefined),
      JSON.stringify(v),
    );
    assert.equal(await size(), before);

    const id = await request({ category: 'perimeter' });
    const accept = await preview(chen, `/v1/requests/${id}/accept`, { reason: 'We can spare two cars.' });
    assert.equal(accept.allowed, false);
    assert.equal(accept.refusal?.code, 'VERDICT_PROHIBITED');
    assert.equal(accept.refusal?.status, 403);
    assert.deepEqual(
      accept.verdicts.map((x) => [x.decision, x.clauses.map((c) => c.id)]),
      [['prohibited', ['2-173-020(b)']]],
    );
    // the command itself is refused with the same words
    const real = await chen.post(`/v1/requests/${id}/accept`, { reason: 'We can spare two cars.' });
    assert.equal(real.status, 403);
    assert.equal(((await real.json()) as { detail: string }).detail, accept.refusal?.detail);
  });

  it('a withdrawal: who would be told before it is sent; without a reason the refusal names the field', async () => {
    const id = await request();
    await run(chen, `/v1/requests/${id}/accept`, { reason: 'Officer in danger.' });
    const unit = `cpd-car-preview-${id}`;
    await run(harris, '/v1/units', { unitId: unit, unitType: 'patrol car', callsign: unit, supervisor: 'city-pd.sergeant-1231' });
    await run(chen, `/v1/requests/${id}/commit`, { units: [unit], reason: 'Nearest car.' });
    const before = await size();
    const p = await preview(harris, `/v1/requests/${id}/withdraw`, { units: [unit], reason: 'Needed elsewhere.' });
    assert.equal(p.allowed, true, JSON.stringify(p));
    assert.ok(
      p.notified.some((n) => n.agency === 'fed-ice'),
      JSON.stringify(p.notified),
    );
    const none = await preview(harris, `/v1/requests/${id}/withdraw`, { units: [unit] });
    assert.equal(none.allowed, false);
    assert.equal(none.refusal?.field, 'body.reason');
    assert.deepEqual(none.notified, []);
    assert.equal(await size(), before);
  });

  it('is authorised like the command: no session, a read-only token, a CSRF-less call, another actor in the body', async () => {
    const id = await request();
    const path = `/v1/requests/${id}/accept`;
    const anon = await node.anonymous.post('/v1/preview', { path, body: { reason: 'x' } });
    assert.equal(anon.status, 401);
    const reader = await node.withToken('city-pd', 'read');
    assert.equal((await reader.post('/v1/preview', { path, body: { reason: 'x' } })).status, 403);
    const noCsrf = await fetch(`${node.url}/v1/preview`, {
      method: 'POST',
      headers: { cookie: chen.headers['cookie'] as string, 'content-type': 'application/json' },
      body: JSON.stringify({ path, body: { reason: 'x' } }),
    });
    assert.equal(noCsrf.status, 403);
    const other = await preview(chen, path, { reason: 'x', actor: { agency: 'city-pd', person: 'cpd-harris' } });
    assert.equal(other.allowed, false);
    assert.equal(other.refusal?.code, 'ACTOR_MISMATCH');
    const nowhere = await chen.post('/v1/preview', { path: '/v1/requests/x/explode', body: {} });
    assert.equal(nowhere.status, 400);
    assert.equal(((await nowhere.json()) as { field: string }).field, 'body.path');
  });

  it("tells another agency nothing its command would not: refused as the command is, with no verdict or event of the request's", async () => {
    const id = await request({ category: 'perimeter' });
    const outsider = await node.withToken('review-board', 'write');
    const body = { reason: 'We would help.' };
    const p = await preview(outsider, `/v1/requests/${id}/accept`, body);
    const real = await outsider.post(`/v1/requests/${id}/accept`, body);
    const problem = (await real.json()) as { code: string; detail: string };
    assert.equal(p.allowed, false);
    assert.equal(p.refusal?.status, real.status);
    assert.equal(p.refusal?.code, problem.code);
    assert.equal(p.refusal?.detail, problem.detail);
    assert.deepEqual(p.verdicts, [], 'the city verdict on a fed-ice request is not the review board’s to read');
    assert.deepEqual(p.events, []);
  });
});
