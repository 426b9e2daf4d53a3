/**
 * The console's only way to the server: fetch on the same origin, the
 * session cookie sent by the browser, the CSRF token (from the login or
 * GET /v1/session) on every POST. A refusal arrives as problem+json
 * (RFC 9457) with the server's code and, when one field is at fault, its
 * JSON path ("body.reason"): ApiProblem keeps both for the form to show.
 */

export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly code?: string;
  readonly field?: string;
}

/** codes that are about one field even when the server names none (src/errors.ts holds the registry) */
const FIELD_OF_CODE: Record<string, string> = {
  ORDER_REASON_REQUIRED: 'reason',
  REASON_REQUIRED: 'reason',
};

export class ApiProblem extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.problem = problem;
  }
  /** the body field at fault ("reason" for "body.reason"): the one the server named, else the one its code is about */
  get field(): string | undefined {
    const f = this.problem.field ?? (this.problem.code !== undefined ? FIELD_OF_CODE[this.problem.code] : undefined);
    if (f === undefined) return undefined;
    return f.startsWith('body.') ? f.slice('body.'.length) : f;
  }
}

let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

async function answer<T>(response: Response): Promise<T> {
  const type = response.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) {
    const p = typeof body === 'object' && body !== null ? (body as Problem) : { status: response.status, detail: String(body) };
    throw new ApiProblem({ ...p, status: response.status });
  }
  return body as T;
}

export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } }));
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  return answer<T>(await fetch(path, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) }));
}

/** the message of anything thrown, for a status line */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
