/**
 * The one registry of error codes. Every layer throws ConcordError with a code
 * from this table; only the server maps codes to HTTP statuses and only the
 * CLI maps them to exit codes. A leaf module: imports nothing of ours.
 */
export const ERROR_CODES = {
  // input from outside (files, flags, bodies)
  BAD_INPUT: 'input is malformed or fails validation',
  BAD_USAGE: 'command-line usage is wrong',
  NOT_FOUND: 'the named thing does not exist',
  // ledger and store
  CANONICAL_JSON: 'value cannot be serialised as RFC 8785 canonical JSON',
  LEDGER_CORRUPT: 'stored ledger data is inconsistent',
  LEDGER_CLOSED: 'the ledger store is closed',
  LEDGER_CONTENDED: 'another process is writing to the same ledger',
  DATA_DIR_EXISTS: 'the data directory is already initialised',
  DATA_DIR_MISSING: 'the path named is not a Concord data directory (nothing there, a file, or a directory without concord.json)',
  DATA_DIR_UNUSABLE: 'the data directory is a node whose own files cannot be used (concord.json, keys or database missing, unreadable or broken)',
  PROOF_INVALID: 'a Merkle proof does not verify',
  NOTE_INVALID: 'a signed note is malformed or its signature does not verify',
  KEY_INVALID: 'a signer or verifier key is malformed',
  // accounts: who is calling (the server answers 401, 403 or 429; never says which login exists)
  UNAUTHENTICATED: 'no valid session or API token came with the call',
  LOGIN_FAILED: 'the login name or password is wrong, or the account is disabled',
  LOGIN_LOCKED: 'too many failed logins for this name or address; logins are refused until the lockout ends',
  CSRF_INVALID: "a change asked through a console session lacks the session's CSRF token",
  READ_ONLY: 'the caller may read but not change anything (a reviewer, or a read-scoped token)',
  ACTOR_MISMATCH: 'the call names another actor than the signed-in person or token it comes with',
  // domain
  NOT_AUTHORISED: 'the actor lacks the authority for this action',
  NOT_IN_CHAIN_OF_COMMAND: "the target is outside the issuer's chain of command",
  AGENCY_MISMATCH: 'a unit, person or position belongs to another agency than the action needs',
  NOT_A_RECIPIENT: 'the order or notification is not addressed to this unit, person or agency',
  COUNT_EXCEEDED: 'more units than were requested or accepted',
  REQUEST_KIND_MISMATCH: 'the action does not apply to this kind of request (units, information, other)',
  COMMAND_INCONSISTENT: 'the command contradicts itself or the record, or leaves nothing to do',
  REASON_REQUIRED: 'a decision needs a non-empty reason',
  ORDER_REASON_REQUIRED: 'an order needs a non-empty rationale',
  INVALID_TRANSITION: 'the action is not allowed in the current state',
  REQUEST_NOT_OPEN: 'the request is not open',
  VERDICT_PROHIBITED: 'the protocol verdict prohibits this',
  APPROVAL_REQUIRED: 'the protocol verdict requires approval by a role the actor does not hold',
  UNKNOWN_ENTITY: 'an agency, person, position, unit, incident, request or order is unknown',
  DUPLICATE_ID: 'an entity with this id already exists',
  INCIDENT_CLOSED: 'the incident is closed',
  // policy
  POLICY_INVALID: 'a policy set is malformed or fails to parse',
  POLICY_NOT_EFFECTIVE: 'no policy version is in effect at that time',
  POLICY_EVALUATION_FAILED: 'the policy engine could not evaluate the facts (a policy raised an error)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ConcordError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  /**
   * `cause`: the error this one re-states (Error.cause, ES2022), kept whole
   * so a log or a debugger still reaches the original stack and code.
   */
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { readonly cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConcordError';
    this.code = code;
    this.details = details;
  }
}

export function isConcordError(e: unknown, code?: ErrorCode): e is ConcordError {
  return e instanceof ConcordError && (code === undefined || e.code === code);
}
