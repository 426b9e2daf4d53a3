/**
 * Property: no sequence of commands removes committed units from a request
 * without a withdrawal record and an urgent notification to the requesting
 * agency (or a release by the requesting agency itself).
 *
 * The runs start where it matters: units of city-pd committed to fed-ice's
 * request (and a fed-ice team committed to city-pd's), under a unified
 * command of three agencies. Every command that can end a unit's service is
 * tried, by actors of every side, on every authority they hold: orders of
 * every directive, releases from the incident, request.release and
 * request.withdraw, unit status changes, new commitments, a change of
 * command. After each
 * accepted command the invariant is checked (fixture.ts,
 * endsOfServiceAreTold); the last test checks the runs reached each path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { heldAuthorities } from '../../src/domain/command.ts';
import { isConcordError } from '../../src/errors.ts';
import { DIRECTIVES, UNIT_STATUSES, type Directive } from '../../src/domain/vocabulary.ts';
import type { Actor } from '../../src/domain/values.ts';
import { Harness, endsOfServiceAreTold, organisation, sendRequest, sup, verdict, watch, type Body } from './fixture.ts';

const trooper: Actor = { agency: 'state-pd', person: 'trooper' };
const ACTORS: Actor[] = [
  sup,
  watch,
  trooper,
  { agency: 'city-pd', person: 'chief' },
  { agency: 'city-pd', person: 'sgt1' },
  { agency: 'city-pd', person: 'sgt2' },
  { agency: 'city-pd', person: 'district' },
  { agency: 'fed-ice', person: 'fod' },
  { agency: 'fed-ice', person: 'agent1' },
  { agency: 'fed-ice', person: 'liaison-fed' },
  { agency: 'city-pd', device: 'cad' },
  { agency: 'city-pd', person: 'off1' },
];
const UNITS = ['city-11', 'city-12', 'city-22', 'fed-t1'];
const REQUESTS = ['req-fed', 'req-fed-2', 'req-city'];

function start(): Harness {
  const h = organisation();
  const admin = { agency: 'state-pd' };
  h.run(admin, { type: 'agency.register', agencyId: 'state-pd', name: 'State Police', kind: 'state', jurisdiction: 'State' });
  h.run(admin, { type: 'position.establish', positionId: 'state-lt', title: 'Lieutenant' });
  h.run(admin, { type: 'person.register', personId: 'trooper', name: 'Lt. Trooper' });
  h.run(admin, { type: 'person.appoint', personId: 'trooper', positionId: 'state-lt' });
  h.run(watch, { type: 'incident.designate_liaison', incidentId: 'inc-1', personId: 'liaison-city' });
  h.run(sup, {
    type: 'incident.establish_command',
    incidentId: 'inc-1',
    structure: { kind: 'unified', members: ['sup', 'watch', 'trooper'] },
    reason: 'joint',
  });
  // fed-ice asks city-pd twice; city-pd asks fed-ice once
  for (const id of ['req-fed', 'req-fed-2']) {
    sendRequest(h, id, { unitsRequested: 2 });
    h.rule(id, verdict('permitted'));
    h.run(watch, { type: 'request.receive', requestId: id });
    h.run(watch, { type: 'request.accept', requestId: id, reason: 'officer in danger' });
  }
  h.run(watch, { type: 'request.commit', requestId: 'req-fed', units: ['city-11', 'city-12'] });
  h.run(watch, {
    type: 'request.send',
    requestId: 'req-city',
    incidentId: 'inc-1',
    to: 'fed-ice',
    category: 'crowd_safety',
    urgency: 'urgent',
    operation: 'public_order',
    description: 'crowd',
    unitsRequested: 1,
  });
  h.rule('req-city', verdict('permitted', { agency: 'fed-ice', policyVersion: 'fed-ice/2026-01-01' }));
  h.run(sup, { type: 'request.receive', requestId: 'req-city' });
  h.run(sup, { type: 'request.accept', requestId: 'req-city', reason: 'crowd safety' });
  h.run(sup, { type: 'request.commit', requestId: 'req-city', units: ['fed-t1'] });
  return h;
}

type Step = { what: number; actor: number; authority: number; units: boolean[]; directive: Directive; request: number; seconds: number };

const step: fc.Arbitrary<Step> = fc.record({
  what: fc.nat({ max: 109 }),
  actor: fc.nat({ max: 1000 }),
  authority: fc.nat({ max: 1000 }),
  units: fc.array(fc.boolean(), { minLength: UNITS.length, maxLength: UNITS.length }),
  directive: fc.constantFrom(...DIRECTIVES),
  request: fc.nat({ max: 1000 }),
  seconds: fc.integer({ min: 0, max: 120 }),
});

const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length]!;

function command(h: Harness, s: Step): [Actor, Body] {
  const actor = pick(ACTORS, s.actor);
  const held = actor.person === undefined ? [] : heldAuthorities(h.world, actor.person, h.now);
  // the issuer names one of their authorities two times in three; otherwise decide picks the first that covers
  const authority = s.authority % 3 !== 0 && held.length > 0 ? { authority: pick(held, s.authority) } : {};
  const units = UNITS.filter((_, i) => s.units[i] === true);
  const one = pick(UNITS, s.request);
  const requestId = pick(REQUESTS, s.request);
  if (s.what >= 100) {
    const reason = s.authority % 4 === 0 ? {} : { reason: 'status' };
    return [actor, { type: 'unit.set_status', unitId: one, status: pick(UNIT_STATUSES, s.authority + s.what), ...reason, ...authority }];
  }
  if (s.what < 45)
    return [actor, { type: 'order.issue', directive: s.directive, units: units.length > 0 ? units : [one], rationale: 'by order', ...authority }];
  if (s.what < 60) return [actor, { type: 'incident.release_unit', incidentId: 'inc-1', unitId: one, reason: 'released', ...authority }];
  if (s.what < 70)
    return [actor, { type: 'request.release', requestId, reason: 'not needed', ...(s.authority % 2 === 0 ? { units: [one] } : {}), ...authority }];
  if (s.what < 78) return [actor, { type: 'request.withdraw', requestId, reason: 'pulled', ...(s.authority % 2 === 0 ? { units: [one] } : {}), ...authority }];
  if (s.what < 92) {
    const r = h.world.requests[requestId];
    const free = UNITS.filter((u) => h.world.units[u]?.agency === r?.to && h.world.units[u]?.commitment === undefined);
    const committer = r?.to === 'fed-ice' ? sup : watch;
    return [committer, { type: 'request.commit', requestId, units: free.slice(0, 1 + (s.authority % 2)) }];
  }
  const members = pick(
    [
      ['sup', 'watch', 'trooper'],
      ['sup', 'watch'],
      ['watch', 'trooper'],
    ],
    s.authority,
  );
  return [
    pick([sup, watch], s.actor),
    { type: 'incident.establish_command', incidentId: 'inc-1', structure: { kind: 'unified', members }, reason: 'command changes' },
  ];
}

const paths = new Map<string, number>();

describe('withdrawals: the property', () => {
  it("no sequence of commands removes committed units from a request without a withdrawal record and an urgent notice, or the requester's release", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 60 }), (steps) => {
        const h = start();
        for (const s of steps) {
          h.advance(s.seconds);
          const [actor, body] = command(h, s);
          const before = h.world;
          try {
            const events = h.run(actor, body);
            endsOfServiceAreTold(before, h.world, events);
            for (const e of events) {
              if (e.type === 'request.units_withdrawn' || e.type === 'request.units_released') {
                const key = `${e.type} by ${body.type} on ${e.body.authority.kind}`;
                paths.set(key, (paths.get(key) ?? 0) + 1);
              }
            }
          } catch (e) {
            if (!isConcordError(e)) throw e;
            assert.equal(h.world, before);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the runs went down every path that ends a commitment', () => {
    if (process.env.PROP_DEBUG) console.log([...paths].sort());
    for (const key of [
      'request.units_withdrawn by order.issue on position',
      'request.units_withdrawn by order.issue on unified_command',
      'request.units_withdrawn by incident.release_unit on unified_command',
      'request.units_withdrawn by request.withdraw on position',
      'request.units_withdrawn by unit.set_status on position',
      'request.units_released by request.release on position',
      'request.units_released by incident.release_unit on unified_command',
    ]) {
      assert.ok((paths.get(key) ?? 0) > 0, `never reached: ${key}; reached: ${[...paths.keys()].join('; ')}`);
    }
  });
});
