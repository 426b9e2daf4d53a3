import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LedgerService } from '../../app/ledger.ts';
import { openNodeDir } from '../../app/node-dir.ts';
import { ConcordError } from '../../errors.ts';
import { buildEntry, parseDraft, type EntryDraft } from '../../ledger/entry.ts';
import type { Appended } from '../../store/store.ts';
import { DATA_OPTION, JSON_OPTION, flag, requireString } from '../args.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { Progress } from '../output.ts';

/** appends in flight at once: enough for group commit to fill its batches */
const IN_FLIGHT = 2000;

/** the largest index an entry can have: a trial build at it gives an upper bound of the entry's size */
const TRIAL_INDEX = Number.MAX_SAFE_INTEGER;
const TRIAL_RECEIVED = '2000-01-01T00:00:00.000Z';
const trialSalt = (): Uint8Array => new Uint8Array(16);

function parseLine(line: string, lineNo: number, origin: string): EntryDraft {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new ConcordError('BAD_INPUT', `line ${lineNo}: not valid JSON: ${(e as Error).message}`);
  }
  try {
    const draft = parseDraft(value);
    // refuses what the store would refuse (lone surrogates, an entry over MAX_ENTRY_BYTES, ...)
    // before anything is written; the trial index is the longest, so a line that passes here fits
    buildEntry(draft, TRIAL_INDEX, origin, TRIAL_RECEIVED, trialSalt);
    return draft;
  } catch (e) {
    throw new ConcordError('BAD_INPUT', `line ${lineNo}: ${(e as Error).message}`);
  }
}

async function* lines(source: string, io: CliIo): AsyncIterable<{ line: string; lineNo: number }> {
  const input = source === '-' ? io.stdin : createReadStream(source, { encoding: 'utf8' });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      if (line.trim() === '') continue;
      yield { line, lineNo };
    }
  } catch (e) {
    // a read error (a directory, say) does not say which file: the user's report should
    if (e instanceof Error && (e as NodeJS.ErrnoException).path === undefined) (e as NodeJS.ErrnoException).path = source;
    throw e;
  }
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

Each index is printed as soon as the entry is durably stored.
From a FILE, every line is checked first: one bad line means nothing is
written. From stdin (-), lines are appended as they arrive and the first bad
line stops the run; lines before it were stored (and printed), nothing of the
bad line is written.

Options:
  -d, --data DIR       the node's data directory
      --ndjson FILE|-  the entries, one JSON object per line
      --json           print {"line","index","received"} per entry`,
  options: { ...DATA_OPTION, ...JSON_OPTION, ndjson: { type: 'string' } },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const source = requireString(args, 'ndjson');
    const json = flag(args, 'json');
    const node = openNodeDir(dir);
    if (source !== '-') {
      // a file: check every line before writing any
      for await (const { line, lineNo } of lines(source, io)) parseLine(line, lineNo, node.origin);
    }
    const ledger = await LedgerService.open(node);
    const progress = new Progress(io, 'appended', json);
    let stored = 0;
    let failure: unknown;
    const inFlight = new Set<Promise<void>>();
    // acknowledgements are printed in index order as each batch becomes durable
    let printChain: Promise<void> = Promise.resolve();
    const ack = (lineNo: number, a: Appended): void => {
      io.stdout.write(json ? `${JSON.stringify({ line: lineNo, index: a.index, received: a.received })}\n` : `${a.index}\n`);
      stored++;
      progress.update(stored);
    };
    try {
      for await (const { line, lineNo } of lines(source, io)) {
        if (failure) break;
        const draft = parseLine(line, lineNo, node.origin);
        const p = ledger.append([draft]).then(
          (out) => {
            printChain = printChain.then(() => ack(lineNo, out[0] as Appended));
          },
          (e) => {
            failure ??= e;
          },
        );
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      }
    } catch (e) {
      failure ??= e;
    } finally {
      await Promise.all(inFlight);
      await printChain;
      progress.done();
      await ledger.close();
    }
    if (failure) throw failure;
    if (!json && io.stderr.isTTY) io.stderr.write(`${stored} entries stored\n`);
    return 0;
  },
};
