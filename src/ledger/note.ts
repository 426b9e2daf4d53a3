/**
 * C2SP signed notes (c2sp.org/signed-note@v1.0.0) with Ed25519 signatures,
 * and Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature, type 0x04).
 *
 * Key strings follow golang.org/x/mod/sumdb/note:
 *   verifier key  <name>+<8 hex key id>+base64(type || 32-byte public key)
 *   signer key    PRIVATE+KEY+<name>+<8 hex key id>+base64(0x01 || 32-byte seed)
 *
 * Pure: keys and randomness come in as arguments (crypto.randomBytes is used
 * only when generateSigner is called without a seed). Secrets never reach an
 * error message: parse errors never quote the input key string, and a parsed
 * signer keeps its private key outside the object.
 */
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { ConcordError } from '../errors.ts';

/** C2SP signed-note "Signature types": 0x01 Ed25519; 0x04 tlog-cosignature/v1 (timestamped Ed25519). */
const TYPE_ED25519 = 0x01;
const TYPE_COSIGNATURE_V1 = 0x04;

export type SignatureType = 'ed25519' | 'cosignature/v1';

/**
 * Verifiers MUST accept at least 16 signatures (C2SP signed-note); like
 * golang sumdb/note we stop at 100 so a hostile note cannot make us verify forever.
 */
export const MAX_SIGNATURES = 100;

const SIG_PREFIX = '\u2014 '; // em dash, space
const SIGNER_PREFIX = 'PRIVATE+KEY+';
const COSIGNATURE_HEADER = 'cosignature/v1\n';
const MAX_COSIGNATURE_TIMESTAMP = (1n << 63n) - 1n;

// DER wrappers that turn raw Ed25519 key bytes into what node:crypto imports (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A parsed signer. It carries no key material: the private key is held apart, keyed by this object. */
export interface Signer {
  readonly name: string;
  /** key id of note signatures (type 0x01), 8 lowercase hex digits */
  readonly keyId: string;
  /** the vkey that verifies this signer's note signatures */
  readonly verifierKey: string;
  /** key id of this signer's tlog-cosignature/v1 cosignatures (type 0x04) */
  readonly cosignerKeyId: string;
  /** the vkey (type 0x04) that verifies this signer's cosignatures */
  readonly cosignerVerifierKey: string;
}

export interface Verifier {
  readonly name: string;
  readonly keyId: string;
  readonly type: SignatureType;
  /** the vkey string this verifier was parsed from */
  readonly verifierKey: string;
}

/** One signature line, as found in the note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: string;
  /** the base64 text of the line (key id || signature) */
  readonly signature: string;
}

export interface VerifiedSignature extends NoteSignature {
  readonly type: SignatureType;
  /** cosignatures only: the POSIX time the cosigner signed at */
  readonly timestamp?: number;
}

export interface OpenedNote {
  /** the signed text, ending in a newline */
  readonly text: string;
  /** signatures by known keys that verified, one per key, in note order */
  readonly verified: readonly VerifiedSignature[];
  /** signatures by unknown keys (ignored, not checked), identical lines once */
  readonly unverified: readonly NoteSignature[];
}

const signerKeys = new WeakMap<Signer, KeyObject>();
const verifierKeys = new WeakMap<Verifier, KeyObject>();

function noteError(message: string): ConcordError {
  return new ConcordError('NOTE_INVALID', message);
}

function keyError(message: string): ConcordError {
  return new ConcordError('KEY_INVALID', message);
}

/**
 * C2SP signed-note: key id = SHA-256(key name || 0x0A || signature type || public key)[:4],
 * written as 8 lowercase hex digits.
 */
function computeKeyId(name: string, type: number, publicKey: Uint8Array): string {
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, type]))
    .update(publicKey)
    .digest()
    .subarray(0, 4)
    .toString('hex');
}

