/**
 * Every route of /openapi.json, driven over HTTP on the demo node: success;
 * each kind of validation error, answered 400 problem+json naming the
 * field; no login (401); another agency's caller; a reviewer and a read
 * token refused on changes (READ_ONLY); a body naming another actor
 * (ACTOR_MISMATCH); a session without its CSRF token (CSRF_INVALID); a retry
 * with the same Idempotency-Key. The routes are read from the running
 * server's document, so a route added later is covered, and must come with
 * its case in route-cases.ts.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { serveDemo } from '../helpers/server.ts';
import { ROUTE_CASES, RouteWorld, type Call, type Caller, type Outcome } from './route-cases.ts';

type Json = Record<string, unknown>;
interface Operation {
  readonly description?: string;
  readonly parameters?: readonly { name: string; in: string; required: boolean; schema: Json }[];
  readonly requestBody?: { content: { 'application/json': { schema: Json } } };
  readonly responses: Record<string, unknown>;
  readonly security: readonly unknown[];
}
interface Route {
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly op: Operation;
}

const node = await serveDemo();
const t = new RouteWorld(node);
await t.logIn();
const doc = (await (await fetch(`${node.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
const routes: Route[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, op })),
);

after(async () => {
  await node.stop();
  node.cleanup();
});

const ledgerSize = (): Promise<number> => node.live.ledger.store.size();
const isCommand = (r: Route): boolean => r.op.description?.includes('Runs the domain command') === true;
const needsLogin = (r: Route): boolean => r.op.security.length > 0;
const successStatus = (r: Route): number => Number(Object.keys(r.op.responses).find((s) => s.startsWith('2')));
const bodySchema = (r: Route): Json | undefined => r.op.requestBody?.content['application/json'].schema;
const paramsOf = (r: Route, where: 'path' | 'query') => (r.op.parameters ?? []).filter((p) => p.in === where);

/** the request a call makes, with the path filled in */
function urlOf(r: Route, call: Call): string {
  const path = r.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const v = call.params?.[name];
    assert.ok(v !== undefined, `${r.key}: the case gives no ${name}`);
    // the tile path is several segments
    return name === 'path' ? v : encodeURIComponent(v);
  });
  const q = new URLSearchParams(call.query ?? {}).toString();
  return `${node.url}${path}${q ? `?${q}` : ''}`;
}

async function send(r: Route, call: Call, opts: { headers?: Record<string, string>; as?: Caller; without?: string[] } = {}): Promise<Response> {
  const client = await t.client(opts.as ?? call.as);
  const headers: Record<string, string> = { ...client.headers, ...(call.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  for (const h of opts.without ?? []) delete headers[h];
  return fetch(urlOf(r, call), {
    method: r.method,
    headers,
    ...(call.body !== undefined ? { body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) } : {}),
  });
}

interface ProblemBody {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field?: string;
}

async function expectProblem(res: Response, want: Outcome & { field?: string }, what: string): Promise<ProblemBody> {
  const text = await res.text();
  assert.equal(res.status, want.status, `${what}: ${text}`);
  assert.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8', what);
  const p = JSON.parse(text) as ProblemBody;
  assert.equal(p.status, want.status, what);
  if (want.code !== undefined) assert.equal(p.code, want.code, `${what}: ${text}`);
  if (want.detail !== undefined) assert.ok(p.detail.includes(want.detail), `${what}: "${p.detail}" says "${want.detail}"`);
  if (want.field !== undefined) assert.equal(p.field, want.field, `${what}: ${text}`);
  return p;
}

/** a value of another JSON type than the schema asks for */
function wrongType(schema: Json): unknown {
  switch (schema['type']) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'twelve';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'a list' };
    default:
      return 'not an object';
  }
}

interface Mutation {
  readonly name: string;
  readonly call: Call;
  readonly field: string;
  readonly status?: number;
  readonly code?: string;
}

