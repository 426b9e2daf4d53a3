/**
 * Accounts: who may call a node, and as whom. A user is a person of an
 * agency (the domain's people) with a login and a password; a console
 * session stands for that person; an API token stands for a system of an
 * agency. Every call resolves, through `authenticate`, to a Principal, and
 * the actor of every command is taken from it (`commandActor`), never from
 * the body. Transport-free: the server puts the session id in a cookie and
 * the token in an Authorization header; this module sees only the strings.
 *
 * Roles: `member` acts as the person, with whatever authority their
 * positions give in the domain (the domain still checks every decision);
 * `reviewer` reads everything and changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { ConcordError } from '../errors.ts';
import { ID_RE, MAX_ID_LENGTH } from '../ledger/entry.ts';
import type { Actor } from '../domain/values.ts';
import type { World } from '../domain/world.ts';
import type { AccountStore, Role, Scope, StoredToken, StoredUser } from '../store/accounts.ts';
import { csrfTokenFor, isSessionId, newApiToken, newSessionId, parseApiToken, secretMatches, sessionKey, sha256Hex, verifyCsrf } from './credentials.ts';
import { afterFailure, DEFAULT_LOGIN_LIMITS, lockedUntil, type LoginLimits } from './login-throttle.ts';
import { checkPasswordRule, DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './passwords.ts';

export type { Role, Scope } from '../store/accounts.ts';

/** login names: lower case letters, digits, '.', '_' and '-', starting with a letter, 2 to 64 characters */
export const LOGIN_RE = /^[a-z][a-z0-9._-]{1,63}$/;
export const MAX_LABEL_LENGTH = 200;

export interface SessionPrincipal {
  readonly kind: 'session';
  /** the user's id, for logs (never a secret) */
  readonly id: string;
  readonly userId: string;
  readonly login: string;
  readonly agency: string;
  readonly person: string;
  readonly roles: readonly Role[];
  /** a reviewer reads everything and changes nothing */
  readonly reviewer: boolean;
  readonly scope: Scope;
}

export interface TokenPrincipal {
  readonly kind: 'token';
  /** the token's id, for logs (never a secret) */
  readonly id: string;
  readonly tokenId: string;
  readonly label: string;
  readonly agency: string;
  /** the device the token's commands are recorded under: `token-<id>` */
  readonly device: string;
  readonly roles: readonly Role[];
  readonly reviewer: false;
  readonly scope: Scope;
}

/** who is calling: a signed-in person, or a system holding an API token */
export type Principal = SessionPrincipal | TokenPrincipal;

/** a user as shown (never the password hash) */
export interface User {
  readonly id: string;
  readonly login: string;
  readonly agency: string;
  readonly person: string;
  readonly roles: readonly Role[];
  readonly createdAt: string;
  readonly disabledAt?: string;
}

/** an API token as shown (never the secret nor its hash) */
export interface TokenInfo {
  readonly id: string;
  readonly agency: string;
  readonly scope: Scope;
  readonly label: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
  readonly lastUsedAt?: string;
  readonly revokedAt?: string;
}

export interface Session {
  /** the session id: the cookie's value, returned once, never stored */
  readonly sessionId: string;
  /** the value the console sends back in a header with every change */
  readonly csrfToken: string;
  /** the absolute end of the session (RFC 3339) */
  readonly expiresAt: string;
  readonly principal: SessionPrincipal;
}

/** how passwords are hashed and checked; tests pass a wrapper to watch the calls */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(encoded: string, password: string): Promise<boolean>;
  needsRehash(encoded: string): boolean;
}

export function scryptHasher(params: ScryptParams = DEFAULT_SCRYPT): PasswordHasher {
  return {
    hash: (password) => hashPassword(password, params),
    verify: verifyPassword,
    needsRehash: (encoded) => needsRehash(encoded, params),
  };
}

export interface SessionLimits {
  /** a session unused this long ends */
  readonly idleMs: number;
  /** a session ends this long after login, however busy */
  readonly absoluteMs: number;
}

const MINUTE = 60_000;
/** OWASP session management cheat sheet: idle 15-30 minutes; absolute: one long shift */
export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * MINUTE, absoluteMs: 12 * 60 * MINUTE };

