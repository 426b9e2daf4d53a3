/**
 * Logging in and out of the console, and the authenticator every route
 * asks. A console session lives in an httpOnly cookie (SameSite=Strict,
 * Secure when the server speaks TLS) that page scripts cannot read; every
 * change through it also carries the session's CSRF token in X-CSRF-Token.
 * Systems send an API token as Authorization: Bearer. Failed logins are
 * throttled per name and per address, with lockout (src/app/login-throttle.ts).
 */
import { z } from 'zod';
import type { AccountService } from '../app/accounts.ts';
import { csrfTokenFor } from '../app/credentials.ts';
import { standingOf } from '../domain/index.ts';
import { authoritySchema } from '../domain/values.ts';
import type { World } from '../domain/world.ts';
import { ConcordError, isConcordError } from '../errors.ts';
import type { Authenticator, Credentials } from './app.ts';
import { HttpProblem } from './problem.ts';
import type { Principal } from './principal.ts';
import { defineRoute, type AnyRoute } from './route.ts';

export const SESSION_COOKIE = 'concord_session';

/** the value of one cookie in a Cookie header (RFC 6265 §5.4) */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** the token of an Authorization: Bearer header; a header of another scheme is refused, not ignored */
function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m) throw new HttpProblem('UNAUTHENTICATED', 401, 'the Authorization header must be "Bearer <token>"', 'headers.authorization');
  return m[1];
}

export function accountsAuthenticator(accounts: AccountService): Authenticator {
  return {
    async authenticate(c: Credentials): Promise<Principal | undefined> {
      const bearer = bearerOf(c.authorization);
      const sessionId = cookieValue(c.cookie, SESSION_COOKIE);
      return accounts.authenticateCall({ method: c.method, sessionId: sessionId || undefined, bearer, csrfToken: c.csrf });
    },
  };
}

function sessionCookie(value: string, secure: boolean, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}; Max-Age=${maxAgeSeconds}`;
}

const whoSchema = z.object({
  kind: z.enum(['session', 'token']),
  agency: z.string(),
  person: z.string().optional(),
  login: z.string().optional(),
  reviewer: z.boolean(),
  scope: z.enum(['read', 'write']),
  csrfToken: z.string().optional(),
  expiresAt: z.string().optional(),
  /** a person's positions now (held or delegated), each with the positions and units it commands */
  positions: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        agency: z.string(),
        reportsTo: z.string().optional(),
        positions: z.array(z.string()),
        units: z.array(z.string()),
      }),
    )
    .optional(),
  /** every authority the person may rest a decision on now: positions, delegations, incident command roles */
  authorities: z.array(authoritySchema).optional(),
});

/** what the caller stands on, read from the world: the person's positions and authorities (a token has none) */
export interface StandingSource {
  readonly world: World;
  now(): string;
}

function who(p: Principal, extra: { csrfToken?: string; expiresAt?: string } = {}, standing?: StandingSource): Readonly<Record<string, unknown>> {
  const s = p.kind === 'session' && standing !== undefined ? standingOf(standing.world, p.person, standing.now()) : undefined;
  return {
    kind: p.kind,
    agency: p.agency,
    ...(p.kind === 'session' ? { person: p.person, login: p.login } : {}),
    reviewer: p.reviewer,
    scope: p.scope,
    ...extra,
    ...(s !== undefined ? { positions: s.positions, authorities: s.authorities } : {}),
  };
}

export function sessionRoutes(accounts: AccountService, clock: () => number = Date.now, standing?: StandingSource): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/v1/session',
      tag: 'session',
      summary: 'log in to the console: sets the session cookie and returns the CSRF token to send with every change',
      access: 'public',
      // a replayed answer would hand the CSRF token to whoever repeats the key, without the cookie it goes with
      idempotent: false,
      body: z.strictObject({ login: z.string().min(1).max(64), password: z.string().min(1).max(1024) }),
      response: { status: 201, description: 'logged in', schema: whoSchema },
      async handler({ body, request, reply }) {
        try {
          const s = await accounts.login({ login: body.login, password: body.password, address: request.ip });
          const maxAge = Math.max(0, Math.floor((Date.parse(s.expiresAt) - clock()) / 1000));
          reply.header('set-cookie', sessionCookie(s.sessionId, request.protocol === 'https', maxAge));
          reply.header('cache-control', 'no-store');
          return who(s.principal, { csrfToken: s.csrfToken, expiresAt: s.expiresAt }, standing);
        } catch (e) {
          if (isConcordError(e, 'LOGIN_LOCKED')) {
            const ms = Number(e.details?.['retryAfterMs'] ?? 60_000);
            reply.header('retry-after', String(Math.max(1, Math.ceil(ms / 1000))));
          }
          throw e;
        }
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/session',
      tag: 'session',
      summary: 'who you are logged in as, with the CSRF token again (after a page reload), and the positions and authorities you hold now',
      access: 'read',
      response: { status: 200, description: 'the caller', schema: whoSchema },
      async handler({ principal, request, reply }) {
        const p = principal as Principal;
        const sessionId = cookieValue(request.headers.cookie, SESSION_COOKIE);
        reply.header('cache-control', 'no-store');
        return who(p, p.kind === 'session' && sessionId !== undefined ? { csrfToken: csrfTokenFor(sessionId) } : {}, standing);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/v1/session/logout',
      tag: 'session',
      summary: 'log out: ends the session and clears its cookie',
      access: 'read',
      response: { status: 200, description: 'logged out' },
      async handler({ principal, request, reply }) {
        const p = principal as Principal;
        if (p.kind !== 'session') throw new ConcordError('BAD_INPUT', 'an API token does not log out; revoke it with concord token revoke');
        const sessionId = cookieValue(request.headers.cookie, SESSION_COOKIE) as string;
        await accounts.logout(sessionId);
        reply.header('set-cookie', sessionCookie('', request.protocol === 'https', 0));
        return { status: 'logged out' };
      },
    }),
  ];
}
