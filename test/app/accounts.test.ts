/**
 * Accounts: password hashes, logins with their failures and lockouts,
 * console sessions and their ends, CSRF tokens, API tokens, and the actor a
 * principal may act as. The clock is injected; nothing waits or measures
 * time. Passwords are hashed with a low scrypt cost (ln=10) except where the
 * default itself is tested.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AccountService,
  actorOf,
  commandActor,
  requirePersonOf,
  scryptHasher,
  type PasswordHasher,
  type Principal,
  type SessionPrincipal,
} from '../../src/app/accounts.ts';
import { csrfTokenFor, verifyCsrf } from '../../src/app/credentials.ts';
import { afterFailure, DEFAULT_LOGIN_LIMITS, lockedUntil } from '../../src/app/login-throttle.ts';
import { DEFAULT_SCRYPT, hashPassword, isPasswordHash, MIN_PASSWORD_LENGTH, needsRehash, verifyPassword } from '../../src/app/passwords.ts';
import type { World } from '../../src/domain/world.ts';
import { isConcordError, type ErrorCode } from '../../src/errors.ts';
import type { Throttle } from '../../src/store/accounts.ts';
import { SqliteAccountStore } from '../../src/store/sqlite/accounts-store.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-accounts-');
after(() => root.cleanup());

const MINUTE = 60_000;
const T0 = Date.parse('2026-06-01T21:00:00.000Z');
const FAST = { ln: 10, r: 8, p: 1 };
const PASSWORD = 'correct horse battery';

let dirs = 0;
/** a service on a fresh SQLite account store, its clock at `now.ms` */
function service(opts: { hasher?: PasswordHasher; path?: string } = {}) {
  const now = { ms: T0 };
  const path = opts.path ?? join(root.path, `accounts-${dirs++}.db`);
  const store = SqliteAccountStore.open(path);
  const accounts = new AccountService({ store, clock: () => now.ms, hasher: opts.hasher ?? scryptHasher(FAST) });
  return { accounts, store, now, path };
}

/** a hasher that records which hashes it was asked to check */
function watchedHasher(): PasswordHasher & { checked: string[] } {
  const inner = scryptHasher(FAST);
  const checked: string[] = [];
  return { checked, hash: inner.hash, needsRehash: inner.needsRehash, verify: (encoded, pw) => (checked.push(encoded), inner.verify(encoded, pw)) };
}

const refusedWith = (code: ErrorCode) => (e: unknown) => isConcordError(e, code);

async function withUser(s: ReturnType<typeof service>, login = 'chen', role: 'member' | 'reviewer' = 'member') {
  return s.accounts.addUser({ agency: 'city-pd', person: `cpd-${login}`, login, password: PASSWORD, role });
}

