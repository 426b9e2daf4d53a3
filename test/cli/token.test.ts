/**
 * `concord token create|list|revoke` on a node that replayed the demo (so
 * its ledger knows the agencies): the token printed once, on stdout alone,
 * and never again; the agency checked against the ledger; revocation
 * taking effect at once. Creation runs the real bin/concord.js; the rest
 * runs in-process.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openNodeAccounts } from '../../src/app/node-accounts.ts';
import { allOutputs, cli, isOneLine, spawnCli } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-cli-token-');
after(() => root.cleanup());

let node: string;
before(async () => {
  node = join(root.path, 'demo');
  const r = await cli(['scenario', 'run', 'scenarios/demo.yaml', '--data', node]);
  assert.equal(r.code, 0, r.stderr);
});

const TOKEN_RE = /^concord_([0-9a-f]{16})_[A-Za-z0-9_-]{43}$/;
const secrets: string[] = [];

function refused(r: { code: number; stdout: string; stderr: string }, code: 2 | 3, reason: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
  assert.match(r.stderr, reason);
  assert.equal(r.stdout, '');
}

async function principalOf(token: string) {
  const accounts = openNodeAccounts(node);
  try {
    return await accounts.authenticate({ bearer: token });
  } finally {
    await accounts.close();
  }
}

const create = (extra: string[]) => ['token', 'create', '--data', node, '--agency', 'fed-ice', ...extra];

describe('concord token create', () => {
  it('prints the token alone on stdout, says what it is on stderr, and the token works', async () => {
    const r = await spawnCli(create(['--scope', 'write', '--label', 'FOT-3 AVL feed']));
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trimEnd();
    assert.equal(r.stdout, `${token}\n`);
    const id = TOKEN_RE.exec(token)?.[1];
    assert.ok(id !== undefined, token);
    secrets.push(token);
    assert.match(r.stderr, new RegExp(`Created token ${id} for fed-ice \\(write\\); it is shown only this once`));
    assert.deepEqual(await principalOf(token), {
      kind: 'token',
      id,
      tokenId: id,
      label: 'FOT-3 AVL feed',
      agency: 'fed-ice',
      device: `token-${id}`,
      roles: [],
      reviewer: false,
      scope: 'write',
    });
  });

  it('--json gives the token with its record; --expires is kept', async () => {
    const r = await cli(create(['--scope', 'read', '--label', 'CAD bridge', '--expires', '2099-01-01T00:00:00Z', '--json']));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { token: string; id: string; scope: string; expiresAt: string; label: string };
    secrets.push(out.token);
    assert.match(out.token, TOKEN_RE);
    assert.deepEqual([out.scope, out.label, out.expiresAt], ['read', 'CAD bridge', '2099-01-01T00:00:00.000Z']);
    assert.equal((await principalOf(out.token))?.scope, 'read');
  });

  it('refuses a bad scope, an agency the ledger does not know, an expiry past or malformed, an empty label (exit 2, nothing made)', async () => {
    const before = (await cli(['token', 'list', '--data', node, '--json'])).stdout;
    refused(await cli(create(['--scope', 'admin', '--label', 'x'])), 2, /--scope is read or write/);
    refused(
      await cli(['token', 'create', '--data', node, '--agency', 'county-so', '--scope', 'read', '--label', 'x']),
      2,
      /agency "county-so" is not in this node's ledger/,
    );
    refused(await cli(create(['--scope', 'read', '--label', 'x', '--expires', '2020-01-01T00:00:00Z'])), 2, /not in the future/);
    refused(await cli(create(['--scope', 'read', '--label', 'x', '--expires', 'tomorrow'])), 2, /--expires must be an RFC 3339 time/);
    refused(await cli(create(['--scope', 'read', '--label', ' '])), 2, /needs a label/);
    refused(await cli(create(['--scope', 'read'])), 2, /--label is required/);
    assert.equal((await cli(['token', 'list', '--data', node, '--json'])).stdout, before);
  });
});

describe('concord token list and revoke', () => {
  it('lists tokens without secrets; revoking one stops it at once; again is no change', async () => {
    const made = await cli(create(['--scope', 'write', '--label', 'to revoke', '--json']));
    const { token, id } = JSON.parse(made.stdout) as { token: string; id: string };
    secrets.push(token);
    assert.ok(await principalOf(token), 'works before');
    const list = await cli(['token', 'list', '--data', node]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^${id}  fed-ice  write  created \\S+  no expiry  last used \\S+  "to revoke"$`, 'm'));
    const r = await cli(['token', 'revoke', '--data', node, '--id', id]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Revoked token ${id}\n`);
    assert.equal(await principalOf(token), undefined, 'refused after');
    assert.match((await cli(['token', 'revoke', '--data', node, '--id', id])).stdout, new RegExp(`^Token ${id} was revoked already`));
    const json = JSON.parse((await cli(['token', 'list', '--data', node, '--json'])).stdout) as Array<{ id: string; revokedAt?: string }>;
    assert.ok(json.find((t) => t.id === id)?.revokedAt !== undefined);
  });

  it('an unknown id is exit 2; a whole token given as the id is refused without echoing it', async () => {
    refused(await cli(['token', 'revoke', '--data', node, '--id', '0123456789abcdef']), 2, /no token with id "0123456789abcdef"/);
    const whole = secrets[0] as string;
    const r = await cli(['token', 'revoke', '--data', node, '--id', whole]);
    refused(r, 2, /looks like a whole token/);
    assert.ok(!r.stderr.includes(whole.slice(25)));
    assert.ok(await principalOf(whole), 'not revoked');
  });

  it('each token appears in exactly one output: the one that created it', () => {
    assert.ok(secrets.length >= 3);
    for (const token of secrets) {
      const secret = token.slice('concord_'.length + 17);
      assert.equal(allOutputs.filter((o) => o.includes(secret)).length, 1, token.slice(0, 25));
    }
  });
});
