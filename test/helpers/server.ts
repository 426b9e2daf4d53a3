/**
 * A demo node served over real HTTP on a free port: the demo scenario
 * replayed into a temporary data directory (once per test process, then
 * copied; `until` replays only its steps up to that time, so the story can
 * be played live on the organisation before it happens), its demo logins added, the live node opened on it and the
 * node's server listening on 127.0.0.1. `as(login)` logs a demo user in
 * and gives a client that sends the session cookie and CSRF token.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Timer } from '../../src/app/deadline-clock.ts';
import { DEMO_USERS, ensureDemoUsers } from '../../src/app/demo.ts';
import { openLiveNode, type LiveNode } from '../../src/app/live-node.ts';
import { readScenario } from '../../src/app/scenario.ts';
import { runScenario } from '../../src/app/scenario-run.ts';
import { readMapSource, type MapSource } from '../../src/app/map-source.ts';
import { DEMO_MAP, DEMO_POLICIES, DEMO_SCENARIO } from '../../src/cli/commands/serve.ts';
import { buildNodeServer, type NodeServerOptions } from '../../src/server/node-server.ts';
import { tempRoot } from './data-dir.ts';

export interface Client {
  readonly login: string;
  get(path: string): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  /** the headers it sends (cookie and CSRF token, or the bearer token) */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ServedNode {
  readonly url: string;
  readonly live: LiveNode;
  readonly app: FastifyInstance;
  readonly dir: string;
  /** a demo user, logged in */
  as(login: string): Promise<Client>;
  /** a client with an API token of `agency` */
  withToken(agency: string, scope: 'read' | 'write'): Promise<Client>;
  /** no credentials */
  readonly anonymous: Client;
  /** stops the server and closes the node (signing a last checkpoint) */
  stop(): Promise<void>;
  cleanup(): void;
}

/** the demo nodes made so far, by `until` ('' for the whole scenario) */
const demoTemplates = new Map<string, Promise<string>>();

/** the demo node with its logins (its steps up to `until`), made once per process (removed when it exits) and copied for each server */
function demoNode(until?: string): Promise<string> {
  const made = demoTemplates.get(until ?? '');
  if (made !== undefined) return made;
  const making = (async () => {
    const root = tempRoot('concord-demo-');
    process.once('exit', root.cleanup);
    const dir = join(root.path, 'demo');
    await runScenario(readScenario(DEMO_SCENARIO), dir, { origin: 'concord.local/demo', ...(until !== undefined ? { until } : {}) });
    const live = await openLiveNode(dir);
    try {
      await ensureDemoUsers(live.accounts);
    } finally {
      await live.close();
    }
    return dir;
  })();
  demoTemplates.set(until ?? '', making);
  return making;
}

function client(url: string, login: string, headers: Record<string, string>): Client {
  return {
    login,
    headers,
    get: (path) => fetch(`${url}${path}`, { headers }),
    post: (path, body, extra = {}) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      }),
  };
}

export interface ServeDemoOptions {
  /** the server's clock (ms since the epoch): the ledger's receive times, sessions, deadlines */
  readonly clock?: () => number;
  /** replay the demo scenario only up to this time (RFC 3339): the organisation without what happens after */
  readonly until?: string;
  /** run the deadline clock, on this timer (Node's setTimeout if none) */
  readonly deadlines?: { readonly timer?: Timer };
  /** the feed's heartbeat and slow-client limits */
  readonly feed?: NodeServerOptions['feed'];
  /** the console map's basemap (default: the demo's own, as `concord serve --demo` serves it; null: none) */
  readonly map?: MapSource | null;
}

export async function serveDemo(opts: ServeDemoOptions = {}): Promise<ServedNode> {
  const root = tempRoot('concord-server-');
  const dir = join(root.path, 'node');
  cpSync(await demoNode(opts.until), dir, { recursive: true });
  const live = await openLiveNode(dir, {
    policiesDir: DEMO_POLICIES,
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    ...(opts.deadlines !== undefined ? { deadlines: opts.deadlines.timer !== undefined ? { timer: opts.deadlines.timer } : {} } : {}),
  });
  const app = await buildNodeServer(live, {
    // the demo's own basemap, as `concord serve --demo` and `npm start` serve it
    ...(opts.map === null ? {} : { map: opts.map ?? readMapSource(DEMO_MAP) }),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    ...(opts.feed !== undefined ? { feed: opts.feed } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    url,
    live,
    app,
    dir,
    anonymous: client(url, '(nobody)', {}),
    async as(login) {
      const user = DEMO_USERS.find((u) => u.login === login);
      if (user === undefined) throw new Error(`no demo user ${login}`);
      const r = await fetch(`${url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login, password: user.password }),
      });
      if (r.status !== 201) throw new Error(`login ${login}: ${r.status} ${await r.text()}`);
      const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const { csrfToken } = (await r.json()) as { csrfToken: string };
      return client(url, login, { cookie, 'x-csrf-token': csrfToken });
    },
    async withToken(agency, scope) {
      const { token } = await live.accounts.createToken({ agency, scope, label: `test ${agency} ${scope}` });
      return client(url, `token:${agency}:${scope}`, { authorization: `Bearer ${token}` });
    },
    async stop() {
      await app.close();
      await live.close();
    },
    cleanup: root.cleanup,
  };
}
