/**
 * Running `concord`: in-process through runCli with captured streams (fast),
 * or as the real bin/concord.js child process (stdin, exit codes, the tsx
 * loader). The child runs the sources (CONCORD_RUN_SOURCES=1), whether or
 * not dist/ is current: the tests test src/, and test/cli/build.test.ts
 * checks that the compiled CLI answers as they do.
 */
import { spawn } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/command.ts';
import { runCli } from '../../src/cli/main.ts';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  constructor(tty: boolean) {
    super();
    if (tty) this.isTTY = true;
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** every output seen by any run, so a test can check that no secret ever appeared */
export const allOutputs: string[] = [];

export async function cli(argv: string[], opts: { stdin?: string | Buffer; tty?: boolean; cwd?: string } = {}): Promise<CliResult> {
  const stdout = new Capture(opts.tty ?? false);
  const stderr = new Capture(opts.tty ?? false);
  const stdin = opts.stdin === undefined ? new PassThrough().end() : Readable.from([opts.stdin]);
  const io: CliIo = { stdout, stderr, stdin, cwd: opts.cwd ?? process.cwd() };
  const code = await runCli(argv, io);
  allOutputs.push(stdout.text, stderr.text);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export const BIN = fileURLToPath(new URL('../../bin/concord.js', import.meta.url));

/**
 * The real `concord` in a child process; `input` (text, or bytes as they
 * are) is written to its stdin, then stdin is closed. `env` is added to the
 * environment (with CONCORD_RUN_SOURCES: '0', bin/concord.js runs dist/ if
 * it is current).
 */
export function spawnCli(argv: string[], input?: string | Buffer, env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CONCORD_RUN_SOURCES: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      allOutputs.push(stdout, stderr);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** a one-line reason: exactly one newline, at the end, and it starts with "concord" */
export function isOneLine(s: string): boolean {
  return s.startsWith('concord') && s.endsWith('\n') && s.indexOf('\n') === s.length - 1;
}
