/** the incident view as GeoJSON for the map's sources: pure, rebuilt when the view changes */
import type { PictureView } from '../../shared/picture.ts';
import { colourIndex, shapeOf } from './symbols.ts';

export interface PointFeature {
  readonly type: 'Feature';
  readonly id: number;
  readonly geometry: { readonly type: 'Point'; readonly coordinates: readonly [number, number] };
  readonly properties: Readonly<Record<string, string | number>>;
}

export interface Collection {
  readonly type: 'FeatureCollection';
  readonly features: readonly PointFeature[];
}

function point(id: number, lon: number, lat: number, properties: Record<string, string | number>): PointFeature {
  return { type: 'Feature', id, geometry: { type: 'Point', coordinates: [lon, lat] }, properties };
}

/** each unit on the incident with a position: its agency's colour, its status's shape */
export function unitFeatures(view: PictureView, live?: ReadonlyMap<string, { readonly status: string; readonly since: string }>): Collection {
  const agencies = view.agencies.map((a) => a.id);
  const features: PointFeature[] = [];
  view.units.forEach((u, i) => {
    if (u.position === undefined) return;
    // the unit list's status when it is the newer (the feed patches it as changes arrive; the view waits for a fetch)
    const fresh = live?.get(u.id);
    const status = fresh !== undefined && (u.status === undefined || fresh.since >= u.status.since) ? fresh.status : u.status?.status;
    const shape = shapeOf(status);
    features.push(
      point(i, u.position.lon, u.position.lat, {
        unit: u.id,
        callsign: u.callsign,
        agency: u.agency,
        status: status ?? '',
        icon: `${shape}:${colourIndex(u.agency, agencies)}`,
        observed: u.position.observed,
      }),
    );
  });
  return { type: 'FeatureCollection', features };
}

/** the incident's own location and each request's, where they have coordinates */
export function placeFeatures(view: PictureView): Collection {
  const features: PointFeature[] = [];
  const c = view.incident.coordinates;
  if (c !== undefined) features.push(point(0, c.lon, c.lat, { kind: 'incident', name: view.incident.name, icon: 'star:incident' }));
  view.requests.forEach((r, i) => {
    if (r.coordinates === undefined) return;
    features.push(point(i + 1, r.coordinates.lon, r.coordinates.lat, { kind: 'request', request: r.id, name: r.location ?? r.id, icon: 'pin:request' }));
  });
  return { type: 'FeatureCollection', features };
}

/** where to look first: the incident, else the first unit with a position */
export function centreOf(view: PictureView): [number, number] | undefined {
  const c = view.incident.coordinates ?? view.units.find((u) => u.position !== undefined)?.position;
  return c === undefined ? undefined : [c.lon, c.lat];
}
