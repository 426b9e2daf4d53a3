/**
 * Property: for random sequences of commands against a small fixed
 * organisation, the live world (decide, then applyEvent per event) equals the
 * world rebuilt from the ledger (events through JSON and parseDomainEvent,
 * folded from empty), and the world folded up to any time t equals the live
 * world right after the last event received at or before t. Refused commands
 * are ConcordErrors, yield no events and leave the world unchanged (decide
 * runs on a deep-frozen world, so any mutation would throw).
 *
 * The generator works by intent (advance request r, issue an order, ...) and
 * picks the command from the request's state, with a fair share of wrong
 * actors, empty reasons and bad verdicts, so runs reach deep states
 * (commitments, withdrawals, conflicts) as well as refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isConcordError } from '../../src/errors.ts';
import { DIRECTIVES, UNIT_STATUSES, URGENCIES, type Directive } from '../../src/domain/vocabulary.ts';
import { heldAuthorities } from '../../src/domain/command.ts';
import { dueEscalations } from '../../src/domain/deadlines.ts';
import { parseDomainEvent } from '../../src/domain/events.ts';
import { Projection, foldEvents, foldUntil, type RecordedEvent } from '../../src/domain/project.ts';
import { activeUnits } from '../../src/domain/requests.ts';
import { addSeconds } from '../../src/domain/time.ts';
import type { Actor } from '../../src/domain/values.ts';
import type { Verdict } from '../../src/domain/verdict.ts';
import { emptyWorld, type World } from '../../src/domain/world.ts';
import {
  Harness,
  endsOfServiceAreTold,
  agent,
  as,
  chief,
  district,
  fod,
  officer1,
  organisation,
  sgt1,
  sgt2,
  sup,
  supt,
  verdict,
  watch,
  type Body,
} from './fixture.ts';

const ALL_ACTORS: Actor[] = [
  supt,
  chief,
  district,
  watch,
  sgt1,
  sgt2,
  officer1,
  fod,
  sup,
  agent,
  as('fed-ice', 'liaison-fed'),
  as('city-pd', 'liaison-city'),
  { agency: 'city-pd', device: 'console' },
  { agency: 'fed-ice', device: 'console' },
];
const SIDE: Record<string, Actor[]> = {
  'city-pd': [watch, supt, district, sgt1, chief],
  'fed-ice': [sup, fod],
};
const REQUESTS = ['r1', 'r2', 'r3'];
const UNITS = ['city-11', 'city-12', 'city-22', 'fed-t1'];
const REASONS = ['because', 'because', 'because', ''];
const TARGETS = [undefined, 'north gate', 'east gate'];

type Step =
  | { kind: 'tick'; seconds: number }
  | { kind: 'request'; request: number; choice: number; actor: number; reason: number; seconds: number }
  | { kind: 'order'; issuer: number; directive: Directive; units: boolean[]; target: number; supersede: number; seconds: number }
  | { kind: 'ack'; order: number; actor: number }
  | { kind: 'notice'; pick: number; deliver: boolean; actor: number }
  | { kind: 'organise'; choice: number; actor: number; unit: number; reason: number };

const nat = fc.nat({ max: 1000 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 900 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      request: nat,
      choice: nat,
      actor: nat,
      reason: nat,
      seconds: fc.integer({ min: 0, max: 90 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      issuer: nat,
      directive: fc.constantFrom(...DIRECTIVES),
      units: fc.array(fc.boolean(), { minLength: UNITS.length, maxLength: UNITS.length }),
      target: nat,
      supersede: nat,
      seconds: fc.integer({ min: 0, max: 90 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ack' as const), order: nat, actor: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('notice' as const), pick: nat, deliver: fc.boolean(), actor: nat }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('organise' as const), choice: nat, actor: nat, unit: nat, reason: nat }) },
);

function pick<T>(xs: readonly T[], n: number): T {
  return xs[n % xs.length]!;
}

/** the commands that make sense for a request in its state (the runner picks one) */
function requestOptions(w: World, id: string, reason: string, n: number): [side: 'from' | 'to', body: Body][] {
  const r = w.requests[id];
  if (r === undefined) {
    const to = n % 3 === 0 ? 'fed-ice' : 'city-pd';
    return [
      [
        'from',
        {
          type: 'request.send',
          requestId: id,
          incidentId: 'inc-1',
          to,
          category: 'officer_in_danger',
          urgency: pick(URGENCIES, n),
          operation: 'emergency_response',
          description: 'help',
          unitsRequested: 1 + (n % 3),
        },
      ],
    ];
  }
  const requestId = id;
  const free = UNITS.filter((u) => w.units[u]?.agency === r.to && w.units[u]?.commitment === undefined);
  const active = activeUnits(r);
  const decisions = pick(['permitted', 'permitted', 'prohibited', 'needs_approval'] as const, n);
  const approvalRole = r.to === 'city-pd' ? pick(['city-watch', 'city-district', 'city-supt'], n) : 'fed-fod';
  return [
    ['to', { type: 'request.receive', requestId }],
    [
      'to',
      {
        type: 'request.evaluate',
        requestId,
        ruling: verdict(decisions, { agency: r.to, ...(decisions === 'needs_approval' ? { approvalRole } : {}) }),
      } as unknown as Body,
    ],
    ['to', { type: 'request.approve', requestId, reason }],
    ['to', { type: 'request.accept', requestId, reason }],
    ['to', { type: 'request.accept_partly', requestId, count: 1, reason }],
    ['to', { type: 'request.decline', requestId, reason }],
    ['to', { type: 'request.escalate', requestId, reason }],
    ['to', { type: 'request.commit', requestId, units: free.slice(0, 1 + (n % 2)) }],
    ['to', { type: 'request.report_on_scene', requestId, units: active.slice(0, 1) }],
    ['to', { type: 'request.withdraw', requestId, reason, ...(n % 2 === 0 ? {} : { units: active.slice(0, 1) }) }],
    ['from', { type: 'request.release', requestId, reason }],
    ['from', { type: 'request.close', requestId, reason }],
    ['from', { type: 'request.cancel', requestId, reason }],
  ];
}

