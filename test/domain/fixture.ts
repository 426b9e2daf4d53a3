/**
 * A small two-agency organisation, driven through decide/applyEvent with an
 * injected clock and id source, for the domain tests.
 *
 * city-pd: superintendent ← chief of patrol ← district commander ← watch commander (request desk)
 *          ← sergeants 1 and 2; units city-11, city-12 (sergeant 1), city-22 (sergeant 2)
 * fed-ice: field office director ← supervisory officer (request desk); unit fed-t1
 */
import assert from 'node:assert/strict';
import { ConcordError, isConcordError, type ErrorCode } from '../../src/errors.ts';
import type { Command } from '../../src/domain/commands.ts';
import { decide, type DecideContext } from '../../src/domain/decide.ts';
import type { DomainEvent, EventMeta, EventOf, EventType } from '../../src/domain/events.ts';
import { applyEvent, type RecordedEvent } from '../../src/domain/project.ts';
import { activeUnits } from '../../src/domain/requests.ts';
import { addSeconds } from '../../src/domain/time.ts';
import type { AgencyRef, OrderFacts, Protocols, RequestFacts } from '../../src/domain/facts.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import { emptyWorld, type Notification, type World } from '../../src/domain/world.ts';
import type { Actor } from '../../src/domain/values.ts';

export const T0 = '2026-06-01T21:00:00.000Z';

type Distribute<T> = T extends unknown ? Omit<T, 'actor'> : never;
export type Body = Distribute<Command>;

/**
 * A stand-in for the agencies' protocols (the app passes src/policy's): the
 * verdict each request gets is set per request id, and orders are answered
 * by a function the test sets. Nothing set means no protocol in effect. It
 * records the facts it was asked about, so tests can see what the domain
 * asked and of whom.
 */
export class TestProtocols implements Protocols {
  readonly requestVerdicts = new Map<string, Verdict>();
  /** requests on which the protocols fail to evaluate (a policy raising an error) */
  readonly failing = new Set<string>();
  orderVerdict: (facts: OrderFacts, deciding: AgencyRef) => Verdict | undefined = () => undefined;
  readonly askedAboutRequests: RequestFacts[] = [];
  readonly askedAboutOrders: { facts: OrderFacts; deciding: AgencyRef }[] = [];

  request(facts: RequestFacts, at: string): Verdict | undefined {
    this.askedAboutRequests.push(facts);
    if (this.failing.has(facts.requestId))
      throw new ConcordError('POLICY_EVALUATION_FAILED', `rules.cedar:3 (X-1): integer overflow evaluating ${facts.requestId}`);
    const v = this.requestVerdicts.get(facts.requestId);
    return v === undefined ? undefined : { ...v, evaluatedAt: at };
  }

  order(facts: OrderFacts, deciding: AgencyRef, at: string): Verdict | undefined {
    this.askedAboutOrders.push({ facts, deciding });
    const v = this.orderVerdict(facts, deciding);
    return v === undefined ? undefined : { ...v, evaluatedAt: at };
  }
}

export class Harness {
  world: World = emptyWorld;
  readonly log: RecordedEvent[] = [];
  /** the live world right after each logged event */
  readonly snapshots: World[] = [];
  now = T0;
  /** the protocols decide asks; set verdicts on it (or use rule()) */
  protocols: TestProtocols | undefined = new TestProtocols();
  #seq = 0;
  #index = 0;

  get ctx(): DecideContext {
    return { now: this.now, newId: (prefix) => `${prefix}-${++this.#seq}`, ...(this.protocols !== undefined ? { protocols: this.protocols } : {}) };
  }

  /** the receiving agency's protocols give this verdict on the request from now on */
  rule(requestId: string, v: Verdict): this {
    if (this.protocols === undefined) this.protocols = new TestProtocols();
    this.protocols.requestVerdicts.set(requestId, v);
    return this;
  }

  /** set the verdict and have the watch commander evaluate the request (city-pd's desk) */
  evaluate(requestId: string, v: Verdict, actor: Actor = watch): DomainEvent[] {
    return this.rule(requestId, v).run(actor, { type: 'request.evaluate', requestId });
  }

  advance(seconds: number): this {
    this.now = addSeconds(this.now, seconds);
    return this;
  }

