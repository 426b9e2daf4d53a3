/**
 * `npm run bench -- domain`: verdicts/s with prepared policies; orders/s
 * decided by two agencies' protocols beside orders decided by one; and the
 * projection rebuild rate of a 100,000-event incident beside the raw rate of
 * reading (and parsing) those same entries, measured in the same run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoordinationService, rebuildWorld, type EventLedger } from '../src/app/coordination.ts';
import { LedgerService } from '../src/app/ledger.ts';
import { initNodeDir } from '../src/app/node-dir.ts';
import { readScenario } from '../src/app/scenario.ts';
import type { Command } from '../src/domain/index.ts';
import type { EntryDraft } from '../src/ledger/entry.ts';
import { EMPTY_ROOT } from '../src/ledger/merkle/hash.ts';
import { loadProtocolBook } from '../src/app/protocol-files.ts';
import type { Appended } from '../src/store/store.ts';
import { benchOrders } from './domain-orders.ts';
import { benchVerdicts } from './domain-verdicts.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const INCIDENT = 'inc-bench';

/** keeps every draft the service decides, with the time it was decided at */
class CollectingLedger implements EventLedger {
  readonly drafts: Array<{ draft: EntryDraft; at: number }> = [];
  constructor(private readonly clock: () => number) {}
  async append(drafts: readonly EntryDraft[]): Promise<Appended[]> {
    const at = this.clock();
    return drafts.map((draft) => {
      this.drafts.push({ draft, at });
      return { index: this.drafts.length - 1, received: new Date(at).toISOString(), text: '', leafHash: EMPTY_ROOT };
    });
  }
}

/** A busy incident: requests for help answered, units committed, on scene, withdrawn by order, acknowledged, notices delivered. */
export async function generateIncident(targetEvents: number): Promise<Array<{ draft: EntryDraft; at: number }>> {
  let now = Date.parse('2026-06-01T20:00:00Z');
  const clock = (): number => now;
  const sink = new CollectingLedger(clock);
  const protocols = await loadProtocolBook(join(ROOT, 'scenarios', 'policies'));
  const service = await CoordinationService.open(sink, { protocols, clock });
  const scenario = readScenario(join(ROOT, 'scenarios', 'demo.yaml'));
  // the demo's organisation only (its agencies, posts, people and units), not its timeline
  const ORGANISATION = new Set(['agency.register', 'position.establish', 'person.register', 'person.appoint', 'unit.register']);
  for (const step of scenario.steps) if (ORGANISATION.has(step.command.type)) await service.execute(step.command);
  const ice = { agency: 'fed-ice', person: 'ice-santos' };
  const chen = { agency: 'city-pd', person: 'cpd-chen' };
  const harris = { agency: 'city-pd', person: 'cpd-harris' };
  const run = async (c: Record<string, unknown>): Promise<void> => {
    now += 1000;
    await service.execute(c as unknown as Command);
  };
  await run({ type: 'incident.open', actor: ice, incidentId: INCIDENT, name: 'Benchmark incident', location: 'Metro City' });
  await run({ type: 'incident.designate_liaison', actor: ice, incidentId: INCIDENT, personId: 'ice-whitfield' });
  await run({ type: 'incident.designate_liaison', actor: chen, incidentId: INCIDENT, personId: 'cpd-novak' });
  const units = ['cpd-1231', 'cpd-1232', 'cpd-1233'];
  for (let cycle = 0; sink.drafts.length < targetEvents; cycle++) {
    const requestId = `req-${cycle}`;
    await run({
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
    await run({ type: 'request.accept', actor: chen, requestId, reason: 'Officer in danger: permitted by 2-173-030(a)' });
    await run({ type: 'request.commit', actor: chen, requestId, units });
    await run({ type: 'request.report_on_scene', actor: { agency: 'city-pd', person: 'cpd-novak' }, requestId, units });
    const orderId = `ord-${cycle}`;
    await run({
      type: 'order.issue',
      actor: harris,
      orderId,
      incidentId: INCIDENT,
      directive: 'withdraw',
      units,
      rationale: 'Danger over; de-escalation per GO 7.03 IV.B',
    });
    for (const [i, unit] of units.entries())
      await run({ type: 'order.acknowledge', actor: { agency: 'city-pd', person: ['cpd-ortiz', 'cpd-king', 'cpd-patel'][i] }, orderId, unit });
    for (const n of Object.values(service.world.notifications)) {
      if (n.recipient.agency === 'fed-ice' && n.status === 'created')
        await run({ type: 'notification.deliver', actor: { agency: 'fed-ice', device: 'fed-ice-cad' }, notificationId: n.id });
    }
    await run({ type: 'request.close', actor: harris, requestId, reason: 'Units withdrawn' });
  }
  return sink.drafts;
}

export async function benchDomain(opts: { events?: number } = {}): Promise<Record<string, unknown>> {
  const verdicts = await benchVerdicts();
  const orders = await benchOrders();
  const target = opts.events ?? 100_000;
  const g0 = performance.now();
  const drafts = await generateIncident(target);
  const generateMs = performance.now() - g0;

  const root = mkdtempSync(join(tmpdir(), 'concord-bench-domain-'));
  try {
    const dir = join(root, 'node');
    initNodeDir(dir, 'bench.example/domain');
    let now = 0;
    const ledger = await LedgerService.open(dir, { clock: () => now, checkpoints: { everyMs: 0, everyEntries: 0 } });
    // the decided events go into a real ledger with their decision times
    for (let i = 0; i < drafts.length;) {
      const at = (drafts[i] as { at: number }).at;
      const batch: EntryDraft[] = [];
      while (i < drafts.length && batch.length < 2000 && (drafts[i] as { at: number }).at === at) batch.push((drafts[i++] as { draft: EntryDraft }).draft);
      now = at;
      await ledger.append(batch);
    }
    const store = ledger.store;
    const size = await store.size();

    // reference: read every entry and parse it, nothing more
    let t0 = performance.now();
    let parsed = 0;
    for await (const e of store.entries(0, size)) {
      JSON.parse(e.text);
      parsed++;
    }
    const rawMs = performance.now() - t0;

    // the projection: read, parse, validate each event, fold into the world
    t0 = performance.now();
    const world = await rebuildWorld(store);
    const rebuildMs = performance.now() - t0;
    const requests = Object.keys(world.requests).length;
    await ledger.close();

    const rawRate = Math.round((parsed / rawMs) * 1000);
    const rebuildRate = Math.round((size / rebuildMs) * 1000);
    return {
      verdicts: {
        verdicts_per_s: Math.round(verdicts.verdicts_per_s),
        cpu_verdicts_per_s: Math.round(verdicts.cpu_verdicts_per_s),
        reference_stateless_verdicts_per_s: Math.round(verdicts.stateless_verdicts_per_s),
        target_per_s: 5000,
      },
      // every order asks the issuer's agency and each agency whose units receive it
      orders,
      projection: {
        events: size,
        requests,
        generate_live_events_per_s: Math.round((drafts.length / generateMs) * 1000),
        rebuild_events_per_s: rebuildRate,
        reference_read_and_parse_entries_per_s: rawRate,
        ratio: +(rebuildRate / rawRate).toFixed(3),
        target_ratio: 0.3,
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
