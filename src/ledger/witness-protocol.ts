/**
 * C2SP tlog-witness (c2sp.org/tlog-witness), the add-checkpoint exchange,
 * as pure functions: the request body, the 409 size body, and the witness's
 * judgement of a request against the latest checkpoint it cosigned for that
 * log. The caller (app/witness-service.ts) persists and answers; nothing
 * here touches a disk, a clock or a key it was not given.
 */
import { createHash } from 'node:crypto';
import { ConcordError } from '../errors.ts';
import { parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import { EMPTY_ROOT, HASH_SIZE, type Hash } from './merkle/hash.ts';
import { verifyConsistency } from './merkle/verify.ts';
import { cosignNote, formatSignatureLine, openNote, readNote, type Signer, type Verifier } from './note.ts';

/** tlog-witness: "The client MUST NOT send more than 63 consistency proof lines." */
export const MAX_PROOF_LINES = 63;
/** tlog-witness 409: "Content-Type of text/x.tlog.size" */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Hash[];
  /** the signed checkpoint note, exactly as sent */
  readonly note: string;
}

function malformed(message: string): ConcordError {
  return new ConcordError('BAD_INPUT', `add-checkpoint body: ${message}`);
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** "old <size>\n" + one base64 hash per line + "\n" + the checkpoint note (tlog-witness, add-checkpoint). */
export function formatAddCheckpoint(req: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(req.oldSize) || req.oldSize < 0) throw malformed('old size must be a non-negative integer');
  if (req.proof.length > MAX_PROOF_LINES) throw malformed(`more than ${MAX_PROOF_LINES} proof lines`);
  const proof = req.proof.map((h) => {
    if (h.length !== HASH_SIZE) throw malformed(`a proof hash must be ${HASH_SIZE} bytes`);
    return `${Buffer.from(h).toString('base64')}\n`;
  });
  return `old ${req.oldSize}\n${proof.join('')}\n${req.note}`;
}

/**
 * Parses a request body strictly (BAD_INPUT, which the witness answers with
 * 400): UTF-8; "old" line with a decimal without leading zeroes; at most 63
 * proof lines, each the canonical base64 of 32 bytes; an empty line; then a
 * note. Whether the note is a valid signed checkpoint is judged later.
 */
export function parseAddCheckpoint(body: Uint8Array | string): AddCheckpointRequest {
  let text: string;
  if (typeof body === 'string') text = body;
  else {
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      throw malformed('is not valid UTF-8');
    }
  }
  let at = 0;
  const nextLine = (what: string): string => {
    const end = text.indexOf('\n', at);
    // "Each line MUST terminate in a newline character"
    if (end < 0) throw malformed(`${what} does not end with a newline`);
    const line = text.slice(at, end);
    at = end + 1;
    return line;
  };
  const oldLine = nextLine('the old size line');
  if (!oldLine.startsWith('old ') || !DECIMAL.test(oldLine.slice(4))) {
    throw malformed('the first line must be "old <size>" (a decimal without leading zeroes)');
  }
  const oldSize = Number(oldLine.slice(4));
  if (!Number.isSafeInteger(oldSize)) throw malformed('the old size is larger than 2^53 - 1');
  const proof: Hash[] = [];
  for (;;) {
    const line = nextLine(`proof line ${proof.length + 1}`);
    if (line === '') break;
    if (proof.length === MAX_PROOF_LINES) throw malformed(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    const h = Buffer.from(line, 'base64');
    if (h.length !== HASH_SIZE || h.toString('base64') !== line) {
      throw malformed(`proof line ${proof.length + 1} is not the canonical base64 of a ${HASH_SIZE}-byte hash`);
    }
    proof.push(h);
  }
  const note = text.slice(at);
  if (note.length === 0) throw malformed('no checkpoint after the empty line');
  return { oldSize, proof, note };
}

/** the 409 body: "the tree size of the latest cosigned checkpoint in decimal, followed by a newline" */
export function formatTlogSize(size: number): string {
  return `${size}\n`;
}

export function parseTlogSize(body: string): number {
  if (!body.endsWith('\n') || !DECIMAL.test(body.slice(0, -1))) throw malformed('a 409 body must be a decimal size and a newline');
  const n = Number(body.slice(0, -1));
  if (!Number.isSafeInteger(n)) throw malformed('the size in a 409 body is larger than 2^53 - 1');
  return n;
}

/** tlog-witness monitoring: "The origin hash is the SHA-256 hash of the log's origin, hex encoded, in lowercase." */
export function originHash(origin: string): string {
  return createHash('sha256').update(origin, 'utf8').digest('hex');
}

/** a log the witness is configured to witness: its origin and the keys it trusts for it */
export interface WitnessedLog {
  readonly origin: string;
  readonly verifiers: readonly Verifier[];
}

/** the latest checkpoint the witness cosigned for one log */
export interface CosignedState {
  readonly size: number;
  readonly root: Hash;
  /** the checkpoint with the log's verified signature(s) and the witness's cosignature (what monitors are served) */
  readonly note: string;
}

