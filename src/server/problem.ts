/**
 * Errors as the API says them: application/problem+json (RFC 9457) with the
 * registry's code, the field at fault when there is one, and the sentence
 * the domain or the validator wrote. The one place that maps error codes to
 * HTTP statuses (src/errors.ts keeps the codes; the CLI maps them to exit
 * codes). Anything a client can send is a 4xx; a 5xx means the node itself
 * failed (its disk, its database), never the request.
 */
import { ERROR_CODES, isConcordError, type ErrorCode } from '../errors.ts';

export const PROBLEM_JSON = 'application/problem+json';

/** the HTTP status of each error code */
export const STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_INPUT: 400,
  BAD_USAGE: 400,
  NOT_FOUND: 404,
  CANONICAL_JSON: 400,
  // the node's own state: not the client's fault, and it may pass
  LEDGER_CORRUPT: 500,
  LEDGER_CLOSED: 503,
  LEDGER_CONTENDED: 503,
  DATA_DIR_EXISTS: 409,
  DATA_DIR_MISSING: 500,
  DATA_DIR_UNUSABLE: 500,
  PROOF_INVALID: 400,
  NOTE_INVALID: 400,
  KEY_INVALID: 400,
  // the caller may not do this, whatever it sends
  NOT_AUTHORISED: 403,
  NOT_IN_CHAIN_OF_COMMAND: 403,
  AGENCY_MISMATCH: 403,
  NOT_A_RECIPIENT: 403,
  VERDICT_PROHIBITED: 403,
  APPROVAL_REQUIRED: 403,
  // well-formed, but not now or not with what the record holds
  COUNT_EXCEEDED: 409,
  REQUEST_KIND_MISMATCH: 409,
  COMMAND_INCONSISTENT: 409,
  INVALID_TRANSITION: 409,
  REQUEST_NOT_OPEN: 409,
  INCIDENT_CLOSED: 409,
  DUPLICATE_ID: 409,
  REASON_REQUIRED: 422,
  ORDER_REASON_REQUIRED: 422,
  UNKNOWN_ENTITY: 404,
  POLICY_INVALID: 400,
  POLICY_NOT_EFFECTIVE: 409,
  POLICY_EVALUATION_FAILED: 500,
  // who is calling
  UNAUTHENTICATED: 401,
  LOGIN_FAILED: 401,
  LOGIN_LOCKED: 429,
  CSRF_INVALID: 403,
  READ_ONLY: 403,
  ACTOR_MISMATCH: 403,
};

/** codes of the HTTP layer itself, beside the registry's */
export const HTTP_CODES = {
  FORBIDDEN: 'the caller may not do this',
  METHOD_NOT_ALLOWED: 'the resource does not take this method',
  UNSUPPORTED_MEDIA_TYPE: 'the body is not of a content type this route takes',
  PAYLOAD_TOO_LARGE: 'the body is larger than the server takes',
  TOO_MANY_REQUESTS: 'too many attempts; wait and try again',
  IDEMPOTENCY_CONFLICT: 'this Idempotency-Key was used with another request',
  INTERNAL: 'the server failed; the request may not have been carried out',
} as const;

export type ProblemCode = ErrorCode | keyof typeof HTTP_CODES;

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  /** the field at fault, as a JSON path into the body, query or path ("body.units[2]") */
  readonly field?: string;
  readonly instance?: string;
}

export function problemType(code: ProblemCode): string {
  return `urn:concord:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function problem(code: ProblemCode, status: number, detail: string, extra: { field?: string; instance?: string } = {}): Problem {
  const title = code in ERROR_CODES ? ERROR_CODES[code as ErrorCode] : HTTP_CODES[code as keyof typeof HTTP_CODES];
  return {
    type: problemType(code),
    title,
    status,
    detail,
    code,
    ...(extra.field !== undefined ? { field: extra.field } : {}),
    ...(extra.instance !== undefined ? { instance: extra.instance } : {}),
  };
}

/** An error thrown by a route, said as a problem; an error that is none of ours is a 500 whose detail reveals nothing. */
export function problemOf(e: unknown, instance?: string): Problem {
  if (isConcordError(e)) {
    const field = typeof e.details?.['field'] === 'string' ? (e.details['field'] as string) : undefined;
    return problem(e.code, STATUS[e.code], e.message, { ...(field !== undefined ? { field } : {}), ...(instance !== undefined ? { instance } : {}) });
  }
  if (e instanceof HttpProblem) return { ...e.problem, ...(instance !== undefined ? { instance } : {}) };
  return problem('INTERNAL', 500, 'the server failed while handling this request; it has been logged', instance !== undefined ? { instance } : {});
}

/** a problem the HTTP layer raises (401, 403, 415, ...) */
export class HttpProblem extends Error {
  readonly problem: Problem;
  constructor(code: keyof typeof HTTP_CODES | ErrorCode, status: number, detail: string, field?: string) {
    super(detail);
    this.problem = problem(code, status, detail, field !== undefined ? { field } : {});
  }
}
