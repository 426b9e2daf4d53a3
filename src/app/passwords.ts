/**
 * Password hashes: scrypt (RFC 7914) from node:crypto, a random salt per
 * hash, and the cost parameters stored with it in the PHC string format
 * (`$scrypt$ln=15,r=8,p=1$<salt>$<hash>`, base64 without padding), so the
 * cost can be raised later: a hash made with less than the current cost is
 * re-made at the next successful login (`needsRehash`).
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ConcordError } from '../errors.ts';

export interface ScryptParams {
  /** log2 of the CPU/memory cost N */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

/**
 * N = 2^15, r = 8, p = 1: 32 MiB and some 50-100 ms per hash on a server
 * core, the OWASP password storage cheat sheet's scrypt minimum raised one step.
 */
export const DEFAULT_SCRYPT: ScryptParams = { ln: 15, r: 8, p: 1 };

/** NIST SP 800-63B asks at least 8 characters; a shared duty-room console merits more */
export const MIN_PASSWORD_LENGTH = 12;
/** bounds the work one login attempt can ask for */
export const MAX_PASSWORD_LENGTH = 1024;

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC_RE = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

/** the length in characters (code points), as a user counts them */
function length(password: string): number {
  return [...password].length;
}

/** BAD_INPUT unless the password is long enough, not too long, and has no control characters */
export function checkPasswordRule(password: string): void {
  const n = length(password);
  if (n < MIN_PASSWORD_LENGTH) throw new ConcordError('BAD_INPUT', `the password has ${n} characters; it needs at least ${MIN_PASSWORD_LENGTH}`);
  if (n > MAX_PASSWORD_LENGTH) throw new ConcordError('BAD_INPUT', `the password has ${n} characters; at most ${MAX_PASSWORD_LENGTH} are accepted`);
  if (/\p{Cc}/u.test(password)) throw new ConcordError('BAD_INPUT', 'the password holds a control character (a newline or tab?)');
}

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const N = 2 ** params.ln;
  // scrypt needs 128 * N * r bytes; node's default cap (32 MiB) is exactly the default cost, so leave room
  const maxmem = 256 * N * params.r;
  return new Promise((resolve, reject) =>
    // NFC: the same password typed on two keyboards is the same bytes
    scrypt(password.normalize('NFC'), salt, HASH_BYTES, { N, r: params.r, p: params.p, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64').replace(/=+$/, '')}$${hash.toString('base64').replace(/=+$/, '')}`;
}

interface Parsed {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parseHash(encoded: string): Parsed | undefined {
  const m = PHC_RE.exec(encoded);
  if (m === null) return undefined;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // bounds, so a damaged or planted hash cannot ask for gigabytes
  if (ln < 10 || ln > 20 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return { params: { ln, r, p }, salt: Buffer.from(m[4] as string, 'base64'), hash: Buffer.from(m[5] as string, 'base64') };
}

/** whether the encoded hash can be checked at all (a hash this code wrote) */
export function isPasswordHash(encoded: string): boolean {
  return parseHash(encoded) !== undefined;
}

/**
 * Whether `password` is the one `encoded` was made from, compared in
 * constant time. An unreadable hash matches nothing.
 */
export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  const parsed = parseHash(encoded);
  if (parsed === undefined || length(password) > MAX_PASSWORD_LENGTH) return false;
  const candidate = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(candidate, parsed.hash);
}

/** whether `encoded` was made with less work than `params` asks now */
export function needsRehash(encoded: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(encoded);
  if (parsed === undefined) return true;
  const p = parsed.params;
  return p.ln < params.ln || p.r < params.r || p.p < params.p;
}
