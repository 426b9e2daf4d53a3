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
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { tryLockFile, writeFileAtomicallySync } from '../atomic-file.ts';

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
  const release = tryLockFile(join(job.dir, job.lock));
  if (release === undefined) return { id: job.id, busy: true };
  try {
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
    release();
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
