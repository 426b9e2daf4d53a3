/**
 * The checkpoint a node keeps apart from its database: DIR/checkpoint, the
 * latest checkpoint it signed, exactly as signed. Whoever holds the disk
 * without the key can rewrite, cut or delete ledger.db, but cannot make this
 * file say anything the node did not sign; so a node that checks every tree
 * it is about to sign against this file never signs a history that
 * contradicts one it signed before (DESIGN.md, capability 1).
 *
 * The file has two slots (kept-slots.ts): the latest checkpoint in one, the
 * one before it in the other. A new checkpoint is written over the older
 * slot and fdatasynced: that fdatasync is the commit point of a signature.
 * Before it, the node has promised nothing new; after it, it is bound to the
 * new checkpoint, and only then is the checkpoint stored in the database,
 * exported or served. A crash between the two leaves the database one
 * checkpoint behind, and opening puts it back: the normal open path is the
 * recovery path. A write cut short leaves its slot damaged and the other
 * slot the latest; the next signature writes over the damaged one.
 *
 * Compare-and-swap, as Sunlight's lock backend does: a new checkpoint
 * replaces the older slot only if the file's latest checkpoint is still the
 * one this process last read or wrote. Concord processes on one directory
 * take DIR/checkpoint.lock (created exclusively, holding the pid) around the
 * read-compare-write, so two of them cannot both replace the same
 * checkpoint; a lock left by a process that died is broken.
 */
import { readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConcordError } from '../errors.ts';
import { openCheckpoint, type Checkpoint } from '../ledger/checkpoint.ts';
import type { Verifier } from '../ledger/note.ts';
import { workerUrl } from '../worker-url.ts';
import { tryLockFile } from './atomic-file.ts';
import { slotsOfFile, swapSlot, type SlotNamed } from './kept-slots.ts';
import type { KeptJob, KeptReply } from './workers/kept-writer-worker.ts';

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
    return keptOf(note, [verifier], origin);
  } catch (e) {
    throw new ConcordError('LEDGER_CORRUPT', `${where} is not a checkpoint this node signed: ${(e as Error).message}`, undefined, { cause: e });
  }
}

/** openKept, throwing only why */
function keptOf(note: string, verifiers: readonly Verifier[], origin: string): KeptCheckpoint {
  const opened = openCheckpoint(note, verifiers, origin);
  if (!opened.signatures.some((s) => s.name === origin && s.type === 'ed25519')) throw new Error('it is not signed by this log');
  return kept(opened.note, opened.checkpoint);
}

/** what a kept-checkpoint file holds: the latest checkpoint of this log in it and its slot, and each slot that holds none */
export interface OpenedKeptFile {
  readonly latest: { readonly kept: KeptCheckpoint; readonly slot: number } | undefined;
  /** each slot that holds no checkpoint of this log, and why (a write cut short, or changed by hand) */
  readonly damaged: ReadonlyArray<{ readonly slot: number; readonly why: string }>;
  /** two slots say this size with two roots: a fork signed with this node's key */
  readonly forkedAt: number | undefined;
  /** the file holds one note alone (the layout before slots, or written by hand) */
  readonly oneNote: boolean;
}

/** Opens the slots of a kept-checkpoint file (kept-slots.ts) as checkpoints of this log, signed by one of `verifiers`. */
export function openKeptFile(file: Buffer, verifiers: readonly Verifier[], origin: string): OpenedKeptFile {
  const slots = slotsOfFile(file);
  const damaged: Array<{ slot: number; why: string }> = [];
  let latest: { kept: KeptCheckpoint; slot: number } | undefined;
  let forkedAt: number | undefined;
  slots.forEach((s, slot) => {
    if ('empty' in s) return;
    if ('damaged' in s) {
      damaged.push({ slot, why: s.damaged });
      return;
    }
    let kept: KeptCheckpoint;
    try {
      kept = keptOf(s.note, verifiers, origin);
    } catch (e) {
      damaged.push({ slot, why: (e as Error).message });
      return;
    }
    if (latest !== undefined && latest.kept.size === kept.size && !latest.kept.root.equals(kept.root)) forkedAt = kept.size;
    if (latest === undefined || kept.size > latest.kept.size) latest = { kept, slot };
  });
  return { latest, damaged, forkedAt, oneNote: slots.length === 1 };
}

/** why a kept-checkpoint file holds no checkpoint the node can go on from, if it does not */
export function unusableKeptFile(opened: OpenedKeptFile): string | undefined {
  if (opened.forkedAt !== undefined) return `it holds two checkpoints of size ${opened.forkedAt} with different roots: a fork signed with this node's key`;
  if (opened.latest !== undefined) return undefined;
  if (opened.damaged.length === 0) return 'it is empty';
  return opened.oneNote ? opened.damaged[0]!.why : opened.damaged.map((d) => `slot ${d.slot + 1}: ${d.why}`).join('; ');
}

