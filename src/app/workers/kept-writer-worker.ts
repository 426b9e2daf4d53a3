/**
 * Worker thread body: writes a data directory's kept checkpoint file
 * atomically (kept-checkpoint.ts, writeAtomically) with synchronous calls,
 * so that the whole write is one message from the main thread and one back,
 * instead of eight trips through the thread pool that each wait for the
 * main thread to be free.
 */
import { closeSync, constants, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';

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

function writeAtomically({ dir, file, note }: KeptWrite): void {
  const target = join(dir, file);
  const tmp = `${target}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    const bytes = Buffer.from(note, 'utf8');
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // commit point: the rename; then the directory is fsynced so the rename itself is durable
  renameSync(tmp, target);
  const d = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}

parentPort?.on('message', (w: KeptWrite) => {
  let reply: KeptWriteReply;
  try {
    writeAtomically(w);
    reply = { id: w.id };
  } catch (e) {
    reply = { id: w.id, error: (e as Error).message };
  }
  parentPort?.postMessage(reply);
});
