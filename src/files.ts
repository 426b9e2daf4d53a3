/**
 * Files a user names (a scenario, a bundle, a request, a checkpoint, an
 * NDJSON input): read them, or say why not in words. One place, so every
 * command reports a missing file, a directory, a permission or a file too
 * large the same way.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { dirname, resolve } from 'node:path';
import { ConcordError } from './errors.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * How large a file of each kind may be. Files are read whole, and parsing
 * YAML costs far more than the bytes (an 8 MiB scenario measured about 5 s
 * and 700 MB of resident memory to parse), so a limit keeps a wrong or
 * hostile file from taking the process down. Each is far above what the
 * kind needs: the demo scenario is 10 KiB, its largest policy file 3 KiB.
 */
export const FILE_LIMITS = {
  scenario: 8 * MiB,
  /** each protocol manifest, policy (.cedar) file and tests.yaml */
  protocol: 1 * MiB,
  /** a request file for `concord protocol check` */
  request: 1 * MiB,
  /** a signed checkpoint note */
  checkpoint: 64 * KiB,
  /** a verification bundle: whatever V8 can hold as one string, since it is read as one */
  bundle: bufferConstants.MAX_STRING_LENGTH,
} as const;

/** file errors a user can cause, in words */
const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
};

/** a file error a user can cause, in words; undefined for anything else */
export function fileProblem(e: unknown): string | undefined {
  const code = errorCode(e);
  return code === undefined ? undefined : FILE_PROBLEMS[code];
}

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Reads a text file a user named, of at most `maxBytes` bytes. A file that
 * is not there is NOT_FOUND; one that cannot be read (a directory, no
 * permission) or is larger than the limit is BAD_INPUT; all say
 * "cannot read <what> <path>: <why>".
 *
 * The size is checked on the open file before reading, and the read itself
 * stops one byte past the limit: a file that grows in between, or a device
 * or pipe whose size stat cannot tell, is refused without being held whole.
 */
export function readUserFile(path: string, what: string, maxBytes: number): string {
  const refuse = (why: string, code: 'BAD_INPUT' | 'NOT_FOUND' = 'BAD_INPUT'): never => {
    throw new ConcordError(code, `cannot read ${what} ${path}: ${why}`);
  };
  const tooLarge = (size: string): never => refuse(`${size} is larger than the limit of ${formatBytes(maxBytes)}`);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return refuse(fileProblem(e) ?? (e as Error).message, errorCode(e) === 'ENOENT' ? 'NOT_FOUND' : 'BAD_INPUT');
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return refuse(FILE_PROBLEMS['EISDIR'] as string);
    if (stat.size > maxBytes) return tooLarge(formatBytes(stat.size));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1 - total, 64 * KiB));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        return refuse(fileProblem(e) ?? (e as Error).message);
      }
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) return tooLarge(`more than ${formatBytes(maxBytes)}`);
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * `mkdir -p`, one level at a time, for a directory a user named. Node's
 * recursive mkdir never returns when a file system answers "no such file or
 * directory" for a name whose parent exists, as procfs does for any new name
 * under /proc: it reads the answer as "make the parent first", finds the
 * parent there, and tries again, forever (nodejs/node, fs.mkdir recursive,
 * Linux). Here each level is made once, so such an answer ends with a
 * reason. Every failure is BAD_INPUT "cannot create <what> <dir>: <why>".
 */
export function makeDirectories(path: string, mode: number, what = 'the directory'): void {
  const refuse = (dir: string, why: string): never => {
    throw new ConcordError('BAD_INPUT', `cannot create ${what} ${path}: ${why}`, { dir });
  };
  const statOf = (dir: string): Stats | undefined => {
    try {
      return statSync(dir, { throwIfNoEntry: false });
    } catch (e) {
      return refuse(dir, `${dir}: ${fileProblem(e) ?? (e as Error).message}`);
    }
  };
  // the levels to make, from the deepest that exists down to `path`
  const missing: string[] = [];
  for (let dir = resolve(path); ;) {
    const st = statOf(dir);
    if (st !== undefined) {
      if (!st.isDirectory()) refuse(dir, `${dir} is a file, not a directory`);
      break;
    }
    missing.unshift(dir);
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const dir of missing) {
    try {
      mkdirSync(dir, { mode });
    } catch (e) {
      const code = errorCode(e);
      // made meanwhile by someone else: fine if it is a directory
      if (code === 'EEXIST' && statOf(dir)?.isDirectory()) continue;
      if (code === 'EEXIST') refuse(dir, `${dir} exists but is not a directory (a dangling symbolic link?)`);
      if (code === 'ENOENT')
        refuse(
          dir,
          `the file system refuses new directories in ${dirname(dir)} (it answered "no such file or directory" though ${dirname(dir)} exists: a file system like /proc)`,
        );
      refuse(dir, `${dir}: ${fileProblem(e) ?? (e as Error).message}`);
    }
  }
}

/** "209,715,200 bytes (200 MiB)": exact, and readable */
export function formatBytes(n: number): string {
  const exact = `${n.toLocaleString('en-US')} bytes`;
  if (n >= MiB) return `${exact} (${trim(n / MiB)} MiB)`;
  if (n >= KiB) return `${exact} (${trim(n / KiB)} KiB)`;
  return exact;
}

function trim(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}
