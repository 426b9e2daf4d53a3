/**
 * The server of one node: the routes over its live node, with the
 * authenticator of its accounts. `concord serve` and the tests start it
 * here, so both run the same server.
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { LiveNode } from '../app/live-node.ts';
import { EntryAudiences } from '../app/entry-audiences.ts';
import { LedgerFeed } from '../app/feed.ts';
import { ReportService } from '../app/reports.ts';
import { ReviewService, type ReviewSource } from '../app/review.ts';
import { mayRead, type Audience } from '../domain/index.ts';
import { ConcordError } from '../errors.ts';
import { buildServer } from './app.ts';
import { bundleRoutes } from './bundle-routes.ts';
import type { FeedOptions } from './feed-route.ts';
import { commandRoutes, type Acknowledgement } from './command-routes.ts';
import { registerConsoleRoutes } from './console-routes.ts';
import { callerOf, type Principal } from './principal.ts';
import { publicLogRoutes } from './public-log.ts';
import { registerWitnessRoutes } from './witness-routes.ts';
import { accountsAuthenticator, sessionRoutes } from './session-routes.ts';
import { deliverInbox, queryRoutes } from './query-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { reviewRoutes } from './review-routes.ts';

export interface NodeServerOptions {
  readonly logger?: FastifyBaseLogger;
  readonly clock?: () => number;
  /** the feed's heartbeat interval and slow-client backlog (feed-route.ts has the defaults; tests shorten them) */
  readonly feed?: Pick<FeedOptions, 'heartbeatMs' | 'slowClientBytes'>;
  /** how commands without a Concord-Acknowledge header are answered: once durable (the default) or once witnessed */
  readonly acknowledge?: Acknowledgement;
  /** the built console to serve at / (console-routes.ts; default: this checkout's web/dist) */
  readonly consoleDir?: string;
}

export async function buildNodeServer(live: LiveNode, opts: NodeServerOptions): Promise<FastifyInstance> {
  if (opts.acknowledge === 'witnessed' && !live.publisher.active) {
    throw new ConcordError(
      'BAD_USAGE',
      'commands cannot be acknowledged once witnessed: this node publishes through no witnesses (add one with concord witness add)',
    );
  }
  // who may read each entry, from the world just before it: for the feed, old entries and new
  const audiences = new EntryAudiences();
  await audiences.catchUp(live.ledger.store);
  const feed = await LedgerFeed.open(live.ledger.store, {
    onEntry: (entry) => void audiences.add(entry.index, entry.text),
  });
  await audiences.catchUp(live.ledger.store);
  const verdicts = new WeakMap<Principal, Map<Audience, boolean>>();
  // the review reads: each entry as the caller may read it, by the same audiences as the feed
  const reviewSource: ReviewSource = {
    store: live.ledger.store,
    world: () => live.coordination.world,
    readable: async (caller) => {
      await audiences.catchUp(live.ledger.store);
      return (index) => {
        const audience = audiences.at(index);
        return audience !== undefined && mayRead(caller, audience);
      };
    },
  };
  const review = new ReviewService(reviewSource);
  // the reports rest on a signed checkpoint covering what they read
  const reports = new ReportService({ review, source: reviewSource, ledger: live.ledger, now: () => new Date() });
  // every command's entries reach the feed as soon as they are stored
  const unsubscribe = live.coordination.subscribe(() => void feed.notify());
  const app = await buildServer({
    title: `Concord API: ${live.node.origin}`,
    authenticator: accountsAuthenticator(live.accounts),
    ready: live.open,
    ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
    ...(opts.clock !== undefined ? { clock: opts.clock } : {}),
    routes: [
      ...publicLogRoutes({
        ledger: live.ledger,
        witnessing: live.publisher,
        verifierKey: live.node.verifierKey,
        // a bundle is all or nothing: every entry in it must be one the caller may read
        mayReadEntries: async (principal, from, to) => {
          await audiences.catchUp(live.ledger.store);
          const caller = callerOf(principal);
          for (let i = from; i < to; i++) {
            const audience = audiences.at(i);
            if (audience === undefined || !mayRead(caller, audience)) return false;
          }
          return true;
        },
      }),
      ...sessionRoutes(live.accounts, opts.clock, live.coordination),
      ...commandRoutes(
        live.coordination,
        live.publisher.active
          ? { witnessed: (size) => witnessedBy(live, size), ...(opts.acknowledge !== undefined ? { acknowledge: opts.acknowledge } : {}) }
          : {},
      ),
      ...queryRoutes(live.coordination),
      ...reviewRoutes(review),
      ...reportRoutes(reports),
      ...bundleRoutes({
        ledger: live.ledger,
        coordination: live.coordination,
        mayReadEntry: async (principal, index) => {
          await audiences.catchUp(live.ledger.store);
          const audience = audiences.at(index);
          return audience !== undefined && mayRead(callerOf(principal), audience);
        },
      }),
    ],
    feed: {
      ...opts.feed,
      feed,
      // what visible asks of a caller: its role, agency and person (callerOf), nothing else
      viewer: (principal) => {
        const c = callerOf(principal);
        return `${c.role}|${c.agency}|${c.person ?? ''}`;
      },
      visible: (principal, entry) => {
        const audience = audiences.at(entry.index);
        if (audience === undefined) return false;
        // audiences are interned (a few distinct ones): each is judged once per client
        let known = verdicts.get(principal);
        if (known === undefined) verdicts.set(principal, (known = new Map()));
        let may = known.get(audience);
        if (may === undefined) known.set(audience, (may = mayRead(callerOf(principal), audience)));
        return may;
      },
      // a notification is delivered when a client of its recipient receives it
      received: (principal, entry) => {
        if (entry.type !== 'notification.created' || principal.reviewer) return;
        // markDelivered judges whether this caller is its recipient; a notice to someone else of the agency stays undelivered
        const id = (entry.body as { notification?: unknown }).notification;
        if (typeof id !== 'string') return;
        deliverInbox(live.coordination, principal, [id]).catch((e: unknown) => app.log.warn({ err: e, notification: id }, 'delivery not recorded'));
      },
    },
  });
  // the witness role (C2SP tlog-witness): its text bodies are parsed in their own scope
  await registerWitnessRoutes(app, live.witness);
  registerConsoleRoutes(app, opts.consoleDir);
  app.addHook('onClose', async () => {
    unsubscribe();
    feed.close();
  });
  return app;
}

/** a checkpoint covering `size` entries signed now; true once one is cosigned by the quorum (the route bounds the wait) */
async function witnessedBy(live: LiveNode, size: number): Promise<boolean> {
  await live.ledger.checkpoint();
  await live.publisher.whenWitnessed(size);
  return (live.publisher.witnessedCheckpoint()?.size ?? 0) >= size;
}