/** RFC 4648 §4 base64, padded and canonical (no stray bits), or undefined. */
function decodeBase64(s: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64');
  // Reject non-zero padding bits so that one byte string has exactly one encoding.
  return bytes.toString('base64') === s ? bytes : undefined;
}

/** Why `name` is not a valid key name (C2SP signed-note), or undefined when it is valid. */
function keyNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/\p{Surrogate}/u.test(name)) return 'is not valid Unicode';
  if (/\p{White_Space}/u.test(name)) return 'contains a space';
  if (name.includes('+')) return "contains '+'";
  if (/[\u0000-\u001f]/.test(name)) return 'contains a control character';
  return undefined;
}

/** Why `s` breaks the note character rules, or undefined. Offsets are in UTF-16 units. */
function textProblem(s: string): string | undefined {
  const lone = /\p{Surrogate}/u.exec(s);
  if (lone) return `is not valid UTF-8 (lone surrogate at offset ${lone.index})`;
  // C2SP signed-note: no ASCII control characters other than newline.
  const control = /[\u0000-\u0009\u000b-\u001f]/.exec(s);
  if (control) return `contains control character 0x${control[0].charCodeAt(0).toString(16).padStart(2, '0')} at offset ${control.index}`;
  return undefined;
}

function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

function ed25519PublicKey(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
}

function formatVerifierKey(name: string, type: number, publicKey: Uint8Array): string {
  const material = Buffer.concat([Buffer.from([type]), publicKey]).toString('base64');
  return `${name}+${computeKeyId(name, type, publicKey)}+${material}`;
}

class ParsedSigner implements Signer {
  readonly name: string;
  readonly keyId: string;
  readonly verifierKey: string;
  readonly cosignerKeyId: string;
  readonly cosignerVerifierKey: string;

  constructor(name: string, publicKey: Buffer) {
    this.name = name;
    this.keyId = computeKeyId(name, TYPE_ED25519, publicKey);
    this.verifierKey = formatVerifierKey(name, TYPE_ED25519, publicKey);
    this.cosignerKeyId = computeKeyId(name, TYPE_COSIGNATURE_V1, publicKey);
    this.cosignerVerifierKey = formatVerifierKey(name, TYPE_COSIGNATURE_V1, publicKey);
    Object.freeze(this);
  }

  toJSON(): Record<string, string> {
    return { name: this.name, keyId: this.keyId, verifierKey: this.verifierKey };
  }

