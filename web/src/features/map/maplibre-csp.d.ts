// MapLibre's CSP build (a worker from a URL of ours rather than a blob: URL) has the same API as the package's main entry
declare module 'maplibre-gl/dist/maplibre-gl-csp.js' {
  import type * as maplibregl from 'maplibre-gl';
  const api: typeof maplibregl;
  export default api;
}