/** the latest checkpoint of this log in the file at `path`; LEDGER_CORRUPT when there is none, or a fork */
function latestKept(file: Buffer, verifier: Verifier, origin: string, path: string): { kept: KeptCheckpoint; slot: number } {
  const opened = openKeptFile(file, [verifier], origin);
  const why = unusableKeptFile(opened);
  if (why !== undefined || opened.latest === undefined) throw new ConcordError('LEDGER_CORRUPT', `${path} is not a checkpoint this node signed: ${why}`);
  return opened.latest;
}

function readKeptFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConcordError(
        'LEDGER_CORRUPT',
        `${path} is missing: this node cannot tell whether its log was rewritten, so it will not sign or append (restore the file, or the whole directory, from a backup)`,
      );
    }
    throw new ConcordError('LEDGER_CORRUPT', `cannot read ${path}: ${(e as Error).message}`, undefined, { cause: e });
  }
}

/** The kept checkpoint of a data directory, checked; LEDGER_CORRUPT when it is missing or not this log's. */
export function readKeptCheckpoint(dir: string, verifier: Verifier, origin: string): KeptCheckpoint {
  const path = join(dir, KEPT_CHECKPOINT_FILE);
  return latestKept(readKeptFile(path), verifier, origin, path).kept;
}

/** how often a swap is tried again after finding the file changed beside the latest checkpoint, before it gives up */
const MAX_SLOT_RETRIES = 3;

/**
 * Replaces the kept checkpoint with `next` if the file's latest is still
 * `expected`, and returns undefined. When another process of this node
 * signed meanwhile, writes nothing and returns the checkpoint the file holds
 * now (the caller checks its tree against it before it tries again);
 * LEDGER_CORRUPT when the file holds no checkpoint of this log.
 */
export async function replaceKeptCheckpoint(
  dir: string,
  expected: KeptCheckpoint,
  next: string,
  verifier: Verifier,
  origin: string,
): Promise<KeptCheckpoint | undefined> {
  const path = join(dir, KEPT_CHECKPOINT_FILE);
  let into: SlotNamed | undefined;
  for (let tries = 0; tries < MAX_SLOT_RETRIES; tries++) {
    const current = await swap(dir, expected.note, next, into);
    if (current === undefined) return undefined;
    const opened = latestKept(current, verifier, origin, path);
    if (opened.kept.note !== expected.note) return opened.kept;
    // still the latest, beside a slot the swap did not expect (damaged, or a note saying a larger size that is not
    // ours): write over that one, if the file is still as read here
    into = { slot: 1 - opened.slot, seen: current };
  }
  throw new ConcordError('LEDGER_CONTENDED', `${path} kept changing while this node signed; nothing was signed`);
}

/**
 * One compare-and-swap (kept-slots.ts swapSlotSync) under the lock:
 * undefined once `note` is kept, else the file's bytes. On the
 * kept-checkpoint thread, whole, once the node has started it
 * (startKeptWriter: a node signing often, whose main thread is busy
 * building appends), unless this process holds the lock already (another
 * service of this process on the same directory) or the thread finds it
 * held: then here.
 */
async function swap(dir: string, expected: string, note: string, into: SlotNamed | undefined): Promise<Buffer | undefined> {
  const path = join(dir, KEPT_CHECKPOINT_FILE);
  const lockPath = join(dir, LOCK_FILE);
  if (keeper !== undefined && keeper.dead === undefined && !held.has(lockPath)) {
    // the lock the thread takes names this process: held here meanwhile, so that lock() does not break it
    held.add(lockPath);
    let reply: KeptReply;
    try {
      reply = await keeper.run({ dir, file: KEPT_CHECKPOINT_FILE, lock: LOCK_FILE, expected, note, ...(into !== undefined ? { into } : {}) });
    } finally {
      held.delete(lockPath);
    }
    if (reply.unreadable) throw disappeared(path, reply.error);
    if (reply.error !== undefined) throw notKept(path, reply.error);
    if (reply.current !== undefined) return Buffer.from(reply.current);
    if (!reply.busy) return undefined;
  }
  const release = await lock(dir);
  try {
    let result;
    try {
      result = await swapSlot(path, expected, note, into);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw disappeared(path, (e as Error).message);
      throw notKept(path, (e as Error).message);
    }
    return 'current' in result ? result.current : undefined;
  } finally {
    release();
  }
}

/** the file could not be read or written (a full disk, its permissions): the checkpoint is not kept, so it was not signed */
function notKept(path: string, why: string): ConcordError {
  return new ConcordError('DATA_DIR_UNUSABLE', `cannot keep the checkpoint in ${path} (${why}); nothing was signed`);
}

function disappeared(path: string, why: string | undefined): ConcordError {
  return new ConcordError('LEDGER_CORRUPT', `${path} disappeared while the node was running: it will not sign without it (${why ?? 'unreadable'})`);
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
  run(job: Omit<KeptJob, 'id'>): Promise<KeptReply> {
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
