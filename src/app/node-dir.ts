/**
 * A Concord node's data directory:
 *
 *   DIR/concord.json   {"format":1,"origin":"..."}: which log this is
 *   DIR/ledger.db      the SQLite ledger (plus -wal/-shm while open)
 *   DIR/checkpoint     the latest checkpoint the node signed, kept apart from the
 *                      database (kept-checkpoint.ts)
 *   DIR/keys/log.key   the log's signer key (C2SP note signer key), mode 0600
 *   DIR/keys/log.pub   the log's verifier key string
 *
 * The signer key is read only to sign checkpoints and is never printed or logged.
 */
import { chmodSync, closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConcordError } from '../errors.ts';
import { signCheckpoint } from '../ledger/checkpoint.ts';
import { EMPTY_ROOT } from '../ledger/merkle/hash.ts';
import { generateSigner, parseSignerKey, parseVerifierKey, type Signer, type Verifier } from '../ledger/note.ts';
import { createLedgerDatabase } from '../store/sqlite/ledger-store.ts';
import { KEPT_CHECKPOINT_FILE } from './kept-checkpoint.ts';

export interface NodeDir {
  readonly dir: string;
  readonly origin: string;
  readonly dbPath: string;
  readonly verifierKey: string;
}

const CONFIG = 'concord.json';
// C2SP signed-note: key names are non-empty and contain no whitespace or '+'
const ORIGIN_RE = /^[A-Za-z0-9][A-Za-z0-9._~:\/-]{0,199}$/;

export function defaultOrigin(): string {
  return `concord.local/log-${randomBytes(4).toString('hex')}`;
}

export function checkOrigin(origin: string): void {
  if (!ORIGIN_RE.test(origin) || origin.endsWith('/')) {
    throw new ConcordError('BAD_INPUT', `origin "${origin}" must look like a scheme-less URL (letters, digits, . _ ~ : / -), no trailing slash`);
  }
}

/** Creates the directory layout and keys. Refuses a directory that already holds a node. */
export function initNodeDir(dirArg: string, origin: string): NodeDir {
  checkOrigin(origin);
  const dir = resolve(dirArg);
  if (existsSync(join(dir, CONFIG))) throw new ConcordError('DATA_DIR_EXISTS', `${dir} already holds a Concord node`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new ConcordError('BAD_INPUT', `${dir} is not a directory`);
  mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  chmodSync(join(dir, 'keys'), 0o700);
  const { signerKey, verifierKey } = generateSigner(origin);
  // 'wx': never overwrite a key; mode 0600: only the owner reads the signer key
  writeFileSync(join(dir, 'keys', 'log.key'), `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, 'keys', 'log.pub'), `${verifierKey}\n`, { mode: 0o644, flag: 'wx' });
  // the database and the kept checkpoint of the empty log are made here, once: a node never
  // creates them when it opens, so one that lost them cannot start a new log under the same key
  createLedgerDatabase(join(dir, 'ledger.db'), origin);
  writeKeptSync(dir, signCheckpoint({ origin, size: 0, root: EMPTY_ROOT, extensions: [] }, parseSignerKey(signerKey)));
  // the config is written last: a directory without it is not a node yet
  writeFileSync(join(dir, CONFIG), `${JSON.stringify({ format: 1, origin }, null, 2)}\n`, { flag: 'wx' });
  return { dir, origin, dbPath: join(dir, 'ledger.db'), verifierKey };
}

/** the first kept checkpoint: temp file, fsync, rename, fsync of the directory */
function writeKeptSync(dir: string, note: string): void {
  const target = join(dir, KEPT_CHECKPOINT_FILE);
  const tmp = `${target}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeFileSync(fd, note);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, target);
  const d = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

export function isNodeDir(dirArg: string): boolean {
  return existsSync(join(resolve(dirArg), CONFIG));
}

export function openNodeDir(dirArg: string): NodeDir {
  const dir = resolve(dirArg);
  const configPath = join(dir, CONFIG);
  if (!existsSync(configPath)) throw new ConcordError('DATA_DIR_MISSING', `${dir} is not a Concord data directory (run: concord init --data ${dirArg})`);
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (e) {
    throw new ConcordError('BAD_INPUT', `${configPath} is not valid JSON: ${(e as Error).message}`);
  }
  const origin = (config as { origin?: unknown }).origin;
  if (typeof origin !== 'string') throw new ConcordError('BAD_INPUT', `${configPath} has no origin`);
  checkOrigin(origin);
  const verifierKey = readFileSync(join(dir, 'keys', 'log.pub'), 'utf8').trim();
  const v = parseVerifierKey(verifierKey);
  if (v.name !== origin) throw new ConcordError('KEY_INVALID', `keys/log.pub is for "${v.name}", not this log's origin "${origin}"`);
  return { dir, origin, dbPath: join(dir, 'ledger.db'), verifierKey };
}

export function loadVerifier(node: NodeDir): Verifier {
  return parseVerifierKey(node.verifierKey);
}

export function loadSigner(node: NodeDir): Signer {
  const path = join(node.dir, 'keys', 'log.key');
  if (!existsSync(path)) throw new ConcordError('KEY_INVALID', `${path} is missing: this node cannot sign checkpoints`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw new ConcordError('KEY_INVALID', `${path} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
  let signer: Signer;
  try {
    signer = parseSignerKey(readFileSync(path, 'utf8').trim());
  } catch {
    // never echo the key material
    throw new ConcordError('KEY_INVALID', `${path} does not hold a valid signer key`);
  }
  if (signer.verifierKey !== node.verifierKey) throw new ConcordError('KEY_INVALID', `${path} does not match keys/log.pub`);
  return signer;
}
