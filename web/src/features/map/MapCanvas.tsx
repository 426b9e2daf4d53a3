/**
 * The map itself, in its own chunk (IncidentMap imports it lazily): MapLibre
 * GL's CSP build, its worker served as one of the console's own assets, so
 * the page's policy needs worker-src 'self' and no blob:. Units and places
 * are two GeoJSON sources drawn by symbol layers, updated with setData when
 * the view changes: 500 units are one source, not 500 DOM markers.
 */
import maplibregl from 'maplibre-gl/dist/maplibre-gl-csp.js';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-csp-worker.js?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { GeoJSONSource, LayerSpecification, Map as MapLibreMap, StyleSpecification } from 'maplibre-gl';
import { useEffect, useMemo, useRef, useState } from 'react';
import { getJson } from '../../shared/api.ts';
import type { PictureView } from '../../shared/picture.ts';
import { useUnitList } from '../../shared/units.ts';
import { centreOf, placeFeatures, unitFeatures } from './features.ts';
import { drawSymbol, ICON_PX, parseImageName } from './symbols.ts';
import type { Basemap } from './useBasemap.ts';

maplibregl.setWorkerUrl(workerUrl);

type GeoJsonData = Parameters<GeoJSONSource['setData']>[0];

/** the least time between two drawings of the units for status changes alone (MapLibre lays out every symbol again) */
const DRAW_MS = 250;
/** a basemap that could not be fetched is tried again after this long, doubling up to RETRY_MAX_MS, and at once when the browser is back online */
const RETRY_MS = 2_000;
const RETRY_MAX_MS = 30_000;

/** the theme's colours (styles.css custom properties), read when the map is made */
function themeColours(el: HTMLElement): Record<'bg' | 'card' | 'line' | 'muted' | 'ok' | 'text', string> {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    bg: v('--bg', '#f4f5f7'),
    card: v('--card', '#ffffff'),
    line: v('--line', '#c9ced6'),
    muted: v('--muted', '#4a5260'),
    ok: v('--ok', '#14612e'),
    text: v('--text', '#17191c'),
  };
}

/** the project's own basemap (GeoJSON: area, blocks, park, buildings, streets), drawn without text: no glyphs to fetch */
function geojsonStyle(data: unknown, c: ReturnType<typeof themeColours>): StyleSpecification {
  const kind = (k: string) => ['==', ['get', 'kind'], k] as ['==', ['get', string], string];
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': c.bg } },
    { id: 'area', type: 'fill', source: 'basemap', filter: kind('area'), paint: { 'fill-color': c.bg } },
    { id: 'blocks', type: 'fill', source: 'basemap', filter: kind('block'), paint: { 'fill-color': c.line, 'fill-opacity': 0.45 } },
    { id: 'parks', type: 'fill', source: 'basemap', filter: kind('park'), paint: { 'fill-color': c.ok, 'fill-opacity': 0.25 } },
    { id: 'buildings', type: 'fill', source: 'basemap', filter: kind('building'), paint: { 'fill-color': c.muted, 'fill-opacity': 0.45 } },
    {
      id: 'streets',
      type: 'line',
      source: 'basemap',
      filter: kind('street'),
      paint: {
        'line-color': c.card,
        'line-width': ['interpolate', ['linear'], ['zoom'], 13, ['match', ['get', 'class'], 'major', 3, 1.5], 18, ['match', ['get', 'class'], 'major', 22, 12]],
      },
    },
  ];
  return { version: 8, sources: { basemap: { type: 'geojson', data: data as GeoJsonData } }, layers };
}

/** the theme's colours on the layers of our own basemap (a deployment's style keeps its own) */
function applyTheme(map: MapLibreMap, c: ReturnType<typeof themeColours>): void {
  const paint: [string, string, string][] = [
    ['background', 'background-color', c.bg],
    ['area', 'fill-color', c.bg],
    ['blocks', 'fill-color', c.line],
    ['parks', 'fill-color', c.ok],
    ['buildings', 'fill-color', c.muted],
    ['streets', 'line-color', c.card],
  ];
  for (const [layer, property, colour] of paint) if (map.getLayer(layer) !== undefined) map.setPaintProperty(layer, property, colour);
}

