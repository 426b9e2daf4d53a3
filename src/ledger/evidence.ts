/**
 * Evidence of a log showing two histories (docs/witnesses.md): two
 * checkpoints of one origin, both signed by the log, between which no
 * consistency holds. A witness writes one when a checkpoint contradicts the
 * one it cosigned; a monitor writes one when it compares two checkpoints.
 *
 * The file is RFC 8785 canonical JSON and a newline. The observer signs it
 * with a note signature over the two lines
 *   concord-evidence/1
 *   <SHA-256 of the canonical JSON without "signature", lowercase hex>
 * (two lines: never a checkpoint, which needs three; the first line is not
 * "cosignature/v1", so no cosignature message either). The fork itself needs
 * no trust in the observer: the two checkpoints carry the log's own
 * signatures, and anyone can check that they contradict each other.
 *
 *   split-view     same size, different roots: a fork, proven
 *   inconsistent   different sizes, and the consistency proof the log gave
 *                  fails: the log could not show the newer tree extends the older
 */
import { createHash } from 'node:crypto';
import { canonicalize } from './canonical.ts';
import { openCheckpoint, type Checkpoint } from './checkpoint.ts';
import type { Hash } from './merkle/hash.ts';
import { verifyConsistency } from './merkle/verify.ts';
import { openNote, parseVerifierKey, signNote, type Signer, type Verifier } from './note.ts';
import { parseJsonStrict } from './strict-json.ts';

export const EVIDENCE_FORMAT = 'concord-evidence/1';
const FIELDS = ['format', 'kind', 'origin', 'log_keys', 'first', 'second', 'proof', 'reason', 'observed', 'observer_key', 'signature'];

export interface Evidence {
  readonly format: typeof EVIDENCE_FORMAT;
  readonly kind: 'split-view' | 'inconsistent';
  readonly origin: string;
  /** the log's verifier keys the checkpoints were checked with */
  readonly log_keys: readonly string[];
  /** the older (or first seen) checkpoint, as signed */
  readonly first: string;
  readonly second: string;
  /** inconsistent: the consistency proof from first to second that fails, base64 */
  readonly proof?: readonly string[];
  readonly reason: string;
  /** RFC 3339 */
  readonly observed: string;
  /** the observer's note verifier key (type 0x01) */
  readonly observer_key: string;
  /** the signed note described above */
  readonly signature: string;
}

function digest(e: Omit<Evidence, 'signature'>): string {
  return createHash('sha256').update(canonicalize(e), 'utf8').digest('hex');
}

function signedText(e: Omit<Evidence, 'signature'>): string {
  return `${EVIDENCE_FORMAT}\n${digest(e)}\n`;
}

export interface EvidenceInput {
  readonly first: string;
  readonly second: string;
  readonly proof?: readonly Hash[];
  readonly logVerifiers: readonly Verifier[];
  readonly observer: Signer;
  readonly observed: string;
}

/**
 * Judges two checkpoints and, when they contradict each other, returns the
 * signed evidence; undefined when they are consistent (same size and root,
 * or the proof verifies). Throws NOTE_INVALID when either is not a
 * checkpoint signed by the log, or their origins differ.
 */
export function makeEvidence(input: EvidenceInput): Evidence | undefined {
  let a = openCheckpoint(input.first, input.logVerifiers);
  let b = openCheckpoint(input.second, input.logVerifiers, a.checkpoint.origin);
  let first = input.first;
  let second = input.second;
  if (a.checkpoint.size > b.checkpoint.size) {
    [a, b] = [b, a];
    [first, second] = [second, first];
  }
  const fork = contradiction(a.checkpoint, b.checkpoint, input.proof);
  if (fork === undefined) return undefined;
  const body: Omit<Evidence, 'signature'> = {
    format: EVIDENCE_FORMAT,
    kind: fork.kind,
    origin: a.checkpoint.origin,
    log_keys: input.logVerifiers.map((v) => v.verifierKey),
    first,
    second,
    ...(fork.kind === 'inconsistent' ? { proof: (input.proof ?? []).map((h) => Buffer.from(h).toString('base64')) } : {}),
    reason: fork.reason,
    observed: input.observed,
    observer_key: input.observer.verifierKey,
  };
  return { ...body, signature: signNote(signedText(body), [input.observer]) };
}

function contradiction(a: Checkpoint, b: Checkpoint, proof: readonly Hash[] | undefined): { kind: Evidence['kind']; reason: string } | undefined {
  if (a.size === b.size) {
    if (a.root.equals(b.root)) return undefined;
    return { kind: 'split-view', reason: `two checkpoints of size ${a.size} with different roots` };
  }
  if (a.size === 0) return undefined; // the empty tree is a prefix of every tree
  try {
    verifyConsistency(a.size, b.size, proof ?? [], a.root, b.root);
    return undefined;
  } catch (e) {
    return { kind: 'inconsistent', reason: `no consistency from size ${a.size} to ${b.size}: ${(e as Error).message}` };
  }
}

