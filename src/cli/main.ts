/**
 * `concord`: parses the words and flags, runs one command, maps errors to
 * exit codes (exit-codes.ts: 0 ok, 1 a verification failed, 2 bad usage or
 * bad input, 3 the node's own data is unusable). The only place that turns
 * errors into exits.
 */
import { parseArgs } from 'node:util';
import { ConcordError } from '../errors.ts';
import { fileProblem } from '../files.ts';
import type { CliCommand, CliIo } from './command.ts';
import { COMMANDS, type CommandEntry } from './commands/index.ts';
import { EXIT_BY_CODE, EXIT_CODES_SENTENCE } from './exit-codes.ts';
import { oneLine } from './output.ts';

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
    EXIT_CODES_SENTENCE,
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
      throw new ConcordError(
        'BAD_USAGE',
        parsed.positionals.length < min ? `missing argument (usage: ${usageLine(command)})` : `unexpected argument "${parsed.positionals[max]}"`,
      );
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
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    // the node's database failed under a command (a damaged page, a full disk, a lock held too long): the node's own data, exit 3
    io.stderr.write(
      `concord ${command.path.join(' ')}: the ledger database failed (${code}): ${oneLine((e as Error).message)}; run concord verify on the data directory\n`,
    );
    return 3;
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
