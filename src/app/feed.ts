/**
 * The live feed: every entry of the ledger, in ledger order, to each
 * subscriber that may see it, from just after the index it names. The
 * ledger is the feed's only source: the hub reads what the store holds
 * (whoever appended it), so a subscriber can never see an entry the ledger
 * does not hold, nor miss one it does.
 *
 * A subscriber first catches up from the store on its own (reading pages
 * from its cursor), then joins the live set at the one moment its cursor
 * equals the hub's head: from then on it gets each new entry as the hub
 * reads it. So resuming after `since` has no gap and no duplicate, however
 * the catching up and the appends interleave.
 *
 * Each entry's message is built once and shared by every subscriber it goes
 * to; whether a subscriber may see it is the subscriber's own predicate
 * (agency boundaries). The entries the hub reads at once go to each
 * subscriber as one run, filtered once per viewer (subscribers who read as
 * the same caller see the same entries), so a thousand clients of a few
 * agencies cost a few filters and one write each, not one per entry.
 */
import { ConcordError } from '../errors.ts';
import type { LedgerStore } from '../store/store.ts';
import { revealedEntries, type RevealedEntry } from './revealed.ts';

export interface FeedEntry {
  readonly index: number;
  readonly type: string;
  readonly incident?: string;
  readonly actor: { readonly agency: string; readonly person?: string; readonly device?: string };
  readonly received: string;
  readonly body: Readonly<Record<string, unknown>>;
  /**
   * the stored canonical text with the node's sealed values in place (revealed.ts): what the
   * entry's audience reads; the hashed text, commitments only, is in bundles and releases
   */
  readonly text: string;
  /** the message a subscriber is sent: {"type":"entry","index":N,"entry":<text>} */
  readonly message: string;
  /** the message in UTF-8, encoded once for every subscriber it goes to */
  readonly bytes: Buffer;
}

/**
 * Entries in ledger order that one delivery sends to a subscriber, all of
 * them visible to it. Subscribers with the same viewer get the very same
 * run object in a delivery, so whatever a transport derives from a run (its
 * frames, say) it can derive once and share.
 */
export interface FeedRun {
  readonly entries: readonly FeedEntry[];
}

export interface FeedSubscriber {
  /**
   * Who the subscriber reads as: subscribers with the same viewer may see
   * exactly the same entries (the hub filters a delivery once per viewer).
   */
  readonly viewer: string;
  /** may this subscriber see the entry? (asked once per entry and viewer, in order) */
  readonly visible: (entry: FeedEntry) => boolean;
  /**
   * Sends a run of entries (never empty). Returns false when the subscriber
   * cannot keep up (its transport's backlog is too long): nothing of the run
   * is sent, the hub drops it, and the subscriber resumes later from the
   * last index it received.
   */
  readonly send: (run: FeedRun) => boolean;
  /** the hub dropped the subscriber (too slow, or the hub closed) */
  readonly dropped: (why: 'too slow' | 'closed') => void;
}

export interface FeedSubscription {
  /** the index after which entries come next (the last one seen, visible or not) */
  readonly cursor: () => number;
  unsubscribe(): void;
}

/** entries read from the store at once while catching up */
const PAGE = 500;

export interface FeedOptions {
  /** entries read from the store at once (tests make it small, to cross pages) */
  readonly page?: number;
  /** sees each new entry once, in ledger order, before any subscriber does (to index who may read it) */
  readonly onEntry?: (entry: FeedEntry) => void;
}

export function feedEntry(index: number, text: string, sealed?: RevealedEntry['sealed']): FeedEntry {
  const e = JSON.parse(text) as Omit<FeedEntry, 'text' | 'message' | 'bytes'>;
  // a sealed entry also carries what the log hashed and the disclosures opening its commitments, so a reader can check both
  const proof = sealed === undefined ? '' : `,"sealed":{"disclosures":${JSON.stringify(sealed.disclosures)},"text":${JSON.stringify(sealed.text)}}`;
  const message = `{"type":"entry","index":${index},"entry":${text}${proof}}`;
  return {
    index,
    type: e.type,
    ...(e.incident !== undefined ? { incident: e.incident } : {}),
    actor: e.actor,
    received: e.received,
    body: e.body,
    text,
    message,
    bytes: Buffer.from(message),
  };
}

interface Live {
  readonly subscriber: FeedSubscriber;
  /** the next index this subscriber needs */
  next: number;
  closed: boolean;
}

export class LedgerFeed {
  private readonly store: LedgerStore;
  /** the next index the hub reads */
  private head: number;
  private readonly live = new Set<Live>();
  private reading: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private readonly page: number;
  private readonly onEntry: ((entry: FeedEntry) => void) | undefined;