/** the validation errors the route's schemas say it must refuse, each a change to a valid call */
function mutations(r: Route, call: Call): Mutation[] {
  const out: Mutation[] = [];
  for (const p of paramsOf(r, 'path')) {
    const schema = p.schema;
    if (typeof schema['pattern'] === 'string') {
      out.push({ name: `path ${p.name} is not an id`, call: { ...call, params: { ...call.params, [p.name]: 'not an id!' } }, field: `path.${p.name}` });
    }
    if (typeof schema['maxLength'] === 'number') {
      const long = 'a'.repeat(schema['maxLength'] + 1);
      out.push({
        name: `path ${p.name} is too long`,
        call: { ...call, params: { ...call.params, [p.name]: long } },
        field: p.name === 'path' ? 'path.*' : `path.${p.name}`,
      });
    }
  }
  for (const q of paramsOf(r, 'query')) {
    const s = q.schema;
    const bad =
      s['format'] === 'date-time'
        ? 'yesterday evening'
        : Array.isArray(s['enum'])
          ? 'sideways'
          : typeof s['pattern'] === 'string'
            ? 'not an id!'
            : 'minus three';
    out.push({ name: `query ${q.name} is not valid`, call: { ...call, query: { ...call.query, [q.name]: bad } }, field: `query.${q.name}` });
  }
  if (paramsOf(r, 'query').length > 0) {
    out.push({ name: 'an unknown query parameter', call: { ...call, query: { ...call.query, sortBy: 'name' } }, field: 'query.sortBy' });
  }
  const schema = bodySchema(r);
  if (schema !== undefined) {
    const body = (call.body ?? {}) as Json;
    const props = (schema['properties'] ?? {}) as Record<string, Json>;
    const required = (schema['required'] ?? []) as string[];
    const first = required[0];
    if (first !== undefined) {
      const { [first]: _gone, ...rest } = body;
      out.push({ name: `body without its required ${first}`, call: { ...call, body: rest }, field: `body.${first}` });
    }
    const typed = Object.keys(props)[0];
    if (typed !== undefined) {
      out.push({
        name: `body ${typed} of the wrong type`,
        call: { ...call, body: { ...body, [typed]: wrongType(props[typed] as Json) } },
        field: `body.${typed}`,
      });
    }
    out.push({ name: 'body with an unknown field', call: { ...call, body: { ...body, priority: 'high' } }, field: 'body.priority' });
    const long = Object.entries(props).find(([, s]) => s['type'] === 'string' && typeof s['maxLength'] === 'number');
    if (long !== undefined) {
      const [name, s] = long;
      out.push({
        name: `body ${name} too long`,
        call: { ...call, body: { ...body, [name]: 'a'.repeat((s['maxLength'] as number) + 1) } },
        field: `body.${name}`,
      });
    }
    out.push({ name: 'body that is not an object', call: { ...call, body: '[1,2,3]' }, field: 'body' });
    out.push({ name: 'body that is not JSON', call: { ...call, body: '{"reason": ' }, field: 'body' });
    out.push({ name: 'body with a key twice', call: { ...call, body: '{"reason":"a","reason":"b"}' }, field: 'body' });
  }
  return out;
}

describe('the route table', () => {
  it('has a case for every route in /openapi.json, and no case for a route that is not there', () => {
    const keys = new Set(routes.map((r) => r.key));
    assert.deepEqual(
      routes.map((r) => r.key).filter((k) => ROUTE_CASES[k] === undefined),
      [],
      'routes without a case in route-cases.ts',
    );
    assert.deepEqual(
      Object.keys(ROUTE_CASES).filter((k) => !keys.has(k)),
      [],
      'cases of routes the server does not have',
    );
    assert.ok(routes.length >= 60, `${routes.length} routes`);
  });
});

