/**
 * Protocol sets on disk, and the one place that reads them. src/policy
 * works on texts only (prepareProtocolBook, runProtocolTestFiles,
 * checkRequestText), the way sigstore's verifier is handed its trust
 * material instead of fetching it; this module finds the files, reads each
 * within its size limit, and passes the clock in.
 *
 *   <dir>/<agency>/<version>/protocol.yaml   the manifest
 *   <dir>/<agency>/<version>/*.cedar         the policies
 *   <dir>/<agency>/tests.yaml                optional protocol tests
 *
 * Directories whose names start with "." are skipped. Other files
 * (README.md, ...) are ignored; a sub-directory inside a version is refused,
 * since policies in it would silently not load.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verdict } from '../domain/verdict.ts';
import { ConcordError } from '../errors.ts';
import { FILE_LIMITS, readUserFile } from '../files.ts';
import { bookWarnings, prepareProtocolBook, type ProtocolBook } from '../policy/book.ts';
import { checkRequest, parseRequestText } from '../policy/check.ts';
import { NAME_PATTERN } from '../policy/manifest.ts';
import { runProtocolTestFiles, type ProtocolTestReport } from '../policy/protocol-tests.ts';
import type { PolicyWarning, ProtocolFile, ProtocolVersionSource } from '../policy/version.ts';

export const MANIFEST_FILE = 'protocol.yaml';
export const TESTS_FILE = 'tests.yaml';

/** Read and prepare every protocol version under `dir`. */
export async function loadProtocolBook(dir: string): Promise<ProtocolBook> {
  return prepareProtocolBook(await readProtocolSources(dir));
}

/** The files of every version under `dir`, unprepared. */
export async function readProtocolSources(dir: string): Promise<ProtocolVersionSource[]> {
  const sources: ProtocolVersionSource[] = [];
  for (const agency of await listDirs(dir)) {
    checkName(join(dir, agency), agency, 'agency');
    for (const version of await listDirs(join(dir, agency))) {
      const versionDir = join(dir, agency, version);
      checkName(versionDir, version, 'version');
      sources.push(await readVersion(versionDir, agency, version));
    }
  }
  return sources;
}

/** Every `<dir>/<agency>/tests.yaml`, agencies in name order. */
export async function readProtocolTestFiles(dir: string): Promise<ProtocolFile[]> {
  const files: ProtocolFile[] = [];
  for (const agency of await listDirs(dir)) {
    const entries = await readdir(join(dir, agency), { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === TESTS_FILE)) files.push(readProtocolFile(join(dir, agency, TESTS_FILE), 'protocol tests'));
  }
  return files;
}

export interface ProtocolTestRun extends ProtocolTestReport {
  /** the warnings of every version loaded */
  readonly warnings: readonly PolicyWarning[];
}

/** Load the protocol book at `dir` and run every `<dir>/<agency>/tests.yaml` against it. */
export async function runProtocolTests(dir: string): Promise<ProtocolTestRun> {
  const book = await loadProtocolBook(dir);
  const report = runProtocolTestFiles(book, await readProtocolTestFiles(dir));
  return { ...report, warnings: bookWarnings(book) };
}

export interface RequestCheck {
  readonly verdict: Verdict;
  /** the warnings of every version loaded */
  readonly warnings: readonly PolicyWarning[];
}

/**
 * `concord protocol check`: evaluate the request in `requestFile` against
 * the protocols in `policiesDir`, at `at`, else the file's `at`, else the
 * clock's now. The request is read and checked before the protocols load.
 */
export async function checkRequestFile(policiesDir: string, requestFile: string, at?: string, clock: () => number = Date.now): Promise<RequestCheck> {
  const request = parseRequestText(requestFile, readUserFile(requestFile, 'request', FILE_LIMITS.request));
  const book = await loadProtocolBook(policiesDir);
  return { verdict: checkRequest(book, request, at, new Date(clock()).toISOString()), warnings: bookWarnings(book) };
}

async function readVersion(versionDir: string, agency: string, version: string): Promise<ProtocolVersionSource> {
  const entries = await readdir(versionDir, { withFileTypes: true });
  const nested = entries.find((e) => e.isDirectory());
  if (nested) {
    throw new ConcordError('POLICY_INVALID', `${join(versionDir, nested.name)}:1: unexpected directory inside a protocol version`);
  }
  if (!entries.some((e) => e.isFile() && e.name === MANIFEST_FILE)) {
    throw new ConcordError('POLICY_INVALID', `${join(versionDir, MANIFEST_FILE)}:1: missing manifest`);
  }
  const policyNames = entries
    .filter((e) => e.isFile() && e.name.endsWith('.cedar'))
    .map((e) => e.name)
    .sort();
  return {
    agency,
    version,
    manifest: readProtocolFile(join(versionDir, MANIFEST_FILE), 'protocol manifest'),
    policies: policyNames.map((name) => readProtocolFile(join(versionDir, name), 'policy file')),
  };
}

function readProtocolFile(path: string, what: string): ProtocolFile {
  return { path, text: readUserFile(path, what, FILE_LIMITS.protocol) };
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConcordError('NOT_FOUND', `no such directory: ${dir}`, undefined, { cause: e });
    if (code === 'ENOTDIR') throw new ConcordError('BAD_INPUT', `not a directory: ${dir}`, undefined, { cause: e });
    throw e;
  }
}

function checkName(path: string, name: string, what: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new ConcordError('POLICY_INVALID', `${path}:1: ${what} directory name must use letters, digits, ".", "_" or "-"`);
  }
}
