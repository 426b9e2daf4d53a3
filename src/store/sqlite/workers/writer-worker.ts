/**
 * Worker thread body: the process's one writer thread. Holds a BatchWriter
 * per open ledger and runs requests one at a time, in the order they were
 * sent, replying to each after its COMMIT.
 */
import { parentPort } from 'node:worker_threads';
import { BatchWriter, type WriteRefusal } from '../batch-writer.ts';
import type { WriterReply, WriterRequest } from '../writer-thread.ts';

const writers = new Map<number, BatchWriter | { readonly unusable: string }>();

function handle(req: WriterRequest): WriteRefusal | undefined {
  if (req.op === 'open') {
    try {
      writers.set(req.ledger, new BatchWriter(req.path));
      return undefined;
    } catch (e) {
      const message = `cannot open the ledger for writing: ${(e as Error).message}`;
      writers.set(req.ledger, { unusable: message });
      return { kind: 'failed', message };
    }
  }
  const w = writers.get(req.ledger);
  if (w === undefined) return { kind: 'failed', message: 'the ledger is not open for writing' };
  if (!(w instanceof BatchWriter)) return { kind: 'failed', message: w.unusable };
  switch (req.op) {
    case 'batch':
      return w.batch(req.batch);
    case 'checkpoint':
      return w.checkpoint(req.checkpoint);
    case 'close':
      writers.delete(req.ledger);
      w.close();
      return undefined;
  }
}

parentPort?.on('message', (req: WriterRequest) => {
  let refusal: WriteRefusal | undefined;
  try {
    refusal = handle(req);
  } catch (e) {
    refusal = { kind: 'failed', message: (e as Error).message };
  }
  const reply: WriterReply = refusal ? { seq: req.seq, refusal } : { seq: req.seq };
  parentPort?.postMessage(reply);
});
