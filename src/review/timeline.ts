/**
 * The merged timeline of an incident: every entry of it, whatever its
 * source (a domain event, a message, a notification, its delivery and
 * acknowledgement, an entry appended from outside such as a radio call), in
 * the ledger's order, which is the order of the server's receive times
 * (they never go backwards along the log). Beside each receive time stands
 * the time its source claimed, and the difference is flagged when it
 * exceeds a bound: a device whose clock is off, a report sent late.
 *
 * Pure: it is handed the entries (in index order, from the cursor on) and a
 * predicate saying which the reader may see (agency boundaries, computed by
 * the caller from the world just before each entry); the app reads the store.
 *
 * A page ends with a cursor, the index of its last entry: the next page is
 * the entries after it. Any index is a valid cursor, so a reader can start
 * anywhere (`after`), or at a moment (`from`).
 */
import { ConcordError } from '../errors.ts';
import type { Entry } from '../ledger/entry.ts';

/** the default bound beyond which a source's claimed time is flagged as skewed */
export const DEFAULT_SKEW_SECONDS = 5;
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** where an entry came from, in the words of a reviewer */
export type TimelineSource = 'event' | 'message' | 'notification' | 'delivery' | 'acknowledgement' | 'radio' | 'entry';

export interface TimelineItem {
  readonly index: number;
  /** the server's receive time: the order of the timeline */
  readonly received: string;
  /** the time the source claimed (a device clock, a fix's time), when it gave one */
  readonly claimed?: string;
  /** received minus claimed, in milliseconds, when a time was claimed */
  readonly skewMs?: number;
  /** |skewMs| beyond the bound */
  readonly skewed: boolean;
  readonly source: TimelineSource;
  readonly type: string;
  readonly actor: Entry['actor'];
  /** the agencies, units and people the entry names (what the filters match) */
  readonly agencies: readonly string[];
  readonly units: readonly string[];
  readonly people: readonly string[];
  /** the records it concerns, to follow (request, order, conflict, notification, message, statement) */
  readonly refs: Readonly<Record<string, string>>;
  readonly body: Entry['body'];
}

export interface TimelineFilter {
  /** entries naming this agency (as actor or party) */
  readonly agency?: string;
  /** entry types: an exact type ("order.issued") or a prefix ("request", "notification") */
  readonly types?: readonly string[];
  readonly unit?: string;
  readonly person?: string;
  /** receive times in [from, until] */
  readonly from?: string;
  readonly until?: string;
}

export interface TimelineQuery extends TimelineFilter {
  /** start after this index (the cursor of the previous page) */
  readonly after?: number;
  readonly limit?: number;
  /** the skew bound in seconds */
  readonly skewSeconds?: number;
}

export interface TimelinePage {
  readonly items: readonly TimelineItem[];
  /** the cursor for the next page (the last index looked at), absent at the end */
  readonly next?: number;
  readonly skewSeconds: number;
}

function sourceOf(type: string): TimelineSource {
  if (type === 'message.sent') return 'message';
  if (type === 'notification.created') return 'notification';
  if (type === 'notification.delivered') return 'delivery';
  if (type === 'notification.acknowledged' || type === 'order.acknowledged') return 'acknowledgement';
  if (type.startsWith('radio.')) return 'radio';
  return type.includes('.') && /^(agency|position|person|unit|delegation|incident|request|order|conflict|statement|claim)\./.test(type) ? 'event' : 'entry';
}

type Json = Entry['body'][string];

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strs(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function obj(v: Json | undefined): Readonly<Record<string, Json>> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Readonly<Record<string, Json>>) : undefined;
}

const REF_KEYS = ['request', 'order', 'conflict', 'notification', 'message', 'statement', 'claim', 'delegation', 'appointment'] as const;

/** the parties an entry names, read from its body by the field names the domain's events use */
export function timelineItem(entry: Entry, skewSeconds = DEFAULT_SKEW_SECONDS): TimelineItem {
  const b = entry.body;
  const agencies = new Set<string>([entry.actor.agency]);
  const units = new Set<string>();
  const people = new Set<string>();
  if (entry.actor.person !== undefined) people.add(entry.actor.person);
  for (const k of ['agency', 'from', 'to', 'leadAgency']) {
    const v = str(b[k]);
    if (v !== undefined) (k === 'to' && entry.type === 'delegation.granted' ? people : agencies).add(v);
  }
  for (const a of strs(b.agencies)) agencies.add(a);
  const recipient = obj(b.recipient);
  if (recipient !== undefined) {
    const kind = str(recipient.kind);
    const id = str(recipient.id);
    if (kind === 'unit' && id !== undefined) units.add(id);
    else if (kind === 'person' && id !== undefined) people.add(id);
    const a = str(recipient.agency);
    const p = str(recipient.person);
    if (a !== undefined) agencies.add(a);
    if (p !== undefined) people.add(p);
  }
  const unit = str(b.unit);
  if (unit !== undefined) units.add(unit);
  for (const u of strs(b.units)) units.add(u);
  for (const u of strs(b.members)) people.add(u);
  if (Array.isArray(b.positions)) for (const p of b.positions) if (obj(p) !== undefined) units.add(str(obj(p)?.unit) ?? '');
  units.delete('');
  for (const k of ['person', 'requester']) {
    const v = str(b[k]);
    if (v !== undefined) people.add(v);
  }
  for (const p of strs(b.people)) people.add(p);
  const refs: Record<string, string> = {};
  for (const k of REF_KEYS) {
    const v = str(b[k]);
    if (v !== undefined) refs[k] = v;
  }
  // a unit's own time of a status change, when its source gave one; else the entry's claimed time
  const claimed = entry.claimed ?? str(b.observed);
  let skew: { skewMs?: number; skewed: boolean } = { skewed: false };
  if (claimed !== undefined) {
    const skewMs = Date.parse(entry.received) - Date.parse(claimed);
    if (Number.isFinite(skewMs)) skew = { skewMs, skewed: Math.abs(skewMs) > skewSeconds * 1000 };
  }
  return {
    index: entry.index,
    received: entry.received,
    ...(claimed !== undefined ? { claimed } : {}),
    ...skew,
    source: sourceOf(entry.type),
    type: entry.type,
    actor: entry.actor,
    agencies: [...agencies],
    units: [...units],
    people: [...people],
    refs,
    body: b,
  };
}

