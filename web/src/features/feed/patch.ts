/**
 * Changes the feed can apply to the cache without fetching: those whose
 * entry says all there is to know. A unit's status change carries the unit,
 * the status, the reason and the source's time; the receive time is the
 * entry's. The unit list (GET /v1/units) gets a new object for that unit
 * alone and keeps every other, so only its row is drawn again.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { Unit } from '../../shared/types.ts';

export interface FeedEntry {
  readonly type?: string;
  readonly received?: string;
  readonly body?: unknown;
}

interface StatusBody {
  readonly unit: string;
  readonly status: string;
  readonly reason?: string;
  readonly observed?: string;
}

function statusBody(b: unknown): StatusBody | undefined {
  if (typeof b !== 'object' || b === null) return undefined;
  const x = b as Record<string, unknown>;
  if (typeof x['unit'] !== 'string' || typeof x['status'] !== 'string') return undefined;
  return {
    unit: x['unit'],
    status: x['status'],
    ...(typeof x['reason'] === 'string' ? { reason: x['reason'] } : {}),
    ...(typeof x['observed'] === 'string' ? { observed: x['observed'] } : {}),
  };
}

/** whether the cache may take the entry without a fetch (patchFromEntries says for sure) */
export function mayPatch(entry: FeedEntry): boolean {
  return entry.type === 'unit.status_changed' && typeof entry.received === 'string';
}

/**
 * Applies the entries, in order, to the cached unit list as one change: one
 * new list, one render, however many arrived since the last frame. Returns
 * those it could not apply (the views they may change must be fetched
 * again): not a status change, or of a unit the list does not hold yet.
 */
export function patchFromEntries(client: QueryClient, entries: readonly FeedEntry[]): FeedEntry[] {
  const list = client.getQueryData<{ units: readonly Unit[] }>(['units']);
  if (list === undefined) return entries.slice();
  const left: FeedEntry[] = [];
  let units: Unit[] | undefined;
  let where: Map<string, number> | undefined;
  for (const entry of entries) {
    const body = mayPatch(entry) ? statusBody(entry.body) : undefined;
    if (body === undefined) {
      left.push(entry);
      continue;
    }
    where ??= new Map(list.units.map((u, i) => [u.id, i]));
    const at = where.get(body.unit);
    // a unit the list does not hold yet (newly visible): fetch it whole
    if (at === undefined) {
      left.push(entry);
      continue;
    }
    units ??= list.units.slice();
    const old = units[at] as Unit;
    units[at] = {
      ...old,
      status: {
        status: body.status,
        since: entry.received as string,
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
        ...(body.observed !== undefined ? { observed: body.observed } : {}),
      },
    };
  }
  if (units !== undefined) client.setQueryData(['units'], { ...list, units });
  return left;
}
