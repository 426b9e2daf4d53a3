// The console's build: web/ → web/dist/, served by the Concord node (src/server/console-routes.ts).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // the strict CSP (script-src 'self') allows no inline script, so no inlined assets either
    assetsInlineLimit: 0,
  },
  server: {
    // `npx vite web` during development: the API and the feed from a node on :8080
    proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
