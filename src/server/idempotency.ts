/**
 * Idempotency-Key on POST: a client that retries a command (its connection
 * dropped, it never saw the answer) sends the same key and gets the first
 * answer back, and nothing is appended twice. Keys are the caller's own:
 * the same key from another caller is another key. A key reused with
 * another request (other route or body) is refused, as is a key whose
 * first request is still running (the retry waits for it instead).
 */
import { createHash } from 'node:crypto';
import { HttpProblem } from './problem.ts';

export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
}

interface Slot {
  /** hash of the method, route and body the key was first used with */
  readonly fingerprint: string;
  /** settles with the first answer */
  readonly answer: Promise<StoredAnswer>;
  readonly at: number;
}

/** keys are kept this long: a retry comes within seconds or minutes, not days */
const KEEP_MS = 24 * 60 * 60 * 1000;
const MAX_KEYS = 100_000;
export const MAX_KEY_LENGTH = 200;

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
    run: () => Promise<StoredAnswer>,
  ): Promise<StoredAnswer & { readonly replayed: boolean }> {
    if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(key)) {
      throw new HttpProblem('BAD_INPUT', 400, `Idempotency-Key must be 1 to ${MAX_KEY_LENGTH} visible ASCII characters`, 'headers.idempotency-key');
    }
    this.expire();
    const id = `${caller}\n${key}`;
    const fingerprint = createHash('sha256').update(fingerprintParts.join('\n')).digest('hex');
    const existing = this.slots.get(id);
    if (existing !== undefined) {
      if (existing.fingerprint !== fingerprint) {
        throw new HttpProblem(
          'IDEMPOTENCY_CONFLICT',
          422,
          'this Idempotency-Key was first used with another request; use a new key for a new request',
          'headers.idempotency-key',
        );
      }
      return { ...(await existing.answer), replayed: true };
    }
    const answer = run();
    this.slots.set(id, { fingerprint, answer, at: this.clock() });
    try {
      const a = await answer;
      if (a.status >= 500) this.slots.delete(id);
      return { ...a, replayed: false };
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
