/**
 * A demo node served over real HTTP on a free port: the demo scenario
 * replayed into a temporary data directory (once per test file), the live
 * node opened on it and the node's server listening on 127.0.0.1.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openLiveNode, type LiveNode } from '../../src/app/live-node.ts';
import { readScenario } from '../../src/app/scenario.ts';
import { runScenario } from '../../src/app/scenario-run.ts';
import { DEMO_POLICIES, DEMO_SCENARIO } from '../../src/cli/commands/serve.ts';
import type { Authenticator } from '../../src/server/app.ts';
import { buildNodeServer } from '../../src/server/node-server.ts';
import { tempRoot } from './data-dir.ts';

export interface ServedNode {
  readonly url: string;
  readonly live: LiveNode;
  readonly app: FastifyInstance;
  readonly dir: string;
  /** stops the server and closes the node (signing a last checkpoint) */
  stop(): Promise<void>;
}

let demoTemplate: Promise<string> | undefined;

/** the demo node, replayed once per process (removed when it exits) and copied for each server */
function demoNode(): Promise<string> {
  demoTemplate ??= (async () => {
    const root = tempRoot('concord-demo-');
    process.once('exit', root.cleanup);
    const dir = join(root.path, 'demo');
    await runScenario(readScenario(DEMO_SCENARIO), dir, { origin: 'concord.local/demo' });
    return dir;
  })();
  return demoTemplate;
}

/** nobody is logged in: every route but the public ones answers 401 */
export const NO_ACCOUNTS: Authenticator = { authenticate: async () => undefined };

export async function serveDemo(opts: { authenticator?: Authenticator } = {}): Promise<ServedNode & { cleanup: () => void }> {
  const root = tempRoot('concord-server-');
  const dir = join(root.path, 'node');
  cpSync(await demoNode(), dir, { recursive: true });
  const live = await openLiveNode(dir, { policiesDir: DEMO_POLICIES });
  const app = await buildNodeServer(live, { authenticator: opts.authenticator ?? NO_ACCOUNTS });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    live,
    app,
    dir,
    async stop() {
      await app.close();
      await live.close();
    },
    cleanup: root.cleanup,
  };
}