describe('password hashes', () => {
  it('are scrypt with a fresh salt and their parameters, and check only the right password', async () => {
    const a = await hashPassword(PASSWORD, FAST);
    const b = await hashPassword(PASSWORD, FAST);
    assert.match(a, /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(a, b, 'a new salt each time');
    assert.equal(await verifyPassword(a, PASSWORD), true);
    assert.equal(await verifyPassword(b, PASSWORD), true);
    assert.equal(await verifyPassword(a, `${PASSWORD}!`), false);
    assert.equal(await verifyPassword(a, ''), false);
    assert.ok(!a.includes(PASSWORD));
  });

  it('the default cost is N=2^15, r=8, p=1, and a hash made with less needs remaking', async () => {
    const strong = await hashPassword(PASSWORD);
    assert.match(strong, /^\$scrypt\$ln=15,r=8,p=1\$/);
    assert.equal(await verifyPassword(strong, PASSWORD), true);
    assert.equal(needsRehash(strong), false);
    assert.equal(needsRehash(await hashPassword(PASSWORD, FAST)), true);
    assert.equal(needsRehash(strong, { ...DEFAULT_SCRYPT, ln: 16 }), true);
  });

  it('an unreadable hash, or one asking for absurd work, matches nothing', async () => {
    const good = await hashPassword(PASSWORD, FAST);
    for (const bad of ['', 'plain', good.replace('ln=10', 'ln=40'), good.replace('ln=10', 'ln=2'), good.slice(0, -1), `${good}x`]) {
      assert.equal(isPasswordHash(bad), false, bad);
      assert.equal(await verifyPassword(bad, PASSWORD), false, bad);
    }
  });

  it('a login with a correct password remakes a hash made with less than the current cost', async () => {
    const s = service();
    await withUser(s);
    const before = (await s.store.userByLogin('chen'))?.passwordHash;
    const stronger = new AccountService({ store: s.store, clock: () => s.now.ms, hasher: scryptHasher({ ...FAST, ln: 11 }) });
    await stronger.login({ login: 'chen', password: PASSWORD });
    const afterLogin = (await s.store.userByLogin('chen'))?.passwordHash;
    assert.notEqual(afterLogin, before);
    assert.match(afterLogin ?? '', /^\$scrypt\$ln=11,/);
    await stronger.login({ login: 'chen', password: PASSWORD });
    assert.equal((await s.store.userByLogin('chen'))?.passwordHash, afterLogin, 'not remade again');
    await s.accounts.close();
  });
});

describe('users', () => {
  it('refuses a short password, a control character, a bad login or id, and a login taken; adds nothing then', async () => {
    const s = service();
    const base = { agency: 'city-pd', person: 'cpd-chen', login: 'chen', password: PASSWORD };
    await assert.rejects(s.accounts.addUser({ ...base, password: 'x'.repeat(MIN_PASSWORD_LENGTH - 1) }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.addUser({ ...base, password: `${PASSWORD}\n` }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.addUser({ ...base, login: 'Chen' }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.addUser({ ...base, login: 'c' }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.addUser({ ...base, person: 'bad id' }), refusedWith('BAD_INPUT'));
    assert.deepEqual(await s.accounts.users(), []);
    await s.accounts.addUser(base);
    await assert.rejects(s.accounts.addUser({ ...base, person: 'cpd-other' }), refusedWith('DUPLICATE_ID'));
    const users = await s.accounts.users();
    assert.equal(users.length, 1);
    assert.deepEqual(
      { ...users[0], id: 'x' },
      { id: 'x', login: 'chen', agency: 'city-pd', person: 'cpd-chen', roles: ['member'], createdAt: new Date(T0).toISOString() },
    );
    assert.ok(!JSON.stringify(users).includes('scrypt'), 'never the hash');
    await s.accounts.close();
  });

  it('a person must be in the world, of the agency named', () => {
    const world = {
      agencies: { 'city-pd': {}, 'fed-ice': {} },
      people: { 'cpd-chen': { id: 'cpd-chen', agency: 'city-pd', name: 'Chen' } },
    } as unknown as World;
    requirePersonOf(world, 'city-pd', 'cpd-chen');
    assert.throws(() => requirePersonOf(world, 'city-pd', 'cpd-nobody'), refusedWith('UNKNOWN_ENTITY'));
    assert.throws(() => requirePersonOf(world, 'county-so', 'cpd-chen'), refusedWith('UNKNOWN_ENTITY'));
    assert.throws(() => requirePersonOf(world, 'fed-ice', 'cpd-chen'), refusedWith('AGENCY_MISMATCH'));
  });
});

describe('logins', () => {
  it('the right password opens a session that stands for the person, with write scope for a member', async () => {
    const s = service();
    const user = await withUser(s);
    const session = await s.accounts.login({ login: 'chen', password: PASSWORD, address: '10.0.0.1' });
    const expected: SessionPrincipal = {
      kind: 'session',
      id: user.id,
      userId: user.id,
      login: 'chen',
      agency: 'city-pd',
      person: 'cpd-chen',
      roles: ['member'],
      reviewer: false,
      scope: 'write',
    };
    assert.deepEqual(session.principal, expected);
    assert.equal(session.expiresAt, new Date(T0 + 12 * 60 * MINUTE).toISOString());
    assert.ok(Buffer.from(session.sessionId, 'base64url').length >= 16, 'at least 128 bits');
    assert.deepEqual(await s.accounts.authenticate({ sessionId: session.sessionId }), expected);
    const stored = await s.store.session((await import('../../src/app/credentials.ts')).sessionKey(session.sessionId));
    assert.ok(stored !== undefined, 'the session is found by the hash of its id');
    assert.ok(!JSON.stringify(stored).includes(session.sessionId), 'the id itself is not stored');
    await s.accounts.close();
  });

  it('the login name is matched without regard to case', async () => {
    const s = service();
    await withUser(s);
    assert.equal((await s.accounts.login({ login: 'CHEN', password: PASSWORD })).principal.login, 'chen');
    await s.accounts.close();
  });

  it('a wrong password, an unknown login and a disabled account are all LOGIN_FAILED, each after one password check', async () => {
    const hasher = watchedHasher();
    const s = service({ hasher });
    await withUser(s);
    await withUser(s, 'novak');
    await s.accounts.disableUser('novak');
    const chenHash = (await s.store.userByLogin('chen'))?.passwordHash;
    const novakHash = (await s.store.userByLogin('novak'))?.passwordHash;
    const answers: string[] = [];
    for (const [login, password, checks] of [
      ['chen', 'wrong password!!', chenHash],
      ['novak', PASSWORD, novakHash],
      ['nobody', PASSWORD, undefined],
      ['not a login name', PASSWORD, undefined],
    ] as const) {
      hasher.checked.length = 0;
      await assert.rejects(s.accounts.login({ login, password }), (e) => {
        assert.ok(isConcordError(e, 'LOGIN_FAILED'), String(e));
        answers.push(e.message);
        return true;
      });
      assert.equal(hasher.checked.length, 1, `${login}: one password check`);
      if (checks !== undefined) assert.equal(hasher.checked[0], checks, `${login}: against the user's hash`);
      else assert.ok(![chenHash, novakHash].includes(hasher.checked[0]) && isPasswordHash(hasher.checked[0] ?? ''), `${login}: against a dummy hash`);
    }
    assert.equal(new Set(answers).size, 1, 'the same answer whoever it was');
    await s.accounts.close();
  });

  it('disabling a user ends their sessions at once and is said when done twice; an unknown login is NOT_FOUND', async () => {
    const s = service();
    await withUser(s);
    const session = await s.accounts.login({ login: 'chen', password: PASSWORD });
    s.now.ms += 1000;
    const first = await s.accounts.disableUser('chen');
    assert.equal(first.already, false);
    assert.equal(first.user.disabledAt, new Date(T0 + 1000).toISOString());
    assert.equal(await s.accounts.authenticate({ sessionId: session.sessionId }), undefined);
    assert.equal((await s.accounts.disableUser('chen')).already, true);
    await assert.rejects(s.accounts.disableUser('nobody'), refusedWith('NOT_FOUND'));
    await s.accounts.close();
  });

  it('a reviewer reads and changes nothing', async () => {
    const s = service();
    await withUser(s, 'harris', 'reviewer');
    const { principal } = await s.accounts.login({ login: 'harris', password: PASSWORD });
    assert.deepEqual([principal.roles, principal.reviewer, principal.scope], [['reviewer'], true, 'read']);
    assert.throws(() => commandActor(principal), refusedWith('READ_ONLY'));
    await s.accounts.close();
  });
});

describe('lockout', () => {
  it('five failures in fifteen minutes lock the name for fifteen minutes, even against the right password; then it opens', async () => {
    const s = service();
    await withUser(s);
    for (let i = 0; i < 5; i++) {
      s.now.ms += MINUTE;
      await assert.rejects(s.accounts.login({ login: 'chen', password: 'wrong password!!' }), refusedWith('LOGIN_FAILED'));
    }
    const lockedAt = s.now.ms;
    s.now.ms += 14 * MINUTE;
    await assert.rejects(s.accounts.login({ login: 'chen', password: PASSWORD }), (e) => {
      assert.ok(isConcordError(e, 'LOGIN_LOCKED'));
      assert.equal(e.details?.['retryAfterMs'], MINUTE);
      assert.equal(e.details?.['until'], new Date(lockedAt + 15 * MINUTE).toISOString());
      return true;
    });
    s.now.ms = lockedAt + 15 * MINUTE;
    assert.equal((await s.accounts.login({ login: 'chen', password: PASSWORD })).principal.login, 'chen');
    assert.equal(await s.store.throttle('login:chen'), undefined, 'a success clears the count');
    await s.accounts.close();
  });

  it('failures spread wider than the window do not lock', async () => {
    const s = service();
    await withUser(s);
    for (let i = 0; i < 12; i++) {
      s.now.ms += 4 * MINUTE;
      await assert.rejects(s.accounts.login({ login: 'chen', password: 'wrong password!!' }), refusedWith('LOGIN_FAILED'));
    }
    assert.equal((await s.accounts.login({ login: 'chen', password: PASSWORD })).principal.login, 'chen');
    await s.accounts.close();
  });

  it('an unknown name locks as a known one does, so the lockout does not tell who has an account', async () => {
    const s = service();
    for (let i = 0; i < 5; i++) await assert.rejects(s.accounts.login({ login: 'ghost', password: PASSWORD }), refusedWith('LOGIN_FAILED'));
    await assert.rejects(s.accounts.login({ login: 'ghost', password: PASSWORD }), refusedWith('LOGIN_LOCKED'));
    await s.accounts.close();
  });

  it('one address failing on many names is locked out, for every name', async () => {
    const s = service();
    await withUser(s);
    for (let i = 0; i < DEFAULT_LOGIN_LIMITS.perAddress.max; i++) {
      await assert.rejects(s.accounts.login({ login: `guess${i}`, password: PASSWORD, address: '203.0.113.9' }), refusedWith('LOGIN_FAILED'));
    }
    await assert.rejects(s.accounts.login({ login: 'chen', password: PASSWORD, address: '203.0.113.9' }), refusedWith('LOGIN_LOCKED'));
    assert.equal((await s.accounts.login({ login: 'chen', password: PASSWORD, address: '198.51.100.7' })).principal.login, 'chen');
    await s.accounts.close();
  });

  it('the count of a name tried and never again is forgotten once it no longer counts', async () => {
    const s = service();
    await withUser(s);
    await assert.rejects(s.accounts.login({ login: 'ghost', password: PASSWORD }), refusedWith('LOGIN_FAILED'));
    s.now.ms += 14 * MINUTE;
    await s.accounts.login({ login: 'chen', password: PASSWORD });
    assert.ok(await s.store.throttle('login:ghost'), 'still counts');
    s.now.ms += 2 * MINUTE;
    await s.accounts.login({ login: 'chen', password: PASSWORD });
    assert.equal(await s.store.throttle('login:ghost'), undefined);
    await s.accounts.close();
  });

  it('a lockout survives a restart: it is kept in the store', async () => {
    const s = service();
    await withUser(s);
    for (let i = 0; i < 5; i++) await assert.rejects(s.accounts.login({ login: 'chen', password: 'wrong password!!' }), refusedWith('LOGIN_FAILED'));
    await s.accounts.close();
    const again = service({ path: s.path });
    await assert.rejects(again.accounts.login({ login: 'chen', password: PASSWORD }), refusedWith('LOGIN_LOCKED'));
    await again.accounts.close();
  });

  it('property: a throttle never holds max failures, only failures within the window, and locks for lockMs at most', () => {
    const rule = DEFAULT_LOGIN_LIMITS.perLogin;
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * MINUTE }), { maxLength: 60 }), (gaps) => {
        let t: Throttle | undefined;
        let now = T0;
        let counted: number[] = [];
        for (const gap of gaps) {
          now += gap;
          const wasLocked = lockedUntil(t, now) !== undefined;
          t = afterFailure(t, now, rule);
          assert.ok(t.failures.length < rule.max);
          assert.ok(t.failures.every((at) => at > now - rule.windowMs && at <= now));
          if (t.lockedUntil !== undefined) assert.ok(t.lockedUntil <= now + rule.lockMs);
          if (wasLocked) continue;
          // the reference: failures counted since the last lock, within the window ending now
          counted = [...counted.filter((at) => at > now - rule.windowMs), now];
          assert.equal(lockedUntil(t, now) !== undefined, counted.length >= rule.max);
          if (counted.length >= rule.max) counted = [];
        }
      }),
    );
  });
});

