import { checkLogin, requirePersonOf, type User } from '../../app/accounts.ts';
import { rebuildWorld } from '../../app/coordination.ts';
import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeAccounts } from '../../app/node-accounts.ts';
import { openNodeDir } from '../../app/node-dir.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { checkPasswordRule, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../app/passwords.ts';
import { ConcordError } from '../../errors.ts';
import { DATA_OPTION, JSON_OPTION, flag, requireString } from '../args.ts';
import type { CliCommand, CliIo } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

/** what stdin may hold: a password and its newline, with room to say it is too long rather than cut it */
const MAX_STDIN_BYTES = 4 * MAX_PASSWORD_LENGTH + 2;

/**
 * The password from stdin: all of it, less one final newline (`echo` adds
 * one). Never from argv, where other users of the machine see it in `ps`.
 */
async function readPassword(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin as AsyncIterable<Buffer | string>) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_STDIN_BYTES) throw new ConcordError('BAD_INPUT', `stdin holds more than a password (at most ${MAX_PASSWORD_LENGTH} characters)`);
    chunks.push(b);
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new ConcordError('BAD_INPUT', 'stdin held no password');
  return password;
}

function describeUser(u: User): string {
  return `${u.login}: ${u.person} of ${u.agency}, ${u.roles.join(', ')}${u.disabledAt !== undefined ? `, disabled since ${u.disabledAt}` : ''}`;
}

export const userAddCommand: CliCommand = {
  path: ['user', 'add'],
  summary: 'add a login for a person of an agency (password from stdin)',
  help: `Usage: concord user add --data DIR --agency A --person P --login NAME [--reviewer] --password-stdin [--json]

Adds a user who signs in to the console as person P of agency A. P must be
a person of A in the node's ledger. A member acts as P, with the authority
P's positions give; a reviewer (--reviewer) reads everything and changes
nothing. The password is read from stdin (one final newline is dropped),
never from the command line; it needs ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters and is
stored only as an scrypt hash in DIR/accounts.db.

Options:
  -d, --data DIR         the node's data directory
      --agency A         the person's agency
      --person P         the person (an id in the ledger)
      --login NAME       the login name: 2 to 64 lower-case letters, digits,
                         ".", "_" or "-", starting with a letter
      --reviewer         a reviewer, who reads everything and changes nothing
                         (default: a member, who acts as the person)
      --password-stdin   read the password from stdin (required)
      --json             print the user as JSON

Example:
  printf '%s' "$PASSWORD" | concord user add -d node --agency city-pd \\
      --person cpd-chen --login chen --password-stdin

${exitCodesHelp('accounts')}`,
  options: {
    ...DATA_OPTION,
    ...JSON_OPTION,
    agency: { type: 'string' },
    person: { type: 'string' },
    login: { type: 'string' },
    reviewer: { type: 'boolean' },
    'password-stdin': { type: 'boolean' },
  },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const agency = requireString(args, 'agency');
    const person = requireString(args, 'person');
    const login = requireString(args, 'login');
    checkLogin(login);
    if (!flag(args, 'password-stdin')) {
      throw new ConcordError(
        'BAD_USAGE',
        'give the password on stdin with --password-stdin (never on the command line), e.g. printf \'%s\' "$PASSWORD" | concord user add ... --password-stdin',
      );
    }
    const password = await readPassword(io);
    checkPasswordRule(password);
    const node = openNodeDir(dir);
    await withNodeLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => requirePersonOf(await rebuildWorld(ledger.store), agency, person));
    const user = await withNodeAccounts(node, (accounts) =>
      accounts.addUser({ agency, person, login, password, role: flag(args, 'reviewer') ? 'reviewer' : 'member' }),
    );
    if (flag(args, 'json')) printJson(io, user);
    else io.stdout.write(`Added user ${describeUser(user)}\n`);
    return 0;
  },
};

export const userListCommand: CliCommand = {
  path: ['user', 'list'],
  summary: 'list the users of a node',
  help: `Usage: concord user list --data DIR [--json]

Lists the node's users: login, person, agency, role, and whether disabled.
No password or hash is ever shown.

Options:
  -d, --data DIR  the node's data directory
      --json      print a JSON array

${exitCodesHelp('accounts')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION },
  async run(args, io) {
    const users = await withNodeAccounts(requireString(args, 'data'), (accounts) => accounts.users());
    if (flag(args, 'json')) printJson(io, users);
    else if (users.length === 0) io.stdout.write('No users.\n');
    else for (const u of users) io.stdout.write(`${describeUser(u)}\n`);
    return 0;
  },
};

export const userDisableCommand: CliCommand = {
  path: ['user', 'disable'],
  summary: "disable a user's login and end their sessions",
  help: `Usage: concord user disable --data DIR --login NAME [--json]

Disables the user: they can no longer sign in, and every session of
theirs ends at once. The user is kept (the record names who did what).
Disabling a user already disabled changes nothing.

Options:
  -d, --data DIR    the node's data directory
      --login NAME  the user's login name
      --json        print the user as JSON

${exitCodesHelp('accounts')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, login: { type: 'string' } },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const login = requireString(args, 'login');
    const { user, already } = await withNodeAccounts(dir, (accounts) => accounts.disableUser(login));
    if (flag(args, 'json')) printJson(io, user);
    else io.stdout.write(already ? `${user.login} was disabled already (since ${user.disabledAt})\n` : `Disabled ${user.login}; their sessions have ended\n`);
    return 0;
  },
};
