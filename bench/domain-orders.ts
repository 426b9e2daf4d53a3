/**
 * What asking every concerned agency costs an order. An order to a unit of
 * the issuer's own agency is decided by one agency's protocols; an order from
 * another agency's member of a unified command to city units by two (the
 * issuer's and the units'). Measured two ways, each pair interleaved in
 * slices so both see the same machine:
 *
 * - verdicts: the protocols alone, through the port the domain asks
 *   (bookProtocols), once per concerned agency, on facts built once;
 * - decide: the whole decision of an order.issue against the demo's world
 *   (authority, facts, verdicts, notices, conflicts), as the app runs it.
 *
 * The figure the issue names is the ratio of two-agency orders to one-agency
 * orders per second (at least 0.5: asking two agencies may cost no more than
 * twice asking one).
 * Run alone: node --import tsx bench/domain-orders.ts
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CoordinationService, type EventLedger } from '../src/app/coordination.ts';
import { readScenario } from '../src/app/scenario.ts';
import { concernedAgencies, decide, orderFacts, type Command, type OrderFacts } from '../src/domain/index.ts';
import type { AgencyRef } from '../src/domain/facts.ts';
import type { World } from '../src/domain/world.ts';
import { EMPTY_ROOT } from '../src/ledger/merkle/hash.ts';
import { loadProtocolBook } from '../src/app/protocol-files.ts';
import { bookProtocols } from '../src/policy/index.ts';
import type { Appended } from '../src/store/store.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const INCIDENT = 'inc-2026-0601-harrison';

class NullLedger implements EventLedger {
  private size = 0;
  constructor(private readonly clock: () => number) {}
  async append(drafts: readonly unknown[]): Promise<Appended[]> {
    const received = new Date(this.clock()).toISOString();
    return drafts.map(() => ({ index: this.size++, received, text: '', leafHash: EMPTY_ROOT }));
  }
}

/** the demo up to the moment the city units are on scene under the unified command */
async function demoWorld(): Promise<{ world: World; at: string; service: CoordinationService }> {
  const protocols = await loadProtocolBook(join(ROOT, 'scenarios', 'policies'));
  const scenario = readScenario(join(ROOT, 'scenarios', 'demo.yaml'));
  let now = Date.parse(scenario.steps[0]!.at);
  const service = await CoordinationService.open(new NullLedger(() => now), { protocols, clock: () => now });
  for (const step of scenario.steps) {
    if (step.at > '2026-06-01T20:49:00.000Z') break;
    now = Date.parse(step.at);
    await service.execute(step.command);
  }
  return { world: service.world, at: new Date(now).toISOString(), service };
}

interface Rate {
  readonly per_s: number;
  readonly n: number;
}

/** interleaved slices of `a` and `b`, each run `perSlice` times per slice, for `seconds` in all */
function interleaved(a: (i: number) => void, b: (i: number) => void, seconds: number, perSlice = 200): [Rate, Rate] {
  for (let i = 0; i < 1000; i++) {
    a(i);
    b(i);
  }
  let ta = 0;
  let tb = 0;
  let na = 0;
  let nb = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    let t = performance.now();
    for (let i = 0; i < perSlice; i++) a(na++);
    ta += performance.now() - t;
    t = performance.now();
    for (let i = 0; i < perSlice; i++) b(nb++);
    tb += performance.now() - t;
  }
  return [
    { per_s: Math.round((na / ta) * 1000), n: na },
    { per_s: Math.round((nb / tb) * 1000), n: nb },
  ];
}

export async function benchOrders(options: { seconds?: number } = {}): Promise<Record<string, unknown>> {
  const seconds = options.seconds ?? 2;
  const { world, at } = await demoWorld();
  const book = await loadProtocolBook(join(ROOT, 'scenarios', 'policies'));
  const protocols = bookProtocols(book);
  const units = ['cpd-1231', 'cpd-1232', 'cpd-1233'].map((id) => world.units[id]!);
  const harris = { agency: 'city-pd', person: 'cpd-harris' };
  const santos = { agency: 'fed-ice', person: 'ice-santos' };
  const position = { kind: 'position', position: 'city-pd.chief-of-patrol' } as const;
  const seat = { kind: 'unified_command', incident: INCIDENT, agency: 'fed-ice' } as const;

  // the chief withdraws his own units: city-pd's protocols alone
  const own = orderFacts(world, { id: 'o-own', actor: harris, authority: position, directive: 'withdraw', units, people: [] });
  // the federal member of the unified command holds the city units at the gate: fed-ice's and city-pd's
  const joint = orderFacts(world, { id: 'o-joint', actor: santos, authority: seat, directive: 'hold', task: 'officer_in_danger', units, people: [] });
  const ownAgencies = concernedAgencies(harris, units, []);
  const jointAgencies = concernedAgencies(santos, units, []);
  const ref = (id: string): AgencyRef => ({ id, kind: world.agencies[id]!.kind });
  const verdictsFor = (facts: OrderFacts, agencies: readonly string[]): void => {
    for (const a of agencies) if (protocols.order(facts, ref(a), at) === undefined) throw new Error(`no verdict of ${a}`);
  };
  const [v1, v2] = interleaved(
    () => verdictsFor(own, ownAgencies),
    () => verdictsFor(joint, jointAgencies),
    seconds,
  );

  // the whole decision, as the app takes it
  let seq = 0;
  const ctx = { now: at, newId: (p: string) => `${p}-${++seq}`, protocols };
  const ownCommand = {
    type: 'order.issue',
    actor: harris,
    incidentId: INCIDENT,
    directive: 'withdraw',
    units: units.map((u) => u.id),
    rationale: 'de-escalation',
  } as const;
  const jointCommand = {
    type: 'order.issue',
    actor: santos,
    incidentId: INCIDENT,
    directive: 'hold',
    task: 'officer_in_danger',
    target: 'north gate',
    units: units.map((u) => u.id),
    rationale: 'keep the path open',
  } as const;
  const [d1, d2] = interleaved(
    (i) => decide(world, { ...ownCommand, orderId: `own-${i}` } as Command, ctx),
    (i) => decide(world, { ...jointCommand, orderId: `joint-${i}` } as Command, ctx),
    seconds,
    100,
  );
  return {
    verdicts: {
      one_agency_orders_per_s: v1.per_s,
      two_agency_orders_per_s: v2.per_s,
      two_agency_verdicts_per_s: v2.per_s * jointAgencies.length,
      ratio: +(v2.per_s / v1.per_s).toFixed(3),
      target_ratio: 0.5,
    },
    decide: {
      one_agency_orders_per_s: d1.per_s,
      two_agency_orders_per_s: d2.per_s,
      ratio: +(d2.per_s / d1.per_s).toFixed(3),
      target_ratio: 0.5,
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchOrders(), null, 2));
}
