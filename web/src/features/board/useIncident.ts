import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../shared/api.ts';
import type { IncidentView } from '../../shared/types.ts';

/** the incident as the caller's agency may see it; the feed marks it stale */
export function useIncident(id: string) {
  return useQuery({ queryKey: ['incident', id], queryFn: () => getJson<IncidentView>(`/v1/incidents/${encodeURIComponent(id)}`) });
}

export { useUnitList as useUnits } from '../../shared/units.ts';
