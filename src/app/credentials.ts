/**
 * The secrets a caller presents, their shapes and their stored forms:
 * console session ids, the CSRF token of a session, and API tokens. Each
 * secret is 256 random bits, so one SHA-256 is enough to store it (a
 * password needs scrypt because people choose it; these nobody chooses):
 * whoever reads the account store learns no secret it can present.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_BYTES = 32;
/** 32 bytes in base64url, no padding */
const SECRET_RE = /^[A-Za-z0-9_-]{43}$/;
const TOKEN_ID_RE = /^[0-9a-f]{16}$/;
/** `concord_<id>_<secret>`: the prefix lets secret scanners recognise a leaked token; the id finds it without a scan */
const TOKEN_RE = /^concord_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** a new console session id (the cookie's value) */
export function newSessionId(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}

/** whether `text` has the shape of a session id (checked before any lookup) */
export function isSessionId(text: string): boolean {
  return SECRET_RE.test(text);
}

/** what the store keeps of a session id, and looks it up by */
export function sessionKey(sessionId: string): string {
  return sha256Hex(sessionId);
}

/**
 * The session's CSRF token: HMAC-SHA256 keyed with the session id (OWASP
 * CSRF cheat sheet, "signed double-submit cookie" / HMAC-based token). The
 * session id sits in an httpOnly cookie that another site's page can
 * neither read nor set, so it cannot compute this; the console reads it at
 * login and sends it in a header with every change. Nothing to store: the
 * server recomputes it from the cookie on each request.
 */
export function csrfTokenFor(sessionId: string): string {
  return createHmac('sha256', sessionId).update('concord csrf v1').digest('base64url');
}

/** whether `presented` is the CSRF token of the session, compared in constant time */
export function verifyCsrf(sessionId: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  // hash both sides: timingSafeEqual needs equal lengths, and the length of what was presented must not matter
  const expected = createHash('sha256').update(csrfTokenFor(sessionId)).digest();
  const given = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(expected, given);
}

export interface NewToken {
  readonly id: string;
  /** the whole token, shown once */
  readonly token: string;
  /** what the store keeps */
  readonly secretHash: string;
}

export function newApiToken(): NewToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, token: `concord_${id}_${secret}`, secretHash: sha256Hex(secret) };
}

export function isTokenId(text: string): boolean {
  return TOKEN_ID_RE.test(text);
}

/** the id and secret of a presented token, or undefined when it is not one */
export function parseApiToken(text: string): { readonly id: string; readonly secret: string } | undefined {
  const m = TOKEN_RE.exec(text);
  return m === null ? undefined : { id: m[1] as string, secret: m[2] as string };
}

/** whether `secret` hashes to `storedHash`, compared in constant time */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = createHash('sha256').update(secret, 'utf8').digest();
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === given.length && timingSafeEqual(given, stored);
}
