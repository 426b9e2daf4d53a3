/**
 * The merged timeline (src/review/timeline.ts): paging returns every entry
 * the reader may see and the filter keeps exactly once, in ledger order,
 * whatever the page size, the filter and the visibility (a fast-check
 * property against a plain filter of the whole list); skew is flagged past
 * the bound; the parties an entry names are read from its body.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Entry } from '../../src/ledger/entry.ts';
import { matches, timelineItem, timelinePage, type TimelineFilter } from '../../src/review/timeline.ts';

const AGENCIES = ['city-pd', 'fed-ice', 'county-so'];
const UNITS = ['u1', 'u2', 'u3'];
const PEOPLE = ['p1', 'p2'];
const TYPES = ['order.issued', 'order.acknowledged', 'notification.created', 'notification.acknowledged', 'message.sent', 'radio.call', 'unit.status_changed'];
const T0 = Date.parse('2026-06-01T20:00:00.000Z');

const entryArb = fc.record({
  gapMs: fc.integer({ min: 0, max: 5000 }),
  type: fc.constantFrom(...TYPES),
  agency: fc.constantFrom(...AGENCIES),
  person: fc.option(fc.constantFrom(...PEOPLE), { nil: undefined }),
  units: fc.subarray(UNITS),
  to: fc.option(fc.constantFrom(...AGENCIES), { nil: undefined }),
  skewMs: fc.option(fc.integer({ min: -20_000, max: 20_000 }), { nil: undefined }),
  visible: fc.boolean(),
});

type Spec = typeof entryArb extends fc.Arbitrary<infer R> ? R : never;

function build(specs: readonly Spec[]): { entries: Entry[]; visible: Set<number> } {
  let t = T0;
  const entries: Entry[] = [];
  const visible = new Set<number>();
  specs.forEach((s, index) => {
    t += s.gapMs;
    const received = new Date(t).toISOString();
    entries.push({
      v: 1,
      index,
      origin: 'test',
      received,
      ...(s.skewMs !== undefined ? { claimed: new Date(t - s.skewMs).toISOString() } : {}),
      actor: { agency: s.agency, ...(s.person !== undefined ? { person: s.person } : {}) },
      type: s.type,
      incident: 'inc-1',
      body: { units: s.units, ...(s.to !== undefined ? { to: s.to } : {}) },
    });
    if (s.visible) visible.add(index);
  });
  return { entries, visible };
}

const filterArb: fc.Arbitrary<TimelineFilter> = fc.record(
  {
    agency: fc.constantFrom(...AGENCIES),
    unit: fc.constantFrom(...UNITS),
    person: fc.constantFrom(...PEOPLE),
    types: fc.subarray(['order', 'notification', 'message.sent', 'radio']),
    from: fc.integer({ min: 0, max: 60_000 }).map((ms) => new Date(T0 + ms).toISOString()),
    until: fc.integer({ min: 60_000, max: 400_000 }).map((ms) => new Date(T0 + ms).toISOString()),
  },
  { requiredKeys: [] },
);

describe('the timeline', () => {
  it('pages return every visible, matching entry exactly once, in order, for any page size and filter', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 120 }), filterArb, fc.integer({ min: 1, max: 25 }), (specs, filter, limit) => {
        const { entries, visible } = build(specs);
        const want = entries
          .filter((e) => visible.has(e.index) && matches(timelineItem(e), filter))
          .filter((e) => filter.until === undefined || Date.parse(e.received) <= Date.parse(filter.until))
          .map((e) => e.index);
        const got: number[] = [];
        let after: number | undefined;
        for (let pages = 0; ; pages++) {
          assert.ok(pages <= entries.length + 1, 'paging ends');
          const page = timelinePage(entries, (i) => visible.has(i), { ...filter, limit, ...(after !== undefined ? { after } : {}) });
          assert.ok(page.items.length <= limit);
          got.push(...page.items.map((i) => i.index));
          if (page.next === undefined) break;
          assert.ok(after === undefined || page.next > after, 'the cursor moves on');
          after = page.next;
        }
        assert.deepEqual(got, want);
      }),
      { numRuns: 300 },
    );
  });

  it('starts from any cursor: the entries after it, as from the start', () => {
    fc.assert(
      fc.property(fc.array(entryArb, { minLength: 1, maxLength: 60 }), fc.nat(), (specs, k) => {
        const { entries } = build(specs);
        const cursor = k % entries.length;
        const page = timelinePage(entries, () => true, { after: cursor, limit: 1000 });
        assert.deepEqual(
          page.items.map((i) => i.index),
          entries.filter((e) => e.index > cursor).map((e) => e.index),
        );
      }),
    );
  });

  it('flags a claimed time beyond the bound, either way', () => {
    const base: Entry = { v: 1, index: 0, origin: 't', received: '2026-06-01T21:00:10.000Z', actor: { agency: 'a' }, type: 'radio.call', body: {} };
    assert.deepEqual(
      [timelineItem({ ...base, claimed: '2026-06-01T21:00:05Z' }).skewMs, timelineItem({ ...base, claimed: '2026-06-01T21:00:05Z' }).skewed],
      [5000, false],
    );
    assert.equal(timelineItem({ ...base, claimed: '2026-06-01T21:00:04.999Z' }).skewed, true);
    assert.equal(timelineItem({ ...base, claimed: '2026-06-01T21:00:16Z' }).skewed, true, 'a clock ahead is flagged too');
    assert.equal(timelineItem({ ...base, claimed: '2026-06-01T21:00:04Z' }, 10).skewed, false, 'the bound is configurable');
    assert.equal(timelineItem(base).skewed, false);
    assert.equal(timelineItem(base).source, 'radio');
    // a unit's status carries its source's time in the body
    const status = timelineItem({ ...base, type: 'unit.status_changed', body: { unit: 'u1', status: 'on_scene', observed: '2026-06-01T20:59:00Z' } });
    assert.equal(status.claimed, '2026-06-01T20:59:00Z');
    assert.equal(status.skewed, true);
    assert.deepEqual(status.units, ['u1']);
  });

  it('reads the parties an entry names from its body', () => {
    const item = timelineItem({
      v: 1,
      index: 3,
      origin: 't',
      received: '2026-06-01T21:00:00.000Z',
      actor: { agency: 'city-pd', person: 'cpd-harris' },
      type: 'notification.created',
      body: { notification: 'n-1', order: 'ord-001', recipient: { agency: 'fed-ice', person: 'ice-santos' }, units: ['cpd-1231'] },
    });
    assert.deepEqual([...item.agencies].sort(), ['city-pd', 'fed-ice']);
    assert.deepEqual([...item.people].sort(), ['cpd-harris', 'ice-santos']);
    assert.deepEqual(item.units, ['cpd-1231']);
    assert.deepEqual(item.refs, { order: 'ord-001', notification: 'n-1' });
    assert.equal(item.source, 'notification');
  });

  it('refuses a bad query', () => {
    for (const q of [
      { limit: 0 },
      { limit: 1001 },
      { after: -2 },
      { skewSeconds: -1 },
      { from: 'noon' },
      { from: '2026-06-02T00:00:00Z', until: '2026-06-01T00:00:00Z' },
    ]) {
      assert.throws(() => timelinePage([], () => true, q), { code: 'BAD_INPUT' }, JSON.stringify(q));
    }
  });
});
