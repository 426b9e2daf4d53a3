/**
 * The checkpoint a node keeps apart from its database: DIR/checkpoint, the
 * latest checkpoint it signed, exactly as signed. Whoever holds the disk
 * without the key can rewrite, cut or delete ledger.db, but cannot make this
 * file say anything the node did not sign; so a node that checks every tree
 * it is about to sign against this file never signs a history that
 * contradicts one it signed before (DESIGN.md, capability 1).
 *
 * Commit point of a signature: the rename of the new file over the old one
 * (after the new file was written and fsynced, and before the directory is
 * fsynced). Before it, the node has promised nothing new; after it, it is
 * bound to the new checkpoint, and only then is the checkpoint stored in the
 * database, exported or served. A crash between the two leaves the database
 * one checkpoint behind, and opening puts it back: the normal open path is
 * the recovery path.
 *
 * Compare-and-swap, as Sunlight's lock backend does: a new checkpoint
 * replaces the file only if the file still holds the one this process last
 * read or wrote. Concord processes on one directory take DIR/checkpoint.lock
 * (created exclusively, holding the pid) around the read-compare-rename, so
 * two of them cannot both replace the same checkpoint; a lock left by a
 * process that died is broken.
 */
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConcordError } from '../errors.ts';
import { openCheckpoint, type Checkpoint } from '../ledger/checkpoint.ts';
import type { Verifier } from '../ledger/note.ts';
import { workerUrl } from '../worker-url.ts';
import { tryLockFile, writeFileAtomically } from './atomic-file.ts';
import type { KeptJob, KeptReply } from './workers/kept-writer-worker.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const KEPT_CHECKPOINT_FILE = 'checkpoint';
const LOCK_FILE = 'checkpoint.lock';
/** how long to wait for another process's lock before giving up */
const LOCK_WAIT_MS = 5000;

export interface KeptCheckpoint {
  readonly note: string;
  readonly size: number;
  readonly root: Buffer;
}

function kept(note: string, checkpoint: Checkpoint): KeptCheckpoint {
  return { note, size: checkpoint.size, root: checkpoint.root };
}

/**
 * Opens the note as this log's checkpoint: signed by the log's key, for its
 * origin. Anything else in the file means it was tampered with.
 */
export function openKept(note: string, verifier: Verifier, origin: string, where: string): KeptCheckpoint {
  try {
    const opened = openCheckpoint(note, [verifier], origin);
    if (!opened.signatures.some((s) => s.name === origin && s.type === 'ed25519')) throw new Error('it is not signed by this log');
    return kept(opened.note, opened.checkpoint);
  } catch (e) {
    throw new ConcordError('LEDGER_CORRUPT', `${where} is not a checkpoint this node signed: ${(e as Error).message}`, undefined, { cause: e });
  }
}

/** The kept checkpoint of a data directory, checked; LEDGER_CORRUPT when it is missing or not this log's. */
export function readKeptCheckpoint(dir: string, verifier: Verifier, origin: string): KeptCheckpoint {
  const path = join(dir, KEPT_CHECKPOINT_FILE);
  let note: string;
  try {
    note = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConcordError(
        'LEDGER_CORRUPT',
        `${path} is missing: this node cannot tell whether its log was rewritten, so it will not sign or append (restore the file, or the whole directory, from a backup)`,
      );
    }
    throw new ConcordError('LEDGER_CORRUPT', `cannot read ${path}: ${(e as Error).message}`, undefined, { cause: e });
  }
  return openKept(note, verifier, origin, path);
}

/**
 * Replaces the kept checkpoint with `next` if the file still holds
 * `expected`, and returns undefined. When another process of this node
 * signed meanwhile, writes nothing and returns the checkpoint the file holds
 * now (the caller checks its tree against it before it tries again);
 * LEDGER_CORRUPT when the file was changed to anything that is not a
 * checkpoint of this log.
 */
export async function replaceKeptCheckpoint(
  dir: string,
  expected: KeptCheckpoint,
  next: string,
  verifier: Verifier,
  origin: string,
): Promise<KeptCheckpoint | undefined> {
  const path = join(dir, KEPT_CHECKPOINT_FILE);
  const lockPath = join(dir, LOCK_FILE);
  // on the kept-checkpoint thread, whole, unless this process holds the lock already (another
  // service of this process on the same directory) or the thread finds it held: then as below
  if (keeper !== undefined && keeper.dead === undefined && !held.has(lockPath)) {
    // the lock the thread takes names this process: held here meanwhile, so that lock() does not break it
    held.add(lockPath);
    let reply: KeptReply;
    try {
      reply = await keeper.run({ kind: 'swap', dir, file: KEPT_CHECKPOINT_FILE, lock: LOCK_FILE, expected: expected.note, note: next });
    } finally {
      held.delete(lockPath);
    }
    if (reply.unreadable) throw disappeared(path, reply.error);
    if (reply.error !== undefined) throw new Error(reply.error);
    if (reply.current !== undefined) return openKept(reply.current, verifier, origin, path);
    if (!reply.busy) return undefined;
  }
  const release = await lock(dir);
  try {
    let current: string;
    try {
      current = readFileSync(path, 'utf8');
    } catch (e) {
      throw disappeared(path, (e as Error).message);
    }
    if (current !== expected.note) return openKept(current, verifier, origin, path);
    await writeAtomically(dir, next);
    return undefined;
  } finally {
    release();
  }
}

