import type { CliCommand } from '../command.ts';

/**
 * A command as `concord --help` lists it, and how to load it. A command's
 * module, with what it imports (SQLite, the Cedar wasm, zod, YAML), is
 * imported only when that command is run or its own --help is asked, so
 * `concord --help` and a command that needs little start fast. `path` and
 * `summary` repeat the command's own; test/cli/commands.test.ts checks that
 * they agree.
 */
export interface CommandEntry {
  readonly path: readonly string[];
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/** every `concord` command, in the order --help lists them */
export const COMMANDS: readonly CommandEntry[] = [
  {
    path: ['init'],
    summary: 'create a new node: signing keys, database and log origin',
    load: async () => (await import('./init.ts')).initCommand,
  },
  {
    path: ['append'],
    summary: 'append entries from NDJSON (one {"type","actor","body"} per line)',
    load: async () => (await import('./append.ts')).appendCommand,
  },
  {
    path: ['checkpoint'],
    summary: 'sign (if the log grew) and print the latest checkpoint',
    load: async () => (await import('./checkpoint.ts')).checkpointCommand,
  },
  {
    path: ['proof', 'inclusion'],
    summary: 'print an RFC 9162 inclusion proof for one entry',
    load: async () => (await import('./proof.ts')).inclusionCommand,
  },
  {
    path: ['proof', 'consistency'],
    summary: 'print an RFC 9162 consistency proof between two tree sizes',
    load: async () => (await import('./proof.ts')).consistencyCommand,
  },
  {
    path: ['export', 'bundle'],
    summary: 'write a verification bundle of selected entries (docs/bundle.md)',
    load: async () => (await import('./export.ts')).exportBundleCommand,
  },
  {
    path: ['export', 'release'],
    summary: 'write a redacted public release of an incident (docs/releases.md)',
    load: async () => (await import('./export.ts')).exportReleaseCommand,
  },
  {
    path: ['verify'],
    summary: 'verify a data directory or a bundle offline; exit 1 if anything is wrong',
    load: async () => (await import('./verify.ts')).verifyCommand,
  },
  {
    path: ['scenario', 'run'],
    summary: 'replay a scenario file into a node and print the resulting state',
    load: async () => (await import('./scenario.ts')).scenarioRunCommand,
  },
  {
    path: ['state'],
    summary: 'print the state of an incident, now or at a past moment',
    load: async () => (await import('./state.ts')).stateCommand,
  },
  {
    path: ['review', 'timeline'],
    summary: "print an incident's merged timeline: every entry by server time, the source's time and skew beside it",
    load: async () => (await import('./review.ts')).reviewTimelineCommand,
  },
  {
    path: ['review', 'knew'],
    summary: 'who knew what when: what reached a person, unit or agency by a moment, or first in a period',
    load: async () => (await import('./review.ts')).reviewKnewCommand,
  },
  {
    path: ['review', 'trace'],
    summary: 'print the decision trace of an order or a request',
    load: async () => (await import('./review.ts')).reviewTraceCommand,
  },
  {
    path: ['review', 'statements'],
    summary: "print an incident's public statements, each claim beside the record",
    load: async () => (await import('./review.ts')).reviewStatementsCommand,
  },
  {
    path: ['report', 'after-action'],
    summary: 'write the after-action report of an incident (PDF, HTML or CSV)',
    load: async () => (await import('./report.ts')).reportAfterActionCommand,
  },
  {
    path: ['report', 'ics-214'],
    summary: 'write the ICS 214 activity log of a unit or a person on an incident',
    load: async () => (await import('./report.ts')).reportIcs214Command,
  },
  {
    path: ['report', 'ics-213rr'],
    summary: 'write the ICS 213RR of one resource request',
    load: async () => (await import('./report.ts')).reportIcs213rrCommand,
  },
  {
    path: ['report', 'compliance'],
    summary: 'write the compliance report of the requests an agency received from an agency or kind of agency',
    load: async () => (await import('./report.ts')).reportComplianceCommand,
  },
  {
    path: ['serve'],
    summary: 'serve the HTTP API (and the public log) of a node until Ctrl-C',
    load: async () => (await import('./serve.ts')).serveCommand,
  },
  {
    path: ['witness', 'key'],
    summary: "print this node's witness key (cosigner vkey), making it on first use",
    load: async () => (await import('./witness.ts')).witnessKeyCommand,
  },
  {
    path: ['witness', 'add-log'],
    summary: 'witness another log: cosign its checkpoints at POST /add-checkpoint',
    load: async () => (await import('./witness.ts')).witnessAddLogCommand,
  },
  {
    path: ['witness', 'remove-log'],
    summary: 'stop witnessing a log (its cosigned state is kept)',
    load: async () => (await import('./witness.ts')).witnessRemoveLogCommand,
  },
  {
    path: ['witness', 'add'],
    summary: "add a witness of this node's log (its cosigner vkey and URL)",
    load: async () => (await import('./witness.ts')).witnessAddCommand,
  },
  {
    path: ['witness', 'remove'],
    summary: "remove a witness of this node's log",
    load: async () => (await import('./witness.ts')).witnessRemoveCommand,
  },
  {
    path: ['witness', 'quorum'],
    summary: 'set how many witnesses must cosign a checkpoint (k of n)',
    load: async () => (await import('./witness.ts')).witnessQuorumCommand,
  },
  {
    path: ['witness', 'list'],
    summary: 'list the logs this node witnesses and the witnesses of its own log',
    load: async () => (await import('./witness.ts')).witnessListCommand,
  },
  {
    path: ['witness', 'compare'],
    summary: 'compare two checkpoints of a log; write signed evidence if they fork',
    load: async () => (await import('./witness.ts')).witnessCompareCommand,
  },
  {
    path: ['protocol', 'check'],
    summary: 'evaluate a request file against protocols, without an incident',
    load: async () => (await import('./protocol.ts')).protocolCheckCommand,
  },
  {
    path: ['protocol', 'test'],
    summary: 'run the test cases shipped with protocols (tests.yaml); exit 1 if any fails',
    load: async () => (await import('./protocol.ts')).protocolTestCommand,
  },
  {
    path: ['user', 'add'],
    summary: 'add a login for a person of an agency (password from stdin)',
    load: async () => (await import('./user.ts')).userAddCommand,
  },
  {
    path: ['user', 'list'],
    summary: 'list the users of a node',
    load: async () => (await import('./user.ts')).userListCommand,
  },
  {
    path: ['user', 'disable'],
    summary: "disable a user's login and end their sessions",
    load: async () => (await import('./user.ts')).userDisableCommand,
  },
  {
    path: ['token', 'create'],
    summary: 'create an API token for a system of an agency; prints it once',
    load: async () => (await import('./token.ts')).tokenCreateCommand,
  },
  {
    path: ['token', 'list'],
    summary: "list a node's API tokens (never their secrets)",
    load: async () => (await import('./token.ts')).tokenListCommand,
  },
  {
    path: ['token', 'revoke'],
    summary: 'revoke an API token: it stops working at once',
    load: async () => (await import('./token.ts')).tokenRevokeCommand,
  },
];
