/**
 * A Concord node's data directory:
 *
 *   DIR/concord.json   {"format":1,"origin":"..."}: which log this is; optionally
 *                      "sealing": the fields sealed at append time (ledger/sealing.ts,
 *                      docs/releases.md), DEFAULT_SEALING_POLICY when absent
 *   DIR/ledger.db      the SQLite ledger (plus -wal/-shm while open)
 *   DIR/checkpoint     the latest checkpoint the node signed, kept apart from the
 *                      database (kept-checkpoint.ts)
 *   DIR/keys/log.key   the log's signer key (C2SP note signer key), mode 0600
 *   DIR/keys/log.pub   the log's verifier key string
 *   DIR/accounts.db    users, sessions, API tokens and login throttles (SQLite, mode
 *                      0600), made when first opened (node-accounts.ts); not part of
 *                      the record: it holds hashes of secrets, and may be replaced
 *
 * The signer key is read only to sign checkpoints and is never printed or logged.
 */
import { accessSync, chmodSync, constants, existsSync, lstatSync, readFileSync, realpathSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConcordError, isConcordError } from '../errors.ts';
import { fileProblem, makeDirectories } from '../files.ts';
import { signCheckpoint } from '../ledger/checkpoint.ts';
import { EMPTY_ROOT } from '../ledger/merkle/hash.ts';
import { generateSigner, parseSignerKey, parseVerifierKey, type Signer, type Verifier } from '../ledger/note.ts';
import { parseJsonStrict } from '../ledger/strict-json.ts';
import { createLedgerDatabase } from '../store/sqlite/ledger-store.ts';
import { DEFAULT_SEALING_POLICY } from '../domain/sealing.ts';
import { parseSealingPolicy, type SealingPolicy } from '../ledger/sealing.ts';
import { writeFileAtomicallySync } from './atomic-file.ts';
import { KEPT_CHECKPOINT_FILE } from './kept-checkpoint.ts';
import { newSlottedFile } from './kept-slots.ts';

export interface NodeDir {
  readonly dir: string;
  readonly origin: string;
  readonly dbPath: string;
  /** the account store (made when first opened, so older nodes get one too) */
  readonly accountsPath: string;
  readonly verifierKey: string;
  /** the fields sealed when commands become entries */
  readonly sealing: SealingPolicy;
}

const CONFIG = 'concord.json';
const ACCOUNTS = 'accounts.db';
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
  // not mkdirSync's recursive mode: it never returns under /proc (files.ts)
  makeDirectories(dir, 0o700, 'the data directory');
  makeDirectories(join(dir, 'keys'), 0o700, 'the keys directory');
  chmodSync(join(dir, 'keys'), 0o700);
  const { signerKey, verifierKey } = generateSigner(origin);
  // 'wx': never overwrite a key; mode 0600: only the owner reads the signer key
  writeFileSync(join(dir, 'keys', 'log.key'), `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  writeFileSync(join(dir, 'keys', 'log.pub'), `${verifierKey}\n`, { mode: 0o644, flag: 'wx' });
  // the database and the kept checkpoint of the empty log are made here, once: a node never
  // creates them when it opens, so one that lost them cannot start a new log under the same key
  createLedgerDatabase(join(dir, 'ledger.db'), origin);
  writeFileAtomicallySync(
    join(dir, KEPT_CHECKPOINT_FILE),
    newSlottedFile(signCheckpoint({ origin, size: 0, root: EMPTY_ROOT, extensions: [] }, parseSignerKey(signerKey))),
  );
  // the config is written last: a directory without it is not a node yet
  writeFileSync(join(dir, CONFIG), `${JSON.stringify({ format: 1, origin }, null, 2)}\n`, { flag: 'wx' });
  return { dir, origin, dbPath: join(dir, 'ledger.db'), accountsPath: join(dir, ACCOUNTS), verifierKey, sealing: DEFAULT_SEALING_POLICY };
}

export function isNodeDir(dirArg: string): boolean {
  return existsSync(join(resolve(dirArg), CONFIG));
}

/**
 * A file of the node, read for opening it; any failure is the node's own
 * data being unusable (DATA_DIR_UNUSABLE), said with the path and why.
 */
function readNodeFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw unusable(`${what} ${path} cannot be read: ${fileProblem(e) ?? (e as Error).message}`, e);
  }
}

function unusable(message: string, cause?: unknown): ConcordError {
  return new ConcordError('DATA_DIR_UNUSABLE', message, undefined, cause === undefined ? undefined : { cause });
}

/**
 * Opens a node's directory: its configuration and verifier key, and a check
 * that its database, if there is one yet, is a file this process may read
 * and write. A path that is not a node at all (nothing there, a file, a
 * directory without concord.json) is DATA_DIR_MISSING: the user named the
 * wrong thing. A node whose own files are missing, unreadable or broken is
 * DATA_DIR_UNUSABLE: the directory itself needs repair.
 */
export function openNodeDir(dirArg: string): NodeDir {
  const dir = resolve(dirArg);
  const configPath = join(dir, CONFIG);
  let dirStat: Stats | undefined;
  try {
    dirStat = statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    throw unusable(`cannot read the data directory ${dir}: ${fileProblem(e) ?? (e as Error).message}`, e);
  }
  if (dirStat === undefined)
    throw new ConcordError('DATA_DIR_MISSING', `${dir} does not exist, so it is not a Concord data directory (run: concord init --data ${dirArg})`);
  if (!dirStat.isDirectory()) throw new ConcordError('DATA_DIR_MISSING', `${dir} is a file, not a Concord data directory`);
  let configStat: Stats | undefined;
  try {
    configStat = statSync(configPath, { throwIfNoEntry: false });
  } catch (e) {
    throw unusable(`cannot read the data directory ${dir}: ${fileProblem(e) ?? (e as Error).message}`, e);
  }
  if (configStat === undefined) throw new ConcordError('DATA_DIR_MISSING', `${dir} is not a Concord data directory (run: concord init --data ${dirArg})`);
  let config: unknown;
  try {
    config = parseJsonStrict(readNodeFile(configPath, 'the node configuration'));
  } catch (e) {
    if (isConcordError(e, 'DATA_DIR_UNUSABLE')) throw e;
    throw unusable(`${configPath} is broken: ${(e as Error).message}`, e);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw unusable(`${configPath} is broken: it is not a JSON object {"format": 1, "origin": ...}`);
  const { format, origin, sealing } = config as { format?: unknown; origin?: unknown; sealing?: unknown };
  if (format !== 1) throw unusable(`${configPath} says format ${JSON.stringify(format)}; this Concord reads format 1`);
  if (typeof origin !== 'string') throw unusable(`${configPath} is broken: it has no origin`);
  try {
    checkOrigin(origin);
  } catch (e) {
    throw unusable(`${configPath} is broken: ${(e as Error).message}`, e);
  }
  const pubPath = join(dir, 'keys', 'log.pub');
  const verifierKey = readNodeFile(pubPath, "the log's verifier key").trim();
  let v: Verifier;
  try {
    v = parseVerifierKey(verifierKey);
  } catch (e) {
    throw unusable(`${pubPath} does not hold a verifier key: ${(e as Error).message}`, e);
  }
  if (v.name !== origin) throw unusable(`${pubPath} is for "${v.name}", not this log's origin "${origin}"`);
  const dbPath = join(dir, 'ledger.db');
  checkDatabaseFile(dbPath, 'the ledger');
  // the account store is checked when it is opened (node-accounts.ts): the ledger's commands do not need it
  // a deployment's own choice, checked strictly: a typo must not leave a field in the clear unnoticed (BAD_INPUT, one line)
  const policy = sealing === undefined ? DEFAULT_SEALING_POLICY : parseSealingPolicy(sealing, `${configPath}: sealing`);
  return { dir, origin, dbPath, accountsPath: join(dir, ACCOUNTS), verifierKey, sealing: policy };
}