  /** decide, then apply every event at the current time, as the app does */
  run(actor: Actor, body: Body): DomainEvent[] {
    const events = decide(this.world, { ...body, actor } as Command, this.ctx);
    for (const event of events) {
      const meta = { index: this.#index++, received: this.now };
      this.world = applyEvent(this.world, event, meta);
      this.log.push({ event, meta });
      this.snapshots.push(this.world);
    }
    return events;
  }

  runCommand(command: Command): DomainEvent[] {
    const { actor, ...body } = command;
    return this.run(actor, body as Body);
  }

  /** the command is refused with this code, yields nothing and leaves the world as it was */
  refuse(actor: Actor, body: Body, code: ErrorCode, message?: RegExp): void {
    const before = this.world;
    const logged = this.log.length;
    assert.throws(
      () => this.run(actor, body),
      (e: unknown) => {
        assert.ok(isConcordError(e), `expected ConcordError, got ${String(e)}`);
        assert.equal(e.code, code, e.message);
        if (message !== undefined) assert.match(e.message, message);
        return true;
      },
    );
    assert.equal(this.world, before);
    assert.equal(this.log.length, logged);
  }

  eventsOf<T extends EventType>(type: T): { event: EventOf<T>; meta: EventMeta }[] {
    return this.log.filter((r): r is { event: EventOf<T>; meta: EventMeta } => r.event.type === type);
  }

  /** notifications in the world about a topic, in the order created */
  notified(topic: string): Notification[] {
    return Object.values(this.world.notifications)
      .filter((n) => n.topic === topic)
      .sort((a, b) => a.index - b.index);
  }
}

/** each agency's administration: the agency acting as itself, which sets up its organisation */
export const CITY: Actor = { agency: 'city-pd' };
export const FED: Actor = { agency: 'fed-ice' };
export const as = (agency: 'city-pd' | 'fed-ice', person: string): Actor => ({ agency, person });

export const supt = as('city-pd', 'supt');
export const chief = as('city-pd', 'chief');
export const district = as('city-pd', 'district');
export const watch = as('city-pd', 'watch');
export const sgt1 = as('city-pd', 'sgt1');
export const sgt2 = as('city-pd', 'sgt2');
export const officer1 = as('city-pd', 'off1');
export const fod = as('fed-ice', 'fod');
export const sup = as('fed-ice', 'sup');
export const agent = as('fed-ice', 'agent1');

/** register both agencies and their organisations, and open incident inc-1 led by fed-ice */
export function organisation(h: Harness = new Harness()): Harness {
  h.run(CITY, { type: 'agency.register', agencyId: 'city-pd', name: 'City Police Department', kind: 'local', jurisdiction: 'City' });
  h.run(FED, { type: 'agency.register', agencyId: 'fed-ice', name: 'Federal Immigration Enforcement', kind: 'federal', jurisdiction: 'US' });
  const positions: [string, string, string | undefined, boolean?][] = [
    ['city-supt', 'Superintendent', undefined],
    ['city-chief-patrol', 'Chief of Patrol', 'city-supt'],
    ['city-district', 'District Commander', 'city-chief-patrol'],
    ['city-watch', 'Watch Commander', 'city-district', true],
    ['city-sgt-1', 'Sergeant, beat 1', 'city-watch'],
    ['city-sgt-2', 'Sergeant, beat 2', 'city-watch'],
  ];
  for (const [id, title, reportsTo, desk] of positions) {
    h.run(CITY, { type: 'position.establish', positionId: id, title, ...(reportsTo ? { reportsTo } : {}), ...(desk ? { handlesRequests: true } : {}) });
  }
  h.run(FED, { type: 'position.establish', positionId: 'fed-fod', title: 'Field Office Director' });
  h.run(FED, { type: 'position.establish', positionId: 'fed-sup', title: 'Supervisory Officer', reportsTo: 'fed-fod', handlesRequests: true });
  const cityPeople: [string, string, string | undefined][] = [
    ['supt', 'A. Superintendent', 'city-supt'],
    ['chief', 'B. Chief', 'city-chief-patrol'],
    ['district', 'C. District', 'city-district'],
    ['watch', 'D. Watch', 'city-watch'],
    ['sgt1', 'E. Sergeant', 'city-sgt-1'],
    ['sgt2', 'F. Sergeant', 'city-sgt-2'],
    ['off1', 'G. Officer', undefined],
    ['off2', 'H. Officer', undefined],
    ['off3', 'I. Officer', undefined],
    ['liaison-city', 'J. Liaison', undefined],
  ];
  for (const [id, name, position] of cityPeople) {
    h.run(CITY, { type: 'person.register', personId: id, name });
    if (position) h.run(CITY, { type: 'person.appoint', personId: id, positionId: position, appointmentId: `appt-${id}` });
  }
  const fedPeople: [string, string, string | undefined][] = [
    ['fod', 'K. Director', 'fed-fod'],
    ['sup', 'L. Supervisor', 'fed-sup'],
    ['agent1', 'M. Agent', undefined],
    ['liaison-fed', 'N. Liaison', undefined],
  ];
  for (const [id, name, position] of fedPeople) {
    h.run(FED, { type: 'person.register', personId: id, name });
    if (position) h.run(FED, { type: 'person.appoint', personId: id, positionId: position, appointmentId: `appt-${id}` });
  }
  h.run(CITY, { type: 'unit.register', unitId: 'city-11', unitType: 'patrol', callsign: '11-Adam', members: ['off1', 'off2'], supervisor: 'city-sgt-1' });
  h.run(CITY, { type: 'unit.register', unitId: 'city-12', unitType: 'patrol', callsign: '12-Adam', members: ['off3'], supervisor: 'city-sgt-1' });
  h.run(CITY, { type: 'unit.register', unitId: 'city-22', unitType: 'patrol', callsign: '22-Boy', members: [], supervisor: 'city-sgt-2' });
  h.run(FED, { type: 'unit.register', unitId: 'fed-t1', unitType: 'team', callsign: 'Team 1', members: ['agent1'], supervisor: 'fed-sup' });
  h.run(FED, { type: 'incident.open', incidentId: 'inc-1', name: 'Facility protest', location: '1 Federal Plaza' });
  h.run(FED, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-fed' });
  return h;
}

export function verdict(decision: Verdict['decision'], extra: Partial<Verdict> = {}): Verdict {
  return {
    decision,
    clauses: [{ id: decision === 'prohibited' ? '2-173-020(b)' : '2-173-030(a)', cite: 'Welcoming City Ordinance' }],
    agency: 'city-pd',
    policyVersion: 'city-pd/2026-01-01',
    evaluatedAt: T0,
    ...extra,
  };
}

/** fed-ice asks city-pd for two units */
export function sendRequest(h: Harness, id = 'req-1', extra: Partial<Extract<Body, { type: 'request.send' }>> = {}): void {
  h.run(sup, {
    type: 'request.send',
    requestId: id,
    incidentId: 'inc-1',
    to: 'city-pd',
    category: 'officer_in_danger',
    urgency: 'immediate',
    operation: 'emergency_response',
    description: 'Team surrounded at the east gate',
    unitsRequested: 2,
    ...extra,
  });
}

/**
 * The demo story in miniature: fed-ice asks city-pd for help, city commits two
 * units, the incident commander holds one at the gate, the chief of patrol
 * withdraws both (a conflict with the hold), fed-ice's console receives the
 * notice and its liaison acknowledges it.
 */
export function demo(h: Harness = organisation()): Harness {
  h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
  h.run(sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason: 'initial response' });
  h.advance(60);
  sendRequest(h);
  h.advance(20);
  h.run(watch, { type: 'request.receive', requestId: 'req-1' });
  h.evaluate('req-1', verdict('permitted'));
  h.advance(30);
  h.run(watch, { type: 'request.accept', requestId: 'req-1', reason: 'officer in immediate danger: 2-173-030(a)' });
  h.run(watch, { type: 'request.commit', requestId: 'req-1', units: ['city-11', 'city-12'] });
  h.advance(240);
  h.run({ agency: 'city-pd', device: 'mdt-11' }, { type: 'request.report_on_scene', requestId: 'req-1', units: ['city-11', 'city-12'] });
  h.advance(60);
  h.run(sup, { type: 'order.issue', orderId: 'o-hold', directive: 'hold', units: ['city-11'], target: 'east gate', rationale: 'shield the team at the gate' });
  h.advance(600);
  h.run(chief, {
    type: 'request.withdraw',
    requestId: 'req-1',
    orderId: 'o-withdraw',
    reason: 'enforcement action, not officer safety: ordinance 2-173-020(b)',
  });
  h.advance(5);
  const withdrawn = Object.values(h.world.notifications).filter((n) => n.topic === 'request.units_withdrawn' && n.recipient.person === 'liaison-fed');
  for (const n of withdrawn) h.run({ agency: 'fed-ice', device: 'console-1' }, { type: 'notification.deliver', notificationId: n.id });
  h.advance(40);
  for (const n of withdrawn) h.run({ agency: 'fed-ice', person: 'liaison-fed' }, { type: 'notification.acknowledge', notificationId: n.id });
  h.run(officer1, { type: 'order.acknowledge', orderId: 'o-withdraw' });
  return h;
}

/**
 * The promise of DESIGN.md's story, checked after every accepted command: a
 * unit that stopped serving a request it was committed to did so by a release
 * from the requesting agency, or by a recorded withdrawal (actor, authority,
 * reason) of which the requesting agency was told, urgently, in the same
 * command.
 */
export function endsOfServiceAreTold(before: World, after: World, events: readonly DomainEvent[]): void {
  for (const r of Object.values(before.requests)) {
    const now = after.requests[r.id]!;
    const gone = activeUnits(r).filter((u) => !activeUnits(now).includes(u));
    if (gone.length === 0) continue;
    const withdrawn = new Set(events.flatMap((e) => (e.type === 'request.units_withdrawn' && e.body.request === r.id ? e.body.units : [])));
    const released = new Set(
      events.flatMap((e) => (e.type === 'request.units_released' && e.body.request === r.id && e.actor.agency === r.from ? e.body.units : [])),
    );
    const toldUrgently = events.some(
      (e) =>
        e.type === 'notification.created' &&
        e.body.request === r.id &&
        e.body.topic === 'request.units_withdrawn' &&
        e.body.urgent &&
        e.body.recipient.agency === r.from,
    );
    for (const u of gone) {
      assert.ok(withdrawn.has(u) || released.has(u), `${u} left ${r.id} with neither a withdrawal nor the requester's release`);
      if (!withdrawn.has(u)) continue;
      const w = now.withdrawals.find((x) => x.units.includes(u) && x.at === after.lastReceived);
      assert.ok(
        w !== undefined && w.reason.trim() !== '' && w.authority !== undefined && w.by !== undefined,
        `the withdrawal of ${u} from ${r.id} is recorded`,
      );
      assert.ok(toldUrgently, `${r.from} was told urgently that ${u} was withdrawn from ${r.id}`);
    }
  }
}