export function serializeEvidence(e: Evidence): string {
  return `${canonicalize(e)}\n`;
}

/** is this text an evidence file (so `concord verify` reads it as one)? */
export function looksLikeEvidence(text: string): boolean {
  return text.startsWith('{') && text.includes(`"format":"${EVIDENCE_FORMAT}"`);
}

export interface EvidenceCheck {
  /** the fork is shown: both checkpoints signed by the log, and they contradict each other */
  readonly fork: boolean;
  readonly origin: string;
  readonly kind?: Evidence['kind'];
  readonly sizes?: readonly [number, number];
  readonly problems: readonly string[];
  readonly warnings: readonly string[];
  /** the observer's key name, when its signature verified */
  readonly observer?: string;
}

/**
 * Checks an evidence file: its format and the observer's signature, then
 * the fork itself from the two checkpoints (against `trusted` log keys,
 * else those in the file, with a warning).
 */
export function checkEvidenceText(text: string, trusted: readonly Verifier[] = []): EvidenceCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const fail = (p: string, origin = ''): EvidenceCheck => ({ fork: false, origin, problems: [...problems, p], warnings });
  let parsed: unknown;
  try {
    parsed = parseJsonStrict(text.endsWith('\n') ? text.slice(0, -1) : text);
  } catch (e) {
    return fail(`evidence: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('evidence: not a JSON object');
  const o = parsed as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.includes(k)) problems.push(`evidence.${k}: is not a known field`);
  if (o.format !== EVIDENCE_FORMAT) return fail(`evidence.format: is not "${EVIDENCE_FORMAT}"`);
  if (`${canonicalize(o)}\n` !== text) problems.push('evidence: is not canonical JSON followed by one newline (it was reformatted or altered)');
  const origin = typeof o.origin === 'string' ? o.origin : '';
  for (const f of ['kind', 'origin', 'first', 'second', 'reason', 'observed', 'observer_key', 'signature']) {
    if (typeof o[f] !== 'string') return fail(`evidence.${f}: is not a string`, origin);
  }
  if (!Array.isArray(o.log_keys) || !o.log_keys.every((k) => typeof k === 'string')) return fail('evidence.log_keys: is not an array of vkeys', origin);
  let observer: string | undefined;
  try {
    const v = parseVerifierKey(o.observer_key as string);
    const { signature, ...rest } = o;
    const opened = openNote(signature as string, [v]);
    if (opened.text !== signedText(rest as Omit<Evidence, 'signature'>)) throw new Error('the signature is over other contents (the file was altered)');
    observer = v.name;
  } catch (e) {
    problems.push(`evidence.signature: ${(e as Error).message}`);
  }
  let logKeys: Verifier[];
  try {
    logKeys = trusted.length > 0 ? [...trusted] : (o.log_keys as string[]).map((k) => parseVerifierKey(k));
  } catch (e) {
    return fail(`evidence.log_keys: ${(e as Error).message}`, origin);
  }
  if (trusted.length === 0) warnings.push("the log's keys were taken from the evidence itself; pass --key to pin the log's key");
  let a: Checkpoint;
  let b: Checkpoint;
  try {
    a = openCheckpoint(o.first as string, logKeys, origin).checkpoint;
  } catch (e) {
    return fail(`evidence.first: not a checkpoint signed by the log: ${(e as Error).message}`, origin);
  }
  try {
    b = openCheckpoint(o.second as string, logKeys, origin).checkpoint;
  } catch (e) {
    return fail(`evidence.second: not a checkpoint signed by the log: ${(e as Error).message}`, origin);
  }
  let proof: Hash[] | undefined;
  if (o.proof !== undefined) {
    if (!Array.isArray(o.proof) || !o.proof.every((h) => typeof h === 'string' && Buffer.from(h, 'base64').toString('base64') === h && h.length === 44)) {
      return fail('evidence.proof: is not an array of base64 hashes', origin);
    }
    proof = (o.proof as string[]).map((h) => Buffer.from(h, 'base64'));
  }
  const found = a.size <= b.size ? contradiction(a, b, proof) : contradiction(b, a, proof);
  if (found === undefined) return fail('evidence: the two checkpoints do not contradict each other (no fork shown)', origin);
  if (found.kind !== o.kind) problems.push(`evidence.kind: says ${String(o.kind)}, the checkpoints show ${found.kind}`);
  return {
    fork: problems.length === 0,
    origin,
    kind: found.kind,
    sizes: [a.size, b.size],
    problems,
    warnings,
    ...(observer !== undefined ? { observer } : {}),
  };
}