  private constructor(store: LedgerStore, head: number, opts: FeedOptions) {
    this.store = store;
    this.head = head;
    this.page = opts.page ?? PAGE;
    this.onEntry = opts.onEntry;
  }

  /** a hub whose live set starts at the store's current end */
  static async open(store: LedgerStore, opts: FeedOptions = {}): Promise<LedgerFeed> {
    return new LedgerFeed(store, await store.size(), opts);
  }

  /** the index the next entry will have, as far as the hub has read */
  get size(): number {
    return this.head;
  }

  /**
   * Entries may have been appended: read them and send them out. Calls
   * while a read is under way run one more read after it, never two at once.
   */
  notify(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading !== undefined) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          await this.readNew();
        } while (this.again && !this.closed);
      } finally {
        this.reading = undefined;
      }
    })();
    return this.reading;
  }

  private async readNew(): Promise<void> {
    const size = await this.store.size();
    for (let from = this.head; from < size; from += this.page) {
      const to = Math.min(size, from + this.page);
      const page: FeedEntry[] = [];
      for await (const stored of revealedEntries(this.store, from, to)) {
        const entry = feedEntry(stored.index, stored.text, stored.sealed);
        this.onEntry?.(entry);
        page.push(entry);
      }
      const last = page[page.length - 1];
      if (last === undefined) continue;
      this.head = last.index + 1;
      // the page goes out as one run per subscriber, filtered once per viewer
      const runs = new Map<string, FeedRun>();
      for (const l of this.live) this.deliverRun(l, page, runs);
    }
  }

  /**
   * The entries of `page` from the subscriber's next index on, those it may
   * see, as one run. `shared` holds the runs already filtered for each
   * viewer in this delivery (valid for a subscriber that needs the page from
   * its first entry, as every live one does).
   */
  private deliverRun(l: Live, page: readonly FeedEntry[], shared?: Map<string, FeedRun>): void {
    if (l.closed) return;
    const start = page.findIndex((e) => e.index === l.next);
    // nothing it has not had (a gap cannot happen: the live set and catching up both read in order)
    if (start < 0) return;
    l.next = (page[page.length - 1] as FeedEntry).index + 1;
    const viewer = l.subscriber.viewer;
    let run = start === 0 ? shared?.get(viewer) : undefined;
    if (run === undefined) {
      run = { entries: (start === 0 ? page : page.slice(start)).filter((e) => l.subscriber.visible(e)) };
      if (start === 0) shared?.set(viewer, run);
    }
    if (run.entries.length === 0) return;
    if (!l.subscriber.send(run)) {
      // nothing of the run went out: the subscriber resumes from before it
      l.next = (run.entries[0] as FeedEntry).index;
      this.drop(l, 'too slow');
    }
  }

  private drop(l: Live, why: 'too slow' | 'closed'): void {
    if (l.closed) return;
    l.closed = true;
    this.live.delete(l);
    l.subscriber.dropped(why);
  }

  /**
   * Subscribes from just after `since` (-1: from the first entry). Entries
   * already stored come first, read from the store; then the live ones.
   */
  subscribe(since: number, subscriber: FeedSubscriber): FeedSubscription {
    if (this.closed) throw new ConcordError('LEDGER_CLOSED', 'the feed is closed');
    if (!Number.isSafeInteger(since) || since < -1)
      throw new ConcordError('BAD_INPUT', `since must be -1 or an entry index, not ${since}`, { field: 'query.since' });
    if (since >= this.head) {
      throw new ConcordError('BAD_INPUT', `since ${since} is beyond the last entry of this log (${this.head - 1}); resume from an index this feed sent`, {
        field: 'query.since',
      });
    }
    const l: Live = { subscriber, next: since + 1, closed: false };
    void this.catchUp(l).catch(() => this.drop(l, 'closed'));
    return {
      cursor: () => l.next - 1,
      unsubscribe: () => {
        l.closed = true;
        this.live.delete(l);
      },
    };
  }

  private async catchUp(l: Live): Promise<void> {
    for (;;) {
      if (l.closed) return;
      // the moment the cursor reaches the head (nothing in between: one synchronous step), it joins the live set
      if (l.next >= this.head) {
        this.live.add(l);
        return;
      }
      const to = Math.min(this.head, l.next + this.page);
      const page: FeedEntry[] = [];
      for await (const stored of revealedEntries(this.store, l.next, to)) page.push(feedEntry(stored.index, stored.text, stored.sealed));
      if (l.closed) return;
      this.deliverRun(l, page);
    }
  }

  /** drops every subscriber (they resume elsewhere or later) and reads no more */
  close(): void {
    this.closed = true;
    for (const l of [...this.live]) this.drop(l, 'closed');
  }
}
