/**
 * The account store on SQLite: DIR/accounts.db beside the ledger, a file of
 * its own because it holds secrets' hashes that the ledger must never carry
 * and that may be replaced or forgotten. WAL with synchronous=FULL, as the
 * ledger: a disabled user or a revoked token stays so after a crash. Every
 * statement is parameterised.
 */
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConcordError } from '../../errors.ts';
import type { AccountStore, Role, Scope, StoredSession, StoredToken, StoredUser, Throttle } from '../accounts.ts';

const FORMAT = '1';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  login TEXT NOT NULL UNIQUE,
  agency TEXT NOT NULL,
  person TEXT NOT NULL,
  roles TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER
);
CREATE TABLE IF NOT EXISTS sessions (
  key TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(user_id);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL,
  agency TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER
);
-- last_at: the latest failure or lockout end, for pruning without reading the failures
CREATE TABLE IF NOT EXISTS throttles (
  key TEXT PRIMARY KEY,
  failures TEXT NOT NULL,
  locked_until INTEGER,
  last_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS throttles_by_last ON throttles(last_at);
`;

interface UserRow {
  id: string;
  login: string;
  agency: string;
  person: string;
  roles: string;
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
}
interface SessionRow {
  key: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}
interface TokenRow {
  id: string;
  secret_hash: string;
  agency: string;
  scope: string;
  label: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}
interface ThrottleRow {
  failures: string;
  locked_until: number | null;
}

function corrupt(what: string): ConcordError {
  return new ConcordError('DATA_DIR_UNUSABLE', `the account store is damaged: ${what}`);
}

const ROLES: readonly string[] = ['member', 'reviewer'] satisfies Role[];

function toUser(r: UserRow): StoredUser {
  let roles: unknown;
  try {
    roles = JSON.parse(r.roles);
  } catch {
    roles = undefined;
  }
  if (!Array.isArray(roles) || !roles.every((x) => ROLES.includes(x))) throw corrupt(`user ${r.id} has roles ${JSON.stringify(r.roles)}`);
  return {
    id: r.id,
    login: r.login,
    agency: r.agency,
    person: r.person,
    roles: roles as Role[],
    passwordHash: r.password_hash,
    createdAt: r.created_at,
    ...(r.disabled_at !== null ? { disabledAt: r.disabled_at } : {}),
  };
}

function toSession(r: SessionRow): StoredSession {
  return {
    key: r.key,
    userId: r.user_id,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
  };
}

function toToken(r: TokenRow): StoredToken {
  if (r.scope !== 'read' && r.scope !== 'write') throw corrupt(`token ${r.id} has scope ${JSON.stringify(r.scope)}`);
  return {
    id: r.id,
    secretHash: r.secret_hash,
    agency: r.agency,
    scope: r.scope as Scope,
    label: r.label,
    createdAt: r.created_at,
    ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}),
    ...(r.last_used_at !== null ? { lastUsedAt: r.last_used_at } : {}),
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at } : {}),
  };
}

function toThrottle(key: string, r: ThrottleRow): Throttle {
  let failures: unknown;
  try {
    failures = JSON.parse(r.failures);
  } catch {
    failures = undefined;
  }
  if (!Array.isArray(failures) || !failures.every((x) => Number.isSafeInteger(x))) throw corrupt(`the throttle of ${key} is unreadable`);
  return { failures: failures as number[], ...(r.locked_until !== null ? { lockedUntil: r.locked_until } : {}) };
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export class SqliteAccountStore implements AccountStore {
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<SqliteAccountStore['prepare']>;
  private closed = false;

  private constructor(db: Database.Database) {
    this.db = db;
    this.stmts = this.prepare();
  }

  /**
   * Opens the account store at `path`, creating it (mode 0600: it holds
   * password hashes) when it does not exist yet. A file that is not an
   * account store is DATA_DIR_UNUSABLE.
   */
  static open(path: string): SqliteAccountStore {
    try {
      // 'wx': make the file only if absent, with owner-only permissions before SQLite writes anything into it
      closeSync(openSync(path, 'wx', 0o600));
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'EEXIST')
        throw new ConcordError('DATA_DIR_UNUSABLE', `cannot create the account store ${path}: ${(e as Error).message}`);
    }
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
    } catch (e) {
      throw new ConcordError('DATA_DIR_UNUSABLE', `cannot open the account store ${path}: ${(e as Error).message}`, undefined, { cause: e });
    }
    try {
      db.pragma('journal_mode = WAL');
      // durability: a COMMIT (a revoked token, a disabled user) is on disk before it returns
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      if (tables.length > 0 && !tables.some((t) => t.name === 'users')) throw corrupt(`${path} holds other tables, not accounts`);
      db.exec(SCHEMA);
      const format = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'format'").get();
      if (format === undefined) db.prepare("INSERT INTO meta (key, value) VALUES ('format', ?)").run(FORMAT);
      else if (format.value !== FORMAT) throw corrupt(`${path} is format ${format.value}; this Concord reads format ${FORMAT}`);
      return new SqliteAccountStore(db);
    } catch (e) {
      db.close();
      if (e instanceof ConcordError) throw e;
      throw new ConcordError('DATA_DIR_UNUSABLE', `cannot open the account store ${path}: ${(e as Error).message}`, undefined, { cause: e });
    }
  }

  private prepare() {
    const db = this.db;
    return {
      addUser: db.prepare(
        'INSERT INTO users (id, login, agency, person, roles, password_hash, created_at, disabled_at) VALUES (@id, @login, @agency, @person, @roles, @password_hash, @created_at, @disabled_at)',
      ),
      userByLogin: db.prepare<[string], UserRow>('SELECT * FROM users WHERE login = ?'),
      userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
      users: db.prepare<[], UserRow>('SELECT * FROM users ORDER BY login'),
      setPasswordHash: db.prepare<[string, string]>('UPDATE users SET password_hash = ? WHERE id = ?'),
      disableUser: db.prepare<[number, string]>('UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE id = ?'),
      revokeUserSessions: db.prepare<[number, string]>('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
      addSession: db.prepare(
        'INSERT INTO sessions (key, user_id, created_at, last_seen_at, expires_at, revoked_at) VALUES (@key, @user_id, @created_at, @last_seen_at, @expires_at, NULL)',
      ),
      session: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE key = ?'),
      touchSession: db.prepare<[number, string, number]>('UPDATE sessions SET last_seen_at = ? WHERE key = ? AND last_seen_at < ?'),
      revokeSession: db.prepare<[number, string]>('UPDATE sessions SET revoked_at = ? WHERE key = ? AND revoked_at IS NULL'),
      pruneSessions: db.prepare<[number, number]>('DELETE FROM sessions WHERE expires_at < ? OR revoked_at < ?'),
      addToken: db.prepare(
        'INSERT INTO tokens (id, secret_hash, agency, scope, label, created_at, expires_at, last_used_at, revoked_at) VALUES (@id, @secret_hash, @agency, @scope, @label, @created_at, @expires_at, NULL, NULL)',
      ),
      token: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE id = ?'),
      tokens: db.prepare<[], TokenRow>('SELECT * FROM tokens ORDER BY created_at, id'),
      touchToken: db.prepare<[number, string, number]>('UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)'),
      revokeToken: db.prepare<[number, string]>('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      throttle: db.prepare<[string], ThrottleRow>('SELECT failures, locked_until FROM throttles WHERE key = ?'),
      putThrottle: db.prepare<[string, string, number | null, number]>(
        'INSERT INTO throttles (key, failures, locked_until, last_at) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at',
      ),
      pruneThrottles: db.prepare<[number]>('DELETE FROM throttles WHERE last_at < ?'),
      deleteThrottle: db.prepare<[string]>('DELETE FROM throttles WHERE key = ?'),
    };
  }

  private use(): ReturnType<SqliteAccountStore['prepare']> {
    if (this.closed) throw new ConcordError('LEDGER_CLOSED', 'the account store is closed');
    return this.stmts;
  }

  async addUser(user: StoredUser): Promise<void> {
    try {
      this.use().addUser.run({
        id: user.id,
        login: user.login,
        agency: user.agency,
        person: user.person,
        roles: JSON.stringify(user.roles),
        password_hash: user.passwordHash,
        created_at: user.createdAt,
        disabled_at: user.disabledAt ?? null,
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConcordError('DUPLICATE_ID', `a user with login "${user.login}" exists already`, { login: user.login });
      throw e;
    }
  }

  async userByLogin(login: string): Promise<StoredUser | undefined> {
    const r = this.use().userByLogin.get(login);
    return r === undefined ? undefined : toUser(r);
  }

  async userById(id: string): Promise<StoredUser | undefined> {
    const r = this.use().userById.get(id);
    return r === undefined ? undefined : toUser(r);
  }

  async users(): Promise<StoredUser[]> {
    return this.use().users.all().map(toUser);
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
    return this.use().setPasswordHash.run(passwordHash, userId).changes === 1;
  }

  async disableUser(userId: string, at: number): Promise<boolean> {
    const s = this.use();
    return this.db.transaction(() => {
      if (s.disableUser.run(at, userId).changes !== 1) return false;
      s.revokeUserSessions.run(at, userId);
      return true;
    })();
  }

  async addSession(session: StoredSession): Promise<void> {
    this.use().addSession.run({
      key: session.key,
      user_id: session.userId,
      created_at: session.createdAt,
      last_seen_at: session.lastSeenAt,
      expires_at: session.expiresAt,
    });
  }

  async session(key: string): Promise<StoredSession | undefined> {
    const r = this.use().session.get(key);
    return r === undefined ? undefined : toSession(r);
  }

  async touchSession(key: string, at: number): Promise<void> {
    this.use().touchSession.run(at, key, at);
  }

  async revokeSession(key: string, at: number): Promise<boolean> {
    return this.use().revokeSession.run(at, key).changes === 1;
  }

  async pruneSessions(before: number): Promise<number> {
    return this.use().pruneSessions.run(before, before).changes;
  }

  async addToken(token: StoredToken): Promise<void> {
    try {
      this.use().addToken.run({
        id: token.id,
        secret_hash: token.secretHash,
        agency: token.agency,
        scope: token.scope,
        label: token.label,
        created_at: token.createdAt,
        expires_at: token.expiresAt ?? null,
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConcordError('DUPLICATE_ID', `a token with id "${token.id}" exists already`, { id: token.id });
      throw e;
    }
  }

  async token(id: string): Promise<StoredToken | undefined> {
    const r = this.use().token.get(id);
    return r === undefined ? undefined : toToken(r);
  }

  async tokens(): Promise<StoredToken[]> {
    return this.use().tokens.all().map(toToken);
  }

  async touchToken(id: string, at: number): Promise<void> {
    this.use().touchToken.run(at, id, at);
  }

  async revokeToken(id: string, at: number): Promise<boolean> {
    return this.use().revokeToken.run(at, id).changes === 1;
  }

  async throttle(key: string): Promise<Throttle | undefined> {
    const r = this.use().throttle.get(key);
    return r === undefined ? undefined : toThrottle(key, r);
  }

  async updateThrottle(key: string, change: (current: Throttle | undefined) => Throttle | undefined): Promise<Throttle | undefined> {
    const s = this.use();
    // IMMEDIATE: the write lock is taken before the read, so another process's failure is not lost between them
    return this.db
      .transaction(() => {
        const r = s.throttle.get(key);
        const next = change(r === undefined ? undefined : toThrottle(key, r));
        if (next === undefined) s.deleteThrottle.run(key);
        else s.putThrottle.run(key, JSON.stringify(next.failures), next.lockedUntil ?? null, Math.max(next.lockedUntil ?? 0, ...next.failures));
        return next;
      })
      .immediate();
  }

  async pruneThrottles(before: number): Promise<number> {
    return this.use().pruneThrottles.run(before).changes;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
