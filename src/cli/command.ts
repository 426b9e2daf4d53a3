import type { ParseArgsConfig } from 'node:util';

/** Where a command writes. Passed in so commands are testable without a terminal. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
}

export type CliOptions = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: string[];
}

/**
 * One `concord` sub-command. `path` is the words after `concord`
 * (["proof", "inclusion"]). `run` returns the exit code: 0 success,
 * 1 failed verification; bad usage or bad input throws ConcordError
 * (BAD_USAGE / BAD_INPUT / ...), which the CLI maps to exit 2 with a one-line reason.
 */
export interface CliCommand {
  readonly path: readonly string[];
  readonly summary: string;
  /** the full --help text (usage line, options, examples) */
  readonly help: string;
  readonly options: CliOptions;
  /** how many positionals are allowed: [min, max] */
  readonly positionals?: readonly [number, number];
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
