/**
 * Logging in and out over HTTP: a wrong password and an unknown login get
 * the same 401; the fifth failure locks the login out (429 with Retry-After);
 * logging out ends the session; GET /v1/session gives the CSRF token again;
 * a browser still holding the cookie of an ended session can log in again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_USERS } from '../../src/app/demo.ts';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

let node: ServedNode;
before(async () => {
  node = await serveDemo();
});
after(async () => {
  await node.stop();
  node.cleanup();
});

const password = (login: string): string => DEMO_USERS.find((u) => u.login === login)?.password as string;

function logIn(login: string, pass: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${node.url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ login, password: pass }),
  });
}

async function problem(r: Response, status: number, code: string): Promise<{ detail: string }> {
  assert.equal(r.status, status);
  assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  const p = (await r.json()) as { code: string; detail: string };
  assert.equal(p.code, code);
  return p;
}

describe('what the session says the person stands on', () => {
  interface Who {
    person?: string;
    positions?: { id: string; agency: string; title: string; positions: string[]; units: string[] }[];
    authorities?: { kind: string; position?: string }[];
  }
  async function who(login: string): Promise<Who> {
    const c = await node.as(login);
    const r = await c.get('/v1/session');
    assert.equal(r.status, 200);
    return (await r.json()) as Who;
  }

  it('names the positions held now, what each commands, and every authority', async () => {
    const chen = await who('chen');
    const harris = await who('harris');
    assert.ok((chen.positions ?? []).length > 0, 'the watch commander holds a position');
    for (const p of [...(chen.positions ?? []), ...(harris.positions ?? [])]) {
      assert.equal(p.agency, 'city-pd');
      assert.ok(p.positions.includes(p.id), `${p.id} commands itself`);
      assert.ok(
        (chen.authorities ?? []).concat(harris.authorities ?? []).some((a) => a.kind === 'position' && a.position === p.id),
        `an authority for ${p.id}`,
      );
    }
    // the chief of patrol commands the watch commander's position and every unit it commands
    const chiefCovers = new Set((harris.positions ?? []).flatMap((p) => p.positions));
    const chiefUnits = new Set((harris.positions ?? []).flatMap((p) => p.units));
    for (const p of chen.positions ?? []) {
      assert.ok(chiefCovers.has(p.id), `harris commands ${p.id}`);
      for (const u of p.units) assert.ok(chiefUnits.has(u), `harris commands ${u}`);
    }
    const world = node.live.coordination.world;
    for (const u of (chen.positions ?? []).flatMap((p) => p.units)) assert.equal(world.units[u]?.agency, 'city-pd');
  });

  it('an API token stands on no position', async () => {
    const token = await node.withToken('city-pd', 'read');
    const w = (await (await token.get('/v1/session')).json()) as Who;
    assert.equal(w.positions, undefined);
    assert.equal(w.authorities, undefined);
  });
});

describe('logging in', () => {
  it('a wrong password and an unknown login are the same 401 LOGIN_FAILED, and set no cookie', async () => {
    const wrong = await logIn('reyes', 'not-her-password');
    assert.equal(wrong.headers.get('set-cookie'), null);
    const a = await problem(wrong, 401, 'LOGIN_FAILED');
    const b = await problem(await logIn('nobody-here', 'whatever-1234'), 401, 'LOGIN_FAILED');
    assert.equal(a.detail, b.detail);
    // one failure locks nothing: the right password still works
    assert.equal((await logIn('reyes', password('reyes'))).status, 201);
  });

  it('five failures lock the login out: 429 LOGIN_LOCKED with Retry-After, even with the right password', async () => {
    for (let i = 0; i < 5; i++) await problem(await logIn('harris', `wrong-${i}-password`), 401, 'LOGIN_FAILED');
    const locked = await logIn('harris', password('harris'));
    await problem(locked, 429, 'LOGIN_LOCKED');
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(Number.isInteger(retry) && retry > 0 && retry <= 15 * 60, `Retry-After: ${locked.headers.get('retry-after')}`);
    // the lockout is the login's: another person of the same address still logs in
    assert.equal((await logIn('chen', password('chen'))).status, 201);
  });

  it('sets an httpOnly SameSite=Strict cookie and returns the CSRF token; GET /v1/session returns the same token again', async () => {
    const r = await logIn('santos', password('santos'));
    assert.equal(r.status, 201);
    const setCookie = r.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^concord_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const { csrfToken, agency, person } = (await r.json()) as { csrfToken: string; agency: string; person: string };
    assert.deepEqual([agency, person], ['fed-ice', 'ice-santos']);
    const cookie = setCookie.split(';')[0] as string;
    const again = await fetch(`${node.url}/v1/session`, { headers: { cookie } });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('cache-control'), 'no-store');
    const who = (await again.json()) as { csrfToken: string; kind: string; login: string };
    assert.deepEqual([who.kind, who.login, who.csrfToken], ['session', 'santos', csrfToken]);
    // and the token it gives back is the one changes need
    const message = await fetch(`${node.url}/v1/incidents/inc-2026-0601-harrison/messages`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': who.csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Reloaded the page; still here.', agencies: ['city-pd'] }),
    });
    assert.equal(message.status, 201);
  });

  it('a token has no session and no CSRF token', async () => {
    const token = await node.withToken('city-pd', 'read');
    const who = (await (await token.get('/v1/session')).json()) as Record<string, unknown>;
    assert.equal(who['kind'], 'token');
    assert.equal(who['csrfToken'], undefined);
    await problem(await token.post('/v1/session/logout'), 400, 'BAD_INPUT');
  });
});

describe('logging out', () => {
  it('ends the session: the next call with its cookie is 401, and the cookie is cleared', async () => {
    const reyes = await node.as('reyes');
    assert.equal((await reyes.get('/v1/session')).status, 200);
    const out = await reyes.post('/v1/session/logout');
    assert.equal(out.status, 200);
    assert.deepEqual(await out.json(), { status: 'logged out' });
    assert.match(out.headers.get('set-cookie') ?? '', /^concord_session=; .*Max-Age=0$/);
    await problem(await reyes.get('/v1/session'), 401, 'UNAUTHENTICATED');
    await problem(await reyes.get('/v1/requests'), 401, 'UNAUTHENTICATED');
    await problem(await reyes.post('/v1/incidents', { name: 'x', location: 'y' }), 401, 'UNAUTHENTICATED');
  });

  it('needs the CSRF token like every change', async () => {
    const chen = await node.as('chen');
    await problem(await fetch(`${node.url}/v1/session/logout`, { method: 'POST', headers: { cookie: chen.headers['cookie'] as string } }), 403, 'CSRF_INVALID');
    assert.equal((await chen.get('/v1/session')).status, 200, 'the session goes on');
  });

  it('a browser still holding the cookie of an ended session logs in again', async () => {
    const whitfield = await node.as('whitfield');
    assert.equal((await whitfield.post('/v1/session/logout')).status, 200);
    const again = await logIn('whitfield', password('whitfield'), { cookie: whitfield.headers['cookie'] as string });
    assert.equal(again.status, 201, await again.clone().text());
  });
});
