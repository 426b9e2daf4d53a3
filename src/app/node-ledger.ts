/**
 * Opening a node's ledger for a command, with every failure said as whose
 * it is: DATA_DIR_MISSING when the path named is no node at all (the user
 * named the wrong thing), DATA_DIR_UNUSABLE or LEDGER_CORRUPT when it is a
 * node whose own files cannot be used (the directory needs repair).
 */
import { ConcordError, isConcordError } from '../errors.ts';
import { LedgerService, type OpenLedgerOptions } from './ledger.ts';
import { openNodeDir, type NodeDir } from './node-dir.ts';

export async function openNodeLedger(dir: string | NodeDir, opts: OpenLedgerOptions = {}): Promise<LedgerService> {
  const node = typeof dir === 'string' ? openNodeDir(dir) : dir;
  try {
    return await LedgerService.open(node, opts);
  } catch (e) {
    // the store says DATA_DIR_MISSING when ledger.db cannot be opened; here the directory is a node, so it is the node's database failing
    if (isConcordError(e, 'DATA_DIR_MISSING')) throw new ConcordError('DATA_DIR_UNUSABLE', e.message, undefined, { cause: e });
    throw e;
  }
}

/** Opens the ledger of a node, runs `use`, and closes it whatever happens. */
export async function withNodeLedger<T>(dir: string | NodeDir, opts: OpenLedgerOptions, use: (ledger: LedgerService) => Promise<T>): Promise<T> {
  const ledger = await openNodeLedger(dir, opts);
  try {
    return await use(ledger);
  } finally {
    await ledger.close();
  }
}