export interface AccountOptions {
  readonly store: AccountStore;
  /** milliseconds since the epoch; injected so tests and replays control time */
  readonly clock?: () => number;
  readonly hasher?: PasswordHasher;
  readonly limits?: LoginLimits;
  readonly sessions?: SessionLimits;
  /**
   * How stale a session's last-seen or a token's last-used time may get
   * before a call writes it again: one durable write per caller per
   * interval, not one per request. A session's idle end is therefore
   * measured from at most this long before its last use.
   */
  readonly touchEveryMs?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** RFC 9110 §9.2.1: the methods that change nothing, which need no CSRF token */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function publicUser(u: StoredUser): User {
  return {
    id: u.id,
    login: u.login,
    agency: u.agency,
    person: u.person,
    roles: u.roles,
    createdAt: iso(u.createdAt),
    ...(u.disabledAt !== undefined ? { disabledAt: iso(u.disabledAt) } : {}),
  };
}

function publicToken(t: StoredToken): TokenInfo {
  return {
    id: t.id,
    agency: t.agency,
    scope: t.scope,
    label: t.label,
    createdAt: iso(t.createdAt),
    ...(t.expiresAt !== undefined ? { expiresAt: iso(t.expiresAt) } : {}),
    ...(t.lastUsedAt !== undefined ? { lastUsedAt: iso(t.lastUsedAt) } : {}),
    ...(t.revokedAt !== undefined ? { revokedAt: iso(t.revokedAt) } : {}),
  };
}

/** a member changes things; a reviewer only reads */
function scopeOf(roles: readonly Role[]): Scope {
  return roles.includes('member') ? 'write' : 'read';
}

function checkId(value: string, what: string): void {
  if (value.length > MAX_ID_LENGTH || !ID_RE.test(value)) {
    throw new ConcordError('BAD_INPUT', `${what} "${value}" is not an id: a letter or digit, then letters, digits, ".", "_", ":" or "-"`);
  }
}

export function checkLogin(login: string): void {
  if (!LOGIN_RE.test(login)) {
    throw new ConcordError('BAD_INPUT', `login "${login}" must be 2 to 64 lower-case letters, digits, ".", "_" or "-", starting with a letter`);
  }
}

function checkLabel(label: string): void {
  if (label.trim().length === 0) throw new ConcordError('BAD_INPUT', 'a token needs a label saying what system holds it');
  if ([...label].length > MAX_LABEL_LENGTH) throw new ConcordError('BAD_INPUT', `a token label has at most ${MAX_LABEL_LENGTH} characters`);
  if (/\p{Cc}/u.test(label)) throw new ConcordError('BAD_INPUT', 'a token label may not hold control characters');
}

/** UNKNOWN_ENTITY unless the agency is in the node's ledger */
export function requireAgency(world: World, agency: string): void {
  if (world.agencies[agency] === undefined) {
    throw new ConcordError('UNKNOWN_ENTITY', `agency "${agency}" is not in this node's ledger`, { kind: 'agency', id: agency });
  }
}

/** UNKNOWN_ENTITY unless the person is in the node's ledger; AGENCY_MISMATCH unless of `agency` */
export function requirePersonOf(world: World, agency: string, person: string): void {
  requireAgency(world, agency);
  const p = world.people[person];
  if (p === undefined) throw new ConcordError('UNKNOWN_ENTITY', `person "${person}" is not in this node's ledger`, { kind: 'person', id: person });
  if (p.agency !== agency) throw new ConcordError('AGENCY_MISMATCH', `person "${person}" belongs to ${p.agency}, not ${agency}`);
}

/** the actor recorded for what a principal does: the person, or the token as a device of its agency */
export function actorOf(p: Principal): Actor {
  return p.kind === 'session' ? { agency: p.agency, person: p.person } : { agency: p.agency, device: p.device };
}

/** READ_ONLY unless the principal may change things */
export function requireWrite(p: Principal): void {
  if (p.scope !== 'write') {
    throw new ConcordError(
      'READ_ONLY',
      p.kind === 'session' ? `${p.login} is a reviewer: reviewers read and change nothing` : `token ${p.tokenId} may only read`,
    );
  }
}

/**
 * The actor of a command given by `p`: always the principal's own. A body
 * that names an actor (`claimed`) is accepted only when it names exactly
 * that one (ACTOR_MISMATCH otherwise), so nobody acts as someone else.
 */
export function commandActor(p: Principal, claimed?: Actor): Actor {
  requireWrite(p);
  const actor = actorOf(p);
  if (claimed !== undefined && (claimed.agency !== actor.agency || claimed.person !== actor.person || claimed.device !== actor.device)) {
    throw new ConcordError('ACTOR_MISMATCH', `the call comes from ${describe(actor)} but names ${describe(claimed)} as the actor`);
  }
  return actor;
}

function describe(a: Actor): string {
  return `${a.person ?? a.device ?? 'the administration'} (${a.agency})`;
}

/** throttle keys: a login name as typed (lower case), a client address (hashed when too long to be one) */
function loginKey(login: string): string {
  return `login:${login}`;
}
function addressKey(address: string): string {
  return address.length <= 64 ? `addr:${address}` : `addr#${sha256Hex(address)}`;
}

export class AccountService {
  private readonly store: AccountStore;
  private readonly clock: () => number;
  private readonly hasher: PasswordHasher;
  private readonly limits: LoginLimits;
  private readonly sessionLimits: SessionLimits;
  private readonly touchEveryMs: number;
  private dummy: Promise<string> | undefined;

