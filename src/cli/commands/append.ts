import { createReadStream } from 'node:fs';
import { openNodeDir } from '../../app/node-dir.ts';
import { openNodeLedger } from '../../app/node-ledger.ts';
import { EVENT_TYPES } from '../../domain/index.ts';
import { ConcordError, isConcordError, type ErrorCode } from '../../errors.ts';
import { fileProblem } from '../../files.ts';
import { buildEntry, parseDraft, type EntryDraft } from '../../ledger/entry.ts';
import { parseJsonStrict } from '../../ledger/strict-json.ts';
import type { Appended } from '../../store/store.ts';
import { DATA_OPTION, JSON_OPTION, flag, requireString } from '../args.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { ndjsonLines, type InputLine } from '../ndjson-lines.ts';
import { Progress } from '../output.ts';

/** appends in flight at once: enough for group commit to fill its batches */
const IN_FLIGHT = 2000;

/** the largest index an entry can have: a trial build at it gives an upper bound of the entry's size */
const TRIAL_INDEX = Number.MAX_SAFE_INTEGER;
const TRIAL_RECEIVED = '2000-01-01T00:00:00.000Z';
const trialSalt = (): Uint8Array => new Uint8Array(16);

/** the types the domain records: only its commands write them, after deciding (authority, protocols, notices) */
const DOMAIN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

export function parseLine(line: InputLine, origin: string): EntryDraft {
  try {
    // strict: a duplicate key, an inexact number or a lone surrogate is refused, where JSON.parse would alter it
    const draft = parseDraft(parseJsonStrict(line.text));
    if (DOMAIN_TYPES.has(draft.type)) {
      // appended raw, an order or a withdrawal would skip every check the domain makes, and the node would project it as if decided
      throw new Error(
        `type: ${draft.type} is a domain event: it is recorded only by the command that decides it (through the API, or concord scenario run), never appended raw`,
      );
    }
    // refuses what the store would refuse (an entry over MAX_ENTRY_BYTES, ...)
    // before anything is written; the trial index is the longest, so a line that passes here fits
    buildEntry(draft, TRIAL_INDEX, origin, TRIAL_RECEIVED, trialSalt);
    return draft;
  } catch (e) {
    throw new ConcordError('BAD_INPUT', `line ${line.lineNo}: ${(e as Error).message}`, undefined, { cause: e });
  }
}

function inputChunks(source: string, io: CliIo): AsyncIterable<Buffer | string> {
  return source === '-' ? (io.stdin as AsyncIterable<Buffer | string>) : createReadStream(source);
}

async function* lines(source: string, io: CliIo): AsyncGenerator<InputLine> {
  try {
    yield* ndjsonLines(inputChunks(source, io));
  } catch (e) {
    // a read error (a directory, say) does not say which file: the user's report should
    if (e instanceof Error && !(e instanceof ConcordError) && (e as NodeJS.ErrnoException).path === undefined) (e as NodeJS.ErrnoException).path = source;
    throw e;
  }
}

/** one line that was sent and not stored, and why */
export interface FailedLine {
  readonly lineNo: number;
  readonly error: unknown;
}

/** what a run did with every line it read */
export interface AppendOutcome {
  /** each stored line and its index, in the order the store acknowledged them */
  readonly stored: ReadonlyArray<{ readonly lineNo: number; readonly index: number }>;
  /** lines sent to the store and refused by it */
  readonly failed: readonly FailedLine[];
  /** the non-blank lines read, in input order (a bad line among them) */
  readonly read: readonly number[];
  /** what stopped the reading (a bad line, a read error), if anything did */
  readonly stoppedBy?: unknown;
  /** whether the input was read to its end */
  readonly complete: boolean;
}

/**
 * Sends every line to `append`, up to IN_FLIGHT at once, and reports each
 * stored one through `onStored` as it becomes durable. A failure (a bad
 * line, a refused append) stops the sending; the appends in flight are
 * waited for, and whatever they stored stays stored. Never throws: the
 * outcome says what happened to every line.
 */