/**
 * When present, a database (the ledger, the account store) must be a
 * regular file this process can read and write (every command opens it
 * read-write: SQLite may need to recover its WAL). A ledger that is absent
 * is left to the ledger to refuse (LEDGER_CORRUPT: a node that lost its
 * history does not start a new log); `verify` reports it as a failed
 * verification. An absent account store is made when opened.
 */
export function checkDatabaseFile(dbPath: string, what: string): void {
  let st: Stats | undefined;
  try {
    st = statSync(dbPath, { throwIfNoEntry: false });
    if (st !== undefined) accessSync(dbPath, constants.R_OK | constants.W_OK);
  } catch (e) {
    throw unusable(`${what} ${dbPath} cannot be opened: ${fileProblem(e) ?? (e as Error).message}`, e);
  }
  if (st !== undefined && !st.isFile()) throw unusable(`${what} ${dbPath} cannot be opened: it is not a file`);
}

/**
 * Where a command may write a file the user named: never inside the node's
 * own directory, nor onto the directory itself, where it could replace the
 * ledger, a key or the configuration (`--out DIR/ledger.db` overwrote the
 * ledger and exited 0). Symbolic links and `..` are resolved first, on the
 * longest part of the path that exists; a path that is a symbolic link is
 * judged both where it stands (a rename replaces the link) and where it
 * points. Returns the absolute path; BAD_USAGE naming the flag otherwise.
 */
export function checkOutputPath(node: NodeDir, path: string, flag: string): string {
  const absolute = resolve(path);
  const home = realpathSync(node.dir);
  const places = [resolveExisting(absolute)];
  if (lstatSync(absolute, { throwIfNoEntry: false })?.isSymbolicLink()) places.push(join(resolveExisting(dirname(absolute)), basename(absolute)));
  for (const place of places) {
    const rel = relative(home, place);
    if (rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel))) {
      const what = rel === '' ? 'the data directory itself' : `the node's own ${rel}`;
      throw new ConcordError('BAD_USAGE', `${flag} ${path} is inside the data directory ${node.dir} (it would replace ${what}); write it elsewhere`);
    }
  }
  if (statSync(absolute, { throwIfNoEntry: false })?.isDirectory()) throw new ConcordError('BAD_USAGE', `${flag} ${path} is a directory; name a file`);
  return absolute;
}

/** `path` with symbolic links and `..` resolved in its longest existing prefix, the rest appended as written */
function resolveExisting(path: string): string {
  const rest: string[] = [];
  for (let p = path; ;) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const parent = dirname(p);
      if (parent === p) return path;
      rest.push(basename(p));
      p = parent;
    }
  }
}

export function loadVerifier(node: NodeDir): Verifier {
  return parseVerifierKey(node.verifierKey);
}

export function loadSigner(node: NodeDir): Signer {
  const path = join(node.dir, 'keys', 'log.key');
  if (!existsSync(path)) throw unusable(`${path} is missing: this node cannot sign checkpoints`);
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) throw unusable(`${path} is readable by others (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
  let signer: Signer;
  try {
    signer = parseSignerKey(readNodeFile(path, "the log's signer key").trim());
  } catch (e) {
    if (isConcordError(e, 'DATA_DIR_UNUSABLE')) throw e;
    // never echo the key material
    throw unusable(`${path} does not hold a valid signer key`);
  }
  if (signer.verifierKey !== node.verifierKey) throw unusable(`${path} does not match keys/log.pub`);
  return signer;
}
