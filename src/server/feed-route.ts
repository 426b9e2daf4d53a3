/**
 * GET /v1/feed?since=INDEX over WebSocket: the entries of the ledger the
 * caller may see, in ledger order, each with its index, from just after
 * `since` (LedgerFeed keeps the order and the resumption exact).
 *
 * Messages (JSON text frames):
 *   {"type":"entry","index":N,"entry":{...the entry as the ledger holds it...}}
 *   {"type":"heartbeat","cursor":N}  every HEARTBEAT_MS: the last index the
 *                                    feed has looked at for this caller (resume
 *                                    from it; entries the caller may not see are
 *                                    skipped, not sent)
 * Close codes:
 *   4001  not logged in (sent only if the upgrade got through without credentials)
 *   4008  the client did not keep up (its unsent backlog passed SLOW_CLIENT_BYTES):
 *         reconnect with since = the last index received
 *   1001  the server is shutting down: reconnect later with since
 *   1011  the feed failed on the server
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { FeedEntry, FeedRun, LedgerFeed } from '../app/feed.ts';
import { ConcordError } from '../errors.ts';
import type { Principal } from './principal.ts';
import { validationError, type Access } from './route.ts';
import { textFrames } from './ws-frames.ts';

export const HEARTBEAT_MS = 15_000;
/** a client whose unsent backlog grows past this is too slow: it is closed and resumes */
export const SLOW_CLIENT_BYTES = 4 << 20;
export const CLOSE_TOO_SLOW = 4008;
export const CLOSE_UNAUTHENTICATED = 4001;

/**
 * -1 (from the first entry) or an entry index, in decimal digits. Anything
 * else is refused rather than guessed at: a number coerced from `since=`
 * (0), `1e3`, `0x10` or ` 5` would resume from an index the client never named.
 */
const sinceSchema = z
  .string()
  .regex(/^(?:-1|0|[1-9][0-9]{0,15})$/, 'since is -1 (from the first entry) or the index of an entry, in decimal digits')
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER));
const feedQuery = z.strictObject({ since: sinceSchema.optional() });

export interface FeedOptions {
  readonly feed: LedgerFeed;
  /** may this caller see the entry? */
  readonly visible: (principal: Principal, entry: FeedEntry) => boolean;
  /** callers with the same viewer see the same entries (`visible` answers alike for them) */
  readonly viewer: (principal: Principal) => string;
  /** the caller received the entry (a notification to them is then delivered) */
  readonly received?: (principal: Principal, entry: FeedEntry) => void;
  /** how often a heartbeat is sent (HEARTBEAT_MS unless a test wants them sooner) */
  readonly heartbeatMs?: number;
  /** the unsent backlog past which a client is too slow (SLOW_CLIENT_BYTES unless a test wants a smaller one) */
  readonly slowClientBytes?: number;
}

/** a run's frames, built once for all the clients it goes to */
const frames = new WeakMap<FeedRun, Buffer>();
function framesOf(run: FeedRun): Buffer {
  let f = frames.get(run);
  if (f === undefined) frames.set(run, (f = textFrames(run.entries.map((e) => e.bytes))));
  return f;
}

export function registerFeed(
  app: FastifyInstance,
  deps: FeedOptions & { readonly authorize: (req: FastifyRequest, access: Access) => Promise<Principal | undefined> },
): void {
  const principals = new WeakMap<object, Principal>();
  const sockets = new Set<WebSocket>();
  app.addHook('onClose', async () => {
    for (const s of sockets) s.close(1001, 'the server is shutting down');
  });
  app.get(
    '/v1/feed',
    {
      websocket: true,
      // refused before the upgrade: a plain HTTP problem (401/400) the client can read
      preValidation: async (request) => {
        const principal = (await deps.authorize(request, 'read')) as Principal;
        const q = feedQuery.safeParse(request.query);
        if (!q.success) throw validationError('query', q.error);
        const since = q.data.since ?? deps.feed.size - 1;
        if (since >= deps.feed.size) {
          throw new ConcordError('BAD_INPUT', `since ${since} is beyond the last entry of this log (${deps.feed.size - 1})`, { field: 'query.since' });
        }
        principals.set(request, principal);
      },
    },
    (socket, request) => {
      const principal = principals.get(request);
      if (principal === undefined) {
        socket.close(CLOSE_UNAUTHENTICATED, 'log in first');
        return;
      }
      const q = feedQuery.parse(request.query);
      const since = q.since ?? deps.feed.size - 1;
      sockets.add(socket);
      const slowClientBytes = deps.slowClientBytes ?? SLOW_CLIENT_BYTES;
      // the connection under the WebSocket: a run's frames are written to it directly, in
      // one write, the same bytes for every client of the same viewer (ws writes its own
      // frames to it synchronously too, so heartbeats and closes stay in order)
      const wire = request.raw.socket;
      const subscription = deps.feed.subscribe(since, {
        viewer: deps.viewer(principal),
        visible: (entry) => deps.visible(principal, entry),
        send: (run) => {
          if (socket.readyState !== socket.OPEN) return true;
          // the backlog the kernel has not taken yet, from runs before this one
          if (socket.bufferedAmount > slowClientBytes) return false;
          wire.write(framesOf(run));
          if (deps.received !== undefined) for (const entry of run.entries) deps.received(principal, entry);
          return true;
        },
        dropped: (why) => {
          if (why === 'too slow') socket.close(CLOSE_TOO_SLOW, 'too slow: reconnect with since = the last index received');
          else socket.close(1001, 'the feed closed');
        },
      });
      const beat = setInterval(() => {
        if (socket.readyState !== socket.OPEN) return;
        socket.send(`{"type":"heartbeat","cursor":${subscription.cursor()}}`);
        socket.ping();
      }, deps.heartbeatMs ?? HEARTBEAT_MS);
      beat.unref();
      socket.on('close', () => {
        clearInterval(beat);
        subscription.unsubscribe();
        sockets.delete(socket);
      });
      // clients only listen; anything they send is ignored
      socket.on('message', () => undefined);
    },
  );
}