function emptyStyle(c: ReturnType<typeof themeColours>): StyleSpecification {
  return { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': c.bg } }] };
}

/** what is drawn now, for people who cannot see the canvas and for the tests: unit → [lon, lat] and unit → status, as rendered */
function renderedUnits(map: MapLibreMap): { positions: string; statuses: string } {
  const positions: Record<string, [number, number]> = {};
  const statuses: Record<string, string> = {};
  for (const f of map.queryRenderedFeatures({ layers: ['units'] })) {
    const unit = f.properties['unit'];
    if (typeof unit === 'string' && f.geometry.type === 'Point') {
      const [lon, lat] = f.geometry.coordinates as [number, number];
      positions[unit] = [Math.round(lon * 1e5) / 1e5, Math.round(lat * 1e5) / 1e5];
      statuses[unit] = String(f.properties['status'] ?? '');
    }
  }
  return { positions: JSON.stringify(positions), statuses: JSON.stringify(statuses) };
}

export interface MapCanvasProps {
  readonly view: PictureView;
  readonly basemap: Basemap;
}

export default function MapCanvas({ view, basemap }: MapCanvasProps) {
  const el = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | undefined>(undefined);
  const [ready, setReady] = useState(false);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  // each failed fetch of the basemap makes the map again a little later: a console opened while the network was down draws it once it is back
  const [attempt, setAttempt] = useState(0);
  const centre = centreOf(view);
  const hasCentre = centre !== undefined;

  useEffect(() => {
    const container = el.current;
    if (container === null) return undefined;
    let cancelled = false;
    let map: MapLibreMap | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const again = () => {
      if (!cancelled) setAttempt((a) => a + 1);
    };
    const colours = themeColours(container);
    void (async () => {
      let style: StyleSpecification | string;
      if (basemap === null) style = emptyStyle(colours);
      else if (basemap.kind === 'style') style = basemap.url;
      else style = geojsonStyle(await getJson<unknown>(basemap.url), colours);
      if (cancelled) return;
      try {
        map = new maplibregl.Map({
          container,
          style,
          center: centre ?? [0, 0],
          zoom: hasCentre ? 15.3 : 1,
          attributionControl: false,
          // the console fetches nothing but the node and the configured tile origin
          maxTileCacheSize: 256,
        });
      } catch (e) {
        setFailure(`The map cannot be drawn here: ${(e as Error).message}`);
        return;
      }
      mapRef.current = map;
      map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
      map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
      map.on('styleimagemissing', (e: { id: string }) => {
        const symbol = parseImageName(e.id);
        if (symbol === undefined || map === undefined || map.hasImage(e.id)) return;
        const px = ICON_PX * 2;
        const canvas = document.createElement('canvas');
        canvas.width = canvas.height = px;
        const ctx = canvas.getContext('2d');
        if (ctx === null) return;
        drawSymbol(ctx, symbol.shape, symbol.colour, px);
        map.addImage(e.id, ctx.getImageData(0, 0, px, px), { pixelRatio: 2 });
      });
      // a pan or zoom by the user (not by fitBounds: that has no originalEvent) keeps the map where they put it
      map.on('movestart', (e: { originalEvent?: unknown }) => {
        if (e.originalEvent !== undefined) userMoved.current = true;
      });
      map.on('error', (e: { error?: Error }) => setFailure(`The map reports: ${e.error?.message ?? 'an error'}`));
      map.on('load', () => {
        if (map === undefined) return;
        map.addSource('places', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        map.addSource('units', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
        // symbols grow with the type (a wall display's is larger than 15 px)
        const scale = Math.max(1, parseFloat(getComputedStyle(document.documentElement).fontSize) / 15 || 1);
        const symbols = (id: string, source: string): LayerSpecification => ({
          id,
          type: 'symbol',
          source,
          layout: {
            'icon-image': ['get', 'icon'],
            'icon-allow-overlap': true,
            'icon-ignore-placement': true,
            'icon-size': (id === 'places' ? 1.1 : 1) * scale,
          },
        });
        map.addLayer(symbols('places', 'places'));
        map.addLayer(symbols('units', 'units'));
        map.on('idle', () => {
          if (map === undefined) return;
          const drawn = renderedUnits(map);
          container.dataset['renderedUnits'] = drawn.positions;
          container.dataset['renderedStatuses'] = drawn.statuses;
        });
        setFailure(undefined);
        setReady(true);
      });
    })().catch((e: unknown) => {
      if (cancelled) return;
      const wait = Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** Math.min(attempt, 4));
      setFailure(`The basemap cannot be loaded: ${(e as Error).message}. Trying again in ${Math.round(wait / 1000)} s.`);
      retry = setTimeout(again, wait);
      window.addEventListener('online', again, { once: true });
    });
    // a theme switched while the map is open (a class or attribute on the root, or the system's scheme) recolours our basemap
    const recolour = () => {
      if (map !== undefined && basemap?.kind !== 'style' && map.isStyleLoaded()) applyTheme(map, themeColours(container));
    };
    const observer = new MutationObserver(recolour);
    observer.observe(document.documentElement, { attributes: true });
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', recolour);
    return () => {
      cancelled = true;
      clearTimeout(retry);
      window.removeEventListener('online', again);
      observer.disconnect();
      scheme.removeEventListener('change', recolour);
      setReady(false);
      mapRef.current = undefined;
      map?.remove();
    };
    // the map is made once per basemap (and again after a failed fetch of it); the view only changes
    // the sources' data (centre and hasCentre are read once, at creation)
  }, [basemap, attempt]);

  // the map frames everything there is to show, again as units appear, until the user pans or zooms it
  const framed = useRef(-1);
  const userMoved = useRef(false);
  // statuses as the feed patches them into the unit list, many a second on a busy incident: drawn at most every DRAW_MS
  const list = useUnitList().data?.units;
  const live = useMemo(() => new Map((list ?? []).flatMap((u) => (u.status !== undefined ? [[u.id, u.status] as const] : []))), [list]);
  const [drawn, setDrawn] = useState(live);
  const lastDraw = useRef(0);
  useEffect(() => {
    if (live === drawn) return undefined;
    const wait = lastDraw.current + DRAW_MS - performance.now();
    if (wait <= 0) {
      lastDraw.current = performance.now();
      setDrawn(live);
      return undefined;
    }
    const t = setTimeout(() => {
      lastDraw.current = performance.now();
      setDrawn(live);
    }, wait);
    return () => clearTimeout(t);
  }, [live, drawn]);
  useEffect(() => {
    const map = mapRef.current;
    if (!ready || map === undefined) return;
    const units = unitFeatures(view, drawn);
    const places = placeFeatures(view);
    (map.getSource('units') as GeoJSONSource | undefined)?.setData(units as unknown as GeoJsonData);
    (map.getSource('places') as GeoJSONSource | undefined)?.setData(places as unknown as GeoJsonData);
    const points = [...units.features, ...places.features].map((f) => f.geometry.coordinates);
    if (!userMoved.current && points.length > 1 && points.length !== framed.current) {
      framed.current = points.length;
      const lons = points.map((p) => p[0]);
      const lats = points.map((p) => p[1]);
      map.fitBounds(
        [
          [Math.min(...lons), Math.min(...lats)],
          [Math.max(...lons), Math.max(...lats)],
        ],
        { padding: { top: 24, bottom: 24, left: 24, right: 52 }, maxZoom: 17, duration: 0 },
      );
    }
  }, [ready, view, drawn]);

  return (
    <div className="map-frame">
      <div ref={el} className="map-canvas" data-map-ready={ready ? 'true' : 'false'} role="region" aria-label={`Map of ${view.incident.name}`} />
      {failure !== undefined ? (
        <p role="alert" className="error map-failure">
          {failure}
        </p>
      ) : null}
    </div>
  );
}
