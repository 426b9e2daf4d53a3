/**
 * Opening a node's account store (DIR/accounts.db, node-dir.ts) for a
 * command or the server: DATA_DIR_MISSING when the path is no node,
 * DATA_DIR_UNUSABLE when the account file cannot be used.
 */
import { SqliteAccountStore } from '../store/sqlite/accounts-store.ts';
import { AccountService, type AccountOptions } from './accounts.ts';
import { checkDatabaseFile, openNodeDir, type NodeDir } from './node-dir.ts';

export function openNodeAccounts(dir: string | NodeDir, opts: Omit<AccountOptions, 'store'> = {}): AccountService {
  const node = typeof dir === 'string' ? openNodeDir(dir) : dir;
  checkDatabaseFile(node.accountsPath, 'the account store');
  return new AccountService({ ...opts, store: SqliteAccountStore.open(node.accountsPath) });
}

/** Opens the account store of a node, runs `use`, and closes it whatever happens. */
export async function withNodeAccounts<T>(dir: string | NodeDir, use: (accounts: AccountService) => Promise<T>): Promise<T> {
  const accounts = openNodeAccounts(dir);
  try {
    return await use(accounts);
  } finally {
    await accounts.close();
  }
}
