/**
 * Files a user names (a scenario, a bundle, a request, a checkpoint, an
 * NDJSON input): read them, or say why not in words. One place, so every
 * command reports a missing file, a directory or a permission the same way.
 */
import { readFileSync } from 'node:fs';
import { ConcordError } from './errors.ts';

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
 * Reads a text file a user named. A file that is not there is NOT_FOUND;
 * one that cannot be read (a directory, no permission) is BAD_INPUT; both
 * say "cannot read <what> <path>: <why>".
 */
export function readUserFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const why = fileProblem(e) ?? (e as Error).message;
    throw new ConcordError(errorCode(e) === 'ENOENT' ? 'NOT_FOUND' : 'BAD_INPUT', `cannot read ${what} ${path}: ${why}`);
  }
}
