import { requireAgency, type Scope, type TokenInfo } from '../../app/accounts.ts';
import { rebuildWorld } from '../../app/coordination.ts';
import { isTokenId } from '../../app/credentials.ts';
import { ON_DEMAND_CHECKPOINTS } from '../../app/ledger.ts';
import { withNodeAccounts } from '../../app/node-accounts.ts';
import { openNodeDir } from '../../app/node-dir.ts';
import { withNodeLedger } from '../../app/node-ledger.ts';
import { ConcordError } from '../../errors.ts';
import { DATA_OPTION, JSON_OPTION, flag, optionalTime, requireString } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { exitCodesHelp } from '../exit-codes.ts';
import { printJson } from '../output.ts';

function describeToken(t: TokenInfo): string {
  const status = t.revokedAt !== undefined ? `revoked ${t.revokedAt}` : t.expiresAt !== undefined ? `expires ${t.expiresAt}` : 'no expiry';
  return `${t.id}  ${t.agency}  ${t.scope.padEnd(5)}  created ${t.createdAt}  ${status}  last used ${t.lastUsedAt ?? 'never'}  ${JSON.stringify(t.label)}`;
}

function parseScope(text: string): Scope {
  if (text !== 'read' && text !== 'write') throw new ConcordError('BAD_USAGE', `--scope is read or write (got "${text}")`);
  return text;
}

export const tokenCreateCommand: CliCommand = {
  path: ['token', 'create'],
  summary: 'create an API token for a system of an agency; prints it once',
  help: `Usage: concord token create --data DIR --agency A --scope read|write --label TEXT [--expires TIME] [--json]

Creates a bearer token for a system of agency A (a CAD bridge, an AVL
feed), to be sent as "Authorization: Bearer <token>". A read token reads
what A may see; a write token also acts, as a device of A. The token is
printed once, on stdout, and only its hash is kept: store it now.
A must be an agency in the node's ledger.

Options:
  -d, --data DIR       the node's data directory
      --agency A       the agency the token acts for
      --scope SCOPE    read or write
      --label TEXT     what holds the token (shown in token list)
      --expires TIME   an RFC 3339 time when it stops working (default: never)
      --json           print {"token", "id", ...} as JSON

${exitCodesHelp('accounts')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, agency: { type: 'string' }, scope: { type: 'string' }, label: { type: 'string' }, expires: { type: 'string' } },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const agency = requireString(args, 'agency');
    const scope = parseScope(requireString(args, 'scope'));
    const label = requireString(args, 'label');
    const expiresAt = optionalTime(args, 'expires');
    const node = openNodeDir(dir);
    await withNodeLedger(node, { checkpoints: ON_DEMAND_CHECKPOINTS }, async (ledger) => requireAgency(await rebuildWorld(ledger.store), agency));
    const { token, info } = await withNodeAccounts(node, (accounts) =>
      accounts.createToken({ agency, scope, label, ...(expiresAt !== undefined ? { expiresAt } : {}) }),
    );
    if (flag(args, 'json')) {
      printJson(io, { token, ...info });
    } else {
      // the token alone on stdout (TOKEN=$(concord token create ...)); what it is, on stderr
      io.stdout.write(`${token}\n`);
      io.stderr.write(`Created token ${info.id} for ${info.agency} (${info.scope}); it is shown only this once\n`);
    }
    return 0;
  },
};

export const tokenListCommand: CliCommand = {
  path: ['token', 'list'],
  summary: "list a node's API tokens (never their secrets)",
  help: `Usage: concord token list --data DIR [--json]

Lists the node's API tokens: id, agency, scope, creation, expiry or
revocation, last use and label. The secrets are not kept, so never shown.

Options:
  -d, --data DIR  the node's data directory
      --json      print a JSON array

${exitCodesHelp('accounts')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION },
  async run(args, io) {
    const tokens = await withNodeAccounts(requireString(args, 'data'), (accounts) => accounts.tokens());
    if (flag(args, 'json')) printJson(io, tokens);
    else if (tokens.length === 0) io.stdout.write('No tokens.\n');
    else for (const t of tokens) io.stdout.write(`${describeToken(t)}\n`);
    return 0;
  },
};

export const tokenRevokeCommand: CliCommand = {
  path: ['token', 'revoke'],
  summary: 'revoke an API token: it stops working at once',
  help: `Usage: concord token revoke --data DIR --id ID [--json]

Revokes the token: calls with it are refused from now on. The token stays
listed, with the time it was revoked. Revoking it again changes nothing.

Options:
  -d, --data DIR  the node's data directory
      --id ID     the token's id (token list shows it; it is the part after
                  "concord_" in the token)
      --json      print the token as JSON

${exitCodesHelp('accounts')}`,
  options: { ...DATA_OPTION, ...JSON_OPTION, id: { type: 'string' } },
  async run(args, io) {
    const dir = requireString(args, 'data');
    const id = requireString(args, 'id');
    if (!isTokenId(id)) {
      // not echoed: a whole token pasted here would put its secret on the terminal and in logs
      const hint = id.startsWith('concord_') ? '; that looks like a whole token: give only the 16 hex digits after "concord_"' : '';
      throw new ConcordError('BAD_USAGE', `--id is a token id of 16 hex digits, as token list shows them${hint}`);
    }
    const { info, already } = await withNodeAccounts(dir, (accounts) => accounts.revokeToken(id));
    if (flag(args, 'json')) printJson(io, info);
    else io.stdout.write(already ? `Token ${info.id} was revoked already (${info.revokedAt})\n` : `Revoked token ${info.id}\n`);
    return 0;
  },
};
