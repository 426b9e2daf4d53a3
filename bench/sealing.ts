/**
 * `npm run bench -- sealing`: what the sealing policy costs (docs/releases.md).
 * The same 20,000 entries (a decision with its free-text reason, and a notice
 * quoting it) appended once in the clear and once with those fields sealed;
 * then read back as the node's readers read them (revealed.ts), beside the
 * raw read of the same entries in the same run; and an incident release of
 * all of them with every sealed value withheld, and its verification.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerService } from '../src/app/ledger.ts';
import { initNodeDir } from '../src/app/node-dir.ts';
import { exportRelease } from '../src/app/release.ts';
import { revealedEntries } from '../src/app/revealed.ts';
import { serializeBundle, verifyBundleText } from '../src/ledger/bundle.ts';
import type { EntryDraft } from '../src/ledger/entry.ts';
import { parseWithholdRules } from '../src/ledger/release.ts';

const N = 20_000;
const BATCH = 500;

function drafts(sealed: boolean): EntryDraft[] {
  const out: EntryDraft[] = [];
  for (let i = 0; i < N; i++) {
    const reason = `Units withdrawn to the perimeter at Ashland and Polk: crowd of ${i} reported, officers at risk`;
    out.push(
      i % 2 === 0
        ? {
            type: 'request.declined',
            actor: { agency: 'city-pd', person: 'cpd-harris' },
            incident: 'inc-bench',
            body: { request: `req-${i}`, reason, authority: { agency: 'city-pd', kind: 'position', position: 'city-pd.chief-of-patrol' } },
            ...(sealed ? { sealed: ['/reason'] } : {}),
          }
        : {
            type: 'notification.created',
            actor: { agency: 'city-pd', person: 'cpd-harris' },
            incident: 'inc-bench',
            body: { notification: `n-${i}`, recipient: { agency: 'fed-ice' }, topic: 'request.declined', message: `declined: ${reason}` },
            ...(sealed ? { sealed: ['/message'] } : {}),
          },
    );
  }
  return out;
}

async function run(sealed: boolean): Promise<Record<string, number>> {
  const root = mkdtempSync(join(tmpdir(), 'concord-bench-sealing-'));
  try {
    initNodeDir(join(root, 'node'), 'bench.example/sealing');
    const ledger = await LedgerService.open(join(root, 'node'), { checkpoints: { everyMs: 0, everyEntries: 0 } });
    const all = drafts(sealed);
    let t0 = performance.now();
    for (let i = 0; i < all.length; i += BATCH) await ledger.append(all.slice(i, i + BATCH));
    const appendMs = performance.now() - t0;
    t0 = performance.now();
    let n = 0;
    for await (const e of ledger.store.entries(0, N)) n += JSON.parse(e.text) === null ? 0 : 1;
    const rawMs = performance.now() - t0;
    t0 = performance.now();
    for await (const e of revealedEntries(ledger.store, 0, N)) n += JSON.parse(e.text) === null ? 0 : 1;
    const revealedMs = performance.now() - t0;
    const out: Record<string, number> = {
      append_entries_per_s: Math.round((N / appendMs) * 1000),
      reference_raw_read_entries_per_s: Math.round((N / rawMs) * 1000),
      revealed_read_entries_per_s: Math.round((N / revealedMs) * 1000),
    };
    if (sealed) {
      const rules = parseWithholdRules([{ id: 'all', reason: 'bench', type: '*', fields: ['/reason', '/message'] }], 'rules');
      t0 = performance.now();
      const release = await exportRelease(ledger, { incident: 'inc-bench', rules });
      const text = serializeBundle(release);
      out.release_export_ms = Math.round(performance.now() - t0);
      out.release_bytes = Buffer.byteLength(text);
      t0 = performance.now();
      const report = verifyBundleText(text, [ledger.verifier]);
      out.release_verify_ms = Math.round(performance.now() - t0);
      if (!report.ok || report.withheld !== N) throw new Error(`release did not verify: ${JSON.stringify(report.problems.slice(0, 3))}`);
    }
    await ledger.close();
    return out;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function benchSealing(): Promise<Record<string, unknown>> {
  const clear = await run(false);
  const sealed = await run(true);
  return {
    entries: N,
    clear,
    sealed,
    append_ratio: +((sealed.append_entries_per_s as number) / (clear.append_entries_per_s as number)).toFixed(3),
    read_ratio: +((sealed.revealed_read_entries_per_s as number) / (sealed.reference_raw_read_entries_per_s as number)).toFixed(3),
  };
}
