/**
 * `npm run bench -- review`: the review queries on a 100,000-entry incident
 * (requests answered, units committed and withdrawn by order,
 * acknowledgements, notices delivered and acknowledged), each beside the
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
import { fileURLToPath } from 'node:url';
import { rebuildWorld } from '../src/app/coordination.ts';
import { EntryAudiences } from '../src/app/entry-audiences.ts';
import { LedgerService } from '../src/app/ledger.ts';
import { initNodeDir } from '../src/app/node-dir.ts';
import { ReportService } from '../src/app/reports.ts';
import { ReviewService, type ReviewSource } from '../src/app/review.ts';
import { readScenario } from '../src/app/scenario.ts';
import { loadProtocolBook } from '../src/app/protocol-files.ts';
import { decide, mayRead, parseCommand, Projection, type Caller, type DomainEvent } from '../src/domain/index.ts';
import type { EntryDraft, JsonObject } from '../src/ledger/entry.ts';
import { bookProtocols } from '../src/policy/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INCIDENT = 'inc-bench';

/**
 * bench/domain.ts's busy incident (requests for help answered, units
 * committed, on scene, withdrawn by order, acknowledged, notices delivered
 * and some acknowledged), decided in process by the domain with the demo's
 * protocols and folded in place: each event costs its own size, so a
 * 100,000-entry incident is made in seconds. Each draft keeps the time it
 * was decided at (one command a second).
 */
async function generateIncident(target: number): Promise<Array<{ draft: EntryDraft; at: number }>> {
  const protocols = bookProtocols(await loadProtocolBook(join(ROOT, 'scenarios', 'policies')));
  const projection = new Projection();
  const out: Array<{ draft: EntryDraft; at: number }> = [];
  let now = Date.parse('2026-06-01T20:00:00Z');
  let n = 0;
  const newId = (prefix: string): string => `${prefix}-${++n}`;
  const run = (c: Record<string, unknown>): void => {
    now += 1000;
    const received = new Date(now).toISOString();
    const apply = (events: readonly DomainEvent[]): void => {
      for (const e of events) {
        projection.apply(e, { index: out.length, received });
        out.push({
          draft: { type: e.type, actor: e.actor, ...(e.incident !== undefined ? { incident: e.incident } : {}), body: e.body as unknown as JsonObject },
          at: now,
        });
      }
    };
    const events = decide(projection.world, parseCommand(c), { now: received, newId, protocols });
    apply(events);
    // as the node does (coordination.ts): a request sent to an agency on this node is received, and so evaluated, at once
    for (const e of events) {
      if (e.type !== 'request.sent') continue;
      const receive = { type: 'request.receive', actor: { agency: e.body.to, device: 'concord' }, requestId: e.body.request };
      apply(decide(projection.world, parseCommand(receive), { now: received, newId, protocols }));
    }
  };
  const ORGANISATION = new Set(['agency.register', 'position.establish', 'person.register', 'person.appoint', 'unit.register']);
  for (const step of readScenario(join(ROOT, 'scenarios', 'demo.yaml')).steps)
    if (ORGANISATION.has(step.command.type)) run(step.command as unknown as Record<string, unknown>);
  const ice = { agency: 'fed-ice', person: 'ice-santos' };
  const chen = { agency: 'city-pd', person: 'cpd-chen' };
  const harris = { agency: 'city-pd', person: 'cpd-harris' };
  run({ type: 'incident.open', actor: ice, incidentId: INCIDENT, name: 'Benchmark incident', location: 'Metro City' });
  run({ type: 'incident.designate_liaison', actor: ice, incidentId: INCIDENT, personId: 'ice-whitfield' });
  run({ type: 'incident.designate_liaison', actor: chen, incidentId: INCIDENT, personId: 'cpd-novak' });
  const units = ['cpd-1231', 'cpd-1232', 'cpd-1233'];
  for (let cycle = 0; out.length < target; cycle++) {
    const requestId = `req-${cycle}`;
    const before = out.length;
    run({
      type: 'request.send',
      actor: ice,
      requestId,
      incidentId: INCIDENT,
      to: 'city-pd',
      category: 'officer_in_danger',
      urgency: 'immediate',
      operation: 'civil_immigration_enforcement',
      description: `Cycle ${cycle}: officers need help at the gate`,
      unitsRequested: 3,
    });
    run({ type: 'request.accept', actor: chen, requestId, reason: 'Officer in danger: permitted by 2-173-030(a)' });
    run({ type: 'request.commit', actor: chen, requestId, units });
    run({ type: 'request.report_on_scene', actor: { agency: 'city-pd', person: 'cpd-novak' }, requestId, units });
    const orderId = `ord-${cycle}`;
    run({
      type: 'order.issue',
      actor: harris,
      orderId,
      incidentId: INCIDENT,
      directive: 'withdraw',
      units,
      rationale: 'Danger over; de-escalation per GO 7.03 IV.B',
    });
    for (const [i, unit] of units.entries())
      run({ type: 'order.acknowledge', actor: { agency: 'city-pd', person: ['cpd-ortiz', 'cpd-king', 'cpd-patel'][i] }, orderId, unit });
    // this cycle's notices to fed-ice: its CAD delivers them, the supervisor acknowledges those addressed to him
    const created = out
      .slice(before)
      .flatMap((d) =>
        d.draft.type === 'notification.created' ? [d.draft.body as { notification: string; recipient: { agency: string; person?: string } }] : [],
      );
    for (const b of created)
      if (b.recipient.agency === 'fed-ice')
        run({ type: 'notification.deliver', actor: { agency: 'fed-ice', device: 'fed-ice-cad' }, notificationId: b.notification });
    for (const b of created) if (b.recipient.person === 'ice-santos') run({ type: 'notification.acknowledge', actor: ice, notificationId: b.notification });
    run({ type: 'request.close', actor: harris, requestId, reason: 'Units withdrawn' });
  }
  return out;
}

