/**
 * C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint@v1.0.0): the note text that
 * states a log's origin, tree size and root hash, signed as a C2SP signed note.
 *
 *   <origin>\n<size>\n<base64 root>\n[<extension line>\n]*
 */
import { ConcordError } from '../errors.ts';
import { openNote, signNote } from './note.ts';
import type { NoteSignature, Signer, Verifier, VerifiedSignature } from './note.ts';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** the signed note exactly as opened, to store or pass on */
  readonly note: string;
  /** signatures by the given verifiers that verified (log signature, cosignatures) */
  readonly signatures: readonly VerifiedSignature[];
  /** signatures by keys not among the verifiers, not checked */
  readonly unverified: readonly NoteSignature[];
}

const ROOT_BYTES = 32;

function invalid(message: string): ConcordError {
  return new ConcordError('NOTE_INVALID', message);
}

/** Why one checkpoint line is unusable, or undefined; the note rules forbid control characters. */
function lineProblem(line: string): string | undefined {
  if (line.length === 0) return 'is empty';
  if (/\p{Surrogate}/u.test(line)) return 'is not valid UTF-8';
  if (/[\u0000-\u001f]/.test(line)) return 'contains a control character or newline';
  return undefined;
}

/** The checkpoint's note text (body). Throws NOTE_INVALID for a checkpoint that could not be parsed back. */
export function formatCheckpoint(cp: Checkpoint): string {
  const originProblem = typeof cp.origin === 'string' ? lineProblem(cp.origin) : 'is not a string';
  if (originProblem !== undefined) throw invalid(`checkpoint origin ${originProblem}`);
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) throw invalid('checkpoint size must be a non-negative safe integer');
  if (!(cp.root instanceof Uint8Array) || cp.root.length !== ROOT_BYTES) {
    throw invalid(`checkpoint root must be ${ROOT_BYTES} bytes`);
  }
  cp.extensions.forEach((line, i) => {
    const problem = typeof line === 'string' ? lineProblem(line) : 'is not a string';
    if (problem !== undefined) throw invalid(`checkpoint extension line ${i + 1} ${problem}`);
  });
  const lines = [cp.origin, String(cp.size), Buffer.from(cp.root).toString('base64'), ...cp.extensions];
  return `${lines.join('\n')}\n`;
}

/**
 * Parses a checkpoint note text strictly: origin non-empty; size in decimal
 * without leading zeroes (tlog-checkpoint) and at most 2^53 - 1; root the
 * canonical base64 of 32 bytes; extension lines non-empty; a final newline.
 * Error messages never quote the input.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw invalid('checkpoint text does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw invalid(`checkpoint text has ${lines.length} lines, needs at least 3`);
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  const originProblem = lineProblem(origin);
  if (originProblem !== undefined) throw invalid(`checkpoint origin line ${originProblem}`);
  if (!/^(?:0|[1-9][0-9]*)$/.test(sizeLine)) throw invalid('checkpoint size line is not a decimal number without leading zeroes');
  const size = Number(sizeLine);
  if (!Number.isSafeInteger(size)) throw invalid('checkpoint size is larger than 2^53 - 1');
  const root = Buffer.from(rootLine, 'base64');
  if (root.length !== ROOT_BYTES || root.toString('base64') !== rootLine) {
    throw invalid(`checkpoint root hash line is not the base64 of ${ROOT_BYTES} bytes`);
  }
  extensions.forEach((line, i) => {
    const problem = lineProblem(line);
    if (problem !== undefined) throw invalid(`checkpoint extension line ${i + 1} ${problem}`);
  });
  return { origin, size, root, extensions };
}

/** The signed checkpoint note. */
export function signCheckpoint(cp: Checkpoint, signer: Signer): string {
  return signNote(formatCheckpoint(cp), [signer]);
}

/**
 * Opens a signed checkpoint: the note must carry at least one verified
 * signature by `verifiers` (see openNote), its text must be a valid
 * checkpoint, and its origin must equal `expectedOrigin` when given.
 * Which signatures are required (the log's key, a quorum of witnesses) is the
 * caller's policy: check `signatures`.
 */
export function openCheckpoint(note: string | Uint8Array, verifiers: readonly Verifier[], expectedOrigin?: string): OpenedCheckpoint {
  const opened = openNote(note, verifiers);
  const checkpoint = parseCheckpoint(opened.text);
  if (expectedOrigin !== undefined && checkpoint.origin !== expectedOrigin) {
    throw invalid(`checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the expected ${JSON.stringify(expectedOrigin)}`);
  }
  // openNote has checked that bytes are valid UTF-8, so decoding here is lossless.
  const noteText = typeof note === 'string' ? note : Buffer.from(note).toString('utf8');
  return { checkpoint, note: noteText, signatures: opened.verified, unverified: opened.unverified };
}
