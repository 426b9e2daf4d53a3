/**
 * One definition per route: its method and path, who may call it, and zod
 * schemas for its path parameters, query and body. The same schemas validate
 * every request at run time, give the handler its types, and are written
 * into the OpenAPI 3.1 document (openapi.ts), so the three cannot disagree.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ConcordError } from '../errors.ts';
import type { IdempotencyKeys, IdempotencyReceipt, RecalledAnswer } from './idempotency.ts';
import type { Principal } from './principal.ts';
import { PROBLEM_JSON, problemOf } from './problem.ts';

/** who may call a route: anyone; any logged-in caller (reading); a caller allowed to change things */
export type Access = 'public' | 'read' | 'write';

export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** the authenticated caller; present on every route but the public ones */
  readonly principal: Principal | undefined;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
  /** the request's Idempotency-Key receipt, when it sent a key (idempotency.ts) */
  readonly receipt?: IdempotencyReceipt;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'GET' | 'POST';
  /** Fastify's form: /v1/requests/:requestId/accept */
  readonly url: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly access: Access;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** false: Idempotency-Key is not honoured (a login: its answer carries a secret that must not be replayed) */
  readonly idempotent?: false;
  /** runs on the raw body before it is validated (the caller is known by then) */
  readonly prepareBody?: (body: unknown, principal: Principal | undefined) => unknown;
  /** the success status and, for JSON answers, the shape of the answer (documentation only) */
  readonly response: { readonly status: number; readonly description: string; readonly schema?: z.ZodType; readonly contentType?: string };
  handler(ctx: RouteContext<P, Q, B>): Promise<unknown>;
  /**
   * The first answer to a request whose receipt was stored with what it did
   * (a command's entries), for a retry the server no longer holds in memory
   * (it restarted); undefined if nothing was stored with it.
   */
  recall?(receipt: IdempotencyReceipt): Promise<RecalledAnswer | undefined>;
}

/** a route definition with its types erased, for lists of routes */
export type AnyRoute = RouteSpec<any, any, any>;

export function defineRoute<P, Q, B>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec;
}

/** zod's first issue as one sentence, naming the field by where it is: "body.units[2]: expected string" */
export function validationError(where: 'body' | 'query' | 'params', error: z.ZodError): ConcordError {
  const first = error.issues[0];
  const path = first === undefined ? [] : first.path;
  let field: string = where === 'params' ? 'path' : where;
  for (const step of path) field += typeof step === 'number' ? `[${step}]` : `.${String(step)}`;
  // an unknown key is reported on the object that holds it: name the key itself, the field at fault
  if (first?.code === 'unrecognized_keys' && first.keys[0] !== undefined) field += `.${first.keys[0]}`;
  return new ConcordError('BAD_INPUT', `${field}: ${first?.message ?? 'invalid'}`, {
    field,
    issues: error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

function parsePart<T>(where: 'body' | 'query' | 'params', schema: z.ZodType<T> | undefined, value: unknown): T {
  if (schema === undefined) return undefined as T;
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!r.success) throw validationError(where, r.error);
  return r.data;
}

/**
 * Registers a route on Fastify. `authorize` runs first (it answers 401/403
 * by throwing); then the path, query and body are validated in that order.
 */
export function register(
  app: FastifyInstance,
  route: AnyRoute,
  authorize: (req: FastifyRequest, access: Access) => Promise<Principal | undefined>,
  keys?: IdempotencyKeys,
): void {
  const run = async (request: FastifyRequest, reply: FastifyReply, principal: Principal | undefined, receipt?: IdempotencyReceipt): Promise<unknown> => {
    const params = parsePart('params', route.params, request.params);
    const query = parsePart('query', route.query, request.query);
    const raw = route.prepareBody !== undefined ? route.prepareBody(request.body, principal) : request.body;
    const body = parsePart('body', route.body, raw);
    return route.handler({ params, query, body, principal, request, reply, ...(receipt !== undefined ? { receipt } : {}) });
  };
  const principals = new WeakMap<FastifyRequest, Principal | undefined>();
  app.route({
    method: route.method,
    url: route.url,
    // the caller is known before the body is read: a stranger cannot make the server parse a megabyte
    onRequest: async (request) => {
      principals.set(request, await authorize(request, route.access));
    },
    handler: async (request, reply) => {
      const principal = principals.get(request);
      const key = request.headers['idempotency-key'];
      if (keys !== undefined && key !== undefined) {
        // a retry gets the first answer, refusals included, and runs nothing
        const answer = await keys.once(
          principal?.id ?? `address:${request.ip}`,
          Array.isArray(key) ? key.join(',') : key,
          [request.method, request.url, JSON.stringify(request.body ?? null)],
          async (receipt) => {
            try {
              return { status: route.response.status, body: await run(request, reply, principal, receipt) };
            } catch (e) {
              const p = problemOf(e, request.url);
              return { status: p.status, body: p };
            }
          },
          route.recall !== undefined
            ? async (receipt) => {
                const body = await route.recall?.(receipt);
                return body === undefined ? undefined : { ...body, status: route.response.status };
              }
            : undefined,
        );
        if (answer.replayed) reply.header('idempotent-replayed', 'true');
        reply.code(answer.status);
        if (answer.status >= 400) reply.type(PROBLEM_JSON);
        else if (route.response.contentType !== undefined && !reply.hasHeader('content-type')) reply.type(route.response.contentType);
        return answer.body;
      }
      const out = await run(request, reply, principal);
      if (!reply.sent) {
        reply.code(route.response.status);
        // a handler that set the type itself (a file it serves) keeps it
        if (route.response.contentType !== undefined && !reply.hasHeader('content-type')) reply.type(route.response.contentType);
      }
      return out;
    },
  });
}
