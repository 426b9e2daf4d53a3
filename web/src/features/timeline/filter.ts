/** which entries the timeline shows: pure, so 10,000 entries are filtered in one pass */
import type { LedgerEntry } from '../../shared/entries.ts';

export interface TimelineFilter {
  readonly agency: string;
  readonly type: string;
  readonly unit: string;
  readonly person: string;
  /** epoch ms, inclusive; NaN for no bound */
  readonly from: number;
  readonly to: number;
}

export const NO_FILTER: TimelineFilter = { agency: '', type: '', unit: '', person: '', from: Number.NaN, to: Number.NaN };

/** an id named anywhere in the entry (its actor, its body): the text holds it as a JSON string */
function mentions(e: LedgerEntry, id: string): boolean {
  return e.text.includes(`"${id}"`);
}

export function matches(e: LedgerEntry, f: TimelineFilter): boolean {
  if (f.agency !== '' && e.actor.agency !== f.agency) return false;
  if (f.type !== '' && e.type !== f.type) return false;
  if (f.unit !== '' && !mentions(e, f.unit)) return false;
  if (f.person !== '' && e.actor.person !== f.person && !mentions(e, f.person)) return false;
  if (!Number.isNaN(f.from) || !Number.isNaN(f.to)) {
    const t = Date.parse(e.received);
    if (!Number.isNaN(f.from) && t < f.from) return false;
    if (!Number.isNaN(f.to) && t > f.to) return false;
  }
  return true;
}

/** newest first */
export function filterEntries(entries: readonly LedgerEntry[], f: TimelineFilter): LedgerEntry[] {
  const out: LedgerEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i] as LedgerEntry;
    if (matches(e, f)) out.push(e);
  }
  return out;
}

/** what the entry says, in one line: its reason, text or description, whichever it has */
export function summary(e: LedgerEntry): string {
  const b = e.body;
  for (const k of ['reason', 'text', 'rationale', 'description', 'directive', 'status', 'name']) {
    const v = b[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  const ids = ['request', 'order', 'unit', 'notification', 'message'].flatMap((k) => (typeof b[k] === 'string' ? [`${k} ${b[k] as string}`] : []));
  return ids.join(', ');
}

/**
 * The time the source claimed: the entry's own `claimed` (an appended radio
 * call, a device's clock), else the `observed` time a unit's status or
 * position fix carries in its body (the newest fix of a report).
 */
export function claimedTime(e: LedgerEntry): string | undefined {
  if (e.claimed !== undefined) return e.claimed;
  const observed = e.body['observed'];
  if (typeof observed === 'string') return observed;
  const fixes = e.body['positions'];
  if (!Array.isArray(fixes)) return undefined;
  let newest: string | undefined;
  for (const f of fixes as { observed?: unknown }[]) {
    if (typeof f.observed === 'string' && (newest === undefined || Date.parse(f.observed) > Date.parse(newest))) newest = f.observed;
  }
  return newest;
}

/** the source's claimed time when it differs from the server's receive time by a second or more */
export function differingClaim(e: LedgerEntry): string | undefined {
  const claimed = claimedTime(e);
  if (claimed === undefined) return undefined;
  const c = Date.parse(claimed);
  return Number.isNaN(c) || Math.abs(c - Date.parse(e.received)) >= 1000 ? claimed : undefined;
}
