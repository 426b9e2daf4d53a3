/**
 * Fuzz: ten thousand malformed requests across every route of /openapi.json,
 * generated from the document itself (a valid body, path and query from each
 * schema, then broken: wrong types, fields missing or unknown, huge strings,
 * deep nesting, invalid UTF-8, a key twice, numbers a double does not hold,
 * wrong content types, garbage in Authorization, Idempotency-Key, cookies
 * and CSRF tokens, bad query strings, odd path parameters), sent by callers
 * logged in and not, twenty at a time. The server never answers 5xx; every
 * refusal is problem+json with a code; the ledger afterwards holds exactly
 * the entries of the writes it accepted (and the deliveries that reading an
 * inbox records), and the data directory verifies.
 *
 * Seeded: FUZZ_SEED=<n> replays a run; a failure prints the seed and the request.
 */
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { after, describe, it } from 'node:test';
import { verifyDataDir } from '../../src/app/verify.ts';
import { serveDemo } from '../helpers/server.ts';

type Json = Record<string, unknown>;
interface Operation {
  readonly parameters?: readonly { name: string; in: string; required: boolean; schema: Json }[];
  readonly requestBody?: { content: { 'application/json': { schema: Json } } };
  readonly security: readonly unknown[];
  readonly description?: string;
}

const REQUESTS = 10_000;
const CONCURRENCY = 20;
const SEED = Number(process.env['FUZZ_SEED'] ?? 0x5eed16);

/** mulberry32: a small seeded generator, so a failing run can be replayed */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = generator(SEED);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
const chance = (p: number): boolean => rnd() < p;

const KNOWN_IDS = [
  'inc-2026-0601-harrison',
  'req-001',
  'req-003',
  'ord-001',
  'city-pd',
  'fed-ice',
  'cpd-1231',
  'ice-santos',
  'cpd-chen',
  'city-pd.watch-commander',
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
];

// ---- valid values from a JSON schema (the shapes zod writes into the document)

function sample(schema: Json, depth = 0): unknown {
  if (Array.isArray(schema['oneOf'])) return sample(pick(schema['oneOf'] as Json[]), depth);
  if (Array.isArray(schema['anyOf'])) return sample(pick(schema['anyOf'] as Json[]), depth);
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum'])) return pick(schema['enum'] as unknown[]);
  switch (schema['type']) {
    case 'string': {
      if (schema['format'] === 'date-time') return new Date(Date.UTC(2026, 11, 1, int(24), int(60))).toISOString();
      // ids: fresh ones, the demo's own, and names every JavaScript object has (ids by the ledger's rule)
      if (typeof schema['pattern'] === 'string') return chance(0.7) ? `fz-${int(1e6).toString(36)}` : pick(KNOWN_IDS);
      return pick(['Fuzzed text.', 'x', 'Units to stage at Ashland and Polk.', 'é ✓ 中文']);
    }
    case 'integer': {
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : 0;
      const max = typeof schema['maximum'] === 'number' ? Math.min(schema['maximum'], min + 1000) : min + 1000;
      return min + int(max - min + 1);
    }
    case 'number': {
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : -1000;
      const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : 1000;
      return min + rnd() * (max - min);
    }
    case 'boolean':
      return chance(0.5);
    case 'array': {
      if (Array.isArray(schema['prefixItems'])) return (schema['prefixItems'] as Json[]).map((s) => sample(s, depth + 1));
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 0;
      const n = depth > 3 ? min : min + int(3);
      return Array.from({ length: n }, () => sample((schema['items'] as Json | undefined) ?? {}, depth + 1));
    }
    case 'object': {
      const props = (schema['properties'] ?? {}) as Record<string, Json>;
      const required = new Set((schema['required'] ?? []) as string[]);
      const out: Json = {};
      for (const [k, s] of Object.entries(props)) if (required.has(k) || (depth < 3 && chance(0.5))) out[k] = sample(s, depth + 1);
      return out;
    }
    default:
      return null;
  }
}

// ---- breaking things

const WRONG_VALUES: readonly unknown[] = [null, true, 0, -1, 1.5, '', 'x', [], {}, [[]], { a: {} }, 'not an id!', '2026-02-30T00:00:00Z', 1e308, -0];
const BIG_NUMBERS = [
  '9007199254740993',
  '-9007199254740993',
  '1e400',
  '123456789012345678901234567890',
  '0.1e-400',
  '1E+2',
  '-0',
  '01',
  '1.',
  '.5',
  'NaN',
  'Infinity',
];

