/**
 * A checkpoint as GET /checkpoint serves it (C2SP tlog-checkpoint inside a
 * C2SP signed-note), read in the browser: the origin, the tree size, the
 * root hash, and the log's Ed25519 signature checked with the verifier key
 * of GET /log/key. Pure but for the WebCrypto calls, which are given.
 */

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  /** the signed text: the lines before the blank line, each with its newline */
  readonly text: string;
  readonly signatures: readonly { readonly name: string; readonly keyId: Uint8Array; readonly signature: Uint8Array }[];
}

export function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** C2SP signed-note: text, a blank line, then lines "— <name> <base64(key id || signature)>" */
export function parseCheckpoint(note: string): Checkpoint | string {
  const split = note.indexOf('\n\n');
  if (split < 0) return 'the note has no signatures';
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeText, rootText] = lines;
  // C2SP tlog-checkpoint: origin, decimal size, base64 root hash, optional extension lines
  if (origin === undefined || origin === '' || sizeText === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || rootText === undefined)
    return 'the note is not a checkpoint (origin, size, root hash)';
  let root: Uint8Array;
  try {
    root = fromBase64(rootText);
  } catch {
    return 'the root hash is not base64';
  }
  if (root.length !== 32) return 'the root hash is not 32 bytes';
  const signatures = [];
  for (const line of note.slice(split + 2).split('\n')) {
    if (line === '') continue;
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (m === null) return `not a signature line: ${line.slice(0, 60)}`;
    const bytes = fromBase64(m[2] as string);
    if (bytes.length < 5) return 'a signature is too short';
    signatures.push({ name: m[1] as string, keyId: bytes.slice(0, 4), signature: bytes.slice(4) });
  }
  return { origin, size: Number(sizeText), root, text, signatures };
}

export interface VerifierKey {
  readonly name: string;
  readonly keyId: Uint8Array;
  /** the raw 32-byte Ed25519 public key */
  readonly publicKey: Uint8Array;
}

/** C2SP signed-note verifier key: <name>+<hex key id>+<base64(0x01 || public key)> */
export function parseVerifierKey(vkey: string): VerifierKey | string {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (m === null) return 'not a verifier key';
  const material = fromBase64(m[3] as string);
  if (material[0] !== 1 || material.length !== 33) return 'not an Ed25519 verifier key (type 0x01, 32 bytes)';
  const keyId = new Uint8Array((m[2] as string).match(/../g)!.map((h) => parseInt(h, 16)));
  return { name: m[1] as string, keyId, publicKey: material.slice(1) };
}

/**
 * Whether the checkpoint carries a valid Ed25519 signature by `key` over its
 * text (C2SP signed-note: the signed message is the text, newline included).
 * undefined when this browser's WebCrypto has no Ed25519.
 */
export async function verifyCheckpointSignature(cp: Checkpoint, key: VerifierKey, subtle: typeof crypto.subtle = crypto.subtle): Promise<boolean | undefined> {
  const sig = cp.signatures.find((s) => s.name === key.name && s.keyId.every((b, i) => b === key.keyId[i]));
  if (sig === undefined || sig.signature.length !== 64) return false;
  let publicKey: Awaited<ReturnType<typeof subtle.importKey>>;
  try {
    publicKey = await subtle.importKey('raw', key.publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return undefined;
  }
  return subtle.verify({ name: 'Ed25519' }, publicKey, sig.signature as Uint8Array<ArrayBuffer>, new TextEncoder().encode(cp.text));
}
