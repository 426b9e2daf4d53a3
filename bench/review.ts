/**
 * `npm run bench -- review`: the review queries on a 100,000-entry incident
 * (bench/domain.ts's busy incident: requests answered, units committed and
 * withdrawn by order, acknowledgements, notices delivered), each beside the
 * raw time to read the same entries from the store in the same run:
 * - the first page of the merged timeline (target under 50 ms), as a
 *   reviewer and as a member of an agency (each entry checked against the
 *   audiences the server keeps);
 * - who-knew-what-when for one person at one moment (target under 200 ms),
 *   beside reading every entry of the incident (what answering it from the
 *   ledger would cost) and reading just the entries of the facts it returns.
 * - the full after-action report of the incident as PDF (target under 3 s),
 *   beside reading every entry of the incident.
 * Times are medians of repeated runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuildWorld } from '../src/app/coordination.ts';
import { EntryAudiences } from '../src/app/entry-audiences.ts';
import { LedgerService } from '../src/app/ledger.ts';
import { initNodeDir } from '../src/app/node-dir.ts';
import { ReportService } from '../src/app/reports.ts';
import { ReviewService, type ReviewSource } from '../src/app/review.ts';
import { mayRead, type Caller } from '../src/domain/index.ts';
import type { EntryDraft } from '../src/ledger/entry.ts';
import { generateIncident, INCIDENT } from './domain.ts';

const REVIEWER: Caller = { agency: 'review-board', role: 'reviewer' };
const MEMBER: Caller = { agency: 'fed-ice', person: 'ice-santos', role: 'member' };

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return +(times[Math.floor(times.length / 2)] as number).toFixed(2);
}

export async function benchReview(opts: { events?: number } = {}): Promise<Record<string, unknown>> {
  const drafts = await generateIncident(opts.events ?? 100_000);
  const root = mkdtempSync(join(tmpdir(), 'concord-bench-review-'));
  try {
    const dir = join(root, 'node');
    initNodeDir(dir, 'bench.example/review');
    let now = 0;
    const ledger = await LedgerService.open(dir, { clock: () => now, checkpoints: { everyMs: 0, everyEntries: 0 } });
    for (let i = 0; i < drafts.length;) {
      const at = (drafts[i] as { at: number }).at;
      const batch: EntryDraft[] = [];
      while (i < drafts.length && batch.length < 2000 && (drafts[i] as { at: number }).at === at) batch.push((drafts[i++] as { draft: EntryDraft }).draft);
      now = at;
      await ledger.append(batch);
    }
    const store = ledger.store;
    const size = await store.size();
    let incidentEntries = 0;
    let first = Number.POSITIVE_INFINITY;
    let lastReceived = '';
    for await (const s of store.entries(0, size, { incident: INCIDENT })) {
      incidentEntries++;
      first = Math.min(first, s.index);
      lastReceived = (JSON.parse(s.text) as { received: string }).received;
    }
    // the server keeps both as it runs: the live world, and each entry's audience
    const world = await rebuildWorld(store);
    const audiences = new EntryAudiences();
    await audiences.catchUp(store);
    const source: ReviewSource = {
      store,
      world: () => world,
      readable: async (caller) => (index) => {
        const a = audiences.at(index);
        return a !== undefined && mayRead(caller, a);
      },
    };
    const review = new ReviewService(source);

    const LIMIT = 100;
    const pageReviewer = await review.timeline(REVIEWER, INCIDENT, { limit: LIMIT });
    const pageMember = await review.timeline(MEMBER, INCIDENT, { limit: LIMIT });
    const lastLooked = pageMember.next ?? size;
    const firstPageMs = await median(21, () => review.timeline(REVIEWER, INCIDENT, { limit: LIMIT }));
    const firstPageMemberMs = await median(21, () => review.timeline(MEMBER, INCIDENT, { limit: LIMIT }));
    // reference: read and parse the same entries (those the page looked at), nothing more
    const rawPageMs = await median(21, async () => {
      for await (const s of store.entries(0, lastLooked + 2, { incident: INCIDENT })) JSON.parse(s.text);
    });

    // one moment in the middle of the incident
    const mid = new Date((Date.parse(world.incidents[INCIDENT]?.openedAt ?? lastReceived) + Date.parse(lastReceived)) / 2).toISOString();
    const knew = review.knewAt(REVIEWER, { kind: 'person', id: 'ice-santos' }, mid);
    const facts = [...knew.known, ...knew.undelivered];
    const knewMs = await median(11, async () => review.knewAt(REVIEWER, { kind: 'person', id: 'ice-santos' }, mid));
    const knewMemberMs = await median(11, async () => review.knewAt(MEMBER, { kind: 'person', id: 'ice-santos' }, mid));
    const rawIncidentMs = await median(3, async () => {
      for await (const s of store.entries(0, size, { incident: INCIDENT })) JSON.parse(s.text);
    });
    const rawFactsMs = await median(3, async () => {
      for (const f of facts) JSON.parse((await store.entry(f.index))?.text ?? 'null');
    });
    // the full after-action report of the incident as PDF, as the API builds it (a checkpoint is signed once, then covers it)
    const reports = new ReportService({ review, source, ledger, now: () => new Date() });
    const aar = await reports.render(REVIEWER, { kind: 'after-action', incident: INCIDENT }, 'pdf');
    const aarPages = (
      Buffer.from(aar.body as Uint8Array)
        .toString('latin1')
        .match(/\/Type \/Page /g) ?? []
    ).length;
    const aarMs = await median(3, () => reports.render(REVIEWER, { kind: 'after-action', incident: INCIDENT }, 'pdf'));
    await ledger.close();
    return {
      entries: size,
      incident_entries: incidentEntries,
      timeline_first_page: {
        limit: LIMIT,
        items_reviewer: pageReviewer.items.length,
        items_member: pageMember.items.length,
        reviewer_ms: firstPageMs,
        member_ms: firstPageMemberMs,
        reference_read_and_parse_same_entries_ms: rawPageMs,
        target_ms: 50,
      },
      who_knew_what_when: {
        person: 'ice-santos',
        at: mid,
        facts: facts.length,
        known: knew.known.length,
        reviewer_ms: knewMs,
        member_ms: knewMemberMs,
        reference_read_and_parse_incident_entries_ms: rawIncidentMs,
        reference_read_and_parse_fact_entries_ms: rawFactsMs,
        target_ms: 200,
      },
      after_action_pdf: {
        pages: aarPages,
        bytes: (aar.body as Uint8Array).byteLength,
        ms: aarMs,
        reference_read_and_parse_incident_entries_ms: rawIncidentMs,
        target_ms: 3000,
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