/** every path to a value inside `v` */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(v: unknown, at: readonly (string | number)[], value: unknown, remove = false): unknown {
  if (at.length === 0) return value;
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  if (Array.isArray(v)) {
    const copy = [...v];
    if (remove && rest.length === 0) copy.splice(head as number, 1);
    else copy[head as number] = setAt(copy[head as number], rest, value, remove);
    return copy;
  }
  const copy = { ...(v as Json) };
  if (remove && rest.length === 0) delete copy[head as string];
  else copy[head as string] = setAt(copy[head as string], rest, value, remove);
  return copy;
}

/** a broken body, as the bytes to send */
function brokenBody(valid: unknown): Buffer {
  const text = (x: unknown): Buffer => Buffer.from(JSON.stringify(x));
  const spots = paths(valid);
  switch (int(14)) {
    case 0:
      return text(setAt(valid, pick(spots), pick(WRONG_VALUES)));
    case 1: {
      const inner = spots.filter((p) => p.length > 0);
      return text(inner.length > 0 ? setAt(valid, pick(inner), undefined, true) : {});
    }
    case 2: {
      const objects = spots.filter((p) => {
        let v: unknown = valid;
        for (const s of p) v = (v as Json)[s as string];
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      });
      return text(
        setAt(valid, [...(objects.length > 0 ? pick(objects) : []), pick(['extra', '__proto__', 'constructor', 'actor', 'type', ''])], pick(WRONG_VALUES)),
      );
    }
    case 3:
      // a string longer than any field takes, sometimes longer than the body limit
      return text(setAt(valid, pick(spots), 'A'.repeat(chance(0.1) ? (1 << 20) + 10 : 10_001 + int(100_000))));
    case 4: {
      const depth = pick([50, 65, 200, 5000, 100_000]);
      const open = chance(0.5) ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      return Buffer.from(`${open.repeat(depth)}1${close.repeat(depth)}`);
    }
    case 5: {
      // invalid UTF-8: a lone continuation byte, an overlong form, a surrogate half, a truncated sequence
      const bad = pick([[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xfe, 0xff]]);
      const s = JSON.stringify(valid);
      const at = s.indexOf('"') + 1 || 1;
      return Buffer.concat([Buffer.from(s.slice(0, at)), Buffer.from(bad), Buffer.from(s.slice(at))]);
    }
    case 6: {
      const s = JSON.stringify(valid);
      const key = Object.keys((valid ?? {}) as Json)[0] ?? 'reason';
      return Buffer.from(s.startsWith('{') && s.length > 2 ? `{"${key}":1,${s.slice(1)}` : `{"${key}":1,"${key}":2}`);
    }
    case 7: {
      const s = JSON.stringify(setAt(valid, pick(spots), 424242));
      return Buffer.from(s.replace('424242', pick(BIG_NUMBERS)));
    }
    case 8:
      return Buffer.from(
        pick([
          '',
          ' ',
          'null',
          'true',
          '"text"',
          '[]',
          '{',
          '}',
          '{"a":1}garbage',
          '\ufeff{}',
          '{"a":"\\ud800"}',
          '{"a":"\\u0000"}',
          "{'a':1}",
          '{"a":1,}',
          '[1,]',
          '{"a" 1}',
        ]),
      );
    case 9:
      return text([valid]);
    case 10:
      return Buffer.from(JSON.stringify(valid).replace(/"([^"]*)"/, '"$1\u0000\u001f"'));
    case 11:
      return text(
        setAt(
          valid,
          pick(spots),
          Array.from({ length: pick([1001, 5000]) }, () => 'x'),
        ),
      );
    case 12: {
      const s = JSON.stringify(valid);
      return Buffer.from(s.slice(0, int(s.length)));
    }
    default:
      return text(setAt(valid, pick(spots), { deep: { deeper: [1, { deepest: 'x' }] } }));
  }
}