export type Judgement =
  | {
      readonly kind: 'cosign';
      readonly origin: string;
      readonly checkpoint: Checkpoint;
      /** the checkpoint note body (what is cosigned) */
      readonly text: string;
      /** the log's verified signature lines, to keep with the witness's cosignature */
      readonly logSignatures: string;
    }
  | {
      readonly kind: 'refuse';
      readonly status: 400 | 403 | 404 | 409 | 422;
      readonly reason: string;
      readonly origin?: string;
      /** 409: the size of the latest cosigned checkpoint */
      readonly size?: number;
      /** the checkpoint was validly signed by the log: the request may be proof of misbehaviour (tlog-witness: MAY log it) */
      readonly signed?: { readonly checkpoint: Checkpoint; readonly note: string };
      /** same size as the one cosigned, another root: two signed views of one tree, a split view */
      readonly splitView?: boolean;
    };

/**
 * The witness's judgement of a parsed add-checkpoint request, in the order
 * tlog-witness gives its checks. `logs` finds the configured log of an
 * origin; `state` is the latest checkpoint cosigned for it (undefined: never).
 */
export function judgeAddCheckpoint(
  req: AddCheckpointRequest,
  findLog: (origin: string) => WitnessedLog | undefined,
  stateOf: (origin: string) => CosignedState | undefined,
): Judgement {
  let text: string;
  let checkpoint: Checkpoint;
  try {
    text = readNote(req.note).text;
    checkpoint = parseCheckpoint(text);
  } catch (e) {
    return { kind: 'refuse', status: 400, reason: `the checkpoint is malformed: ${(e as Error).message}` };
  }
  const origin = checkpoint.origin;
  const log = findLog(origin);
  // "If the checkpoint origin is unknown, the witness MUST respond with a 404"
  if (log === undefined) return { kind: 'refuse', status: 404, reason: `this witness does not witness the log ${JSON.stringify(origin)}`, origin };
  let logSignatures = '';
  try {
    // unknown keys are ignored; a known key whose signature fails makes the note malformed: 403 either way
    const opened = openNote(req.note, log.verifiers);
    const byLog = opened.verified.filter((s) => s.type === 'ed25519');
    if (byLog.length === 0) throw new Error('no signature by a key this witness trusts for the log');
    logSignatures = byLog.map(formatSignatureLine).join('');
  } catch (e) {
    return { kind: 'refuse', status: 403, reason: `the checkpoint carries no valid signature of the log: ${(e as Error).message}`, origin };
  }
  const signed = { checkpoint, note: req.note };
  if (req.oldSize > checkpoint.size) {
    return { kind: 'refuse', status: 400, reason: `old size ${req.oldSize} is larger than the checkpoint size ${checkpoint.size}`, origin, signed };
  }
  const state = stateOf(origin);
  const latest = state?.size ?? 0;
  if (req.oldSize !== latest) {
    return {
      kind: 'refuse',
      status: 409,
      reason: `old size ${req.oldSize} is not the size of the latest cosigned checkpoint (${latest})`,
      origin,
      size: latest,
      signed,
    };
  }
  // RFC 6962 §2.1: the empty tree's root is the hash of the empty string
  if (checkpoint.size === 0 && !checkpoint.root.equals(EMPTY_ROOT)) {
    return { kind: 'refuse', status: 422, reason: 'a checkpoint of size 0 must have the root of the empty tree', origin, signed };
  }
  if (req.oldSize === 0) {
    if (req.proof.length > 0) return { kind: 'refuse', status: 422, reason: 'old size 0 takes no consistency proof', origin, signed };
  } else if (req.oldSize === checkpoint.size) {
    // "If the old size matches the checkpoint size, the witness MUST check that the root hashes are also identical."
    if (!checkpoint.root.equals(state!.root)) {
      return {
        kind: 'refuse',
        status: 422,
        reason: `the log signed two checkpoints of size ${checkpoint.size} with different roots (split view)`,
        origin,
        signed,
        splitView: true,
      };
    }
    if (req.proof.length > 0) return { kind: 'refuse', status: 422, reason: 'equal sizes take an empty consistency proof', origin, signed };
  } else {
    try {
      // RFC 6962 §2.1.2 (RFC 9162 §2.1.4.2)
      verifyConsistency(req.oldSize, checkpoint.size, req.proof, state!.root, checkpoint.root);
    } catch (e) {
      return {
        kind: 'refuse',
        status: 422,
        reason: `the consistency proof from size ${req.oldSize} to ${checkpoint.size} fails: ${(e as Error).message}`,
        origin,
        signed,
      };
    }
  }
  return { kind: 'cosign', origin, checkpoint, text, logSignatures };
}

/**
 * The witness's answer to a request it cosigns: its cosignature line (the
 * 200 body, tlog-witness), and the note it keeps and serves to monitors:
 * the checkpoint with the log's verified signatures and this cosignature.
 * tlog-witness: "The cosignature MUST NOT omit the timestamp" (non-zero).
 */
export function cosignJudged(j: Extract<Judgement, { kind: 'cosign' }>, witness: Signer, nowSeconds: number): { line: string; state: CosignedState } {
  if (!(nowSeconds > 0)) throw new ConcordError('BAD_INPUT', 'a cosignature timestamp must be after 1970');
  const line = cosignNote(j.text, witness, nowSeconds);
  return { line, state: { size: j.checkpoint.size, root: j.checkpoint.root, note: `${j.text}\n${j.logSignatures}${line}` } };
}
