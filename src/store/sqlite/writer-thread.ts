/**
 * The process's writer thread, seen from the main thread. Every SQLite
 * ledger store in the process sends its writes here; the thread commits them
 * one at a time in the order sent and replies after each COMMIT, so the
 * main thread builds the next batch while the last one is being fsynced.
 *
 * Started on the first write, not on open (readers and verifiers never pay
 * for it). It keeps the process alive only while a write is outstanding.
 */
import { Worker } from 'node:worker_threads';
import type { BatchWrite, CheckpointWrite, WriteRefusal, WriteSink } from './batch-writer.ts';
import { workerUrl } from '../../worker-url.ts';

const WORKER_URL = workerUrl('writer', import.meta.url);

export type WriterRequest =
  | { readonly seq: number; readonly ledger: number; readonly op: 'open'; readonly path: string }
  | { readonly seq: number; readonly ledger: number; readonly op: 'batch'; readonly batch: BatchWrite }
  | { readonly seq: number; readonly ledger: number; readonly op: 'checkpoint'; readonly checkpoint: CheckpointWrite }
  | { readonly seq: number; readonly ledger: number; readonly op: 'close' };

export interface WriterReply {
  readonly seq: number;
  readonly refusal?: WriteRefusal;
}

type Outgoing = WriterRequest extends infer R ? (R extends WriterRequest ? Omit<R, 'seq' | 'ledger'> : never) : never;

class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, (r: WriteRefusal | undefined) => void>();
  private nextSeq = 0;
  /** why the thread stopped, once it has */
  dead: string | undefined;

  constructor() {
    this.worker = new Worker(WORKER_URL);
    this.worker.on('message', (reply: WriterReply) => {
      const done = this.waiting.get(reply.seq);
      this.waiting.delete(reply.seq);
      if (this.waiting.size === 0) this.worker.unref();
      done?.(reply.refusal);
    });
    // the thread died (out of memory, a native fault): whatever it had not
    // answered may or may not be committed; the stores recover from disk
    const die = (why: string): void => {
      if (this.dead) return;
      this.dead = why;
      if (shared === this) shared = undefined;
      for (const done of this.waiting.values()) done({ kind: 'unknown', message: `the writer thread stopped: ${why}` });
      this.waiting.clear();
    };
    this.worker.on('error', (e) => die(e.message));
    this.worker.on('exit', (code) => die(`exit code ${code}`));
    // after the listeners: one added to an unref'd worker refs it again, and the process would never exit (nodejs/node#53036)
    this.worker.unref();
  }

  send(ledger: number, req: Outgoing, transfer: readonly ArrayBuffer[] = []): Promise<WriteRefusal | undefined> {
    if (this.dead) return Promise.resolve({ kind: 'failed', message: `the writer thread stopped: ${this.dead}` });
    const seq = this.nextSeq++;
    return new Promise((resolve) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(seq, resolve);
      this.worker.postMessage({ ...req, seq, ledger }, transfer);
    });
  }
}

/** a view over the whole of its own ArrayBuffer (not a slice of Node's shared pool, which must never be moved) */
function ownsItsBuffer(a: ArrayBufferView): boolean {
  return a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}

let shared: WriterThread | undefined;
let nextLedger = 0;

/** one ledger's line to the writer thread (a new thread if the last one stopped) */
export class LedgerWriter implements WriteSink {
  private thread: WriterThread | undefined;
  private readonly ledger = nextLedger++;

  constructor(private readonly path: string) {
    this.line();
  }

  private line(): WriterThread {
    if (this.thread === undefined || this.thread.dead !== undefined) {
      this.thread = shared ??= new WriterThread();
      // not awaited: requests run in order, so a failed open answers the first write
      void this.thread.send(this.ledger, { op: 'open', path: this.path });
    }
    return this.thread;
  }

  /**
   * Commits a batch; batches and checkpoints queued together share one
   * transaction. Its packed texts are moved to the thread, not copied (a
   * third of the cost of the message): the caller's copy is empty after.
   */
  batch(batch: BatchWrite): Promise<WriteRefusal | undefined> {
    const transfer = [batch.texts.bytes, batch.texts.ends].filter(ownsItsBuffer).map((a) => a.buffer as ArrayBuffer);
    return this.line().send(this.ledger, { op: 'batch', batch }, transfer);
  }

  checkpoint(checkpoint: CheckpointWrite): Promise<WriteRefusal | undefined> {
    return this.line().send(this.ledger, { op: 'checkpoint', checkpoint });
  }

  async close(): Promise<void> {
    if (this.thread?.dead === undefined) await this.thread?.send(this.ledger, { op: 'close' });
  }
}
