/**
 * The server of one node: the routes over its live node, with the
 * authenticator of its accounts. `concord serve` and the tests start it
 * here, so both run the same server.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { LiveNode } from '../app/live-node.ts';
import { LedgerFeed } from '../app/feed.ts';
import { buildServer, type Authenticator } from './app.ts';
import { commandRoutes } from './command-routes.ts';
import { publicLogRoutes } from './public-log.ts';

export interface NodeServerOptions {
  readonly authenticator: Authenticator;
  readonly logger?: FastifyServerOptions['logger'];
  readonly clock?: () => number;
}

export async function buildNodeServer(live: LiveNode, opts: NodeServerOptions): Promise<FastifyInstance> {
  const feed = await LedgerFeed.open(live.ledger.store);
  // every command's entries reach the feed as soon as they are stored
  const unsubscribe = live.coordination.subscribe(() => void feed.notify());
  const app = await buildServer({
    title: `Concord API: ${live.node.origin}`,
    authenticator: opts.authenticator,
    ready: live.open,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    routes: [
      ...publicLogRoutes({
        ledger: live.ledger,
        verifierKey: live.node.verifierKey,
        // whole bundles only for reviewers until per-entry visibility is wired in
        mayReadEntries: async (principal) => principal.reviewer,
      }),
      ...commandRoutes(live.coordination),
    ],
    feed: {
      feed,
      // until the agency boundaries are written as rules: a reviewer sees everything, others what their agency recorded
      visible: (principal, entry) => principal.reviewer || entry.actor.agency === principal.agency,
    },
  });
  app.addHook('onClose', async () => {
    unsubscribe();
    feed.close();
  });
  return app;
}