describe('sessions', () => {
  it('end after thirty idle minutes, and not while in use', async () => {
    const s = service();
    await withUser(s);
    const { sessionId } = await s.accounts.login({ login: 'chen', password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      s.now.ms += 29 * MINUTE;
      assert.ok(await s.accounts.authenticate({ sessionId }), `still open after use ${i}`);
    }
    s.now.ms += 30 * MINUTE;
    assert.equal(await s.accounts.authenticate({ sessionId }), undefined);
    s.now.ms -= 30 * MINUTE - 1;
    assert.equal(await s.accounts.authenticate({ sessionId }), undefined, 'ended for good once over');
    await s.accounts.close();
  });

  it('end twelve hours after login however busy', async () => {
    const s = service();
    await withUser(s);
    const { sessionId } = await s.accounts.login({ login: 'chen', password: PASSWORD });
    for (let m = 20; m < 12 * 60; m += 20) {
      s.now.ms = T0 + m * MINUTE;
      assert.ok(await s.accounts.authenticate({ sessionId }), `open at ${m} minutes`);
    }
    s.now.ms = T0 + 12 * 60 * MINUTE;
    assert.equal(await s.accounts.authenticate({ sessionId }), undefined);
    await s.accounts.close();
  });

  it('end at logout; an unknown or malformed session id is nobody', async () => {
    const s = service();
    await withUser(s);
    const { sessionId } = await s.accounts.login({ login: 'chen', password: PASSWORD });
    const other = await s.accounts.login({ login: 'chen', password: PASSWORD });
    assert.equal(await s.accounts.logout(sessionId), true);
    assert.equal(await s.accounts.logout(sessionId), false);
    assert.equal(await s.accounts.authenticate({ sessionId }), undefined);
    assert.ok(await s.accounts.authenticate({ sessionId: other.sessionId }), 'the other session stands');
    for (const bad of ['', 'x', `${sessionId}x`, sessionId.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), "' OR 1=1 --"]) {
      assert.equal(await s.accounts.authenticate({ sessionId: bad }), undefined, bad);
      assert.equal(await s.accounts.logout(bad), false);
    }
    assert.equal(await s.accounts.authenticate({}), undefined);
    await s.accounts.close();
  });

  it('carry a CSRF token that only their own id produces', async () => {
    const s = service();
    await withUser(s);
    const a = await s.accounts.login({ login: 'chen', password: PASSWORD });
    const b = await s.accounts.login({ login: 'chen', password: PASSWORD });
    assert.equal(a.csrfToken, csrfTokenFor(a.sessionId));
    assert.equal(verifyCsrf(a.sessionId, a.csrfToken), true);
    assert.notEqual(a.csrfToken, b.csrfToken);
    assert.equal(verifyCsrf(a.sessionId, b.csrfToken), false);
    for (const bad of [undefined, '', a.csrfToken.slice(1), `${a.csrfToken}=`, a.csrfToken.toUpperCase(), a.sessionId]) {
      assert.equal(verifyCsrf(a.sessionId, bad), false, String(bad));
    }
    await s.accounts.close();
  });
});