const ODD_SEGMENTS = [
  '',
  '%00',
  '%2F',
  '..',
  '%2e%2e',
  '%zz',
  '%',
  'a%20b',
  '%E2%9C%93',
  '%FF%FE',
  '%C0%AF',
  'a'.repeat(129),
  'a'.repeat(201),
  'a'.repeat(5000),
  '-leading-dash',
  ':colon',
  'x;y',
  'x,y',
  '%7B%7D',
  '__proto__',
  'constructor',
  '1e400',
  '9007199254740993',
  "'%20OR%201=1",
];
const ODD_QUERIES = [
  '?',
  '?&&&',
  '?a=1&a=2',
  '?%zz=1',
  '?__proto__=1',
  '?constructor[prototype][x]=1',
  `?x=${'y'.repeat(10_000)}`,
  '?=',
  '?at=2026-02-30T00:00:00Z',
  '?at=2026-06-01T21:00:00Z&at=2026-06-01T21:00:00Z',
  '?at[]=1',
  '?incident=%00',
  '?incident=a&incident=b',
  '?status=created&status=delivered',
  '?index=-1',
  '?index=1e400',
  '?index=9007199254740993',
  '?index=0x10',
  '?index=%201',
  '?from=5&to=3',
  '?size=abc',
];
const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  'application/jsonx',
  'application/json;;;',
  'APPLICATION/JSON',
  '*/*',
  'application/problem+json',
  '',
];
const AUTH_GARBAGE = [
  'Bearer',
  'Bearer ',
  'Bearer a b',
  'Bearer cnc_',
  'Bearer cnc_x.y',
  'bearer cnc_00000000.AAAA',
  'Basic c2FudG9zOmRlbW8=',
  'Digest x',
  'Bearer ' + 'A'.repeat(8000),
  'Bearer \u00ff\u00fe',
  'Token x',
  ',,,',
];
const KEY_GARBAGE = ['', ' ', 'a b', 'k'.repeat(201), '\u00e9t\u00e9', 'key\t', '"quoted"', 'k'.repeat(200)];
const COOKIE_GARBAGE = ['concord_session=', 'concord_session=x', 'concord_session=' + 'A'.repeat(4000), '=;=;', 'concord_session', 'a=b; concord_session=%zz'];

interface Caller {
  readonly name: string;
  readonly headers: Record<string, string>;
  /** a session: sends a CSRF token we may drop */
  readonly session: boolean;
}

interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

const node = await serveDemo();
let stopped = false;
after(async () => {
  if (!stopped) await node.stop();
  node.cleanup();
});
const [host, port] = node.url.replace('http://', '').split(':') as [string, string];
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** one request over a raw socket: the path, headers and bytes exactly as generated */
function send(s: Sent, over: Agent | false = agent): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port: Number(port), method: s.method, path: s.path, headers: s.headers, agent: over }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(s.body);
  });
}

describe('what the fuzz found, kept', () => {
  const problemOf = (res: { status: number; type: string; text: string }): { code: string; field?: string } => {
    assert.equal(res.type, 'application/problem+json; charset=utf-8', res.text);
    return JSON.parse(res.text) as { code: string; field?: string };
  };

  it('an id named like a property every object has (constructor, toString, valueOf) is an unknown id, not a 500', async () => {
    const token = await node.withToken('city-pd', 'write');
    const chen = await node.as('chen');
    for (const [method, path, headers] of [
      ['GET', '/v1/orders/constructor', token.headers],
      ['GET', '/v1/conflicts/toString', chen.headers],
      ['GET', '/v1/requests/hasOwnProperty', chen.headers],
      ['GET', '/v1/incidents/valueOf', chen.headers],
      ['POST', '/v1/requests/valueOf/release', token.headers],
      ['POST', '/v1/notifications/constructor/deliver', chen.headers],
      ['POST', '/v1/units/constructor/status', chen.headers],
    ] as const) {
      const body =
        method === 'POST' ? Buffer.from(path.endsWith('status') ? '{"status":"available"}' : path.endsWith('release') ? '{"reason":"x"}' : '{}') : undefined;
      const res = await send({ method, path, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}) });
      assert.equal(res.status, 404, `${method} ${path}: ${res.text}`);
      assert.equal(problemOf(res).code, 'UNKNOWN_ENTITY');
    }
  });

  it("the router's and the HTTP parser's own refusals are problems too", async () => {
    const token = await node.withToken('fed-ice', 'write');
    const long = await send({
      method: 'POST',
      path: `/v1/requests/${'a'.repeat(201)}/cancel`,
      headers: { ...token.headers, 'content-type': 'application/json' },
      body: Buffer.from('{}'),
    });
    assert.equal(long.status, 414);
    assert.deepEqual(problemOf(long), { ...problemOf(long), code: 'BAD_INPUT', field: 'path' });
    const badUrl = await send({ method: 'GET', path: '/v1/requests/%zz', headers: token.headers });
    assert.equal(badUrl.status, 400);
    assert.equal(problemOf(badUrl).field, 'path');
    // Node's parser refuses headers past its limit before Fastify sees the request
    const huge = await send({ method: 'GET', path: `/health?x=${'y'.repeat(20_000)}`, headers: {} }, false);
    assert.equal(huge.status, 431);
    assert.equal(problemOf(huge).code, 'BAD_INPUT');
  });
});

