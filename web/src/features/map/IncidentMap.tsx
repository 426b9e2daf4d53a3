import { useId } from 'react';
import type { PictureView } from '../../shared/picture.ts';
import { Legend } from './Legend.tsx';
import { MapChunk } from './MapChunk.tsx';
import { useBasemap } from './useBasemap.ts';

/** the incident on a map: its location, the requests', and each unit's last position, live */
export function IncidentMap({ view }: { readonly view: PictureView }) {
  const id = useId();
  const basemap = useBasemap();
  const placed = view.units.filter((u) => u.position !== undefined).length;
  return (
    <section className="panel map-panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        Map{' '}
        <span className="count">
          {placed} of {view.units.length} units placed
        </span>
        {basemap.data === null ? <span className="muted"> · no basemap configured (concord serve --map)</span> : null}
      </h2>
      {basemap.isPending ? (
        <p className="map-frame">Loading the map…</p>
      ) : basemap.error !== null ? (
        <p role="alert" className="error">
          The map's basemap cannot be read: {basemap.error.message}
        </p>
      ) : (
        <MapChunk view={view} basemap={basemap.data} />
      )}
      <Legend agencies={view.agencies} />
    </section>
  );
}
