/**
 * `concord user add|list|disable` on a node that replayed the demo (so its
 * ledger knows the people): the password only from stdin and never shown,
 * the person checked against the ledger, exit 2 for what the user got
 * wrong and 3 for an account store that cannot be used. The stdin cases run
 * the real bin/concord.js; the others run in-process.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openNodeAccounts } from '../../src/app/node-accounts.ts';
import { isConcordError } from '../../src/errors.ts';
import { allOutputs, cli, isOneLine, spawnCli } from '../helpers/cli.ts';
import { tempRoot } from '../helpers/data-dir.ts';

const root = tempRoot('concord-cli-user-');
after(() => root.cleanup());
const PASSWORD = 'de-escalate at the corner of 5th';

let node: string;
before(async () => {
  node = join(root.path, 'demo');
  const r = await cli(['scenario', 'run', 'scenarios/demo.yaml', '--data', node]);
  assert.equal(r.code, 0, r.stderr);
});

function refused(r: { code: number; stdout: string; stderr: string }, code: 2 | 3, reason: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.ok(isOneLine(r.stderr), JSON.stringify(r.stderr));
  assert.match(r.stderr, reason);
  assert.equal(r.stdout, '');
}

const add = (login: string, person: string, extra: string[] = []) => [
  'user',
  'add',
  '--data',
  node,
  '--agency',
  'city-pd',
  '--person',
  person,
  '--login',
  login,
  ...extra,
];

async function logins(): Promise<string[]> {
  const r = await cli(['user', 'list', '--data', node, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Array<{ login: string }>).map((u) => u.login);
}

describe('concord user add', () => {
  it('adds a member from the real command line, the password read from stdin less its newline, and the person can sign in', async () => {
    const r = await spawnCli(add('chen', 'cpd-chen', ['--password-stdin']), `${PASSWORD}\n`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Added user chen: cpd-chen of city-pd, member\n');
    const accounts = openNodeAccounts(node);
    try {
      const session = await accounts.login({ login: 'chen', password: PASSWORD });
      assert.deepEqual([session.principal.agency, session.principal.person, session.principal.scope], ['city-pd', 'cpd-chen', 'write']);
    } finally {
      await accounts.close();
    }
  });

  it('adds a reviewer, shown as such in the list', async () => {
    const r = await cli(add('harris-review', 'cpd-harris', ['--reviewer', '--password-stdin', '--json']), { stdin: PASSWORD });
    assert.equal(r.code, 0, r.stderr);
    const user = JSON.parse(r.stdout) as { login: string; roles: string[]; person: string };
    assert.deepEqual([user.login, user.roles, user.person], ['harris-review', ['reviewer'], 'cpd-harris']);
    const list = await cli(['user', 'list', '--data', node]);
    assert.match(list.stdout, /^harris-review: cpd-harris of city-pd, reviewer$/m);
  });

  it('refuses a password on the command line or missing from stdin, and a short one (exit 2, nothing added)', async () => {
    refused(await cli(add('novak', 'cpd-novak')), 2, /--password-stdin/);
    refused(await cli([...add('novak', 'cpd-novak'), '--password', PASSWORD]), 2, /Unknown option '--password'/);
    refused(await cli(add('novak', 'cpd-novak', ['--password-stdin'])), 2, /stdin held no password/);
    refused(await cli(add('novak', 'cpd-novak', ['--password-stdin']), { stdin: 'short\n' }), 2, /at least 12/);
    assert.ok(!(await logins()).includes('novak'));
  });

  it('refuses a person the ledger does not know, or of another agency, and a bad or taken login (exit 2, nothing added)', async () => {
    refused(await cli(add('ghost', 'cpd-ghost', ['--password-stdin']), { stdin: PASSWORD }), 2, /person "cpd-ghost" is not in this node's ledger/);
    refused(await cli(add('santos', 'ice-santos', ['--password-stdin']), { stdin: PASSWORD }), 2, /ice-santos" belongs to fed-ice, not city-pd/);
    refused(
      await cli(['user', 'add', '--data', node, '--agency', 'county-so', '--person', 'x', '--login', 'xx', '--password-stdin'], { stdin: PASSWORD }),
      2,
      /agency "county-so" is not in this node's ledger/,
    );
    refused(await cli(add('Bad Login', 'cpd-king', ['--password-stdin']), { stdin: PASSWORD }), 2, /login "Bad Login" must be/);
    await cli(add('king', 'cpd-king', ['--password-stdin']), { stdin: PASSWORD });
    refused(await cli(add('king', 'cpd-patel', ['--password-stdin']), { stdin: PASSWORD }), 2, /login "king" exists already/);
    const now = await logins();
    assert.ok(!now.includes('ghost') && !now.includes('santos') && !now.includes('xx'));
  });
});

describe('concord user disable', () => {
  it('disables a user, who can no longer sign in; again is no change; an unknown login is exit 2', async () => {
    await cli(add('ortiz', 'cpd-ortiz', ['--password-stdin']), { stdin: PASSWORD });
    const r = await cli(['user', 'disable', '--data', node, '--login', 'ortiz']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Disabled ortiz; their sessions have ended\n');
    assert.match((await cli(['user', 'disable', '--data', node, '--login', 'ortiz'])).stdout, /^ortiz was disabled already \(since /);
    refused(await cli(['user', 'disable', '--data', node, '--login', 'nobody']), 2, /no user with login "nobody"/);
    const listed = await cli(['user', 'list', '--data', node]);
    assert.match(listed.stdout, /^ortiz: cpd-ortiz of city-pd, member, disabled since \d{4}-/m);
    const accounts = openNodeAccounts(node);
    try {
      await assert.rejects(accounts.login({ login: 'ortiz', password: PASSWORD }), (e) => isConcordError(e, 'LOGIN_FAILED'));
    } finally {
      await accounts.close();
    }
  });
});

describe('concord user: data directories', () => {
  it('a node without users lists none; a path that is no node is exit 2; an account store that cannot be used is exit 3', async () => {
    const fresh = join(root.path, 'fresh');
    assert.equal((await cli(['init', '--data', fresh, '--origin', 'concord.user.example/ledger'])).code, 0);
    assert.equal((await cli(['user', 'list', '--data', fresh])).stdout, 'No users.\n');
    refused(await cli(['user', 'list', '--data', join(root.path, 'nothing')]), 2, /does not exist, so it is not a Concord data directory/);
    const broken = join(root.path, 'broken');
    cpSync(fresh, broken, { recursive: true });
    rmSync(join(broken, 'accounts.db'), { force: true });
    mkdirSync(join(broken, 'accounts.db'));
    refused(await cli(['user', 'list', '--data', broken]), 3, /the account store .*accounts\.db cannot be opened: it is not a file/);
    refused(await cli(['user', 'disable', '--data', broken, '--login', 'chen']), 3, /accounts\.db/);
  });

  it('no password ever appears in any output', () => {
    assert.ok(allOutputs.length > 0);
    for (const out of allOutputs) {
      assert.ok(!out.includes(PASSWORD), out);
      assert.ok(!out.includes('$scrypt$'), out);
    }
  });
});