it(`${REQUESTS} malformed requests: no 5xx, every refusal a problem, the ledger holds exactly the accepted writes, and verifies`, async (t) => {
  const doc = (await (await fetch(`${node.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
  assert.ok(routes.length >= 60);

  const callers: Caller[] = [{ name: 'anonymous', headers: {}, session: false }];
  for (const login of ['santos', 'chen', 'harris', 'liu']) {
    const c = await node.as(login);
    callers.push({ name: login, headers: { ...c.headers }, session: true });
  }
  for (const [agency, scope] of [
    ['city-pd', 'write'],
    ['fed-ice', 'write'],
    ['city-pd', 'read'],
  ] as const) {
    const c = await node.withToken(agency, scope);
    callers.push({ name: `${agency}-${scope}`, headers: { ...c.headers }, session: false });
  }

  // the inboxes read now, so that what reading delivers later is only what the fuzz itself caused
  for (const c of callers.filter((x) => x.session)) await fetch(`${node.url}/v1/notifications`, { headers: c.headers });
  const before = await node.live.ledger.store.size();

  const santos = callers.find((c) => c.name === 'santos') as Caller;
  const cityDevice = callers.find((c) => c.name === 'city-pd-write') as Caller;
  /** a write the demo world accepts, sent now and then among the broken ones so that the count of accepted writes means something */
  const validWrite = (): Sent => {
    const json = (caller: Caller, path: string, body: unknown): Sent => ({
      method: 'POST',
      path,
      headers: { ...caller.headers, 'content-type': 'application/json', ...(chance(0.3) ? { 'idempotency-key': `ok-${int(20)}` } : {}) },
      body: Buffer.from(JSON.stringify(body)),
    });
    switch (int(3)) {
      case 0:
        return json(santos, '/v1/incidents/inc-2026-0601-harrison/messages', { text: `Status check ${int(1e6)}.`, agencies: ['city-pd'] });
      case 1:
        return json(santos, '/v1/incidents', { name: `Fuzz incident ${int(1e6)}`, location: 'Metro City' });
      default:
        return json(cityDevice, '/v1/units/positions', {
          positions: [
            { unit: pick(['cpd-1231', 'cpd-1232', 'cpd-1233']), lat: 41.87 + rnd() / 100, lon: -87.66 - rnd() / 100, observed: '2026-12-01T10:00:00Z' },
          ],
        });
    }
  };

  const generate = (): Sent => {
    if (chance(0.03)) return validWrite();
    const route = pick(routes);
    const caller = pick(callers);
    const headers: Record<string, string> = { ...caller.headers };
    // logging out is left to nobody: the fuzz keeps its sessions
    if (route.path === '/v1/session/logout') delete headers['x-csrf-token'];
    const params = (route.op.parameters ?? []).filter((p) => p.in === 'path');
    const queries = (route.op.parameters ?? []).filter((p) => p.in === 'query');
    let path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
      const p = params.find((x) => x.name === name);
      if (name === 'path') return pick(['0/000', '0/000.p/5', 'entries/000.p/3', '1/000', 'entries/x001/000', '0/x000/000.p/0', '64/000', 'nope']);
      return chance(0.3) ? pick(ODD_SEGMENTS) : encodeURIComponent(String(sample(p?.schema ?? { type: 'string' })));
    });
    const q = new URLSearchParams();
    for (const x of queries) if (x.required || chance(0.5)) q.set(x.name, String(sample(x.schema)));
    path += chance(0.25) ? pick(ODD_QUERIES) : q.size > 0 ? `?${q.toString()}` : '';

    let body: Buffer | undefined;
    const schema = route.op.requestBody?.content['application/json'].schema;
    if (route.method === 'POST') {
      const valid = schema !== undefined ? sample(schema) : {};
      // most bodies are broken; a few stay valid, so that some writes are accepted and counted
      body = chance(0.85) ? brokenBody(valid) : Buffer.from(JSON.stringify(valid));
      headers['content-type'] = chance(0.85) ? 'application/json' : pick(CONTENT_TYPES);
      if (headers['content-type'] === '') delete headers['content-type'];
    } else if (chance(0.05)) {
      body = Buffer.from('{"a":1}');
      headers['content-type'] = 'application/json';
    }
    if (chance(0.3)) headers['idempotency-key'] = chance(0.5) ? pick(KEY_GARBAGE) : `fz-${int(50)}`;
    if (chance(0.08)) headers['authorization'] = pick(AUTH_GARBAGE);
    if (chance(0.05)) headers['cookie'] = pick(COOKIE_GARBAGE);
    if (caller.session && chance(0.1)) headers['x-csrf-token'] = pick(['', 'x', 'A'.repeat(43), 'A'.repeat(5000)]);
    if (chance(0.03)) headers['accept'] = pick(['text/html', '*/*;q=0', 'application/xml']);
    if (chance(0.03)) headers['x-forwarded-for'] = pick(['1.2.3.4', 'garbage', '::1, ::2']);
    return { method: route.method, path, headers, ...(body !== undefined ? { body } : {}) };
  };

  const reported = new Set<number>();
  const inboxReaders = new Set<string>();
  const failures: string[] = [];
  let next = 0;
  const statuses = new Map<number, number>();
  const worker = async (): Promise<void> => {
    while (next < REQUESTS && failures.length < 5) {
      next += 1;
      const s = generate();
      const describe = `seed ${SEED}: ${s.method} ${s.path.slice(0, 200)} headers ${JSON.stringify(s.headers).slice(0, 300)} body ${s.body?.subarray(0, 200).toString('latin1')}`;
      let res: { status: number; type: string; text: string };
      try {
        res = await send(s).catch((e: NodeJS.ErrnoException) => {
          // a kept-alive socket the server closed after refusing the request before (as Node closes one after a
          // parse error) fails the next request sent on it: that one is sent again on a connection of its own
          if (e.code === 'ECONNRESET' || e.message === 'socket hang up') return send(s, false);
          throw e;
        });
      } catch (e) {
        failures.push(`${describe}: the connection failed: ${(e as Error).message}`);
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) failures.push(`${describe}: ${res.status} ${res.text.slice(0, 500)}`);
      else if (res.status >= 400) {
        let code: unknown;
        try {
          code = (JSON.parse(res.text) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (!res.type.startsWith('application/problem+json') || typeof code !== 'string')
          failures.push(`${describe}: ${res.status} ${res.type} ${res.text.slice(0, 300)}`);
      } else if (res.status === 201 && s.method === 'POST' && res.text.includes('"entries"')) {
        for (const e of (JSON.parse(res.text) as { entries: { index: number }[] }).entries) reported.add(e.index);
      } else if (res.status === 200 && s.path.startsWith('/v1/notifications')) {
        inboxReaders.add(s.headers['cookie'] ?? '');
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  t.diagnostic(
    `seed ${SEED}: ${next} requests in ${Math.round(performance.now() - started)} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
  );
  assert.deepEqual(failures, [], `statuses ${JSON.stringify([...statuses])}`);
  assert.ok(next >= REQUESTS, `${next} requests sent`);

  // the ledger grew by the entries the accepted writes named, and by deliveries only (reading an inbox delivers)
  const grown = await node.live.ledger.store.size();
  const unreported: string[] = [];
  for await (const e of node.live.ledger.store.entries(before, grown)) {
    if (reported.has(e.index)) continue;
    const entry = JSON.parse(e.text) as { type: string };
    unreported.push(entry.type);
  }
  assert.ok(
    [...reported].every((i) => i >= before && i < grown),
    'every index an answer named is in the ledger',
  );
  assert.ok(
    unreported.every((t) => t === 'notification.delivered'),
    `entries no accepted write named: ${unreported.join(', ')}`,
  );
  assert.ok(unreported.length === 0 || inboxReaders.size > 0, 'deliveries come from inbox reads');
  assert.equal(grown - before, reported.size + unreported.length);
  assert.ok(reported.size >= 100, `some writes were valid, and accepted: ${reported.size} entries`);

  await node.stop();
  stopped = true;
  const report = await verifyDataDir(node.dir);
  assert.deepEqual(report.problems, []);
  assert.ok(report.ok);
});
