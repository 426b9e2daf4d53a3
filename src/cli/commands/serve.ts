import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { openLiveNode, type LiveNode } from '../../app/live-node.ts';
import { readMapSource, type MapSource } from '../../app/map-source.ts';
import { isNodeDir } from '../../app/node-dir.ts';
import { readScenario } from '../../app/scenario.ts';
import { runScenario } from '../../app/scenario-run.ts';
import { ConcordError } from '../../errors.ts';
import { SECRET_HEADERS } from '../../server/app.ts';
import type { Acknowledgement } from '../../server/command-routes.ts';
import { buildNodeServer } from '../../server/node-server.ts';
import { DATA_OPTION, flag, optionalString, requireString } from '../args.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEMO_SCENARIO = join(ROOT, 'scenarios', 'demo.yaml');
export const DEMO_POLICIES = join(ROOT, 'scenarios', 'policies');
/** the streets around the demo incident, made by the project for its console map */
export const DEMO_MAP = join(ROOT, 'scenarios', 'map', 'demo-basemap.geojson');

function parsePort(text: string | undefined): number {
  if (text === undefined) return 8080;
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new ConcordError('BAD_USAGE', `--port must be a number from 0 to 65535, not ${text}`);
  return Number(text);
}

/** resolves on the first SIGINT or SIGTERM */
function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export const serveCommand: CliCommand = {
  path: ['serve'],
  summary: 'serve the HTTP API (and the public log) of a node until Ctrl-C',
  help: `Usage: concord serve --data DIR [--port N] [--host H] [--policies DIR] [--acknowledge durable|witnessed] [--map URL|FILE] [--demo]

Serves the node's HTTP API: every command and query, the public log
(GET /checkpoint, /tile/..., proofs), the OpenAPI document at /openapi.json
and interactive docs at /docs. Logs go to stderr as JSON lines, without
secrets. On SIGTERM or Ctrl-C it stops taking requests, finishes those
under way, signs a last checkpoint and exits 0.

Options:
  -d, --data DIR      the node's data directory
      --port N        the port (default 8080; 0: any free port)
      --host H        the address to listen on (default 127.0.0.1)
      --policies DIR  the agencies' protocols (default with --demo: scenarios/policies)
      --acknowledge WHEN
                      when a command is answered unless it sends its own
                      Concord-Acknowledge header: durable (stored; the
                      default) or witnessed (a checkpoint covering it is
                      cosigned by the witness quorum; needs witnesses)
      --map URL|FILE  the console map's basemap: the URL of a MapLibre style on
                      the deployment's own tile server (the console's CSP then
                      allows that one origin), or a GeoJSON file of streets the
                      node serves itself (default with --demo: the demo's area,
                      scenarios/map/demo-basemap.geojson; otherwise none)
      --demo          create DIR by replaying the demo scenario if it is not a node yet

${exitCodesHelp('node')}`,
  options: {
    ...DATA_OPTION,
    port: { type: 'string' },
    host: { type: 'string' },
    policies: { type: 'string' },
    acknowledge: { type: 'string' },
    map: { type: 'string' },
    demo: { type: 'boolean' },
  },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const port = parsePort(optionalString(args, 'port'));
    const host = optionalString(args, 'host') ?? '127.0.0.1';
    const demo = flag(args, 'demo');
    const acknowledge = optionalString(args, 'acknowledge') ?? 'durable';
    if (acknowledge !== 'durable' && acknowledge !== 'witnessed')
      throw new ConcordError('BAD_USAGE', `--acknowledge must be durable or witnessed, not ${acknowledge}`);
    const policiesDir = optionalString(args, 'policies') ?? (demo ? DEMO_POLICIES : undefined);
    if (policiesDir !== undefined && !existsSync(policiesDir)) throw new ConcordError('BAD_INPUT', `--policies ${policiesDir}: no such folder`);
    const mapArg = optionalString(args, 'map') ?? (demo ? DEMO_MAP : undefined);
    const map = mapArg !== undefined ? readMapSource(mapArg) : undefined;
    if (demo && !isNodeDir(dir)) {
      io.stdout.write(`Creating the demo node in ${dir} by replaying ${DEMO_SCENARIO}...\n`);
      await runScenario(readScenario(DEMO_SCENARIO), dir, { origin: 'concord.local/demo' });
    }
    return serve(dir, { port, host, acknowledge, ...(policiesDir !== undefined ? { policiesDir } : {}), ...(map !== undefined ? { map } : {}) }, io);
  },
};