  constructor(opts: AccountOptions) {
    this.store = opts.store;
    this.clock = opts.clock ?? Date.now;
    this.hasher = opts.hasher ?? scryptHasher();
    this.limits = opts.limits ?? DEFAULT_LOGIN_LIMITS;
    this.sessionLimits = opts.sessions ?? DEFAULT_SESSION_LIMITS;
    this.touchEveryMs = opts.touchEveryMs ?? MINUTE;
  }

  /** closes the store */
  close(): Promise<void> {
    return this.store.close();
  }

  // ---- users

  /**
   * Adds a user. The caller checks that the person exists in the node's
   * world (`requirePersonOf`): the account store does not read the ledger.
   */
  async addUser(input: { agency: string; person: string; login: string; password: string; role?: Role }): Promise<User> {
    checkId(input.agency, 'agency');
    checkId(input.person, 'person');
    checkLogin(input.login);
    checkPasswordRule(input.password);
    const user: StoredUser = {
      id: `user-${randomBytes(8).toString('hex')}`,
      login: input.login,
      agency: input.agency,
      person: input.person,
      roles: [input.role ?? 'member'],
      passwordHash: await this.hasher.hash(input.password),
      createdAt: this.clock(),
    };
    await this.store.addUser(user);
    return publicUser(user);
  }

  async users(): Promise<User[]> {
    return (await this.store.users()).map(publicUser);
  }

  /** disables a user and ends their sessions; NOT_FOUND when there is no such login */
  async disableUser(login: string): Promise<{ readonly user: User; readonly already: boolean }> {
    const user = await this.store.userByLogin(login);
    if (user === undefined) throw new ConcordError('NOT_FOUND', `there is no user with login "${login}"`);
    await this.store.disableUser(user.id, this.clock());
    const now = await this.store.userById(user.id);
    return { user: publicUser(now ?? user), already: user.disabledAt !== undefined };
  }

  // ---- console sessions

