/**
 * The account store contract: every AccountStore implementation runs this
 * same suite (the SQLite store now, the PostgreSQL store when it lands).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConcordError } from '../../src/errors.ts';
import type { AccountStore, StoredToken, StoredUser } from '../../src/store/accounts.ts';

export interface AccountStoreFactory {
  /** a new, empty store */
  create(): Promise<AccountStore>;
  /** closes and reopens the same store */
  reopen(store: AccountStore): Promise<AccountStore>;
}

const T0 = Date.parse('2026-06-01T21:00:00.000Z');

const user = (n: number, extra: Partial<StoredUser> = {}): StoredUser => ({
  id: `user-${n}`,
  login: `login${n}`,
  agency: 'city-pd',
  person: `cpd-${n}`,
  roles: ['member'],
  passwordHash: `$scrypt$hash-${n}`,
  createdAt: T0 + n,
  ...extra,
});

const token = (n: number, extra: Partial<StoredToken> = {}): StoredToken => ({
  id: `00000000000000${String(n).padStart(2, '0')}`,
  secretHash: 'ab'.repeat(32),
  agency: 'fed-ice',
  scope: 'read',
  label: `system ${n}`,
  createdAt: T0 + n,
  ...extra,
});

export function accountStoreContract(name: string, factory: AccountStoreFactory): void {
  describe(`account store contract: ${name}`, () => {
    it('keeps users as given, finds them by login and id, lists them by login, and survives a reopen', async () => {
      let store = await factory.create();
      try {
        await store.addUser(user(2));
        await store.addUser(user(1, { roles: ['reviewer'] }));
        assert.deepEqual(await store.userByLogin('login1'), user(1, { roles: ['reviewer'] }));
        assert.deepEqual(await store.userById('user-2'), user(2));
        assert.equal(await store.userByLogin('nobody'), undefined);
        assert.equal(await store.userById('user-9'), undefined);
        store = await factory.reopen(store);
        assert.deepEqual(
          (await store.users()).map((u) => u.login),
          ['login1', 'login2'],
        );
      } finally {
        await store.close();
      }
    });

    it('refuses a second user with the same login or id (DUPLICATE_ID) and keeps the first', async () => {
      const store = await factory.create();
      try {
        await store.addUser(user(1));
        await assert.rejects(store.addUser(user(2, { login: 'login1' })), (e) => isConcordError(e, 'DUPLICATE_ID'));
        await assert.rejects(store.addUser(user(3, { id: 'user-1' })), (e) => isConcordError(e, 'DUPLICATE_ID'));
        assert.deepEqual(await store.users(), [user(1)]);
      } finally {
        await store.close();
      }
    });

    it('replaces a password hash; disabling keeps the first time and revokes every session of the user only', async () => {
      const store = await factory.create();
      try {
        await store.addUser(user(1));
        await store.addUser(user(2));
        assert.equal(await store.setPasswordHash('user-1', 'new'), true);
        assert.equal(await store.setPasswordHash('user-9', 'new'), false);
        assert.equal((await store.userById('user-1'))?.passwordHash, 'new');
        await store.addSession({ key: 'k1', userId: 'user-1', createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 1000 });
        await store.addSession({ key: 'k2', userId: 'user-2', createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 1000 });
        assert.equal(await store.disableUser('user-1', T0 + 5), true);
        assert.equal(await store.disableUser('user-1', T0 + 9), true);
        assert.equal(await store.disableUser('user-9', T0 + 9), false);
        assert.equal((await store.userById('user-1'))?.disabledAt, T0 + 5);
        assert.equal((await store.session('k1'))?.revokedAt, T0 + 5);
        assert.equal((await store.session('k2'))?.revokedAt, undefined);
      } finally {
        await store.close();
      }
    });

    it('sessions: touched forward only, revoked once, pruned when ended', async () => {
      const store = await factory.create();
      try {
        await store.addUser(user(1));
        const s = { key: 'k1', userId: 'user-1', createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 1000 };
        await store.addSession(s);
        await store.addSession({ ...s, key: 'k2', expiresAt: T0 + 50 });
        await store.addSession({ ...s, key: 'k3' });
        assert.deepEqual(await store.session('k1'), s);
        await store.touchSession('k1', T0 + 10);
        await store.touchSession('k1', T0 + 5);
        assert.equal((await store.session('k1'))?.lastSeenAt, T0 + 10);
        assert.equal(await store.revokeSession('k3', T0 + 20), true);
        assert.equal(await store.revokeSession('k3', T0 + 30), false);
        assert.equal(await store.revokeSession('nope', T0 + 30), false);
        assert.equal((await store.session('k3'))?.revokedAt, T0 + 20);
        assert.equal(await store.pruneSessions(T0 + 100), 2, 'the expired and the revoked one');
        assert.equal(await store.session('k2'), undefined);
        assert.equal(await store.session('k3'), undefined);
        assert.deepEqual((await store.session('k1'))?.key, 'k1');
      } finally {
        await store.close();
      }
    });

    it('tokens: kept as given, listed oldest first, touched forward only, revoked once, ids unique', async () => {
      let store = await factory.create();
      try {
        await store.addToken(token(2, { scope: 'write', expiresAt: T0 + 99 }));
        await store.addToken(token(1));
        await assert.rejects(store.addToken(token(1, { label: 'again' })), (e) => isConcordError(e, 'DUPLICATE_ID'));
        assert.deepEqual(await store.token(token(2).id), token(2, { scope: 'write', expiresAt: T0 + 99 }));
        assert.equal(await store.token('ffffffffffffffff'), undefined);
        await store.touchToken(token(1).id, T0 + 10);
        await store.touchToken(token(1).id, T0 + 3);
        assert.equal(await store.revokeToken(token(2).id, T0 + 20), true);
        assert.equal(await store.revokeToken(token(2).id, T0 + 30), false);
        store = await factory.reopen(store);
        const all = await store.tokens();
        assert.deepEqual(
          all.map((t) => t.id),
          [token(1).id, token(2).id],
        );
        assert.equal(all[0]?.lastUsedAt, T0 + 10);
        assert.equal(all[1]?.revokedAt, T0 + 20);
      } finally {
        await store.close();
      }
    });

    it('throttles: updated atomically by a pure change, forgotten when the change returns undefined, kept across a reopen', async () => {
      let store = await factory.create();
      try {
        assert.equal(await store.throttle('login:a'), undefined);
        const add = (at: number) => (t: { failures: readonly number[] } | undefined) => ({ failures: [...(t?.failures ?? []), at] });
        await Promise.all([store.updateThrottle('login:a', add(1)), store.updateThrottle('login:a', add(2)), store.updateThrottle('login:a', add(3))]);
        assert.deepEqual((await store.throttle('login:a'))?.failures.slice().sort(), [1, 2, 3], 'no failure lost');
        await store.updateThrottle('addr:10.0.0.1', () => ({ failures: [], lockedUntil: T0 + 5 }));
        store = await factory.reopen(store);
        assert.deepEqual(await store.throttle('addr:10.0.0.1'), { failures: [], lockedUntil: T0 + 5 });
        assert.equal(await store.updateThrottle('login:a', () => undefined), undefined);
        assert.equal(await store.throttle('login:a'), undefined);
        await store.updateThrottle('login:old', () => ({ failures: [T0 - 10, T0 - 5] }));
        await store.updateThrottle('login:new', () => ({ failures: [T0 - 10, T0 + 5] }));
        assert.equal(await store.pruneThrottles(T0), 1, 'only the name whose failures are all older');
        assert.equal(await store.throttle('login:old'), undefined);
        assert.ok(await store.throttle('login:new'));
        assert.ok(await store.throttle('addr:10.0.0.1'), 'a lockout not yet over stays');
      } finally {
        await store.close();
      }
    });
  });
}