/** the server's log: JSON lines on stderr, secrets redacted wherever they would appear */
export function serverLogger(level = process.env['CONCORD_LOG_LEVEL'] ?? 'info'): pino.Logger {
  return pino(
    {
      level,
      redact: {
        paths: [...SECRET_HEADERS.map((h) => `req.headers["${h}"]`), 'password', '*.password', 'token', '*.token', 'sessionId', '*.sessionId'],
        censor: '[redacted]',
      },
    },
    pino.destination({ dest: 2, sync: false }),
  );
}

/**
 * CONCORD_WITNESS_RETRY_MS="initial,max": the backoff of a witness that is
 * down or refuses (default 500 ms doubling to 30 s); tests shorten it.
 */
function witnessRetry(): { backoff?: { initialMs: number; maxMs: number } } {
  const v = process.env['CONCORD_WITNESS_RETRY_MS'];
  if (v === undefined) return {};
  const m = /^(\d{1,7}),(\d{1,7})$/.exec(v);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < Number(m[1]))
    throw new ConcordError('BAD_USAGE', `CONCORD_WITNESS_RETRY_MS must be "initial,max" in ms, not ${v}`);
  return { backoff: { initialMs: Number(m[1]), maxMs: Number(m[2]) } };
}

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly policiesDir?: string;
  /** when commands are answered (node-server.ts NodeServerOptions.acknowledge) */
  readonly acknowledge?: Acknowledgement;
  /** the console map's basemap */
  readonly map?: MapSource;
  /** runs once the server listens (npm start shows the cosigned checkpoint); not awaited before signals are taken */
  readonly onServing?: (url: string, live: LiveNode) => Promise<void>;
}

export async function serve(dir: string, opts: ServeOptions, io: CliIo): Promise<number> {
  const log = serverLogger();
  const live = await openLiveNode(dir, {
    ...(opts.policiesDir !== undefined ? { policiesDir: opts.policiesDir } : {}),
    deadlines: { logger: log },
    witnessing: { log, ...witnessRetry() },
  });
  const stopped = untilSignal();
  let app;
  try {
    app = await buildNodeServer(live, {
      logger: log,
      ...(opts.acknowledge !== undefined ? { acknowledge: opts.acknowledge } : {}),
      ...(opts.map !== undefined ? { map: opts.map } : {}),
    });
    await app.listen({ port: opts.port, host: opts.host });
  } catch (e) {
    await app?.close();
    await live.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ConcordError('BAD_USAGE', `${opts.host}:${opts.port} is in use by another process; choose another --port`);
    if (code === 'EACCES') throw new ConcordError('BAD_USAGE', `this user may not listen on ${opts.host}:${opts.port}; choose a --port above 1023`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new ConcordError('BAD_USAGE', `--host ${opts.host} is not an address of this machine`);
    throw e;
  }
  const address = app.server.address();
  const url =
    typeof address === 'object' && address !== null
      ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`
      : String(address);
  io.stdout.write(
    `Concord serves ${live.node.origin} at ${url}\n  console:    ${url}/\n  API docs:   ${url}/docs\n  checkpoint: ${url}/checkpoint\nCtrl-C stops it.\n`,
  );
  void opts.onServing?.(url, live).catch((e: unknown) => io.stderr.write(`${(e as Error).message}\n`));
  const signal = await stopped;
  io.stdout.write(`${signal}: finishing the requests under way, signing a last checkpoint...\n`);
  await app.close();
  await live.close();
  log.flush();
  io.stdout.write('stopped\n');
  return 0;
}