describe('API tokens', () => {
  it('stand for a system of one agency, with the scope they were made with; read ones change nothing', async () => {
    const s = service();
    const read = await s.accounts.createToken({ agency: 'fed-ice', scope: 'read', label: 'CAD bridge' });
    const write = await s.accounts.createToken({ agency: 'fed-ice', scope: 'write', label: 'AVL feed' });
    assert.match(read.token, /^concord_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const p = await s.accounts.authenticate({ bearer: read.token });
    assert.deepEqual(p, {
      kind: 'token',
      id: read.info.id,
      tokenId: read.info.id,
      label: 'CAD bridge',
      agency: 'fed-ice',
      device: `token-${read.info.id}`,
      roles: [],
      reviewer: false,
      scope: 'read',
    });
    assert.throws(() => commandActor(p as Principal), refusedWith('READ_ONLY'));
    const w = (await s.accounts.authenticate({ bearer: write.token })) as Principal;
    assert.deepEqual(commandActor(w), { agency: 'fed-ice', device: `token-${write.info.id}` });
    await s.accounts.close();
  });

  it('are stored and listed without their secret, with the time last used', async () => {
    const s = service();
    const { token, info } = await s.accounts.createToken({ agency: 'fed-ice', scope: 'read', label: 'CAD bridge', expiresAt: '2026-07-01T00:00:00Z' });
    s.now.ms += 5000;
    await s.accounts.authenticate({ bearer: token });
    const listed = await s.accounts.tokens();
    assert.deepEqual(listed, [{ ...info, lastUsedAt: new Date(T0 + 5000).toISOString() }]);
    assert.equal(info.expiresAt, '2026-07-01T00:00:00.000Z');
    const secret = token.split('_').slice(2).join('_');
    assert.ok(!JSON.stringify(await s.store.tokens()).includes(secret));
    await s.accounts.close();
  });

  it('stop working when expired or revoked, or when the secret is wrong', async () => {
    const s = service();
    const { token, info } = await s.accounts.createToken({ agency: 'fed-ice', scope: 'write', label: 'AVL', expiresAt: new Date(T0 + MINUTE).toISOString() });
    const kept = await s.accounts.createToken({ agency: 'fed-ice', scope: 'write', label: 'kept' });
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    assert.equal(await s.accounts.authenticate({ bearer: `${token.slice(0, -1)}${last}` }), undefined, 'wrong secret');
    assert.equal(await s.accounts.authenticate({ bearer: token.replace(info.id, kept.info.id) }), undefined, "another token's id");
    for (const bad of ['', 'concord_', token.slice(0, -1), `Bearer ${token}`, token.replace('concord_', 'other_')]) {
      assert.equal(await s.accounts.authenticate({ bearer: bad }), undefined, bad);
    }
    s.now.ms += MINUTE;
    assert.equal(await s.accounts.authenticate({ bearer: token }), undefined, 'expired');
    assert.ok(await s.accounts.authenticate({ bearer: kept.token }));
    assert.equal((await s.accounts.revokeToken(kept.info.id)).already, false);
    assert.equal(await s.accounts.authenticate({ bearer: kept.token }), undefined, 'revoked');
    assert.equal((await s.accounts.revokeToken(kept.info.id)).already, true);
    await assert.rejects(s.accounts.revokeToken('0123456789abcdef'), refusedWith('NOT_FOUND'));
    await s.accounts.close();
  });

  it('refuse a bad scope, an empty or long label, and an expiry not in the future', async () => {
    const s = service();
    const base = { agency: 'fed-ice', scope: 'read' as const, label: 'CAD' };
    await assert.rejects(s.accounts.createToken({ ...base, scope: 'admin' as 'read' }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.createToken({ ...base, label: '  ' }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.createToken({ ...base, label: 'x'.repeat(201) }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.createToken({ ...base, label: 'a\nb' }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.createToken({ ...base, expiresAt: new Date(T0).toISOString() }), refusedWith('BAD_INPUT'));
    await assert.rejects(s.accounts.createToken({ ...base, agency: '-x' }), refusedWith('BAD_INPUT'));
    assert.deepEqual(await s.accounts.tokens(), []);
    await s.accounts.close();
  });

  it('a bearer token is taken before a session when both come', async () => {
    const s = service();
    await withUser(s);
    const { sessionId } = await s.accounts.login({ login: 'chen', password: PASSWORD });
    const { token } = await s.accounts.createToken({ agency: 'fed-ice', scope: 'read', label: 'CAD' });
    assert.equal((await s.accounts.authenticate({ sessionId, bearer: token }))?.kind, 'token');
    assert.equal(await s.accounts.authenticate({ sessionId, bearer: 'junk' }), undefined, 'a bad bearer is not rescued by the cookie');
    await s.accounts.close();
  });
});

describe('authenticating a call', () => {
  it('nothing presented is nobody; something presented and not valid is UNAUTHENTICATED, not anonymous', async () => {
    const s = service();
    assert.equal(await s.accounts.authenticateCall({ method: 'POST' }), undefined);
    await assert.rejects(s.accounts.authenticateCall({ method: 'GET', sessionId: 'x'.repeat(43) }), refusedWith('UNAUTHENTICATED'));
    await assert.rejects(s.accounts.authenticateCall({ method: 'GET', bearer: 'concord_x' }), refusedWith('UNAUTHENTICATED'));
    await s.accounts.close();
  });

  it('a session asking for a change needs its CSRF token; reads and tokens do not', async () => {
    const s = service();
    await withUser(s);
    const { sessionId, csrfToken } = await s.accounts.login({ login: 'chen', password: PASSWORD });
    const other = await s.accounts.login({ login: 'chen', password: PASSWORD });
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'get']) assert.ok(await s.accounts.authenticateCall({ method, sessionId }), method);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      await assert.rejects(s.accounts.authenticateCall({ method, sessionId }), refusedWith('CSRF_INVALID'), method);
      await assert.rejects(s.accounts.authenticateCall({ method, sessionId, csrfToken: other.csrfToken }), refusedWith('CSRF_INVALID'), method);
      assert.equal((await s.accounts.authenticateCall({ method, sessionId, csrfToken }))?.kind, 'session', method);
    }
    const { token } = await s.accounts.createToken({ agency: 'fed-ice', scope: 'write', label: 'AVL' });
    assert.equal((await s.accounts.authenticateCall({ method: 'POST', bearer: token }))?.kind, 'token');
    await s.accounts.close();
  });
});

describe('the actor of a command', () => {
  const member: SessionPrincipal = {
    kind: 'session',
    id: 'u',
    userId: 'u',
    login: 'chen',
    agency: 'city-pd',
    person: 'cpd-chen',
    roles: ['member'],
    reviewer: false,
    scope: 'write',
  };

  it('is the principal, whatever the body leaves out', () => {
    assert.deepEqual(commandActor(member), { agency: 'city-pd', person: 'cpd-chen' });
    assert.deepEqual(commandActor(member, { agency: 'city-pd', person: 'cpd-chen' }), actorOf(member));
  });

  it('a body naming anyone else is ACTOR_MISMATCH', () => {
    for (const claimed of [
      { agency: 'city-pd', person: 'cpd-king' },
      { agency: 'fed-ice', person: 'cpd-chen' },
      { agency: 'city-pd' },
      { agency: 'city-pd', person: 'cpd-chen', device: 'radio' },
    ]) {
      assert.throws(() => commandActor(member, claimed), refusedWith('ACTOR_MISMATCH'), JSON.stringify(claimed));
    }
  });
});
