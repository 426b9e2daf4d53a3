/**
 * Idempotency-Key on POST: a client that retries a command (its connection
 * dropped, it never saw the answer) sends the same key and gets the first
 * answer back, and nothing is appended twice. Keys are the caller's own:
 * the same key from another caller is another key. A key reused with
 * another request (other route or body) is refused, as is a key whose
 * first request is still running (the retry waits for it instead).
 *
 * Answers are kept in memory for a day. A command's is kept for good as
 * well: its receipt (a hash of caller and key, and of the request) is
 * stored in the ledger in the same commit as the command's entries, so a
 * retry after a restart, or after a crash that lost the answer on its way,
 * gets the first answer rebuilt from them and appends nothing. A refusal
 * stores nothing; after a restart its retry is decided again.
 */
import { createHash } from 'node:crypto';
import { HttpProblem } from './problem.ts';

export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Names a request sent with an Idempotency-Key where it is stored with what
 * it did (the ledger's receipts): `id` hashes the caller and the key, so
 * neither is kept; `fingerprint` hashes the method, route and body.
 */
export interface IdempotencyReceipt {
  readonly id: string;
  readonly fingerprint: string;
}

/** a first answer rebuilt from what was stored, with the fingerprint it was stored under */
export interface RecalledAnswer {
  readonly fingerprint: string;
  readonly body: unknown;
}

interface Slot {
  /** hash of the method, route and body the key was first used with */
  readonly fingerprint: string;
  /** settles with the first answer */
  readonly answer: Promise<StoredAnswer & { readonly replayed: boolean }>;
  readonly at: number;
}

/** keys are kept this long: a retry comes within seconds or minutes, not days */
const KEEP_MS = 24 * 60 * 60 * 1000;
const MAX_KEYS = 100_000;
export const MAX_KEY_LENGTH = 200;

function conflict(): HttpProblem {
  return new HttpProblem(
    'IDEMPOTENCY_CONFLICT',
    422,
    'this Idempotency-Key was first used with another request; use a new key for a new request',
    'headers.idempotency-key',
  );
}

export class IdempotencyKeys {
  private readonly slots = new Map<string, Slot>();
  private readonly clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.clock = clock;
  }

  /**
   * Runs `run` once per (caller, key): a retry with the same request gets
   * the first answer (waiting for it if it is still running). Only answers
   * that carried the command out or refused it for good are kept; a failure
   * of the server itself (5xx) frees the key so that a retry runs again.
   */
  async once(
    caller: string,
    key: string,
    fingerprintParts: readonly string[],
    run: (receipt: IdempotencyReceipt) => Promise<StoredAnswer>,
    recall?: (receipt: IdempotencyReceipt) => Promise<(RecalledAnswer & { readonly status: number }) | undefined>,
  ): Promise<StoredAnswer & { readonly replayed: boolean }> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new HttpProblem('BAD_INPUT', 400, `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`, 'headers.idempotency-key');
    }
    this.expire();
    const id = `${caller}\n${key}`;
    const fingerprint = createHash('sha256').update(fingerprintParts.join('\n')).digest('hex');
    const receipt: IdempotencyReceipt = { id: createHash('sha256').update(id).digest('hex'), fingerprint };
    const existing = this.slots.get(id);
    if (existing !== undefined) {
      if (existing.fingerprint !== fingerprint) throw conflict();
      return { ...(await existing.answer), replayed: true };
    }
    // not in memory: what was stored with it before a restart answers, else it runs (the slot is
    // taken before either, so a retry that comes meanwhile waits for this one)
    const answer = (async (): Promise<StoredAnswer & { readonly replayed: boolean }> => {
      const stored = recall === undefined ? undefined : await recall(receipt);
      if (stored === undefined) return { ...(await run(receipt)), replayed: false };
      if (stored.fingerprint !== fingerprint) throw conflict();
      return { status: stored.status, body: stored.body, replayed: true };
    })();
    this.slots.set(id, { fingerprint, answer, at: this.clock() });
    try {
      const a = await answer;
      if (a.status >= 500) this.slots.delete(id);
      return a;
    } catch (e) {
      this.slots.delete(id);
      throw e;
    }
  }

  private expire(): void {
    const cutoff = this.clock() - KEEP_MS;
    for (const [id, slot] of this.slots) {
      // insertion order is age order
      if (slot.at >= cutoff && this.slots.size <= MAX_KEYS) break;
      this.slots.delete(id);
    }
  }
}
