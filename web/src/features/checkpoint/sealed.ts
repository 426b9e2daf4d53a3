/**
 * A sealed entry, checked in the browser. The log hashes an entry with each
 * sealed value replaced by {"$sealed": commitment}; the feed sends the entry
 * with the values in place, the text the log hashed, and the disclosures
 * (path, salt, value). The console proves the hashed text's inclusion
 * (inclusion.ts) and, here, that each value it shows opens its commitment:
 * commitment = base64url(SHA-256(canonical JSON of [salt, path, value]))
 * (docs/ledger-format.md, "Sealed values"), and that the text shown is the
 * hashed text with exactly those values put back.
 */
import { subtleSha256, type Sha256 } from './inclusion.ts';

export interface Disclosure {
  readonly path: string;
  readonly salt: string;
  readonly value: unknown;
}

const SEALED_KEY = '$sealed';

/** RFC 8785 canonical JSON of a JSON value: JSON.stringify's strings and numbers, object keys in UTF-16 order */
export function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

export async function commitment(d: Disclosure, sha256: Sha256 = subtleSha256): Promise<string> {
  return base64url(await sha256(new TextEncoder().encode(canonical([d.salt, d.path, d.value]))));
}

/** the object holding the value at an RFC 6901 pointer, and its key; undefined when the pointer leads nowhere */
function locate(root: unknown, pointer: string): { parent: Record<string, unknown> | unknown[]; key: string } | undefined {
  if (!pointer.startsWith('/')) return undefined;
  const keys = pointer
    .slice(1)
    .split('/')
    .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
  let node = root;
  for (let i = 0; i < keys.length - 1; i++) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[keys[i] as string];
  }
  return node !== null && typeof node === 'object' ? { parent: node as Record<string, unknown>, key: keys[keys.length - 1] as string } : undefined;
}

/**
 * True when `shown` is `hashed` with each disclosure's value in place of the
 * commitment it opens (parents before the children sealed inside them).
 */
export async function checkSealed(hashed: string, shown: string, disclosures: readonly Disclosure[], sha256: Sha256 = subtleSha256): Promise<boolean> {
  let entry: { body?: unknown };
  try {
    entry = JSON.parse(hashed) as { body?: unknown };
  } catch {
    return false;
  }
  const body: unknown = JSON.parse(JSON.stringify(entry.body ?? null));
  for (const d of [...disclosures].sort((a, b) => a.path.length - b.path.length)) {
    const at = locate(body, d.path);
    if (at === undefined) return false;
    const sealed = (at.parent as Record<string, unknown>)[at.key] as Record<string, unknown> | undefined;
    if (sealed === null || typeof sealed !== 'object' || Object.keys(sealed).length !== 1 || sealed[SEALED_KEY] !== (await commitment(d, sha256))) return false;
    (at.parent as Record<string, unknown>)[at.key] = JSON.parse(JSON.stringify(d.value)) as unknown;
  }
  return canonical({ ...entry, body }) === shown;
}
