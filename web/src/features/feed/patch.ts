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

/** applies the entry to the cache when it can; false: the views it may change must be fetched again */
export function patchFromEntry(client: QueryClient, entry: FeedEntry): boolean {
  if (entry.type !== 'unit.status_changed' || typeof entry.received !== 'string') return false;
  const body = statusBody(entry.body);
  const list = client.getQueryData<{ units: readonly Unit[] }>(['units']);
  if (body === undefined || list === undefined) return false;
  const at = list.units.findIndex((u) => u.id === body.unit);
  // a unit the list does not hold yet (newly visible): fetch it whole
  if (at < 0) return false;
  const old = list.units[at] as Unit;
  const unit: Unit = {
    ...old,
    status: {
      status: body.status,
      since: entry.received,
      ...(body.reason !== undefined ? { reason: body.reason } : {}),
      ...(body.observed !== undefined ? { observed: body.observed } : {}),
    },
  };
  const units = list.units.slice();
  units[at] = unit;
  client.setQueryData(['units'], { ...list, units });
  return true;
}
