/**
 * A node appending in another process, for tests that read while it writes:
 * `node --import tsx live-appender.ts DIR N` appends N entries (100 at a
 * time in flight, as a busy node does), signing checkpoints on its cadence.
 */
import { LedgerService } from '../../src/app/ledger.ts';
import { draftAt } from './data-dir.ts';

const [dir, count] = process.argv.slice(2);
if (dir === undefined || count === undefined) throw new Error('usage: live-appender.ts DIR N');
const total = Number(count);
const ledger = await LedgerService.open(dir);
const start = await ledger.store.size();
let next = 0;
const worker = async (): Promise<void> => {
  while (next < total) {
    const i = next++;
    await ledger.append([draftAt(start + i)]);
  }
};
await Promise.all(Array.from({ length: 100 }, worker));
await ledger.close();
