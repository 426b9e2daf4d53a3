/**
 * Where the console's map draws its streets from: a deployment's own tile
 * source (the URL of a MapLibre style, on a tile server it runs), or a
 * GeoJSON file of streets and blocks that the node serves itself (the demo
 * ships one of its area: scenarios/map/demo-basemap.geojson). Nothing else:
 * the console reaches only the node and, when configured, that one origin,
 * which the page's Content-Security-Policy then names (server/console-routes.ts).
 */
import { extname } from 'node:path';
import { ConcordError } from '../errors.ts';
import { readUserFile } from '../files.ts';

export type MapSource =
  /** a MapLibre style (style spec v8) at this URL; its tiles, sprites and glyphs must be on the same origin */
  | { readonly kind: 'style'; readonly url: string; readonly origin: string }
  /** a GeoJSON FeatureCollection the node serves at /v1/map/basemap */
  | { readonly kind: 'geojson'; readonly name: string; readonly geojson: GeoJsonCollection };

export interface GeoJsonCollection {
  readonly type: 'FeatureCollection';
  readonly features: readonly unknown[];
}

/** a basemap is a few streets; a city's worth belongs on a tile server */
export const MAX_BASEMAP_BYTES = 8 * 1024 * 1024;

const GEOMETRIES = new Set(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon']);

/** the problem with a parsed GeoJSON basemap (RFC 7946), or undefined when it is one */
export function basemapProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || (value as { type?: unknown }).type !== 'FeatureCollection')
    return 'it is not a GeoJSON FeatureCollection (RFC 7946 §3.3)';
  const features = (value as { features?: unknown }).features;
  if (!Array.isArray(features)) return 'its "features" is not an array';
  for (const [i, f] of features.entries()) {
    const g = (f as { type?: unknown; geometry?: { type?: unknown; coordinates?: unknown } } | null) ?? undefined;
    if (g?.type !== 'Feature') return `feature ${i} is not a GeoJSON Feature`;
    if (typeof g.geometry?.type !== 'string' || !GEOMETRIES.has(g.geometry.type) || !Array.isArray(g.geometry.coordinates))
      return `feature ${i} has no geometry of ${[...GEOMETRIES].join(', ')} with coordinates`;
  }
  return undefined;
}

/**
 * The map source a `--map` value names: an http(s) URL is a style on the
 * deployment's own tile server; anything else is the path of a GeoJSON file
 * (.geojson or .json), read and checked now so a wrong file stops the
 * server at start rather than leaving a blank map.
 */
export function readMapSource(value: string): MapSource {
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConcordError('BAD_USAGE', `--map ${value} is not a URL`);
    }
    if (url.username !== '' || url.password !== '') throw new ConcordError('BAD_USAGE', `--map: a style URL carries no credentials (${url.origin})`);
    return { kind: 'style', url: url.href, origin: url.origin };
  }
  const ext = extname(value).toLowerCase();
  if (ext !== '.geojson' && ext !== '.json')
    throw new ConcordError('BAD_USAGE', `--map ${value}: give the URL of a MapLibre style (https://...) or a GeoJSON file (.geojson or .json)`);
  const text = readUserFile(value, 'the basemap', MAX_BASEMAP_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConcordError('BAD_INPUT', `the basemap ${value} is not JSON: ${(e as Error).message}`);
  }
  const problem = basemapProblem(parsed);
  if (problem !== undefined) throw new ConcordError('BAD_INPUT', `the basemap ${value}: ${problem}`);
  return { kind: 'geojson', name: value, geojson: parsed as GeoJsonCollection };
}
