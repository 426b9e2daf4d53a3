/**
 * Reading protocol sets from disk:
 *
 *   <dir>/<agency>/<version>/protocol.yaml   the manifest
 *   <dir>/<agency>/<version>/*.cedar         the policies
 *   <dir>/<agency>/tests.yaml                optional protocol tests
 *
 * Other files (README.md, ...) are ignored; a sub-directory inside a version
 * is refused, since policies in it would silently not load.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConcordError } from '../errors.ts';
import { prepareProtocolBook, type ProtocolBook } from './book.ts';
import { NAME_PATTERN } from './manifest.ts';
import type { ProtocolFile, ProtocolVersionSource } from './version.ts';

export const MANIFEST_FILE = 'protocol.yaml';
export const TESTS_FILE = 'tests.yaml';

export async function loadProtocolBook(dir: string): Promise<ProtocolBook> {
  return prepareProtocolBook(await readProtocolSources(dir));
}

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

async function readVersion(versionDir: string, agency: string, version: string): Promise<ProtocolVersionSource> {
  const entries = await readdir(versionDir, { withFileTypes: true });
  const nested = entries.find((e) => e.isDirectory());
  if (nested) {
    throw new ConcordError('POLICY_INVALID', `${join(versionDir, nested.name)}:1: unexpected directory inside a protocol version`);
  }
  if (!entries.some((e) => e.isFile() && e.name === MANIFEST_FILE)) {
    throw new ConcordError('POLICY_INVALID', `${join(versionDir, MANIFEST_FILE)}:1: missing manifest`);
  }
  const policyNames = entries.filter((e) => e.isFile() && e.name.endsWith('.cedar')).map((e) => e.name).sort();
  const policies: ProtocolFile[] = [];
  for (const name of policyNames) policies.push(await readText(join(versionDir, name)));
  return { agency, version, manifest: await readText(join(versionDir, MANIFEST_FILE)), policies };
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new ConcordError('NOT_FOUND', `no such directory: ${dir}`);
    throw e;
  }
}

async function readText(path: string): Promise<ProtocolFile> {
  return { path, text: await readFile(path, 'utf8') };
}

function checkName(path: string, name: string, what: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new ConcordError('POLICY_INVALID', `${path}:1: ${what} directory name must use letters, digits, ".", "_" or "-"`);
  }
}
