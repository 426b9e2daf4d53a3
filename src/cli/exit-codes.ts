/**
 * The command line's exit codes: which error code ends in which status, and
 * the words every --help and the README use for them, kept side by side so
 * they cannot drift apart.
 *
 *   0  the command did what was asked
 *   1  a verification failed (an answer, not an error: verify and protocol
 *      test return it themselves)
 *   2  bad usage or bad input: a flag, a file, a request the user gave, or
 *      a path named as a data directory that is none (DATA_DIR_MISSING)
 *   3  the data directory is a node that cannot be used: its concord.json,
 *      keys or database missing, unreadable or broken, its ledger corrupt,
 *      or another process kept writing to it
 */
import type { ErrorCode } from '../errors.ts';

/**
 * Every code of the registry has its exit status here, so a new code does not
 * compile until someone decides what the command line answers with it.
 */
export const EXIT_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  BAD_INPUT: 2,
  BAD_USAGE: 2,
  NOT_FOUND: 2,
  CANONICAL_JSON: 2,
  // the node's own data cannot be used as it is
  LEDGER_CORRUPT: 3,
  LEDGER_CLOSED: 3,
  // another process kept appending: the directory cannot be written now (docs/ledger-format.md)
  LEDGER_CONTENDED: 3,
  DATA_DIR_UNUSABLE: 3,
  // the user named the wrong thing: a node that exists already, or a path that is no node
  DATA_DIR_EXISTS: 2,
  DATA_DIR_MISSING: 2,
  PROOF_INVALID: 2,
  NOTE_INVALID: 2,
  // a key the user gave (--key); the node's own keys failing are DATA_DIR_UNUSABLE
  KEY_INVALID: 2,
  // accounts: what the user gave (a login, a token, a password) is refused
  UNAUTHENTICATED: 2,
  LOGIN_FAILED: 2,
  LOGIN_LOCKED: 2,
  CSRF_INVALID: 2,
  READ_ONLY: 2,
  ACTOR_MISMATCH: 2,
  // the domain refused the command: the input asked for something not allowed
  NOT_AUTHORISED: 2,
  NOT_IN_CHAIN_OF_COMMAND: 2,
  AGENCY_MISMATCH: 2,
  NOT_A_RECIPIENT: 2,
  COUNT_EXCEEDED: 2,
  REQUEST_KIND_MISMATCH: 2,
  COMMAND_INCONSISTENT: 2,
  REASON_REQUIRED: 2,
  ORDER_REASON_REQUIRED: 2,
  INVALID_TRANSITION: 2,
  REQUEST_NOT_OPEN: 2,
  VERDICT_PROHIBITED: 2,
  APPROVAL_REQUIRED: 2,
  UNKNOWN_ENTITY: 2,
  DUPLICATE_ID: 2,
  INCIDENT_CLOSED: 2,
  POLICY_INVALID: 2,
  POLICY_NOT_EFFECTIVE: 2,
  POLICY_EVALUATION_FAILED: 2,
};

/** what makes a data directory unusable (exit 3), in the words of every --help */
const UNUSABLE = 'concord.json broken, keys missing or unreadable, ledger.db that cannot be opened or is corrupt, or another process kept appending';

/** the sentence of `concord --help` and the README */
export const EXIT_CODES_SENTENCE =
  'Exit codes: 0 ok, 1 verification failed, 2 bad usage or input (a path that is not a data directory included), 3 the data directory is a node that cannot be used.';

/** the exit codes paragraph of a command's --help */
export function exitCodesHelp(kind: 'node' | 'accounts' | 'init' | 'scenario' | 'verify' | 'protocol-check' | 'protocol-test'): string {
  switch (kind) {
    case 'accounts':
      return `Exit codes: 0 ok; 2 bad usage or input (a login, person, agency or
token id that is not there included), or DIR is not a Concord data
directory; 3 DIR is a node that cannot be used (accounts.db that cannot
be opened or is not an account store, ${UNUSABLE}).`;
    case 'node':
      return `Exit codes: 0 ok; 2 bad usage or input, or DIR is not a Concord data
directory; 3 DIR is a node that cannot be used (${UNUSABLE}).`;
    case 'init':
      return `Exit codes: 0 created; 2 bad usage, DIR already holds a node, or DIR
cannot be created there (a file in the way, no permission, a file system
such as /proc that holds no directories of ours); 3 the new node's files
could not be written.`;
    case 'scenario':
      return `Exit codes: 0 replayed; 2 bad usage, an invalid file or a step that would
be refused (nothing appended), or DIR is neither a data directory nor a
place for a new one; 3 DIR is a node that cannot be used (${UNUSABLE}).`;
    case 'verify':
      return `Exit codes: 0 everything holds; 1 a verification failed (what was
found is printed; a database that opens but is not a valid ledger is a
failed verification); 2 bad usage, or PATH is neither a data directory nor
a readable file; 3 PATH is a node that cannot be used (concord.json broken,
keys missing or unreadable, ledger.db missing permissions or not a file).`;
    case 'protocol-check':
      return 'Exit codes: 0 a verdict was printed; 2 bad usage, an invalid request file or invalid protocols.';
    case 'protocol-test':
      return 'Exit codes: 0 every case passed; 1 a case failed; 2 bad usage or invalid protocols or tests.';
  }
}
