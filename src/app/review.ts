/**
 * The review queries over a node (docs/review.md): the merged timeline of an
 * incident read from the ledger, who knew what when, decision traces and
 * statements against the record, read from the live world. The queries
 * themselves are pure (src/review/); this module reads the store and hands
 * them the entries, the world and who may read what.
 *
 * Who may read what is the caller's: the server passes its per-entry
 * audiences (entry-audiences.ts, the same the live feed uses), the command
 * line, which runs on the node's own data directory, reads as a reviewer.
 */
import { requireVisibleIncident, type Caller, type World } from '../domain/index.ts';
import type { Entry } from '../ledger/entry.ts';
import { statementsAgainstRecord, type StatementView } from '../review/claims.ts';
import { knewAt, knewDuring, type KnewAt, type KnewDuring, type Subject } from '../review/knew.ts';
import { DEFAULT_PAGE_SIZE, TimelinePager, checkTimelineQuery, type TimelinePage, type TimelineQuery } from '../review/timeline.ts';
import { traceOrder, traceRequest, type OrderTrace, type RequestTrace } from '../review/trace.ts';
import type { LedgerStore } from '../store/store.ts';
import { revealedEntries } from './revealed.ts';

export interface ReviewSource {
  readonly store: LedgerStore;
  /** the world now (a live node's, or one rebuilt from the ledger) */
  readonly world: () => World;
  /** may the caller read the entry at `index`? (undefined: the caller reads every entry, as a reviewer does) */
  readonly readable?: (caller: Caller) => Promise<(index: number) => boolean>;
}

/** the reader the command line is on a node's own data directory: it reads everything, as a reviewer */
export const NODE_READER: Caller = { agency: '(node)', role: 'reviewer' };

export class ReviewService {
  readonly #source: ReviewSource;

  constructor(source: ReviewSource) {
    this.#source = source;
  }

  async #readable(caller: Caller): Promise<(index: number) => boolean> {
    if (caller.role === 'reviewer' || this.#source.readable === undefined) return () => true;
    return this.#source.readable(caller);
  }

  /**
   * One page of an incident's merged timeline. Reads the incident's entries
   * from the store (its index by incident) only as far as the page needs.
   */
  async timeline(caller: Caller, incident: string, q: TimelineQuery): Promise<TimelinePage> {
    checkTimelineQuery(q);
    requireVisibleIncident(this.#source.world(), caller, incident);
    const visible = await this.#readable(caller);
    const pager = new TimelinePager(visible, q);
    const store = this.#source.store;
    const size = await store.size();
    // the store reads a range in chunks of thousands: read windows of the log that grow fourfold, so a
    // page of a dense incident reads about a page of entries and a sparse one few windows
    let from = q.after === undefined ? 0 : q.after + 1;
    let span = (q.limit ?? DEFAULT_PAGE_SIZE) + 1;
    while (from < size) {
      const to = Math.min(size, from + span);
      // with the node's sealed values in place, as the feed sends them (the pager drops what the caller may not read)
      for await (const stored of revealedEntries(store, from, to, { incident })) {
        if (!pager.offer(JSON.parse(stored.text) as Entry)) return pager.page();
      }
      from = to;
      span *= 4;
    }
    return pager.page();
  }

  knewAt(caller: Caller, subject: Subject, at: string): KnewAt {
    return knewAt(this.#source.world(), caller, subject, at);
  }

  knewDuring(caller: Caller, subject: Subject, from: string, until: string): KnewDuring {
    return knewDuring(this.#source.world(), caller, subject, from, until);
  }

  traceOrder(caller: Caller, order: string): OrderTrace {
    return traceOrder(this.#source.world(), caller, order);
  }

  traceRequest(caller: Caller, request: string): RequestTrace {
    return traceRequest(this.#source.world(), caller, request);
  }

  async statements(caller: Caller, incident: string): Promise<StatementView[]> {
    const world = this.#source.world();
    requireVisibleIncident(world, caller, incident);
    return statementsAgainstRecord(world, caller, incident, await this.#readable(caller));
  }
}
