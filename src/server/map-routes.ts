/**
 * The console's map (web/src/features/map/): which basemap it draws, and
 * the node's own basemap when it serves one (app/map-source.ts). Both need a
 * login like every read of this server: the map is part of the console, a
 * deployment's basemap may mark places it does not publish, and the
 * console asks for them only once logged in.
 */
import { z } from 'zod';
import type { MapSource } from '../app/map-source.ts';
import { ConcordError } from '../errors.ts';
import { defineRoute, type AnyRoute } from './route.ts';

export const BASEMAP_URL = '/v1/map/basemap';

export function mapRoutes(source: MapSource | undefined): AnyRoute[] {
  // serialised once: the same bytes for every caller
  const basemap = source?.kind === 'geojson' ? JSON.stringify(source.geojson) : undefined;
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/map',
      tag: 'map',
      summary: "the console map's basemap: a MapLibre style on the deployment's tile server, the node's own GeoJSON, or none",
      access: 'read',
      response: {
        status: 200,
        description: 'the basemap the console draws under the incident',
        schema: z.object({
          basemap: z.union([z.object({ kind: z.literal('style'), url: z.string() }), z.object({ kind: z.literal('geojson'), url: z.string() }), z.null()]),
        }),
      },
      async handler() {
        if (source === undefined) return { basemap: null };
        return { basemap: source.kind === 'style' ? { kind: 'style', url: source.url } : { kind: 'geojson', url: BASEMAP_URL } };
      },
    }),
    defineRoute({
      method: 'GET',
      url: BASEMAP_URL,
      tag: 'map',
      summary: "the node's basemap as GeoJSON (RFC 7946), when it serves one (concord serve --map FILE)",
      access: 'read',
      response: { status: 200, description: 'a GeoJSON FeatureCollection', contentType: 'application/geo+json' },
      async handler({ reply }) {
        if (basemap === undefined)
          throw new ConcordError('NOT_FOUND', 'this node serves no basemap of its own (concord serve --map FILE.geojson gives it one)');
        reply.header('cache-control', 'private, max-age=300');
        reply.type('application/geo+json; charset=utf-8');
        return basemap;
      },
    }),
  ];
}