for (const r of routes) {
  const c = ROUTE_CASES[r.key];
  if (c === undefined) continue;
  describe(r.key, () => {
    it(c.expect === undefined || c.expect.status < 400 ? 'succeeds' : `is refused as the domain says (${c.expect.code})`, async () => {
      const call = await c.call(t);
      const before = await ledgerSize();
      const res = await send(r, call);
      const want = c.expect ?? { status: successStatus(r) };
      if (want.status >= 400) {
        await expectProblem(res, want, r.key);
        assert.equal(await ledgerSize(), before, 'a refusal appends nothing');
        return;
      }
      const text = await res.text();
      assert.equal(res.status, want.status, text);
      if (isCommand(r)) {
        const answer = JSON.parse(text) as { entries: { index: number }[] };
        assert.ok(answer.entries.length > 0);
        assert.equal(await ledgerSize(), before + answer.entries.length, 'the ledger holds the entries the answer names');
        assert.deepEqual(
          answer.entries.map((e) => e.index),
          answer.entries.map((_e, i) => before + i),
        );
      }
    });

    it('refuses each kind of invalid input with 400 problem+json naming the field', async (ctx) => {
      const call = await c.call(t);
      const bad = mutations(r, call);
      if (bad.length === 0) {
        ctx.skip('the route takes no input');
        return;
      }
      const before = await ledgerSize();
      for (const m of bad) {
        await expectProblem(await send(r, m.call), { status: m.status ?? 400, code: m.code ?? 'BAD_INPUT', field: m.field }, `${r.key}: ${m.name}`);
      }
      assert.equal(await ledgerSize(), before);
    });

    if (needsLogin(r)) {
      it('needs a login (401), and refuses a credential that is not valid (401)', async () => {
        const call = await c.call(t);
        await expectProblem(await send(r, call, { as: 'anonymous' }), { status: 401, code: 'UNAUTHENTICATED' }, 'no credentials');
        await expectProblem(
          await send(r, call, { as: 'anonymous', headers: { authorization: 'Bearer cnc_not-a-token' } }),
          { status: 401, code: 'UNAUTHENTICATED' },
          'an unknown token',
        );
        await expectProblem(
          await send(r, call, { as: 'anonymous', headers: { authorization: 'Basic c2FudG9zOnB3' } }),
          { status: 401, code: 'UNAUTHENTICATED', field: 'headers.authorization' },
          'another scheme',
        );
        await expectProblem(
          await send(r, call, { as: 'anonymous', headers: { cookie: 'concord_session=ended-long-ago', 'x-csrf-token': 'x' } }),
          { status: 401, code: 'UNAUTHENTICATED' },
          'a session that is not one',
        );
      });
    } else {
      it('answers without a login, and credentials that are not valid do not stop it', async () => {
        const call = await c.call(t);
        assert.equal(call.as, 'anonymous', 'a public route is called anonymously');
        const want = c.expect?.status ?? successStatus(r);
        const garbage: Record<string, string>[] = [
          { authorization: 'Bearer cnc_not-a-token' },
          { cookie: 'concord_session=ended-long-ago' },
          { authorization: 'Basic eDp5' },
        ];
        for (const headers of garbage) {
          const res = await send(r, call, { headers });
          assert.equal(res.status, want, `${JSON.stringify(headers)}: ${await res.text()}`);
        }
      });
    }

    const other = c.otherAgency;
    if ('none' in other) {
      it(`has no other agency to refuse (${other.none})`, () => {});
    } else if ('answer' in other) {
      it(`answers another agency's caller ${other.answer.status} ${other.answer.code}`, async () => {
        const call = await c.call(t);
        const before = await ledgerSize();
        await expectProblem(await send(r, call, { as: other.as }), other.answer, `${r.key} by another agency`);
        assert.equal(await ledgerSize(), before);
      });
    } else {
      it("lists none of another agency's records for a caller of an agency that takes no part", async () => {
        const call = await c.call(t);
        const mine = await send(r, call);
        assert.equal(mine.status, 200);
        const seen = await mine.json();
        assert.ok(other.hides(seen), `the caller sees the record: ${JSON.stringify(seen).slice(0, 300)}`);
        const theirs = await send(r, call, { as: other.as });
        assert.equal(theirs.status, 200);
        assert.equal(other.hides(await theirs.json()), false, 'the outsider does not');
      });
    }

    if (isCommand(r)) {
      it('refuses a reviewer and a read token (403 READ_ONLY)', async () => {
        const call = await c.call(t);
        const before = await ledgerSize();
        await expectProblem(await send(r, call, { as: 'liu' }), { status: 403, code: 'READ_ONLY' }, 'the reviewer');
        const agency = typeof call.as === 'string' ? (t.agencyOf(call.as) ?? 'city-pd') : call.as.token;
        await expectProblem(await send(r, call, { as: { token: agency, scope: 'read' } }), { status: 403, code: 'READ_ONLY' }, 'a read token');
        assert.equal(await ledgerSize(), before);
      });

      it('refuses a body naming another actor (403 ACTOR_MISMATCH)', async () => {
        const call = await c.call(t);
        const before = await ledgerSize();
        const body = { ...(call.body as Json), actor: { agency: 'city-pd', person: 'cpd-okafor' } };
        await expectProblem(await send(r, { ...call, body }), { status: 403, code: 'ACTOR_MISMATCH', field: 'body.actor' }, 'the district commander');
        const device = { ...(call.body as Json), actor: { agency: 'fed-ice', device: 'fed-ice-cad' } };
        await expectProblem(await send(r, { ...call, body: device }), { status: 403, code: 'ACTOR_MISMATCH', field: 'body.actor' }, 'a device');
        assert.equal(await ledgerSize(), before);
      });
    }

    if (r.method === 'POST' && needsLogin(r)) {
      it('refuses a session without its CSRF token (403 CSRF_INVALID)', async () => {
        const call = await c.call(t);
        const session: Caller = typeof call.as === 'string' ? call.as : 'chen';
        const before = await ledgerSize();
        await expectProblem(await send(r, call, { as: session, without: ['x-csrf-token'] }), { status: 403, code: 'CSRF_INVALID' }, 'no CSRF token');
        await expectProblem(
          await send(r, call, { as: session, headers: { 'x-csrf-token': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } }),
          { status: 403, code: 'CSRF_INVALID' },
          'a wrong CSRF token',
        );
        assert.equal(await ledgerSize(), before);
      });
    }

    if (r.method === 'POST' && c.noIdempotency !== undefined) {
      it(`ignores Idempotency-Key (${c.noIdempotency}): each call is carried out anew`, async () => {
        const call = await c.call(t);
        const key = t.id('retry');
        const before = await ledgerSize();
        const first = await send(r, call, { headers: { 'idempotency-key': key } });
        const again = await send(r, call, { headers: { 'idempotency-key': key } });
        assert.equal(first.status, again.status);
        assert.equal(again.headers.get('idempotent-replayed'), null);
        if (c.recordsNothing === true) assert.equal(await ledgerSize(), before, 'it records nothing');
        else assert.notEqual(await first.text(), await again.text(), 'a new answer, not the first one replayed');
      });
    }

    if (r.method === 'POST' && c.noIdempotency === undefined) {
      it('answers a retry with the same Idempotency-Key as the first time, appending nothing', async () => {
        const call = await c.call(t);
        const key = t.id('retry');
        const before = await ledgerSize();
        const first = await send(r, call, { headers: { 'idempotency-key': key } });
        const firstBody = await first.text();
        const grown = await ledgerSize();
        if (first.status === 201 && isCommand(r)) assert.equal(grown, before + (JSON.parse(firstBody) as { entries: unknown[] }).entries.length);
        else assert.equal(grown, before);
        assert.equal(first.headers.get('idempotent-replayed'), null);

        const retry = await send(r, call, { headers: { 'idempotency-key': key } });
        if (c.retry !== undefined) {
          // the call ended what authenticates its retry
          await expectProblem(retry, c.retry, 'the retry');
          return;
        }
        assert.equal(retry.status, first.status);
        assert.equal(await retry.text(), firstBody);
        assert.equal(retry.headers.get('idempotent-replayed'), 'true');
        assert.equal(await ledgerSize(), grown, 'the retry appends nothing');

        const otherBody = { ...((call.body ?? {}) as Json), reason: 'Another request under the same key.' };
        await expectProblem(
          await send(r, { ...call, body: otherBody }, { headers: { 'idempotency-key': key } }),
          { status: 422, code: 'IDEMPOTENCY_CONFLICT', field: 'headers.idempotency-key' },
          'the same key with another body',
        );
        assert.equal(await ledgerSize(), grown);
      });
    }
  });
}
