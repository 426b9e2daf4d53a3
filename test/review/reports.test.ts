/**
 * The times a report prints: the fast clock (offset looked up once per
 * quarter hour) says exactly what Intl says, across the changes to and
 * from summer time, in zones of half- and three-quarter-hour offsets, and
 * in a zone whose summer time moves the clock by half an hour.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { reportClock } from '../../src/review/reports.ts';

const ZONES = ['UTC', 'America/Chicago', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'Europe/Dublin'];

function intl(zone: string, ms: number): string {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

describe('reportClock', () => {
  it('formats every instant as Intl does, in every zone', () => {
    const clocks = new Map(ZONES.map((z) => [z, reportClock(z)]));
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), fc.integer({ min: Date.parse('1971-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') }), (zone, ms) => {
        assert.equal(clocks.get(zone)!(new Date(ms).toISOString()), intl(zone, ms));
      }),
      { numRuns: 3000 },
    );
  });

  it('formats every second around the 2026 changes of summer time as Intl does', () => {
    // the US change of 2026-03-08 (08:00 UTC), the UK's of 2026-10-25 (01:00 UTC), Lord Howe's of 2026-04-05 (15:00 UTC)
    for (const [zone, change] of [
      ['America/Chicago', '2026-03-08T08:00:00Z'],
      ['Europe/London', '2026-10-25T01:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
    ] as const) {
      const at = reportClock(zone);
      for (let ms = Date.parse(change) - 1800_000; ms <= Date.parse(change) + 1800_000; ms += 7_000)
        assert.equal(at(new Date(ms).toISOString()), intl(zone, ms), `${zone} ${new Date(ms).toISOString()}`);
    }
  });

  it('leaves an absent time blank and an unreadable one as written', () => {
    const at = reportClock(undefined);
    assert.equal(at(undefined), '');
    assert.equal(at('not a time'), 'not a time');
    assert.equal(at('2026-06-01T20:00:05.900Z'), '2026-06-01 20:00:05 UTC');
  });
});