export async function appendLines(
  input: AsyncIterable<InputLine>,
  parse: (line: InputLine) => EntryDraft,
  append: (draft: EntryDraft) => Promise<Appended>,
  onStored: (lineNo: number, a: Appended) => void,
): Promise<AppendOutcome> {
  const stored: Array<{ lineNo: number; index: number }> = [];
  const failed: FailedLine[] = [];
  const read: number[] = [];
  let stoppedBy: unknown;
  let complete = false;
  const inFlight = new Set<Promise<void>>();
  // acknowledgements are reported in the order the store gives them (index order, batch by batch)
  let reportChain: Promise<void> = Promise.resolve();
  try {
    complete = true;
    for await (const line of input) {
      if (failed.length > 0) {
        complete = false;
        break;
      }
      read.push(line.lineNo);
      const draft = parse(line);
      const p = append(draft).then(
        (a) => {
          stored.push({ lineNo: line.lineNo, index: a.index });
          reportChain = reportChain.then(() => onStored(line.lineNo, a));
        },
        (e: unknown) => {
          failed.push({ lineNo: line.lineNo, error: e });
        },
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    }
  } catch (e) {
    stoppedBy = e;
    complete = false;
  }
  await Promise.all(inFlight);
  await reportChain;
  return { stored, failed, read, complete, ...(stoppedBy !== undefined ? { stoppedBy } : {}) };
}

/** why an append was refused, for this command's report (which says itself what was and was not stored) */
function storeReason(e: unknown): string {
  if (isConcordError(e, 'LEDGER_CONTENDED') && e.message.startsWith('append failed')) {
    return 'another process kept appending to this ledger, and the append gave up after retrying (LEDGER_CONTENDED)';
  }
  // the store speaks of the one call it refused ("append failed, nothing was stored: ..."); the run is accounted for below
  const message = e instanceof Error ? e.message : String(e);
  return `${message.replace(/^append failed, nothing was stored: /, '')}${isConcordError(e) ? ` (${e.code})` : ''}`;
}

/** what stopped the reading, in words: a ConcordError says it; a file error is named as the other commands name one */
function inputReason(e: unknown): string {
  if (e instanceof ConcordError) return e.message;
  const path = (e as { path?: unknown } | null)?.path;
  const why = fileProblem(e) ?? (e instanceof Error ? e.message : String(e));
  return typeof path === 'string' ? `${path}: ${why}` : why;
}

function count(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * The one-line account of a run that did not store every line: what
 * stopped it, which lines were stored as which entries, which were not.
 * `all`: every non-blank line of the input when it is known (a file,
 * checked in full before the run); else only the lines read are known.
 */
export function describeOutcome(outcome: AppendOutcome, all?: readonly number[]): { code: ErrorCode; message: string; cause: unknown } {
  const lines = all ?? outcome.read;
  const position = new Map(lines.map((l, i) => [l, i]));
  // next to each other in the input (blank lines between do not count)
  const adjacent = (a: number, b: number): boolean => position.has(a) && position.get(b) === (position.get(a) as number) + 1;

  const failures = [...outcome.failed].sort((a, b) => a.lineNo - b.lineNo);
  const first = failures[0];
  const reasons: string[] = [];
  if (first !== undefined) {
    const others = failures.length - 1;
    reasons.push(`line ${first.lineNo}${others > 0 ? ` (and ${count(others, 'other line', 'other lines')})` : ''}: ${storeReason(first.error)}`);
  }
  if (outcome.stoppedBy !== undefined) reasons.push(inputReason(outcome.stoppedBy));
  const cause = first !== undefined ? first.error : outcome.stoppedBy;

  const stored = [...outcome.stored].sort((a, b) => a.lineNo - b.lineNo);
  const storedRuns: string[] = [];
  for (let i = 0; i < stored.length;) {
    let j = i;
    while (j + 1 < stored.length) {
      const [p, q] = [stored[j], stored[j + 1]] as [{ lineNo: number; index: number }, { lineNo: number; index: number }];
      if (!adjacent(p.lineNo, q.lineNo) || q.index !== p.index + 1) break;
      j++;
    }
    const [a, b] = [stored[i], stored[j]] as [{ lineNo: number; index: number }, { lineNo: number; index: number }];
    storedRuns.push(i === j ? `line ${a.lineNo} as entry ${a.index}` : `lines ${a.lineNo}-${b.lineNo} as entries ${a.index}-${b.index}`);
    i = j + 1;
  }
  const storedSet = new Set(stored.map((s) => s.lineNo));
  const missing = lines.filter((l) => !storedSet.has(l));
  const missingRuns: string[] = [];
  for (let i = 0; i < missing.length;) {
    let j = i;
    while (j + 1 < missing.length && adjacent(missing[j] as number, missing[j + 1] as number)) j++;
    missingRuns.push(i === j ? `line ${missing[i]}` : `lines ${missing[i]}-${missing[j]}`);
    i = j + 1;
  }
  // from stdin, what came after the last line read is unknown: it was not read, so not stored
  const lastRead = outcome.read[outcome.read.length - 1];
  if (all === undefined && !outcome.complete)
    missingRuns.push(lastRead === undefined ? 'every line (none was read)' : `whatever follows line ${lastRead} (not read)`);

  const of = all !== undefined ? ` of the ${count(all.length, 'line', 'lines')}` : '';
  const storedCount = all !== undefined ? `${stored.length.toLocaleString('en-US')}${of}` : count(stored.length, 'line', 'lines');
  // every run, however many: the report promises which lines to send again, and an abridged list would break that
  const storedText = stored.length === 0 ? `nothing was stored${of ? ` (none${of})` : ''}` : `stored ${storedCount}: ${storedRuns.join(', ')}`;
  const missingText = missingRuns.length === 0 ? '' : `; not stored: ${missingRuns.join(', ')}`;
  return { code: isConcordError(cause) ? cause.code : 'BAD_INPUT', message: `${reasons.join('; ')}; ${storedText}${missingText}`, cause };
}

export const appendCommand: CliCommand = {
  path: ['append'],
  summary: 'append entries from NDJSON (one {"type","actor","body"} per line)',
  help: `Usage: concord append --data DIR --ndjson FILE|- [--json]

Appends one entry per line. Each line is a JSON object:
  {"type": "note.recorded", "actor": {"agency": "city-pd", "person": "p-12"},
   "body": {...}, "incident": "inc-1", "claimed": "2026-06-01T21:03:00Z",
   "sealed": ["/caller/phone"]}
"sealed" lists JSON pointers into body whose values are kept beside the
entry and committed to by a salted hash (see docs/ledger-format.md).

The types the domain records (order.issued, request.units_withdrawn, ...)
are refused: only the command that decides them writes them, after checking
authority and the agencies' protocols. Input is refused, naming the line
and the field, rather than stored other than it was sent: bytes that are not UTF-8, a key given twice in an object,
a number a double does not hold exactly (an integer beyond 2^53 - 1, more
digits than a double keeps, 1e400: send such values as strings), a time
that does not exist (2026-02-30, 24:00).

Each index is printed as soon as the entry is durably stored.
From a FILE, every line is checked first: one bad line means nothing is
written. From stdin (-), lines are appended as they arrive and the first bad
line stops the run; lines before it were stored (and printed), nothing of the
bad line is written.

Several processes may read one data directory at once. Write from one
process at a time: if another process appends to the same directory, each
append is built again on top of what the other wrote, and after repeated
collisions it is refused with LEDGER_CONTENDED (exit 3). A run stopped
part-way, for that or any other reason, keeps what it stored, and its error
says which lines were stored as which entries and which were not, so that
exactly those can be sent again.

Options:
  -d, --data DIR       the node's data directory
      --ndjson FILE|-  the entries, one JSON object per line
      --json           print {"line","index","received"} per entry

${exitCodesHelp('node')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, ndjson: { type: 'string' } },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const source = requireString(args, 'ndjson');
    const json = flag(args, 'json');
    const node = openNodeDir(dir);
    let all: number[] | undefined;
    if (source !== '-') {
      // a file: check every line before writing any
      all = [];
      for await (const line of lines(source, io)) {
        parseLine(line, node.origin);
        all.push(line.lineNo);
      }
    }
    const ledger = await openNodeLedger(node);
    const progress = new Progress(io, 'appended', json);
    let acknowledged = 0;
    let outcome: AppendOutcome;
    let closeError: unknown;
    try {
      outcome = await appendLines(
        lines(source, io),
        (line) => parseLine(line, node.origin),
        async (draft) => (await ledger.append([draft]))[0] as Appended,
        (lineNo, a) => {
          io.stdout.write(json ? `${JSON.stringify({ line: lineNo, index: a.index, received: a.received })}\n` : `${a.index}\n`);
          progress.update(++acknowledged);
        },
      );
    } finally {
      progress.done();
      // closing signs the checkpoint covering the last entries; if it cannot, the account below still says what was stored
      closeError = await ledger.close().then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    if (closeError !== undefined) {
      const code = isConcordError(closeError) ? closeError.code : 'LEDGER_CORRUPT';
      const unsigned = new ConcordError(code, `the checkpoint covering the lines stored could not be signed: ${storeReason(closeError)}`, undefined, {
        cause: closeError,
      });
      if (outcome.failed.length === 0 && outcome.stoppedBy === undefined) {
        const { message } = describeOutcome({ ...outcome, stoppedBy: unsigned }, all);
        throw new ConcordError(code, message, undefined, { cause: closeError });
      }
      const { code: first, message, cause } = describeOutcome(outcome, all);
      throw new ConcordError(first, `${message}; and ${unsigned.message}`, undefined, { cause });
    }
    if (outcome.failed.length === 0 && outcome.stoppedBy === undefined) {
      if (!json && io.stderr.isTTY) io.stderr.write(`${outcome.stored.length} entries stored\n`);
      return 0;
    }
    // a bad line or a read error before anything was stored: its own error says it all, and keeps its exit code
    if (outcome.stored.length === 0 && outcome.failed.length === 0) throw outcome.stoppedBy;
    const { code, message, cause } = describeOutcome(outcome, all);
    throw new ConcordError(code, message, undefined, { cause });
  },
};
