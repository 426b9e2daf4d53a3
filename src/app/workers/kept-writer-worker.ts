/**
 * Worker thread body: keeps a data directory's checkpoint with synchronous
 * calls, so that each signature is one message from the main thread and one
 * back, instead of several trips through the thread pool that each wait for
 * a main thread busy building appends.
 *
 * A job is the whole compare-and-swap of kept-checkpoint.ts: the lock taken
 * (one try: a lock someone holds is answered `busy`, and the main thread
 * goes its own way, which waits for it or breaks it), the slot written and
 * fdatasynced if the file's latest checkpoint is the one expected
 * (kept-slots.ts), the lock removed.
 */
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { tryLockFile } from '../atomic-file.ts';
import { swapSlotSync, type SlotNamed } from '../kept-slots.ts';

export interface KeptJob {
  readonly id: number;
  readonly dir: string;
  readonly file: string;
  readonly lock: string;
  /** the note the file's latest slot must hold for `note` to be written */
  readonly expected: string;
  readonly note: string;
  /** the slot to write, when the main thread has opened the file and named it */
  readonly into?: SlotNamed;
}

export interface KeptReply {
  readonly id: number;
  /** the write failed, or the file could not be read (`unreadable`) */
  readonly error?: string;
  readonly unreadable?: true;
  /** the lock is held; nothing was read or written */
  readonly busy?: true;
  /** the file's bytes when its latest slot was not the note expected; nothing was written */
  readonly current?: Uint8Array;
}

function swap(job: KeptJob): KeptReply {
  const release = tryLockFile(join(job.dir, job.lock));
  if (release === undefined) return { id: job.id, busy: true };
  try {
    const result = swapSlotSync(join(job.dir, job.file), job.expected, job.note, job.into);
    return 'current' in result ? { id: job.id, current: result.current } : { id: job.id };
  } catch (e) {
    const unreadable = (e as NodeJS.ErrnoException).code === 'ENOENT';
    return { id: job.id, error: (e as Error).message, ...(unreadable ? { unreadable: true as const } : {}) };
  } finally {
    release();
  }
}

parentPort?.on('message', (job: KeptJob) => {
  let reply: KeptReply;
  try {
    reply = swap(job);
  } catch (e) {
    reply = { id: job.id, error: (e as Error).message };
  }
  parentPort?.postMessage(reply);
});
