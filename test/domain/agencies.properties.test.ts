/**
 * Property: no organisation change is accepted from an actor without
 * authority over the position or unit it changes.
 *
 * Random sequences of appointments, reliefs, new positions, new units, unit
 * moves, delegations and revocations, by every kind of actor (people with
 * and without posts, of either agency, devices, each agency's
 * administration), so that who holds what keeps changing. After each
 * accepted change, a reference written here from the rule itself (not from
 * src/domain/command.ts) says whether the actor could make it: the
 * administration of the agency concerned, or a position the actor holds (by
 * appointment, or by a delegation whose grantor still holds the appointment
 * it was granted on) that is above the position filled or emptied, or at or
 * above where a position or unit is placed and where a moved unit was.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isConcordError } from '../../src/errors.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import type { Actor, Authority } from '../../src/domain/values.ts';
import type { World } from '../../src/domain/world.ts';
import { CITY, FED, Harness, organisation, type Body } from './fixture.ts';

const PEOPLE = ['supt', 'chief', 'district', 'watch', 'sgt1', 'sgt2', 'off1', 'off2', 'fod', 'sup', 'agent1'];
const CITY_POSITIONS = ['city-supt', 'city-chief-patrol', 'city-district', 'city-watch', 'city-sgt-1', 'city-sgt-2'];
const POSITIONS = [...CITY_POSITIONS, 'fed-fod', 'fed-sup'];
const UNITS = ['city-11', 'city-12', 'city-22', 'fed-t1'];

function actorOf(world: World, n: number): Actor {
  const others: Actor[] = [CITY, FED, { agency: 'city-pd', device: 'hr' }, { agency: 'fed-ice', device: 'roster' }];
  if (n % 5 === 0) return others[(n >> 3) % others.length]!;
  const person = PEOPLE[n % PEOPLE.length]!;
  return { agency: world.people[person]?.agency ?? 'city-pd', person };
}

/** the positions above `position`, walking reportsTo */
function above(world: World, position: string): string[] {
  const out: string[] = [];
  let p = world.positions[position]?.reportsTo;
  while (p !== undefined && !out.includes(p)) {
    out.push(p);
    p = world.positions[p]?.reportsTo;
  }
  return out;
}

function atOrAbove(world: World, position: string): string[] {
  return [position, ...above(world, position)];
}

/** the reference: does `actor` hold the position authority `a` at `now`, in `world` (before the change)? */
function holds(world: World, actor: Actor, a: Authority, now: string): boolean {
  const t = Date.parse(now);
  const appointed = (person: string, position: string, since: number): boolean =>
    Object.values(world.appointments).some(
      (x) => x.person === person && x.position === position && Date.parse(x.from) <= since && (x.until === undefined || t < Date.parse(x.until)),
    );
  if (a.kind === 'position') return appointed(actor.person ?? '', a.position, t);
  if (a.kind === 'delegation') {
    const d = world.delegations[a.delegation];
    return (
      d !== undefined &&
      d.to === actor.person &&
      d.scope.kind === 'position' &&
      d.scope.position === a.position &&
      Date.parse(d.from) <= t &&
      (d.until === undefined || t < Date.parse(d.until)) &&
      (d.revoked === undefined || t < Date.parse(d.revoked.at)) &&
      d.authority.kind === 'position' &&
      appointed(d.grantor, d.authority.position, Date.parse(d.grantedAt))
    );
  }
  return false;
}