  /**
   * Signs a person in. LOGIN_LOCKED while the login name or the address is
   * locked out; LOGIN_FAILED for a wrong password, an unknown login and a
   * disabled account alike, after the same password work (an unknown login
   * is checked against a dummy hash), so neither the answer nor its time
   * tells who has an account.
   */
  async login(input: { login: string; password: string; address?: string }): Promise<Session> {
    // every login waits for the dummy hash, so the first unknown login is not slower than a known one
    const dummy = await this.dummyHash();
    const now = this.clock();
    const login = input.login.toLowerCase();
    const keys: Array<{ key: string; rule: LoginLimits['perLogin'] }> = [];
    if (LOGIN_RE.test(login)) keys.push({ key: loginKey(login), rule: this.limits.perLogin });
    if (input.address !== undefined && input.address !== '') keys.push({ key: addressKey(input.address), rule: this.limits.perAddress });
    for (const { key } of keys) {
      const until = lockedUntil(await this.store.throttle(key), now);
      if (until !== undefined) {
        throw new ConcordError('LOGIN_LOCKED', `too many failed logins; try again after ${iso(until)}`, { retryAfterMs: until - now, until: iso(until) });
      }
    }
    const user = LOGIN_RE.test(login) ? await this.store.userByLogin(login) : undefined;
    const matches = await this.hasher.verify(user?.passwordHash ?? dummy, input.password);
    if (user === undefined || !matches || user.disabledAt !== undefined) {
      const at = this.clock();
      for (const { key, rule } of keys) await this.store.updateThrottle(key, (t) => afterFailure(t, at, rule));
      throw new ConcordError('LOGIN_FAILED', 'the login name or password is wrong');
    }
    const at = this.clock();
    // a success clears the name's count; the address's stands (one address trying many names is what it watches)
    if (LOGIN_RE.test(login)) await this.store.updateThrottle(loginKey(login), () => undefined);
    if (this.hasher.needsRehash(user.passwordHash)) await this.store.setPasswordHash(user.id, await this.hasher.hash(input.password));
    await this.store.pruneSessions(at);
    // throttles of names tried once and never again would otherwise pile up
    const { perLogin, perAddress } = this.limits;
    await this.store.pruneThrottles(at - Math.max(perLogin.windowMs, perLogin.lockMs, perAddress.windowMs, perAddress.lockMs));
    const sessionId = newSessionId();
    const expiresAt = at + this.sessionLimits.absoluteMs;
    await this.store.addSession({ key: sessionKey(sessionId), userId: user.id, createdAt: at, lastSeenAt: at, expiresAt });
    return { sessionId, csrfToken: csrfTokenFor(sessionId), expiresAt: iso(expiresAt), principal: sessionPrincipal(user) };
  }

  /** ends a session; false when it was not a live one */
  async logout(sessionId: string): Promise<boolean> {
    if (!isSessionId(sessionId)) return false;
    return this.store.revokeSession(sessionKey(sessionId), this.clock());
  }

  private dummyHash(): Promise<string> {
    this.dummy ??= this.hasher.hash(randomBytes(24).toString('base64url'));
    return this.dummy;
  }

  // ---- API tokens

  /** creates a token; the returned `token` is the only time the secret exists outside the caller's hands */
  async createToken(input: { agency: string; scope: Scope; label: string; expiresAt?: string }): Promise<{ readonly token: string; readonly info: TokenInfo }> {
    checkId(input.agency, 'agency');
    if (input.scope !== 'read' && input.scope !== 'write')
      throw new ConcordError('BAD_INPUT', `a token's scope is read or write, not "${String(input.scope)}"`);
    checkLabel(input.label);
    const now = this.clock();
    let expiresAt: number | undefined;
    if (input.expiresAt !== undefined) {
      expiresAt = Date.parse(input.expiresAt);
      if (Number.isNaN(expiresAt)) throw new ConcordError('BAD_INPUT', `expiry "${input.expiresAt}" is not a time`);
      if (expiresAt <= now) throw new ConcordError('BAD_INPUT', `expiry ${input.expiresAt} is not in the future`);
    }
    const fresh = newApiToken();
    const stored: StoredToken = {
      id: fresh.id,
      secretHash: fresh.secretHash,
      agency: input.agency,
      scope: input.scope,
      label: input.label,
      createdAt: now,
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    };
    await this.store.addToken(stored);
    return { token: fresh.token, info: publicToken(stored) };
  }

  async tokens(): Promise<TokenInfo[]> {
    return (await this.store.tokens()).map(publicToken);
  }

  /** revokes a token; NOT_FOUND when there is no such id */
  async revokeToken(id: string): Promise<{ readonly info: TokenInfo; readonly already: boolean }> {
    const before = await this.store.token(id);
    if (before === undefined) throw new ConcordError('NOT_FOUND', `there is no token with id "${id}"`);
    await this.store.revokeToken(id, this.clock());
    const after = await this.store.token(id);
    return { info: publicToken(after ?? before), already: before.revokedAt !== undefined };
  }