  toString(): string {
    return `Signer(${this.name}+${this.keyId})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function makeSigner(name: string, seed: Uint8Array): ParsedSigner {
  const privateKey = ed25519PrivateKey(seed);
  const signer = new ParsedSigner(name, rawPublicKey(privateKey));
  signerKeys.set(signer, privateKey);
  return signer;
}

/**
 * A new Ed25519 key pair as key strings. `seed` (32 bytes) makes it
 * deterministic; without it the seed comes from crypto.randomBytes.
 */
export function generateSigner(name: string, seed?: Uint8Array): { signerKey: string; verifierKey: string } {
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw keyError(`key name ${problem}`);
  const seed32 = seed === undefined ? randomBytes(32) : Buffer.from(seed);
  if (seed32.length !== 32) throw keyError(`Ed25519 seed must be 32 bytes, got ${seed32.length}`);
  const publicKey = rawPublicKey(ed25519PrivateKey(seed32));
  const keyId = computeKeyId(name, TYPE_ED25519, publicKey);
  const material = Buffer.concat([Buffer.from([TYPE_ED25519]), seed32]).toString('base64');
  return {
    signerKey: `${SIGNER_PREFIX}${name}+${keyId}+${material}`,
    verifierKey: formatVerifierKey(name, TYPE_ED25519, publicKey),
  };
}

/** Splits `<name>+<key id>+<base64>`; `what` names the key kind in errors. Never quotes the input. */
function splitKey(s: string, what: string): { name: string; keyId: string; material: Buffer } {
  const plus1 = s.indexOf('+');
  const plus2 = plus1 < 0 ? -1 : s.indexOf('+', plus1 + 1);
  if (plus2 < 0) throw keyError(`${what} must have the form <name>+<key id>+<base64 key>`);
  const name = s.slice(0, plus1);
  const keyId = s.slice(plus1 + 1, plus2);
  const problem = keyNameProblem(name);
  if (problem !== undefined) throw keyError(`${what}: key name ${problem}`);
  if (!/^[0-9a-f]{8}$/.test(keyId)) throw keyError(`${what}: key id must be 8 lowercase hex digits`);
  const material = decodeBase64(s.slice(plus2 + 1));
  if (material === undefined) throw keyError(`${what}: key material is not canonical base64`);
  if (material.length === 0) throw keyError(`${what}: key material is empty`);
  return { name, keyId, material };
}

/** Parses a golang sumdb/note signer key `PRIVATE+KEY+<name>+<key id>+base64(0x01 || seed)`. */
export function parseSignerKey(s: string): Signer {
  if (typeof s !== 'string' || !s.startsWith(SIGNER_PREFIX)) {
    throw keyError(`signer key must start with ${SIGNER_PREFIX}`);
  }
  const { name, keyId, material } = splitKey(s.slice(SIGNER_PREFIX.length), 'signer key');
  if (material[0] !== TYPE_ED25519) throw keyError('signer key: unsupported signature type (want 0x01 Ed25519)');
  if (material.length !== 33) throw keyError(`signer key: Ed25519 seed must be 32 bytes, got ${material.length - 1}`);
  let signer: ParsedSigner;
  try {
    signer = makeSigner(name, material.subarray(1));
  } catch {
    throw keyError('signer key: Ed25519 seed is not usable');
  }
  // The key id commits to the public key, which we only have after deriving it.
  if (signer.keyId !== keyId) throw keyError('signer key: key id does not match the key name and public key');
  return signer;
}

/**
 * Parses a vkey: type 0x01 (Ed25519 note signatures) or type 0x04
 * (tlog-cosignature/v1: "Ed25519 public keys MAY be encoded as vkeys with signature type 0x04").
 */
export function parseVerifierKey(s: string): Verifier {
  if (typeof s !== 'string') throw keyError('verifier key must be a string');
  const { name, keyId, material } = splitKey(s, 'verifier key');
  const typeByte = material[0];
  let type: SignatureType;
  if (typeByte === TYPE_ED25519) type = 'ed25519';
  else if (typeByte === TYPE_COSIGNATURE_V1) type = 'cosignature/v1';
  else throw keyError(`verifier key: unsupported signature type 0x${(typeByte ?? 0).toString(16).padStart(2, '0')} (want 0x01 or 0x04)`);
  const raw = material.subarray(1);
  if (raw.length !== 32) throw keyError(`verifier key: Ed25519 public key must be 32 bytes, got ${raw.length}`);
  if (computeKeyId(name, material[0]!, raw) !== keyId) {
    throw keyError('verifier key: key id does not match the key name and public key');
  }
  let publicKey: KeyObject;
  try {
    publicKey = ed25519PublicKey(raw);
  } catch {
    throw keyError('verifier key: Ed25519 public key is not usable');
  }
  const verifier: Verifier = Object.freeze({ name, keyId, type, verifierKey: s });
  verifierKeys.set(verifier, publicKey);
  return verifier;
}

function privateKeyOf(signer: Signer): KeyObject {
  const key = signerKeys.get(signer);
  if (key === undefined) throw keyError('signer was not made by parseSignerKey');
  return key;
}

/** The text of a note must be non-empty, end in a newline and obey the note character rules. */
function checkText(text: string, what: string): void {
  if (typeof text !== 'string' || text.length === 0) throw noteError(`${what} is empty`);
  if (!text.endsWith('\n')) throw noteError(`${what} does not end with a newline`);
  const problem = textProblem(text);
  if (problem !== undefined) throw noteError(`${what} ${problem}`);
}

function signatureLine(name: string, keyId: string, signature: Uint8Array): string {
  return `${SIG_PREFIX}${name} ${Buffer.concat([Buffer.from(keyId, 'hex'), signature]).toString('base64')}\n`;
}

/** Signs `text` with each signer: text, a blank line, one signature line per signer. */
export function signNote(text: string, signers: readonly Signer[]): string {
  checkText(text, 'note text');
  if (signers.length === 0) throw noteError('a note needs at least one signer');
  if (signers.length > MAX_SIGNATURES) throw noteError(`a note may carry at most ${MAX_SIGNATURES} signatures`);
  const message = Buffer.from(text, 'utf8');
  let lines = '';
  for (const signer of signers) {
    lines += signatureLine(signer.name, signer.keyId, sign(null, message, privateKeyOf(signer)));
  }
  return `${text}\n${lines}`;
}

/** tlog-cosignature: "cosignature/v1\n" || "time <decimal>\n" || the checkpoint note body. */
function cosignedMessage(timestamp: bigint, text: string): Buffer {
  return Buffer.from(`${COSIGNATURE_HEADER}time ${timestamp.toString()}\n${text}`, 'utf8');
}

/**
 * A tlog-cosignature/v1 (Ed25519, type 0x04) cosignature line over a checkpoint
 * note body, as a witness returns it (tlog-witness): "— <name> base64(key id ||
 * u64 timestamp || signature)\n". Append it to the signed checkpoint note.
 * The Ed25519 message does not commit to the cosigner name, so the cosigner
 * key should be dedicated to cosigning and not also sign arbitrary notes.
 */
export function cosignNote(checkpointText: string, cosigner: Signer, timestampSeconds: number): string {
  checkText(checkpointText, 'checkpoint text');
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw noteError('cosignature timestamp must be a non-negative integer number of seconds');
  }
  const key = privateKeyOf(cosigner);
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64BE(BigInt(timestampSeconds));
  const signature = sign(null, cosignedMessage(BigInt(timestampSeconds), checkpointText), key);
  return signatureLine(cosigner.name, cosigner.cosignerKeyId, Buffer.concat([timestamp, signature]));
}

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === 'string') return note;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    throw noteError('malformed note: not valid UTF-8');
  }
}

interface ParsedLine {
  readonly name: string;
  readonly keyId: string;
  readonly signature: string;
  readonly body: Buffer;
}

/** Splits a note into its text and signature lines, checking the C2SP signed-note format. */
function splitNote(note: string): { text: string; lines: ParsedLine[] } {
  const problem = textProblem(note);
  if (problem !== undefined) throw noteError(`malformed note: ${problem}`);
  // The text is separated from the signatures by the last empty line in the note.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw noteError('malformed note: no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0) throw noteError('malformed note: no signature lines');
  if (!block.endsWith('\n')) throw noteError('malformed note: the last signature line does not end with a newline');
  const rawLines = block.slice(0, -1).split('\n');
  if (rawLines.length > MAX_SIGNATURES) {
    throw noteError(`malformed note: ${rawLines.length} signature lines, more than the limit of ${MAX_SIGNATURES}`);
  }
  const lines = rawLines.map((line, i): ParsedLine => {
    const where = `malformed note: signature line ${i + 1}`;
    if (!line.startsWith(SIG_PREFIX)) throw noteError(`${where} does not start with an em dash and a space`);
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const signature = space < 0 ? '' : rest.slice(space + 1);
    const nameProblem = keyNameProblem(name);
    if (nameProblem !== undefined) throw noteError(`${where}: key name ${nameProblem}`);
    if (signature.length === 0) throw noteError(`${where} has no signature`);
    const bytes = decodeBase64(signature);
    if (bytes === undefined) throw noteError(`${where}: signature is not canonical base64`);
    if (bytes.length < 5) throw noteError(`${where}: signature is shorter than a key id and one byte`);
    return { name, keyId: bytes.subarray(0, 4).toString('hex'), signature, body: bytes.subarray(4) };
  });
  return { text, lines };
}

function verifyEd25519(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  if (signature.length !== 64) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** Checks one signature by a known key; returns the timestamp for cosignatures. */
function checkSignature(verifier: Verifier, key: KeyObject, text: string, line: ParsedLine): VerifiedSignature {
  const base = { name: line.name, keyId: line.keyId, signature: line.signature, type: verifier.type };
  const invalid = noteError(`invalid signature for key ${line.name}+${line.keyId}`);
  if (verifier.type === 'ed25519') {
    if (!verifyEd25519(key, Buffer.from(text, 'utf8'), line.body)) throw invalid;
    return base;
  }
  // tlog-cosignature: timestamped_signature = u64 timestamp (big-endian) || 64-byte Ed25519 signature.
  if (line.body.length !== 8 + 64) throw invalid;
  const timestamp = line.body.readBigUInt64BE(0);
  if (timestamp > MAX_COSIGNATURE_TIMESTAMP) throw invalid;
  if (!verifyEd25519(key, cosignedMessage(timestamp, text), line.body.subarray(8))) throw invalid;
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw noteError(`cosignature by ${line.name}+${line.keyId} has a timestamp beyond ${Number.MAX_SAFE_INTEGER}`);
  }
  return { ...base, timestamp: Number(timestamp) };
}

/**
 * Opens a signed note (a string, or bytes that must be UTF-8) against the
 * trusted verifiers, per C2SP signed-note: signatures from unknown keys are
 * kept as unverified; every signature from a known key is verified and one
 * that fails rejects the note; a note with no verified signature is rejected.
 * Identical unknown lines and repeated signatures by one key are reported once.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly Verifier[]): OpenedNote {
  const { text, lines } = splitNote(decodeNote(note));
  const verified: VerifiedSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seenKnown = new Set<string>();
  const seenUnknown = new Set<string>();
  for (const line of lines) {
    const id = `${line.name}+${line.keyId}`;
    // A key is the tuple (name, key id): sharing only one of them is an unknown key.
    const matches = verifiers.filter((v) => v.name === line.name && v.keyId === line.keyId);
    if (matches.length === 0) {
      if (!seenUnknown.has(`${id} ${line.signature}`)) {
        seenUnknown.add(`${id} ${line.signature}`);
        unverified.push({ name: line.name, keyId: line.keyId, signature: line.signature });
      }
      continue;
    }
    if (matches.length > 1) throw noteError(`ambiguous key ${id}: more than one verifier has this name and key id`);
    const verifier = matches[0]!;
    const key = verifierKeys.get(verifier);
    if (key === undefined) throw keyError('verifier was not made by parseVerifierKey');
    // Unlike golang sumdb/note, a repeated line by a known key is verified too: the spec says MUST verify.
    const result = checkSignature(verifier, key, text, line);
    if (!seenKnown.has(id)) {
      seenKnown.add(id);
      verified.push(result);
    }
  }
  if (verified.length === 0) {
    throw noteError(`note has no verifiable signatures (${unverified.length} by unknown keys)`);
  }
  return { text, verified, unverified };
}

/**
 * The text and signature lines of a note, checked against the C2SP
 * signed-note format but not verified: for callers that must tell a
 * malformed note (tlog-witness: 400) from one without a trusted signature
 * (403) before they open it.
 */
export function readNote(note: string | Uint8Array): { readonly text: string; readonly signatures: readonly NoteSignature[] } {
  const { text, lines } = splitNote(decodeNote(note));
  return { text, signatures: lines.map((l) => ({ name: l.name, keyId: l.keyId, signature: l.signature })) };
}

/** A signature line as it stands in a note: "— <name> <base64>\n" (C2SP signed-note). */
export function formatSignatureLine(s: NoteSignature): string {
  return `${SIG_PREFIX}${s.name} ${s.signature}\n`;
}