/** the index in requestOptions of the step that moves the request along */
function naturalNext(w: World, id: string, n: number): number | undefined {
  const r = w.requests[id];
  if (r === undefined) return undefined;
  const byName = { receive: 0, evaluate: 1, approve: 2, accept: 3, decline: 5, commit: 7, report: 8, withdraw: 9, release: 10, close: 11 };
  switch (r.state) {
    case 'sent':
      return byName.receive;
    case 'received':
      return byName.evaluate;
    case 'evaluated':
    case 'escalated':
      if (r.verdict === undefined) return byName.evaluate;
      if (r.verdict.decision === 'prohibited') return byName.decline;
      return r.verdict.decision === 'needs_approval' && r.approval === undefined ? byName.approve : byName.accept;
    case 'accepted':
    case 'partly_accepted':
      return byName.commit;
    case 'units_committed':
      return n % 3 === 0 ? byName.withdraw : byName.report;
    case 'on_scene':
      return n % 2 === 0 ? byName.withdraw : byName.release;
    case 'declined':
    case 'withdrawn':
    case 'released':
      return byName.close;
    default:
      return undefined;
  }
}

function organiseOptions(s: Extract<Step, { kind: 'organise' }>): [Actor, Body][] {
  const reason = pick(REASONS, s.reason);
  const unit = pick(UNITS, s.unit);
  return [
    [sup, { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'single', commander: 'sup' }, reason }],
    [
      pick([sup, watch], s.actor),
      { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members: ['sup', 'watch'] }, reason },
    ],
    [pick([watch, sup, sgt1], s.actor), { type: 'incident.assign_unit', incidentId: 'inc-1', unitId: unit }],
    [pick([sup, watch, chief], s.actor), { type: 'incident.release_unit', incidentId: 'inc-1', unitId: unit, reason }],
    [
      pick([district, watch], s.actor),
      {
        type: 'delegation.grant',
        delegationId: `d${s.unit % 3}`,
        to: 'watch',
        scope: { kind: 'position', position: 'city-district' },
        reason,
        until: addSeconds('2026-06-01T21:00:00.000Z', 600 * (1 + (s.choice % 6))),
      },
    ],
    [pick([district, supt, sgt1], s.actor), { type: 'delegation.revoke', delegationId: `d${s.unit % 3}`, reason }],
    [sup, { type: 'delegation.grant', delegationId: `ops${s.unit % 2}`, to: 'agent1', scope: { kind: 'incident_command', incident: 'inc-1' }, reason }],
    [
      pick([district, { agency: 'city-pd' }, { agency: 'city-pd', device: 'hr' }, watch], s.actor),
      { type: 'person.relieve', personId: 'watch', positionId: 'city-watch', reason },
    ],
    [
      pick([district, { agency: 'city-pd' }, { agency: 'city-pd', device: 'hr' }, sgt1], s.actor),
      { type: 'person.appoint', personId: 'watch', positionId: 'city-watch' },
    ],
    [pick([watch, sup], s.actor), { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: pick(['liaison-city', 'liaison-fed'], s.unit) }],
    // closing ends the run's incident, so it is rare
    s.reason % 13 === 0
      ? [pick([fod, sup], s.actor), { type: 'incident.close', incidentId: 'inc-1', reason }]
      : [watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' }],
    [pick([sup, watch], s.actor), { type: 'conflict.resolve', conflictId: `conflict-${s.unit % 60}`, reason }],
    // the live picture: status (a status off a request on a committed unit is a withdrawal), positions, messages, coordinates
    [
      pick([sgt1, officer1, { agency: 'city-pd', device: 'mdt' }, sup, chief], s.actor),
      { type: 'unit.set_status', unitId: unit, status: pick(UNIT_STATUSES, s.reason + s.choice), reason },
    ],
    [
      pick([{ agency: 'city-pd', device: 'avl' }, { agency: 'fed-ice', device: 'avl' }, agent], s.actor),
      {
        type: 'unit.report_positions',
        positions: [
          { unit, lat: (s.reason % 180) - 90, lon: -((s.choice % 360) - 180), observed: addSeconds('2026-06-01T21:00:00.000Z', s.reason) },
          { unit: pick(UNITS, s.unit + 1), lat: 41.87, lon: -87.66, accuracy: s.choice % 50, observed: '2026-06-01T21:00:00.000Z' },
        ],
      },
    ],
    [
      pick([sup, watch, agent, { agency: 'fed-ice', device: 'console' }, supt], s.actor),
      {
        type: 'message.send',
        incidentId: 'inc-1',
        text: pick(['on our way', ' ', 'hold the gate'], s.reason),
        ...(s.unit % 2 === 0 ? { agencies: [pick(['fed-ice', 'city-pd'], s.choice)] } : { people: [pick(['sup', 'watch', 'liaison-city'], s.choice)] }),
      },
    ],
    [pick([sup, watch], s.actor), { type: 'incident.update', incidentId: 'inc-1', coordinates: { lat: 41.8746, lon: -((s.unit % 2) * 87.6619) } }],
  ];
}

