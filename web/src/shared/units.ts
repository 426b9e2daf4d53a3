/**
 * The units the caller may see (GET /v1/units), one cached list for every
 * view: the feed patches a unit's status in it as the change arrives
 * (features/feed/patch.ts), so what reads it (the unit board, the map's
 * markers) shows the change without fetching.
 */
import { useQuery } from '@tanstack/react-query';
import { getJson } from './api.ts';
import type { Unit } from './types.ts';

/** the query of the unit list: one key and one fetch for every hook that reads it (a `select` makes a view of it) */
export const UNIT_LIST = { queryKey: ['units'], queryFn: () => getJson<{ units: Unit[] }>('/v1/units') } as const;

export function useUnitList() {
  return useQuery(UNIT_LIST);
}
