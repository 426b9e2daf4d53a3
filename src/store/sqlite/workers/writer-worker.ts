/**
 * Worker thread body: the process's one writer thread. Holds a BatchWriter
 * per open ledger and runs requests in the order they were sent. Whatever
 * has queued up while it was committing is taken at once: consecutive writes
 * to one ledger go in one transaction (one fsync), and each gets its own
 * reply after that COMMIT.
 */
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BatchWriter, type Write, type WriteRefusal } from '../batch-writer.ts';
import type { WriterReply, WriterRequest } from '../writer-thread.ts';

const writers = new Map<number, BatchWriter | { readonly unusable: string }>();

function open(ledger: number, path: string): WriteRefusal | undefined {
  try {
    writers.set(ledger, new BatchWriter(path));
    return undefined;
  } catch (e) {
    const message = `cannot open the ledger for writing: ${(e as Error).message}`;
    writers.set(ledger, { unusable: message });
    return { kind: 'failed', message };
  }
}

function close(ledger: number): WriteRefusal | undefined {
  const w = writers.get(ledger);
  writers.delete(ledger);
  if (w instanceof BatchWriter) w.close();
  return undefined;
}

/** the writes of consecutive requests to one ledger, as one group */
function writeGroup(ledger: number, group: readonly WriterRequest[]): Array<WriteRefusal | undefined> {
  const w = writers.get(ledger);
  if (!(w instanceof BatchWriter)) {
    const refusal: WriteRefusal = { kind: 'failed', message: w === undefined ? 'the ledger is not open for writing' : w.unusable };
    return group.map(() => refusal);
  }
  return w.write(
    group.map((r): Write => (r.op === 'batch' ? { batch: r.batch } : { checkpoint: (r as Extract<WriterRequest, { op: 'checkpoint' }>).checkpoint })),
  );
}

const isWrite = (r: WriterRequest): boolean => r.op === 'batch' || r.op === 'checkpoint';

function run(requests: readonly WriterRequest[]): void {
  for (let i = 0; i < requests.length;) {
    const first = requests[i] as WriterRequest;
    let refusals: Array<WriteRefusal | undefined>;
    let n = 1;
    if (isWrite(first)) {
      while (i + n < requests.length && isWrite(requests[i + n] as WriterRequest) && (requests[i + n] as WriterRequest).ledger === first.ledger) n++;
      refusals = writeGroup(first.ledger, requests.slice(i, i + n));
    } else {
      refusals = [first.op === 'open' ? open(first.ledger, first.path) : close(first.ledger)];
    }
    for (let k = 0; k < n; k++) {
      const refusal = refusals[k];
      const reply: WriterReply = refusal ? { seq: (requests[i + k] as WriterRequest).seq, refusal } : { seq: (requests[i + k] as WriterRequest).seq };
      parentPort?.postMessage(reply);
    }
    i += n;
  }
}

const port = parentPort as MessagePort;
port.on('message', (first: WriterRequest) => {
  const requests = [first];
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) requests.push(m.message as WriterRequest);
  try {
    run(requests);
  } catch (e) {
    // a bug here must not leave callers waiting forever
    for (const r of requests) parentPort?.postMessage({ seq: r.seq, refusal: { kind: 'failed', message: (e as Error).message } } satisfies WriterReply);
  }
});