const REVIEWER: Caller = { agency: 'review-board', role: 'reviewer' };
const MEMBER: Caller = { agency: 'fed-ice', person: 'ice-santos', role: 'member' };

/** the median wall time of `runs` runs, in ms (and the median CPU time this process spent: on a shared machine the wall time counts the waits) */
async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  lastCpuMs = +(cpu[Math.floor(cpu.length / 2)] as number).toFixed(2);
  return +(times[Math.floor(times.length / 2)] as number).toFixed(2);
}
let lastCpuMs = 0;

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
    const firstPageCpuMs = lastCpuMs;
    const firstPageMemberMs = await median(21, () => review.timeline(MEMBER, INCIDENT, { limit: LIMIT }));
    const firstPageMemberCpuMs = lastCpuMs;
    // reference: read and parse the same entries (those the page looked at), nothing more
    const rawPageMs = await median(21, async () => {
      for await (const s of store.entries(0, lastLooked + 2, { incident: INCIDENT })) JSON.parse(s.text);
    });

    // one moment in the middle of the incident
    const mid = new Date((Date.parse(world.incidents[INCIDENT]?.openedAt ?? lastReceived) + Date.parse(lastReceived)) / 2).toISOString();
    const knew = review.knewAt(REVIEWER, { kind: 'person', id: 'ice-santos' }, mid);
    const facts = [...knew.known, ...knew.undelivered];
    const knewMs = await median(11, async () => review.knewAt(REVIEWER, { kind: 'person', id: 'ice-santos' }, mid));
    const knewCpuMs = lastCpuMs;
    const knewMemberMs = await median(11, async () => review.knewAt(MEMBER, { kind: 'person', id: 'ice-santos' }, mid));
    const knewMemberCpuMs = lastCpuMs;
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
        reviewer_cpu_ms: firstPageCpuMs,
        member_ms: firstPageMemberMs,
        member_cpu_ms: firstPageMemberCpuMs,
        reference_read_and_parse_same_entries_ms: rawPageMs,
        target_ms: 50,
      },
      who_knew_what_when: {
        person: 'ice-santos',
        at: mid,
        facts: facts.length,
        known: knew.known.length,
        reviewer_ms: knewMs,
        reviewer_cpu_ms: knewCpuMs,
        member_ms: knewMemberMs,
        member_cpu_ms: knewMemberCpuMs,
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
