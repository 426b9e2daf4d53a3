/**
 * Reads and checks runs of stored entries for the data-directory verifier:
 * format, index continuity, origin, receive-time order, leaf hashes. On a
 * large log the runs go to worker threads, each with its own read-only
 * connection, so reading and checking use every core while the main thread
 * rebuilds the tree. Results come back in the order the runs were asked for.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { checkEntryRun, type EntryColumns, type EntryRunResult } from '../../ledger/entry.ts';
import { leafHash, leafHashText } from '../../ledger/merkle/hash.ts';
import { workerUrl } from '../../worker-url.ts';

/** below this many entries the verifier stays on the main thread */
const WORKER_THRESHOLD = Number(process.env.CONCORD_VERIFY_WORKER_THRESHOLD ?? 50_000);
const WORKER_URL = workerUrl('entry-runs', import.meta.url);

export interface StoredRunResult extends EntryRunResult {
  /** entries read: less than asked when an index is missing */
  readonly count: number;
  /** the first index of the run that is not stored where it should be */
  readonly missing?: { readonly expected: number; readonly found: number | undefined };
}

export interface RunRequest {
  readonly id: number;
  readonly path: string;
  readonly origin: string;
  readonly from: number;
  readonly to: number;
}

type Row = [idx: unknown, text: unknown, received: unknown, type: unknown, incident: unknown];
const connections = new Map<string, { db: Database.Database; read: Database.Statement<[number, number], Row> }>();

/**
 * Reads entries [from, to) from the database at `path` and checks them: the
 * text, and the columns stored beside it against what the text says. A row
 * whose text is not text (a BLOB, a number) is reported and hashed as the
 * bytes it holds, so the tree goes on being rebuilt.
 */
export function checkStoredRun(path: string, origin: string, from: number, to: number): StoredRunResult {
  let c = connections.get(path);
  if (!c) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    const read = db.prepare<[number, number], Row>('SELECT idx, text, received, type, incident FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx').raw(true);
    c = { db, read };
    connections.set(path, c);
  }
  const rows = c.read.all(from, to);
  const texts: string[] = [];
  const columns: EntryColumns[] = [];
  const notText: Array<{ index: number; bytes: Uint8Array; reason: string }> = [];
  let missing: StoredRunResult['missing'];
  for (let i = 0; i < to - from; i++) {
    const row = rows[i];
    if (row === undefined || row[0] !== from + i) {
      missing = { expected: from + i, found: typeof row?.[0] === 'number' ? row[0] : undefined };
      break;
    }
    const text = row[1];
    if (typeof text === 'string') {
      texts.push(text);
    } else {
      const bytes = text instanceof Uint8Array ? text : Buffer.from(String(text), 'utf8');
      notText.push({ index: from + i, bytes, reason: `its stored text is ${text instanceof Uint8Array ? 'a BLOB' : `a ${typeof text}`}, not text` });
      // the run check is given an empty text in its place, so it reports the entry as damaged;
      // the entry's leaf is then set from the bytes actually stored (below), which is what verify must hash
      texts.push('');
    }
    columns.push({ received: row[2], type: row[3], incident: row[4] });
  }
  const result = checkEntryRun(texts, from, origin, '', leafHashText, columns);
  if (notText.length === 0) return { ...result, count: texts.length, ...(missing ? { missing } : {}) };
  const bad = new Set(notText.map((n) => n.index));
  for (const n of notText) result.leaves.set(leafHash(n.bytes), (n.index - from) * 32);
  const problems = [...result.problems.filter((p) => !bad.has(p.index)), ...notText.map((n) => ({ index: n.index, reason: n.reason }))].sort(
    (a, b) => a.index - b.index,
  );
  return { ...result, problems, count: texts.length, ...(missing ? { missing } : {}) };
}

/** readers using each path's connection on this thread: the last to close closes it */
const users = new Map<string, number>();

function useStoredRuns(path: string): void {
  users.set(path, (users.get(path) ?? 0) + 1);
}

function closeStoredRuns(path: string): void {
  const left = (users.get(path) ?? 1) - 1;
  if (left > 0) {
    users.set(path, left);
    return;
  }
  users.delete(path);
  connections.get(path)?.db.close();
  connections.delete(path);
}

interface Waiting {
  readonly resolve: (r: StoredRunResult) => void;
  readonly reject: (e: unknown) => void;
}

export class EntryRunReader {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private failed: unknown;

  constructor(
    private readonly path: string,
    private readonly origin: string,
    totalEntries: number,
  ) {
    useStoredRuns(path);
    const n = totalEntries >= WORKER_THRESHOLD ? Math.min(4, availableParallelism()) : 0;
    for (let i = 0; i < n; i++) {
      const w = new Worker(WORKER_URL);
      w.on('message', (msg: StoredRunResult & { id: number }) => {
        const waiter = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        waiter?.resolve(msg);
      });
      w.on('error', (e) => this.fail(e));
      this.workers.push(w);
    }
  }

  /** how many runs may usefully be in flight */
  get parallelism(): number {
    return Math.max(1, this.workers.length * 2);
  }

  check(from: number, to: number): Promise<StoredRunResult> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.workers.length === 0) {
      try {
        return Promise.resolve(checkStoredRun(this.path, this.origin, from, to));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length] as Worker;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const req: RunRequest = { id, path: this.path, origin: this.origin, from, to };
      worker.postMessage(req);
    });
  }

  private fail(e: unknown): void {
    this.failed = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    closeStoredRuns(this.path);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
