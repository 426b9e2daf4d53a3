/**
 * The account store contract: users, console sessions, API tokens and login
 * throttles of a node. Accounts are not ledger entries: they hold secrets
 * (password hashes, hashes of session ids and tokens) that must be
 * replaceable and forgettable, so they live apart from the record. One
 * interface, implemented by the embedded SQLite store (sqlite/accounts-store.ts)
 * and later by PostgreSQL; test/store/account-contract.ts runs the same suite
 * against every implementation.
 *
 * The store keeps what it is given and decides nothing: hashing, expiry and
 * lockout rules are in src/app. Times are milliseconds since the epoch.
 */

export type Role = 'member' | 'reviewer';
export type Scope = 'read' | 'write';

export interface StoredUser {
  readonly id: string;
  /** unique, lower case (app/accounts.ts LOGIN_RE) */
  readonly login: string;
  readonly agency: string;
  readonly person: string;
  readonly roles: readonly Role[];
  /** the encoded password hash, with its parameters (app/passwords.ts) */
  readonly passwordHash: string;
  readonly createdAt: number;
  readonly disabledAt?: number;
}

export interface StoredSession {
  /** sha256 of the session id, hex: the id itself is never stored */
  readonly key: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  /** the absolute end, whatever the activity */
  readonly expiresAt: number;
  readonly revokedAt?: number;
}

export interface StoredToken {
  /** the public part of the token, printed in lists */
  readonly id: string;
  /** sha256 of the token's secret part, hex */
  readonly secretHash: string;
  readonly agency: string;
  readonly scope: Scope;
  readonly label: string;
  readonly createdAt: number;
  readonly expiresAt?: number;
  readonly lastUsedAt?: number;
  readonly revokedAt?: number;
}

/** failed logins of one key (a login name or a client address) */
export interface Throttle {
  /** times of the recent failures, oldest first */
  readonly failures: readonly number[];
  readonly lockedUntil?: number;
}

export interface AccountStore {
  /** DUPLICATE_ID when the login (or the id) is taken */
  addUser(user: StoredUser): Promise<void>;
  userByLogin(login: string): Promise<StoredUser | undefined>;
  userById(id: string): Promise<StoredUser | undefined>;
  /** every user, by login */
  users(): Promise<StoredUser[]>;
  /** false when there is no such user */
  setPasswordHash(userId: string, passwordHash: string): Promise<boolean>;
  /**
   * Marks the user disabled at `at` (kept if already disabled) and revokes
   * every session of theirs, in one transaction. False when there is no such user.
   */
  disableUser(userId: string, at: number): Promise<boolean>;

  addSession(session: StoredSession): Promise<void>;
  session(key: string): Promise<StoredSession | undefined>;
  /** moves lastSeenAt forward (never back) */
  touchSession(key: string, at: number): Promise<void>;
  /** false when there is no such session or it was revoked already */
  revokeSession(key: string, at: number): Promise<boolean>;
  /** forgets sessions that ended (expired or revoked) before `before`; returns how many */
  pruneSessions(before: number): Promise<number>;

  /** DUPLICATE_ID when the id is taken */
  addToken(token: StoredToken): Promise<void>;
  token(id: string): Promise<StoredToken | undefined>;
  /** every token, oldest first */
  tokens(): Promise<StoredToken[]>;
  /** moves lastUsedAt forward (never back) */
  touchToken(id: string, at: number): Promise<void>;
  /** false when there is no such token or it was revoked already */
  revokeToken(id: string, at: number): Promise<boolean>;

  /**
   * Reads the throttle of `key`, applies `change`, stores what it returns
   * (undefined forgets the key) and returns that, atomically: two failed
   * logins at once both count. `change` is pure and synchronous.
   */
  updateThrottle(key: string, change: (current: Throttle | undefined) => Throttle | undefined): Promise<Throttle | undefined>;
  throttle(key: string): Promise<Throttle | undefined>;
  /** forgets throttles whose last failure and lockout end are both before `before`; returns how many */
  pruneThrottles(before: number): Promise<number>;

  close(): Promise<void>;
}