function runStep(h: Harness, s: Step): void {
  let actor: Actor;
  let body: Body;
  switch (s.kind) {
    case 'tick': {
      h.advance(s.seconds);
      for (const c of dueEscalations(h.world, h.now)) attempt(h, c.actor, (({ actor: _a, ...rest }) => rest as Body)(c));
      return;
    }
    case 'request': {
      h.advance(s.seconds);
      const id = pick(REQUESTS, s.request);
      const options = requestOptions(h.world, id, pick(REASONS, s.reason), s.choice);
      const natural = naturalNext(h.world, id, s.actor);
      const [side, b] = s.choice % 3 !== 0 && natural !== undefined && options.length > 1 ? options[natural]! : pick(options, s.choice);
      const r = h.world.requests[id];
      const agency = r === undefined ? pick(['fed-ice', 'fed-ice', 'city-pd'], s.choice) : side === 'from' ? r.from : r.to;
      actor = s.actor % 7 === 0 ? pick(ALL_ACTORS, s.actor) : pick(SIDE[agency]!, s.actor);
      if (r === undefined && b.type === 'request.send' && b.to === actor.agency) body = { ...b, to: actor.agency === 'city-pd' ? 'fed-ice' : 'city-pd' };
      else body = b;
      break;
    }
    case 'order': {
      h.advance(s.seconds);
      actor = pick([sup, chief, sgt1, sgt2, watch, agent, officer1], s.issuer);
      const active = Object.values(h.world.orders).filter((o) => o.status === 'active');
      const supersedes = s.supersede % 3 === 0 && active.length > 0 ? [pick(active, s.supersede).id] : [];
      const target = pick(TARGETS, s.target);
      // half the time the issuer names one of the authorities they hold (a command seat, say, over their own chain)
      const held = actor.person === undefined ? [] : heldAuthorities(h.world, actor.person, h.now);
      const authority = s.supersede % 2 === 0 && held.length > 0 ? pick(held, s.issuer >> 3) : undefined;
      body = {
        type: 'order.issue',
        directive: s.directive,
        units: UNITS.filter((_, i) => s.units[i] === true),
        rationale: s.target % 11 === 0 ? '' : 'orders',
        ...(target !== undefined ? { target } : {}),
        ...(supersedes.length > 0 ? { supersedes } : {}),
        ...(authority !== undefined ? { authority } : {}),
      };
      break;
    }
    case 'ack': {
      const orders = Object.values(h.world.orders);
      if (orders.length === 0) return;
      const o = pick(orders, s.order);
      const unit = o.units.length > 0 ? pick(o.units, s.actor) : undefined;
      actor = unit !== undefined && s.actor % 4 !== 0 ? { agency: h.world.units[unit]!.agency, device: 'mdt' } : pick(ALL_ACTORS, s.actor);
      body = { type: 'order.acknowledge', orderId: o.id, ...(unit !== undefined && s.actor % 5 !== 0 ? { unit } : {}) };
      break;
    }
    case 'notice': {
      const all = Object.values(h.world.notifications);
      if (all.length === 0) return;
      const n = pick(all, s.pick);
      const own =
        n.recipient.person !== undefined ? { agency: n.recipient.agency, person: n.recipient.person } : pick(SIDE[n.recipient.agency] ?? [sup], s.actor);
      actor = s.actor % 5 === 0 ? pick(ALL_ACTORS, s.actor) : own;
      body = { type: s.deliver ? 'notification.deliver' : 'notification.acknowledge', notificationId: n.id };
      break;
    }
    case 'organise': {
      [actor, body] = pick(organiseOptions(s), s.choice);
      break;
    }
  }
  attempt(h, actor, body);
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

const reached = new Set<string>();
const refusedCodes = new Set<string>();
const refusals = new Map<string, number>();

function attempt(h: Harness, actor: Actor, body: Body): void {
  const before = deepFreeze(h.world);
  const logged = h.log.length;
  // an evaluation step says which verdict the protocols give from now on; the command itself carries none
  if (body.type === 'request.evaluate' && 'ruling' in body) {
    const { ruling, ...command } = body as typeof body & { ruling: Verdict };
    h.rule(command.requestId, ruling);
    body = command;
  }
  try {
    const events = h.run(actor, body);
    for (const e of events) reached.add(e.type);
    endsOfServiceAreTold(before, h.world, events);
  } catch (e) {
    if (!isConcordError(e)) throw e;
    refusedCodes.add(e.code);
    if (process.env.PROP_DEBUG) refusals.set(`${body.type} ${e.code}`, (refusals.get(`${body.type} ${e.code}`) ?? 0) + 1);
    assert.equal(h.world, before);
    assert.equal(h.log.length, logged);
  }
}

function throughLedger(log: readonly RecordedEvent[]): RecordedEvent[] {
  return log.map(({ event, meta }) => {
    const stored = JSON.parse(JSON.stringify(event)) as { type: string; actor: unknown; incident?: unknown; body: unknown };
    return { event: parseDomainEvent(stored.type, stored.actor, stored.incident, stored.body), meta };
  });
}

describe('properties', () => {
  it('live state = state rebuilt from the ledger; state at t = live state after the last event by t', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 80, size: 'max' }), fc.array(fc.nat(), { minLength: 3, maxLength: 3 }), (steps, cuts) => {
        const h = organisation();
        for (const s of steps) runStep(h, s);
        const ledger = throughLedger(h.log);
        assert.deepStrictEqual(foldEvents(ledger), h.world);
        const incremental = new Projection();
        for (const { event, meta } of ledger) incremental.apply(event, meta);
        assert.deepStrictEqual(incremental.world, h.world);
        const first = h.log[0]!.meta.received;
        const span = (Date.parse(h.now) - Date.parse(first)) / 1000;
        const times = [...cuts.map((c) => addSeconds(first, span === 0 ? 0 : c % (span + 1))), addSeconds(first, -1), h.now];
        for (const t of times) {
          let last = -1;
          h.log.forEach((r, i) => {
            if (Date.parse(r.meta.received) <= Date.parse(t)) last = i;
          });
          const expected = last < 0 ? foldEvents([], emptyWorld) : h.snapshots[last]!;
          assert.deepStrictEqual(foldUntil(ledger, t), expected, `at ${t}`);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a draft of the live world: applied, it is the fold of its events; taken back, the world is as it was, the same objects', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 20, maxLength: 80, size: 'max' }), fc.nat(), fc.nat(), fc.nat(), (steps, atRaw, lengthRaw, markRaw) => {
        const h = organisation();
        for (const s of steps) runStep(h, s);
        const log = throughLedger(h.log);
        const at = atRaw % (log.length + 1);
        const end = at + (lengthRaw % (log.length - at + 1));
        const live = new Projection();
        for (const { event, meta } of log.slice(0, at)) live.apply(event, meta);
        const world = live.world;
        const collections = Object.entries(world).filter(([, v]) => typeof v === 'object' && v !== null);
        const before = foldEvents(log.slice(0, at));
        const draft = live.draft();
        const marks: number[] = [];
        for (const { event, meta } of log.slice(at, end)) {
          marks.push(draft.mark());
          draft.apply(event, meta.received);
        }
        // the draft's world is what the live world would be with its events
        assert.deepStrictEqual(draft.world, foldEvents(log.slice(0, end)));
        // taken back to a mark: as if the events after it had not been applied
        const back = marks.length === 0 ? 0 : markRaw % marks.length;
        if (marks.length > 0) {
          draft.undoTo(marks[back]!);
          assert.deepStrictEqual(draft.world, foldEvents(log.slice(0, at + back)));
        }
        assert.throws(() => live.apply(log[0]!.event, log[0]!.meta), /draft of it was open/);
        draft.discard();
        assert.equal(live.world, world);
        for (const [k, v] of collections) assert.equal((live.world as unknown as Record<string, unknown>)[k], v, `${k} is the same object`);
        assert.deepStrictEqual(live.world, before);
        // and it goes on as if no draft had been
        for (const { event, meta } of log.slice(at)) live.apply(event, meta);
        assert.deepStrictEqual(live.world, foldEvents(log));
      }),
      { numRuns: 150 },
    );
  });

  it('the generated runs reached deep states and refusals alike', () => {
    if (process.env.PROP_DEBUG) console.log([...refusals].sort((a, b) => b[1] - a[1]).slice(0, 40));
    for (const t of [
      'request.units_committed',
      'request.units_on_scene',
      'request.units_withdrawn',
      'request.escalated',
      'order.conflict_detected',
      'notification.acknowledged',
      'request.closed',
      'unit.status_changed',
      'unit.positions_reported',
      'message.sent',
    ]) {
      assert.ok(reached.has(t), `never reached ${t}; reached: ${[...reached].join(', ')}`);
    }
    for (const c of ['INVALID_TRANSITION', 'REASON_REQUIRED', 'NOT_AUTHORISED', 'NOT_IN_CHAIN_OF_COMMAND', 'VERDICT_PROHIBITED', 'ORDER_REASON_REQUIRED']) {
      assert.ok(refusedCodes.has(c), `never refused with ${c}`);
    }
  });
});