/** the reference for one accepted organisation change; throws with the reason it should not have been */
function mayMake(world: World, actor: Actor, e: DomainEvent, now: string): void {
  const b = e.body as { authority?: Authority };
  const a = b.authority;
  assert.ok(actor.device === undefined, `a device made ${e.type}`);
  assert.ok(a !== undefined, `${e.type} records no authority`);
  const agencyOfPosition = (p: string): string | undefined => world.positions[p]?.agency;
  if (a.kind === 'agency_administration') {
    assert.equal(actor.person, undefined, 'only the agency acting as itself is its administration');
    assert.equal(a.agency, actor.agency);
    return;
  }
  assert.ok(a.kind === 'position' || a.kind === 'delegation', `${e.type} rests on ${a.kind}`);
  assert.ok(holds(world, actor, a, now), `${actor.person} does not hold ${JSON.stringify(a)} at ${now}`);
  const p = a.position;
  switch (e.type) {
    case 'person.appointed':
    case 'person.relieved': {
      const position = e.type === 'person.appointed' ? e.body.position : world.appointments[e.body.appointment]!.position;
      assert.ok(above(world, position).includes(p), `${p} is not above ${position}`);
      if (e.type === 'person.appointed') assert.notEqual(e.body.person, actor.person, 'appointed themselves');
      return;
    }
    case 'position.established':
      assert.ok(e.body.reportsTo !== undefined && atOrAbove(world, e.body.reportsTo).includes(p), `${p} does not command ${e.body.reportsTo}`);
      return;
    case 'person.registered':
      assert.equal(agencyOfPosition(p), e.body.agency);
      return;
    case 'unit.registered':
      assert.ok(
        e.body.supervisor === undefined ? world.positions[p]?.reportsTo === undefined : atOrAbove(world, e.body.supervisor).includes(p),
        `${p} does not command where unit ${e.body.unit} goes`,
      );
      return;
    case 'unit.updated': {
      const u = world.units[e.body.unit]!;
      const commandsNow =
        u.supervisor === undefined
          ? world.positions[p]?.reportsTo === undefined && agencyOfPosition(p) === u.agency
          : atOrAbove(world, u.supervisor).includes(p);
      assert.ok(commandsNow, `${p} does not command unit ${u.id} where it is`);
      if (e.body.supervisor !== undefined) assert.ok(atOrAbove(world, e.body.supervisor).includes(p), `${p} does not command ${e.body.supervisor}`);
      return;
    }
    default:
      return;
  }
}

type Step = { kind: number; actor: number; a: number; b: number; seconds: number };
const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.nat({ max: 6 }),
  actor: fc.nat({ max: 10_000 }),
  a: fc.nat({ max: 10_000 }),
  b: fc.nat({ max: 10_000 }),
  seconds: fc.integer({ min: 0, max: 600 }),
});

const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length]!;

function body(world: World, s: Step): Body {
  switch (s.kind) {
    case 0:
      return { type: 'person.appoint', personId: pick(PEOPLE, s.a), positionId: pick(POSITIONS, s.b) };
    case 1:
      return { type: 'person.relieve', personId: pick(PEOPLE, s.a), positionId: pick(POSITIONS, s.b), reason: 'relieved' };
    case 2:
      return { type: 'position.establish', title: 'New post', ...(s.a % 4 === 0 ? {} : { reportsTo: pick(POSITIONS, s.b) }) };
    case 3:
      return { type: 'unit.update', unitId: pick(UNITS, s.a), ...(s.b % 3 === 0 ? { callsign: `X-${s.b}` } : { supervisor: pick(POSITIONS, s.b) }) };
    case 4:
      return { type: 'unit.register', unitType: 'car', callsign: `U-${s.a}`, ...(s.b % 4 === 0 ? {} : { supervisor: pick(POSITIONS, s.b) }) };
    case 5:
      return { type: 'delegation.grant', to: pick(PEOPLE, s.a), scope: { kind: 'position', position: pick(POSITIONS, s.b) }, reason: 'cover' };
    default: {
      const ds = Object.keys(world.delegations);
      return ds.length === 0 ? { type: 'person.register', name: 'New officer' } : { type: 'delegation.revoke', delegationId: pick(ds, s.a), reason: 'back' };
    }
  }
}

const accepted = new Map<string, number>();

describe('organisation: the property', () => {
  it('no organisation change is accepted from an actor without authority over the position or unit', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 60 }), (steps) => {
        const h: Harness = organisation();
        for (const s of steps) {
          h.advance(s.seconds);
          const before = h.world;
          const actor = actorOf(before, s.actor);
          const b = body(before, s);
          try {
            const events = h.run(actor, b);
            for (const e of events) {
              if (e.type === 'notification.created' || e.type === 'delegation.granted' || e.type === 'delegation.revoked') continue;
              mayMake(before, actor, e, h.now);
              const key = `${e.type} on ${(e.body as { authority: Authority }).authority.kind}`;
              accepted.set(key, (accepted.get(key) ?? 0) + 1);
            }
          } catch (e) {
            if (!isConcordError(e)) throw e;
            assert.equal(h.world, before);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the runs accepted changes of every kind, on positions, delegations and the administration', () => {
    if (process.env.PROP_DEBUG) console.log([...accepted].sort());
    for (const key of [
      'person.appointed on position',
      'person.appointed on agency_administration',
      'person.relieved on position',
      'position.established on position',
      'unit.updated on position',
      'unit.registered on position',
    ]) {
      assert.ok((accepted.get(key) ?? 0) > 0, `never accepted: ${key}; accepted: ${[...accepted.keys()].join('; ')}`);
    }
  });
});
