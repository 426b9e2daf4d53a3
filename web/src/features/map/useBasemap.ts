import { useQuery } from '@tanstack/react-query';
import { getJson } from '../../shared/api.ts';

/** what GET /v1/map says the map draws under the incident (server/map-routes.ts) */
export type Basemap = { readonly kind: 'style'; readonly url: string } | { readonly kind: 'geojson'; readonly url: string } | null;

export function useBasemap() {
  return useQuery({ queryKey: ['map'], queryFn: async () => (await getJson<{ basemap: Basemap }>('/v1/map')).basemap });
}