  // ---- every request

  /**
   * Who is calling, from what came with the request: a bearer API token
   * (preferred when both come: a header another site's page cannot add) or
   * a console session id. Undefined when neither is valid: unknown,
   * malformed, revoked, expired, or the user disabled. Never throws for
   * what the caller sent.
   */
  async authenticate(presented: { readonly sessionId?: string | undefined; readonly bearer?: string | undefined }): Promise<Principal | undefined> {
    if (presented.bearer !== undefined) return this.tokenPrincipal(presented.bearer);
    if (presented.sessionId !== undefined) return this.sessionPrincipalOf(presented.sessionId);
    return undefined;
  }

  /**
   * `authenticate` with the checks every call needs, for the server's hook:
   * undefined when nothing was presented; UNAUTHENTICATED when a session id
   * or token was presented and is not valid (it is not quietly treated as
   * anonymous); CSRF_INVALID when a session asks for a change (any method
   * but GET, HEAD and OPTIONS) without its CSRF token. A token needs no CSRF
   * token: no other site's page can send an Authorization header.
   */
  async authenticateCall(call: {
    readonly method: string;
    readonly sessionId?: string | undefined;
    readonly bearer?: string | undefined;
    readonly csrfToken?: string | undefined;
  }): Promise<Principal | undefined> {
    if (call.sessionId === undefined && call.bearer === undefined) return undefined;
    const principal = await this.authenticate(call);
    if (principal === undefined) {
      throw new ConcordError(
        'UNAUTHENTICATED',
        call.bearer !== undefined ? 'the API token is not valid (unknown, revoked or expired)' : 'the session has ended; log in again',
      );
    }
    if (principal.kind === 'session' && !SAFE_METHODS.has(call.method.toUpperCase()) && !verifyCsrf(call.sessionId as string, call.csrfToken)) {
      throw new ConcordError('CSRF_INVALID', "a change through a console session needs the session's CSRF token (X-CSRF-Token)");
    }
    return principal;
  }

  private async sessionPrincipalOf(sessionId: string): Promise<SessionPrincipal | undefined> {
    if (!isSessionId(sessionId)) return undefined;
    const key = sessionKey(sessionId);
    const session = await this.store.session(key);
    const now = this.clock();
    if (session === undefined || session.revokedAt !== undefined) return undefined;
    if (now >= session.expiresAt || now >= session.lastSeenAt + this.sessionLimits.idleMs) {
      // ended for good: a clock set back later does not reopen it
      await this.store.revokeSession(key, now);
      return undefined;
    }
    const user = await this.store.userById(session.userId);
    if (user === undefined || user.disabledAt !== undefined) return undefined;
    if (now - session.lastSeenAt >= this.touchEveryMs) await this.store.touchSession(key, now);
    return sessionPrincipal(user);
  }

  private async tokenPrincipal(bearer: string): Promise<TokenPrincipal | undefined> {
    const parsed = parseApiToken(bearer);
    if (parsed === undefined) return undefined;
    const token = await this.store.token(parsed.id);
    if (token === undefined || !secretMatches(parsed.secret, token.secretHash)) return undefined;
    const now = this.clock();
    if (token.revokedAt !== undefined || (token.expiresAt !== undefined && now >= token.expiresAt)) return undefined;
    if (token.lastUsedAt === undefined || now - token.lastUsedAt >= this.touchEveryMs) await this.store.touchToken(token.id, now);
    return {
      kind: 'token',
      id: token.id,
      tokenId: token.id,
      label: token.label,
      agency: token.agency,
      device: `token-${token.id}`,
      roles: [],
      reviewer: false,
      scope: token.scope,
    };
  }
}

function sessionPrincipal(user: StoredUser): SessionPrincipal {
  return {
    kind: 'session',
    id: user.id,
    userId: user.id,
    login: user.login,
    agency: user.agency,
    person: user.person,
    roles: user.roles,
    reviewer: user.roles.includes('reviewer'),
    scope: scopeOf(user.roles),
  };
}
