/**
 * Worker thread body: keeps a data directory's checkpoint file with
 * synchronous calls, so that each job is one message from the main thread
 * and one back, instead of a dozen trips through the thread pool that each
 * wait for a main thread busy building appends.
 *
 * - `write`: the file written atomically (atomic-file.ts: temp file, fsync,
 *   rename, fsync of the directory); the main thread holds the lock.
 * - `swap`: the whole compare-and-swap of kept-checkpoint.ts: the lock taken
 *   (one try: a lock someone holds is answered `busy`, and the main thread
 *   goes its own way, which waits for it or breaks it), the file compared
 *   with the checkpoint expected, the new one written, the lock removed.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { writeFileAtomicallySync } from '../atomic-file.ts';

export type KeptJob =
  | { readonly kind: 'write'; readonly id: number; readonly dir: string; readonly file: string; readonly note: string }
  | {
      readonly kind: 'swap';
      readonly id: number;
      readonly dir: string;
      readonly file: string;
      readonly lock: string;
      /** the note the file must hold for `note` to replace it */
      readonly expected: string;
      readonly note: string;
    };

export interface KeptReply {
  readonly id: number;
  /** the write failed, or the file could not be read (`unreadable`) */
  readonly error?: string;
  readonly unreadable?: true;
  /** swap: the lock is held; nothing was read or written */
  readonly busy?: true;
  /** swap: the file held this instead of the note expected; nothing was written */
  readonly current?: string;
}

function swap(job: Extract<KeptJob, { kind: 'swap' }>): KeptReply {
  const lockPath = join(job.dir, job.lock);
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { id: job.id, busy: true };
    throw e;
  }
  try {
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    const path = join(job.dir, job.file);
    let current: string;
    try {
      current = readFileSync(path, 'utf8');
    } catch (e) {
      return { id: job.id, unreadable: true, error: (e as Error).message };
    }
    if (current !== job.expected) return { id: job.id, current };
    writeFileAtomicallySync(path, job.note);
    return { id: job.id };
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // broken meanwhile by a process that judged this one dead
    }
  }
}

parentPort?.on('message', (job: KeptJob) => {
  let reply: KeptReply;
  try {
    if (job.kind === 'swap') {
      reply = swap(job);
    } else {
      writeFileAtomicallySync(join(job.dir, job.file), job.note);
      reply = { id: job.id };
    }
  } catch (e) {
    reply = { id: job.id, error: (e as Error).message };
  }
  parentPort?.postMessage(reply);
});