function typeMatches(type: string, wanted: readonly string[]): boolean {
  return wanted.some((w) => type === w || type.startsWith(`${w}.`));
}

/** does the item pass the filter? (the time range is checked by the page, which may stop early at its end) */
export function matches(item: TimelineItem, f: TimelineFilter): boolean {
  if (f.agency !== undefined && !item.agencies.includes(f.agency)) return false;
  if (f.unit !== undefined && !item.units.includes(f.unit)) return false;
  if (f.person !== undefined && !item.people.includes(f.person)) return false;
  if (f.types !== undefined && f.types.length > 0 && !typeMatches(item.type, f.types)) return false;
  if (f.from !== undefined && Date.parse(item.received) < Date.parse(f.from)) return false;
  return true;
}

/** checks a query's bounds; BAD_INPUT naming the field */
export function checkTimelineQuery(q: TimelineQuery): void {
  if (q.limit !== undefined && (!Number.isSafeInteger(q.limit) || q.limit < 1 || q.limit > MAX_PAGE_SIZE)) {
    throw new ConcordError('BAD_INPUT', `limit must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${q.limit})`, { field: 'limit' });
  }
  if (q.after !== undefined && (!Number.isSafeInteger(q.after) || q.after < -1)) {
    throw new ConcordError('BAD_INPUT', `after must be -1 or an entry index (got ${q.after})`, { field: 'after' });
  }
  if (q.skewSeconds !== undefined && (!Number.isFinite(q.skewSeconds) || q.skewSeconds < 0 || q.skewSeconds > 7 * 24 * 3600)) {
    throw new ConcordError('BAD_INPUT', `skew must be a number of seconds from 0 to 604800 (got ${q.skewSeconds})`, { field: 'skew' });
  }
  for (const [k, v] of [
    ['from', q.from],
    ['until', q.until],
  ] as const) {
    if (v !== undefined && Number.isNaN(Date.parse(v))) throw new ConcordError('BAD_INPUT', `${k} must be an RFC 3339 time (got ${v})`, { field: k });
  }
  if (q.from !== undefined && q.until !== undefined && Date.parse(q.from) > Date.parse(q.until)) {
    throw new ConcordError('BAD_INPUT', `from (${q.from}) is after until (${q.until})`, { field: 'from' });
  }
}

/**
 * Builds one page of the timeline from the incident's entries offered in
 * index order (from the cursor on); `visible` says whether the reader may
 * see the entry at an index. The page is full at `limit` items, or ends at
 * the first entry received after `until` (receive times never go
 * backwards, so none after it qualifies). `offer` says whether it wants
 * more, so a reader of the store stops reading as soon as the page is done.
 */
export class TimelinePager {
  readonly #q: TimelineQuery;
  readonly #visible: (index: number) => boolean;
  readonly #limit: number;
  readonly #skew: number;
  readonly #until: number | undefined;
  readonly #items: TimelineItem[] = [];
  #last: number | undefined;
  #next: number | undefined;
  #done = false;

  constructor(visible: (index: number) => boolean, q: TimelineQuery = {}) {
    checkTimelineQuery(q);
    this.#q = q;
    this.#visible = visible;
    this.#limit = q.limit ?? DEFAULT_PAGE_SIZE;
    this.#skew = q.skewSeconds ?? DEFAULT_SKEW_SECONDS;
    this.#until = q.until === undefined ? undefined : Date.parse(q.until);
  }

  /** the next entry of the incident; false once the page is complete */
  offer(entry: Entry): boolean {
    if (this.#done) return false;
    if (this.#q.after !== undefined && entry.index <= this.#q.after) return true;
    if (this.#until !== undefined && Date.parse(entry.received) > this.#until) {
      this.#done = true;
      return false;
    }
    if (this.#items.length === this.#limit) {
      // a further entry exists: the next page starts after the last one looked at
      this.#next = this.#last;
      this.#done = true;
      return false;
    }
    this.#last = entry.index;
    if (!this.#visible(entry.index)) return true;
    const item = timelineItem(entry, this.#skew);
    if (matches(item, this.#q)) this.#items.push(item);
    return true;
  }

  page(): TimelinePage {
    return { items: this.#items, ...(this.#next !== undefined ? { next: this.#next } : {}), skewSeconds: this.#skew };
  }
}

/** one page over entries already in memory (tests, a reader with the entries at hand) */
export function timelinePage(entries: Iterable<Entry>, visible: (index: number) => boolean, q: TimelineQuery = {}): TimelinePage {
  const pager = new TimelinePager(visible, q);
  for (const e of entries) if (!pager.offer(e)) break;
  return pager.page();
}
