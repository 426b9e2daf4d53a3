/**
 * Worker thread body: writes a data directory's kept checkpoint file
 * atomically (atomic-file.ts: temp file, fsync, rename, fsync of the
 * directory) with synchronous calls,
 * so that the whole write is one message from the main thread and one back,
 * instead of eight trips through the thread pool that each wait for the
 * main thread to be free.
 */
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { writeFileAtomicallySync } from '../atomic-file.ts';

export interface KeptWrite {
  readonly id: number;
  readonly dir: string;
  readonly file: string;
  readonly note: string;
}

export interface KeptWriteReply {
  readonly id: number;
  readonly error?: string;
}

parentPort?.on('message', (w: KeptWrite) => {
  let reply: KeptWriteReply;
  try {
    writeFileAtomicallySync(join(w.dir, w.file), w.note);
    reply = { id: w.id };
  } catch (e) {
    reply = { id: w.id, error: (e as Error).message };
  }
  parentPort?.postMessage(reply);
});
