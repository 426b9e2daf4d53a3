/**
 * The HTTP server: Fastify, on the node's LedgerService and
 * CoordinationService (the same application layer the CLI uses; the server
 * adds no second path to the ledger). This file wires the pieces: bodies
 * parsed strictly, errors said as problem+json, every route authenticated
 * and authorised except the public ones, Idempotency-Key on every POST, the
 * OpenAPI document and its interactive docs.
 */
import websocket from '@fastify/websocket';
import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import { requireWrite } from '../app/accounts.ts';
import { ConcordError } from '../errors.ts';
import { parseJsonStrict } from '../ledger/strict-json.ts';
import { docsRoutes, openApiDocument } from './openapi.ts';
import { HttpProblem, PROBLEM_JSON, problem, problemOf, type Problem } from './problem.ts';
import type { Principal } from './principal.ts';
import { registerFeed, type FeedOptions } from './feed-route.ts';
import { IdempotencyKeys } from './idempotency.ts';
import { defineRoute, register, type Access, type AnyRoute } from './route.ts';

/** the largest body the server reads (a bulk of AVL positions fits well within it) */
export const BODY_LIMIT = 1 << 20;

/** what a request carries to say who is calling */
export interface Credentials {
  readonly method: string;
  /** the Authorization header, if any */
  readonly authorization: string | undefined;
  /** the Cookie header, if any */
  readonly cookie: string | undefined;
  /** the X-CSRF-Token header, checked for sessions on unsafe methods */
  readonly csrf: string | undefined;
  readonly address: string;
}

export interface Authenticator {
  /**
   * The caller the credentials name; undefined when they name none. Throws
   * an HttpProblem (401) when credentials were sent and are not valid, or
   * (403) when a session's CSRF token is missing on an unsafe method.
   */
  authenticate(c: Credentials): Promise<Principal | undefined>;
}

export interface ServerOptions {
  readonly routes: readonly AnyRoute[];
  readonly authenticator: Authenticator;
  /** is the node ready to take commands (ledger open, world projected)? */
  readonly ready: () => boolean;
  /** a pino logger (the server logs each request, never a secret header); none: silent */
  readonly logger?: FastifyBaseLogger;
  readonly clock?: () => number;
  readonly title?: string;
  /** the live feed at /v1/feed (WebSocket) */
  readonly feed?: FeedOptions;
}

/** headers whose values are secrets: never logged */
export const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-csrf-token'];

