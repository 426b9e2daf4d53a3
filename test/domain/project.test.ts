import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isConcordError } from '../../src/errors.ts';
import { parseCommand } from '../../src/domain/commands.ts';
import { decide } from '../../src/domain/decide.ts';
import { parseDomainEvent, type DomainEvent } from '../../src/domain/events.ts';
import { applyEvent, foldEvents, foldUntil, type RecordedEvent } from '../../src/domain/project.ts';
import { emptyWorld, type World } from '../../src/domain/world.ts';
import { T0, demo, sup } from './fixture.ts';

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** what the ledger gives back: JSON, re-validated */
function throughLedger(log: readonly RecordedEvent[]): RecordedEvent[] {
  return log.map(({ event, meta }) => {
    const stored = JSON.parse(JSON.stringify(event)) as { type: string; actor: unknown; incident?: unknown; body: unknown };
    return { event: parseDomainEvent(stored.type, stored.actor, stored.incident, stored.body), meta };
  });
}

describe('projection', () => {
  const h = demo();

  it('rebuilding from the ledger gives the live world', () => {
    assert.deepStrictEqual(foldEvents(throughLedger(h.log)), h.world);
  });

  it('an id named like a property every object has (constructor, toString) names nothing, in a folded world and a live one', () => {
    // ids come from outside, and "constructor" is an id by the ledger's rule: a lookup must not find Object.prototype's function
    let live: World = emptyWorld;
    for (const { event, meta } of h.log) live = applyEvent(live, event, meta);
    for (const w of [emptyWorld, foldEvents(h.log), live]) {
      for (const id of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
        assert.equal(w.requests[id], undefined, id);
        assert.equal(w.orders[id], undefined, id);
        assert.equal(w.agencies[id], undefined, id);
      }
    }
  });

  it('applyEvent never mutates the world it is given', () => {
    let w: World = emptyWorld;
    for (const { event, meta } of h.log) w = applyEvent(deepFreeze(w), event, meta);
    assert.deepStrictEqual(w, h.world);
  });

  it('the state at a moment is the fold of the events received by then', () => {
    const t = '2026-06-01T21:06:00.000Z';
    const upTo = foldUntil(h.log, t);
    assert.deepStrictEqual(upTo, foldEvents(h.log.filter((r) => r.meta.received <= t)));
    assert.equal(upTo.requests['req-1']?.state, 'on_scene');
    assert.equal(h.world.requests['req-1']?.state, 'withdrawn');
    assert.deepStrictEqual(foldUntil(h.log, '2000-01-01T00:00:00.000Z'), foldEvents([]));
  });

  it('refuses events out of ledger order and events about unknown things', () => {
    const [first, second] = h.log;
    const w = applyEvent(emptyWorld, first!.event, first!.meta);
    assert.throws(
      () => applyEvent(w, second!.event, { ...second!.meta, index: first!.meta.index }),
      (e) => isConcordError(e, 'LEDGER_CORRUPT'),
    );
    const orphan: DomainEvent = { type: 'request.received', actor: sup, incident: 'inc-1', body: { request: 'nope' } };
    assert.throws(
      () => applyEvent(emptyWorld, orphan, { index: 0, received: T0 }),
      (e) => isConcordError(e, 'LEDGER_CORRUPT'),
    );
  });

  it('decided events are plain JSON: nothing undefined inside', () => {
    for (const { event } of h.log) assert.deepStrictEqual(JSON.parse(JSON.stringify(event)), event);
  });
});

describe('parseDomainEvent', () => {
  it('accepts every event decide produced', () => {
    const h = demo();
    const types = new Set(h.log.map((r) => r.event.type));
    assert.ok(types.size >= 20, `only ${types.size} event types in the demo`);
    assert.deepStrictEqual(throughLedger(h.log), h.log);
  });

  it('rejects what decide could not have produced', () => {
    const bad: [string, unknown, unknown, unknown][] = [
      ['request.teleported', sup, 'inc-1', {}],
      ['request.received', { agency: '' }, 'inc-1', { request: 'r' }],
      ['request.received', sup, 42, { request: 'r' }],
      ['request.received', sup, 'inc-1', { request: 'r', extra: 1 }],
      ['request.declined', sup, 'inc-1', { request: 'r', reason: '  ', authority: { kind: 'position', position: 'p' } }],
      [
        'order.issued',
        sup,
        'inc-1',
        { order: 'o', authority: { kind: 'position', position: 'p' }, directive: 'dance', rationale: 'x', units: [], people: [], supersedes: [] },
      ],
      [
        'order.issued',
        sup,
        'inc-1',
        {
          order: 'o',
          authority: { kind: 'position', position: 'p' },
          directive: 'hold',
          rationale: 'x',
          units: [],
          people: [],
          supersedes: [],
          effectiveAt: 'tomorrow',
        },
      ],
      ['request.evaluated', sup, 'inc-1', { request: 'r', verdict: { decision: 'maybe', clauses: [], agency: 'a', policyVersion: 'v', evaluatedAt: T0 } }],
    ];
    for (const [type, actor, incident, body] of bad) {
      assert.throws(
        () => parseDomainEvent(type, actor, incident, body),
        (e) => isConcordError(e, 'LEDGER_CORRUPT'),
        type,
      );
    }
  });
});

describe('commands from outside', () => {
  it('parseCommand validates and names the field', () => {
    const c = parseCommand({ type: 'request.receive', actor: { agency: 'city-pd', person: 'watch' }, requestId: 'req-1' });
    assert.equal(c.type, 'request.receive');
    assert.throws(
      () =>
        parseCommand({
          type: 'request.send',
          actor: { agency: 'fed-ice' },
          incidentId: 'inc-1',
          to: 'city-pd',
          category: 'bribery',
          urgency: 'routine',
          operation: 'other',
          description: 'x',
          unitsRequested: 1,
        }),
      (e) => isConcordError(e, 'BAD_INPUT') && /category/.test(e.message),
    );
    assert.throws(
      () => parseCommand({ type: 'request.launch', actor: { agency: 'x' } }),
      (e) => isConcordError(e, 'BAD_INPUT'),
    );
  });

  it('decide needs a real time', () => {
    assert.throws(
      () =>
        decide(
          emptyWorld,
          { type: 'agency.register', actor: { agency: 'a' }, agencyId: 'a', name: 'A', kind: 'local', jurisdiction: 'x' },
          { now: 'noon', newId: () => 'x' },
        ),
      (e) => isConcordError(e, 'BAD_INPUT'),
    );
  });
});
