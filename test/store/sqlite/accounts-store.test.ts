import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isConcordError } from '../../../src/errors.ts';
import type { AccountStore } from '../../../src/store/accounts.ts';
import { SqliteAccountStore } from '../../../src/store/sqlite/accounts-store.ts';
import { tempRoot } from '../../helpers/data-dir.ts';
import { accountStoreContract } from '../account-contract.ts';

const root = tempRoot('concord-accounts-store-');
after(() => root.cleanup());
let n = 0;
const paths = new WeakMap<AccountStore, string>();

accountStoreContract('sqlite', {
  async create() {
    const path = join(root.path, `accounts-${n++}.db`);
    const store = SqliteAccountStore.open(path);
    paths.set(store, path);
    return store;
  },
  async reopen(store) {
    const path = paths.get(store);
    if (path === undefined) throw new Error('unknown store');
    await store.close();
    const again = SqliteAccountStore.open(path);
    paths.set(again, path);
    return again;
  },
});

describe('sqlite account store', () => {
  it('makes its file readable by its owner only, in WAL mode', async () => {
    const path = join(root.path, 'mode.db');
    const store = SqliteAccountStore.open(path);
    await store.close();
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const db = new Database(path);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  it('refuses a file that is not an account store (DATA_DIR_UNUSABLE) and leaves it as it was', () => {
    const notSqlite = join(root.path, 'not-sqlite.db');
    writeFileSync(notSqlite, 'this is not a database, just some text that is long enough to be read as a header page');
    assert.throws(
      () => SqliteAccountStore.open(notSqlite),
      (e) => isConcordError(e, 'DATA_DIR_UNUSABLE'),
    );
    const foreign = join(root.path, 'ledger-like.db');
    const db = new Database(foreign);
    db.exec('CREATE TABLE entries (idx INTEGER PRIMARY KEY)');
    db.close();
    assert.throws(
      () => SqliteAccountStore.open(foreign),
      (e) => isConcordError(e, 'DATA_DIR_UNUSABLE') && /other tables/.test(e.message),
    );
    const check = new Database(foreign);
    assert.deepEqual(
      check
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((r) => (r as { name: string }).name),
      ['entries'],
    );
    check.close();
  });

  it('says a damaged row is damaged rather than handing it on', async () => {
    const path = join(root.path, 'damaged.db');
    const store = SqliteAccountStore.open(path);
    await store.addUser({ id: 'u1', login: 'ann', agency: 'a', person: 'p', roles: ['member'], passwordHash: 'h', createdAt: 1 });
    const db = new Database(path);
    db.prepare('UPDATE users SET roles = \'["admin"]\'').run();
    db.close();
    await assert.rejects(store.userByLogin('ann'), (e) => isConcordError(e, 'DATA_DIR_UNUSABLE'));
    await store.close();
  });
});
