/**
 * The operations console (web/, built by Vite into web/dist/) served by the
 * node itself: index.html at `/` and at the console's own client routes, its
 * hashed assets under /assets/ with a year-long cache (a new build has new
 * names), everything under a Content-Security-Policy that lets the page load
 * and connect to this server only: its scripts, styles and images, the API
 * and the feed's WebSocket. The console reaches nothing beyond the node.
 *
 * The files are read once, when the server starts; a console built after
 * that is served from the next start. Without a build, `/` says how to make
 * one (a problem, like every other refusal of this server).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_JSON, problem } from './problem.ts';

/** web/dist of this checkout: src/server/ and dist/server/ are both two folders below the root */
export const CONSOLE_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** the console's client routes (web/src/app/routes.ts): each answers index.html, the page then shows the view */
const CLIENT_ROUTES = ['/', '/login', '/incidents', '/incidents/:incidentId'];

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** a Host header as a browser sends it (name or address, optional port); anything else gets no ws: source */
const HOST = /^[A-Za-z0-9.-]+(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$/;

/** an origin as a CSP source: scheme, host and port only (app/map-source.ts made it from a URL) */
const ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$/;

export interface ConsolePolicyOptions {
  /** the origin of the deployment's own map tiles (concord serve --map URL): the map fetches its style, tiles, sprites and glyphs there */
  readonly mapOrigin?: string;
}

/**
 * The page's policy. CSP3 lets 'self' match ws:/wss: of the same host, but
 * browsers before that did not, so the feed's own URL is named too.
 * MapLibre's CSP build runs its worker from the console's own asset
 * (worker-src 'self'), so no blob: worker is allowed.
 */
export function consolePolicy(host: string | undefined, secure: boolean, opts: ConsolePolicyOptions = {}): string {
  const feed = host !== undefined && HOST.test(host) ? ` ${secure ? 'wss' : 'ws'}://${host}` : '';
  if (opts.mapOrigin !== undefined && !ORIGIN.test(opts.mapOrigin)) throw new Error(`not an origin: ${opts.mapOrigin}`);
  const map = opts.mapOrigin !== undefined ? ` ${opts.mapOrigin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${map}`,
    "font-src 'self'",
    `connect-src 'self'${feed}${map}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

interface Asset {
  readonly type: string;
  readonly bytes: Buffer;
}

function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const folder = join(dir, 'assets');
  if (!existsSync(folder)) return assets;
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (!statSync(path).isFile()) continue;
    assets.set(name, { type: TYPES[extname(name)] ?? 'application/octet-stream', bytes: readFileSync(path) });
  }
  return assets;
}

export function registerConsoleRoutes(app: FastifyInstance, dir: string = CONSOLE_DIR, policy: ConsolePolicyOptions = {}): void {
  const indexPath = join(dir, 'index.html');
  const index = existsSync(indexPath) ? readFileSync(indexPath) : undefined;
  const assets = readAssets(dir);

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    if (index === undefined) {
      const p = problem('NOT_FOUND', 404, 'the console is not built here: run `npm run build` (or `npm start`, which builds it), then start the server again');
      return reply.code(p.status).type(PROBLEM_JSON).send(p);
    }
    reply.header('content-security-policy', consolePolicy(request.headers.host, request.protocol === 'https', policy));
    // the page names the current build's assets: always asked again
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').send(index);
  };
  for (const url of CLIENT_ROUTES) app.get(url, page);

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = assets.get(request.params.file);
    if (asset === undefined) {
      const p = problem('NOT_FOUND', 404, `no console asset ${request.params.file}`, { field: 'path.file' });
      return reply.code(p.status).type(PROBLEM_JSON).send(p);
    }
    // Vite names each asset by a hash of its content: a name never changes meaning
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    // a worker (MapLibre's) runs under the policy of its script's response: scripts get the page's, anything else none
    const js = asset.type.startsWith('text/javascript');
    reply.header('content-security-policy', js ? consolePolicy(request.headers.host, request.protocol === 'https', policy) : "default-src 'none'");
    return reply.type(asset.type).send(asset.bytes);
  });
}
