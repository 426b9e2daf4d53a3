/**
 * `concord`: parses the words and flags, runs one command, maps errors to
 * exit codes (0 ok, 1 a verification failed, 2 bad usage or bad input, 3 the
 * node's own data is unusable). The only place that maps error codes to exits.
 */
import { parseArgs } from 'node:util';
import { ConcordError, type ErrorCode } from '../errors.ts';
import { fileProblem } from '../files.ts';
import type { CliCommand, CliIo } from './command.ts';
import { COMMANDS, type CommandEntry } from './commands/index.ts';
import { oneLine } from './output.ts';

/**
 * Every code of the registry has its exit status here, so a new code does not
 * compile until someone decides what the command line answers with it.
 * 1 is not among them: a failed verification is an answer, not an error, and
 * the verify command returns it itself.
 */
const EXIT_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  BAD_INPUT: 2,
  BAD_USAGE: 2,
  NOT_FOUND: 2,
  CANONICAL_JSON: 2,
  // the node's own data cannot be used as it is
  LEDGER_CORRUPT: 3,
  LEDGER_CLOSED: 3,
  LEDGER_CONTENDED: 3,
  DATA_DIR_EXISTS: 2,
  DATA_DIR_MISSING: 2,
  PROOF_INVALID: 2,
  NOTE_INVALID: 2,
  KEY_INVALID: 2,
  // the domain refused the command: the input asked for something not allowed
  NOT_AUTHORISED: 2,
  NOT_IN_CHAIN_OF_COMMAND: 2,
  AGENCY_MISMATCH: 2,
  NOT_A_RECIPIENT: 2,
  COUNT_EXCEEDED: 2,
  REQUEST_KIND_MISMATCH: 2,
  COMMAND_INCONSISTENT: 2,
  REASON_REQUIRED: 2,
  ORDER_REASON_REQUIRED: 2,
  INVALID_TRANSITION: 2,
  REQUEST_NOT_OPEN: 2,
  VERDICT_PROHIBITED: 2,
  APPROVAL_REQUIRED: 2,
  UNKNOWN_ENTITY: 2,
  DUPLICATE_ID: 2,
  INCIDENT_CLOSED: 2,
  POLICY_INVALID: 2,
  POLICY_NOT_EFFECTIVE: 2,
  POLICY_EVALUATION_FAILED: 2,
};

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  const lines = COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'concord: interagency incident coordination with a verifiable record',
    '',
    'Usage: concord <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run "concord <command> --help" for the options of a command.',
    'Exit codes: 0 ok, 1 verification failed, 2 bad usage or input, 3 the data directory is unusable.',
    '',
  ].join('\n');
}

function findCommand(words: string[]): { entry: CommandEntry; rest: string[] } | undefined {
  let best: { entry: CommandEntry; rest: string[] } | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((w, i) => words[i] === w) && (!best || c.path.length > best.entry.path.length)) {
      best = { entry: c, rest: words.slice(c.path.length) };
    }
  }
  return best;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const words = argv;
  if (words.length === 0 || words[0] === '--help' || words[0] === '-h' || words[0] === 'help') {
    io.stdout.write(topHelp());
    return 0;
  }
  const found = findCommand(words);
  if (!found) {
    const group = COMMANDS.filter((c) => c.path[0] === words[0]);
    if (group.length > 0) {
      io.stderr.write(`concord: "${words.slice(0, 2).join(' ')}" is not a command; try: ${group.map((c) => c.path.join(' ')).join(', ')}\n`);
    } else {
      io.stderr.write(`concord: unknown command "${words[0]}" (run concord --help)\n`);
    }
    return 2;
  }
  const { rest } = found;
  // only now is the command's module (and what it needs) loaded
  const command = await found.entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  try {
    const parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    const [min, max] = command.positionals ?? [0, 0];
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new ConcordError('BAD_USAGE', parsed.positionals.length < min ? `missing argument (usage: ${usageLine(command)})` : `unexpected argument "${parsed.positionals[max]}"`);
    }
    return await command.run(parsed as { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] }, io);
  } catch (e) {
    return reportError(e, command, io);
  }
}

function usageLine(c: CliCommand): string {
  const first = c.help.split('\n').find((l) => l.startsWith('Usage:'));
  return first ? first.slice('Usage:'.length).trim() : `concord ${c.path.join(' ')}`;
}

function reportError(e: unknown, command: CliCommand, io: CliIo): number {
  if (e instanceof ConcordError) {
    io.stderr.write(`concord ${command.path.join(' ')}: ${oneLine(e.message)}\n`);
    return EXIT_BY_CODE[e.code];
  }
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    io.stderr.write(`concord ${command.path.join(' ')}: ${oneLine((e as Error).message)} (see --help)\n`);
    return 2;
  }
  const problem = fileProblem(e);
  if (problem !== undefined) {
    const path = (e as { path?: unknown }).path;
    io.stderr.write(`concord ${command.path.join(' ')}: ${typeof path === 'string' ? `${path}: ${problem}` : `a file given: ${problem}`}\n`);
    return 2;
  }
  io.stderr.write(`concord ${command.path.join(' ')}: internal error: ${oneLine(String((e as Error)?.stack ?? e))}\n`);
  return 70;
}
