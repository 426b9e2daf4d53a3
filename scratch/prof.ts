import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerService } from '../src/app/ledger.ts';
import { initNodeDir } from '../src/app/node-dir.ts';
import type { EntryDraft } from '../src/ledger/entry.ts';
const dir = join(mkdtempSync(join(tmpdir(), 'prof-')), 'n');
initNodeDir(dir, 'bench.example/append');
function draft(i: number): EntryDraft {
  return { type: 'unit.status_changed', actor: { agency: 'city-pd', person: 'p-1' }, incident: 'inc-2026-0601', body: { unit: `u-${i % 50}`, status: 'en_route', n: i } } as EntryDraft;
}
const ledger = await LedgerService.open(dir);
let next = 0;
const until = (end: number) => Promise.all(Array.from({ length: 100 }, async () => { while (next < end) await ledger.append([draft(next++)]); }));
await until(20000);
const t0 = performance.now();
await until(220000);
console.log('rate', Math.round(200000 / ((performance.now() - t0) / 1000)));
await ledger.close();