function sendProblem(reply: import('fastify').FastifyReply, p: Problem): void {
  reply.code(p.status).type(PROBLEM_JSON).send(p);
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger !== undefined ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    // ids in paths are short; anything longer is not ours
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // the router's own refusals (a path that is not a URL, a parameter past maxParamLength) are problems too
    frameworkErrors: (error, _request, reply) => {
      sendProblem(reply, fastifyProblem(error) ?? problem('BAD_INPUT', 400, 'the request path cannot be read', { field: 'path' }));
    },
    clientErrorHandler: clientProblem,
  });

  // bodies: strict JSON only (a key twice, invalid UTF-8, numbers a double does not hold, nesting past the limit: refused, naming where)
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'buffer' }, (_req, body, done) => {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    try {
      const decoded = text.decode(body as Buffer);
      if (decoded.trim() === '') throw new ConcordError('BAD_INPUT', 'body: the body is empty; send a JSON object', { field: 'body' });
      done(null, parseJsonStrict(decoded));
    } catch (e) {
      if (e instanceof ConcordError)
        return done(
          new ConcordError(e.code, e.message.startsWith('body') ? e.message : `body: ${e.message}`, { field: 'body', ...(e.details ?? {}) }),
          undefined,
        );
      done(new ConcordError('BAD_INPUT', 'body: the body is not UTF-8', { field: 'body' }), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const p = fastifyProblem(error) ?? problemOf(error, request.url);
    if (p.status >= 500) request.log.error({ err: error }, 'request failed');
    sendProblem(reply, p);
  });
  app.setNotFoundHandler((request, reply) => {
    sendProblem(reply, problem('NOT_FOUND', 404, `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  // what a browser must not do with an answer: guess its type, show it in a frame, send it on as a referrer,
  // or keep a copy of an agency's records in a shared cache
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('cache-control') && request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  const keys = new IdempotencyKeys(opts.clock);
  const authorize = async (request: FastifyRequest, access: Access): Promise<Principal | undefined> => {
    let principal: Principal | undefined;
    try {
      principal = await opts.authenticator.authenticate({
        method: request.method,
        authorization: request.headers.authorization,
        cookie: request.headers.cookie,
        csrf: typeof request.headers['x-csrf-token'] === 'string' ? request.headers['x-csrf-token'] : undefined,
        address: request.ip,
      });
    } catch (e) {
      // a public route grants nothing to credentials, so credentials that are not valid are no reason to refuse it:
      // above all the login, which a browser still holding the cookie of a session that timed out calls
      if (access === 'public') return undefined;
      throw e;
    }
    if (access === 'public') return principal;
    if (principal === undefined) throw new ConcordError('UNAUTHENTICATED', 'log in (POST /v1/session) or send Authorization: Bearer <token>');
    if (access === 'write') requireWrite(principal);
    return principal;
  };

  const routes: AnyRoute[] = [
    defineRoute({
      method: 'GET',
      url: '/health',
      tag: 'operations',
      summary: 'the process is up (liveness)',
      access: 'public',
      response: { status: 200, description: 'up' },
      async handler() {
        return { status: 'ok' };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/ready',
      tag: 'operations',
      summary: 'the node takes commands (readiness): its ledger is open and its world projected',
      access: 'public',
      response: { status: 200, description: 'ready' },
      async handler() {
        if (!opts.ready()) throw new ConcordError('LEDGER_CLOSED', 'the node is starting or shutting down');
        return { status: 'ready' };
      },
    }),
    ...opts.routes,
  ];
  const document = openApiDocument(routes, opts.title ?? 'Concord API');
  routes.push(...docsRoutes(document));

  if (opts.feed !== undefined) {
    await app.register(websocket, { options: { maxPayload: 4096 } });
    registerFeed(app, { ...opts.feed, authorize });
  }
  for (const route of routes) {
    if (route.method !== 'POST') {
      register(app, route, authorize);
      continue;
    }
    register(app, route, authorize, route.idempotent === false ? undefined : keys);
  }
  return app;
}

/** Fastify's own refusals (too large, wrong content type, ...) as problems; undefined for anything else */
function fastifyProblem(error: unknown): Problem | undefined {
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof e.code !== 'string' || !e.code.startsWith('FST_')) return undefined;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('PAYLOAD_TOO_LARGE', 413, `the body is larger than ${BODY_LIMIT} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('UNSUPPORTED_MEDIA_TYPE', 415, 'send the body as application/json', { field: 'headers.content-type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('BAD_INPUT', 400, 'body: the body is empty; send a JSON object', { field: 'body' });
    case 'FST_ERR_BAD_URL':
      return problem('BAD_INPUT', 400, 'the request path is not a valid URL (a percent sign not followed by two hex digits?)', { field: 'path' });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return problem('BAD_INPUT', 414, 'a path parameter is longer than any id this server has', { field: 'path' });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return problem('BAD_INPUT', 400, 'the Content-Length does not match the body', { field: 'headers.content-length' });
    default:
      return status < 500 ? problem('BAD_INPUT', status, String(e.message)) : undefined;
  }
}

/**
 * A request Node's HTTP parser refused before Fastify saw it (headers past
 * the size limit, a malformed request line, a timeout): answered as a
 * problem on the socket, then closed, as Node itself does (Fastify's own
 * handler would answer application/json).
 */
function clientProblem(error: Error & { code?: string }, socket: import('node:net').Socket): void {
  // a reset connection has nobody to answer
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const p =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? problem('BAD_INPUT', 431, 'the request line and headers are larger than the server reads', { field: 'headers' })
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? problem('BAD_INPUT', 408, 'the request did not arrive in time')
        : problem('BAD_INPUT', 400, 'the request is not valid HTTP');
  const body = JSON.stringify(p);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${p.status} ${STATUS_CODES[p.status] ?? ''}\r\nContent-Type: ${PROBLEM_JSON}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
