/**
 * The child process of the crash tests: opens a data directory and appends
 * as fast as it can from many concurrent appenders, printing
 * "<index> <tag>" for each entry only after its append was acknowledged
 * (durable). The parent kills it with SIGKILL at random moments.
 *
 * Usage: node --import tsx test/helpers/crash-appender.ts DIR RUN_TAG
 */
import { writeSync } from 'node:fs';
import { LedgerService } from '../../src/app/ledger.ts';

const dir = process.argv[2] ?? '';
const tag = process.argv[3] ?? '';
if (!dir || !tag) {
  process.stderr.write('usage: crash-appender DIR TAG\n');
  process.exit(2);
}
/** stdout is a non-blocking pipe: when the parent is slow to read, wait for room rather than fail */
function writeAck(line: string): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      writeSync(1, line);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

const ledger = await LedgerService.open(dir);
let seq = 0;
// the first append also starts the writer thread: "ready" means appends are flowing
const first = seq++;
const [a0] = await ledger.append([{ type: 'test.appended', actor: { agency: 'crash-test', device: 'w0' }, body: { tag, seq: first, pad: '' } }]);
writeAck(`${a0?.index} ${tag}:${first}\nready\n`);
async function appender(worker: number): Promise<never> {
  for (;;) {
    const mine = seq++;
    const [a] = await ledger.append([
      { type: 'test.appended', actor: { agency: 'crash-test', device: `w${worker}` }, body: { tag, seq: mine, pad: 'x'.repeat(mine % 200) } },
    ]);
    // writeSync: the acknowledgement reaches the pipe before the next append starts
    writeAck(`${a?.index} ${tag}:${mine}\n`);
  }
}
await Promise.all(Array.from({ length: 50 }, (_, w) => appender(w)));