function disappeared(path: string, why: string | undefined): ConcordError {
  return new ConcordError('LEDGER_CORRUPT', `${path} disappeared while the node was running: it will not sign without it (${why ?? 'unreadable'})`);
}

/**
 * temp file, fsync, rename (the commit point), fsync of the directory so the
 * rename itself is durable. On the kept-checkpoint thread once the node has
 * started it (startKeptWriter: a node signing by count, where each of the
 * eight steps below would wait for a main thread busy building appends), else
 * here: the waits for the disk off the main thread, the small steps around
 * them on it.
 */
async function writeAtomically(dir: string, note: string): Promise<void> {
  if (keeper !== undefined && keeper.dead === undefined) {
    const reply = await keeper.run({ kind: 'write', dir, file: KEPT_CHECKPOINT_FILE, note });
    if (reply.error !== undefined) throw new Error(reply.error);
    return;
  }
  return writeFileAtomically(join(dir, KEPT_CHECKPOINT_FILE), note);
}

/** the thread that keeps checkpoints (workers/kept-writer-worker.ts): one message each way per checkpoint */
class KeptWriterThread {
  private readonly worker = new Worker(workerUrl('kept-writer', import.meta.url));
  private readonly waiting = new Map<number, { resolve: (r: KeptReply) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  /** why it stopped, once it has */
  dead: string | undefined;

  constructor() {
    this.worker.on('message', (r: KeptReply) => {
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (this.waiting.size === 0) this.worker.unref();
      w?.resolve(r);
    });
    // stopped mid-write: the file holds the old checkpoint or the new one, which the next compare-and-swap reads
    const die = (why: string): void => {
      if (this.dead !== undefined) return;
      this.dead = why;
      for (const w of this.waiting.values()) w.reject(new Error(`the kept-checkpoint thread stopped: ${why}`));
      this.waiting.clear();
    };
    this.worker.on('error', (e) => die(e.message));
    this.worker.on('exit', (code) => die(`exit code ${code}`));
    // after the listeners: one added to an unref'd worker refs it again, and the process would never exit (nodejs/node#53036)
    this.worker.unref();
  }

  /** the thread's answer to `job` (rejected only if the thread stopped) */
  run(job: DistributiveOmit<KeptJob, 'id'>): Promise<KeptReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...job, id } satisfies KeptJob);
    });
  }
}

let keeper: KeptWriterThread | undefined;

/** starts the process's kept-checkpoint thread (again, if it stopped) unless it runs: for a node that has begun signing by count */
export function startKeptWriter(): void {
  if (keeper === undefined || keeper.dead !== undefined) keeper = new KeptWriterThread();
}

/** DIR/checkpoint.lock, created exclusively; a lock whose process is gone is broken */
/** the lock files this process holds now (a lock naming this pid and not here was left by an earlier process given the same pid) */
const held = new Set<string>();

async function lock(dir: string): Promise<() => void> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const release = tryLockFile(path);
    if (release !== undefined) {
      held.add(path);
      return () => {
        held.delete(path);
        release();
      };
    }
    let holder = NaN;
    let ageMs = 0;
    try {
      holder = Number(readFileSync(path, 'utf8').trim());
      ageMs = Date.now() - statSync(path).mtimeMs;
    } catch {
      // gone meanwhile: try again
      continue;
    }
    // a lock without a pid is being made by its holder, unless it has been so for a second (its holder died making it)
    const unreadable = !Number.isSafeInteger(holder) || holder <= 0;
    const mine = holder === process.pid && held.has(path);
    if ((unreadable && ageMs > 1000) || (!unreadable && !mine && (holder === process.pid || !alive(holder)))) {
      // left by a process that died: nobody holds it
      try {
        unlinkSync(path);
      } catch {
        // gone meanwhile
      }
      continue;
    }
    if (Date.now() > deadline) {
      const who = unreadable ? 'another process' : `process ${holder}`;
      throw new ConcordError('LEDGER_CONTENDED', `${who} holds ${path}; it is signing checkpoints for this node`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
