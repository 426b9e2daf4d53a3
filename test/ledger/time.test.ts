/**
 * RFC 3339 date-times with a real calendar (src/ledger/time.ts): every day
 * of every month of a span of years against a reference (a UTC Date that
 * keeps its fields), hours, minutes, seconds and offsets at and past their
 * bounds, and leap seconds only where RFC 3339 §5.7 puts them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { claimedTimeProblem, parseDraft } from '../../src/ledger/entry.ts';
import { fixedDateTimeExists, rfc3339Instant, rfc3339Problem } from '../../src/ledger/time.ts';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** the reference: a day exists when a UTC Date built from it keeps its fields */
function dayExists(y: number, m: number, d: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

describe('rfc3339Problem: the calendar', () => {
  it('impossible dates and times that Date.parse accepts are refused, with the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['2026-02-30T10:00:00Z', /day 30, but February 2026 has 28 days/],
      ['2026-02-29T10:00:00Z', /day 29, but February 2026 has 28 days/],
      ['1900-02-29T10:00:00Z', /February 1900 has 28 days/],
      ['2026-04-31T10:00:00Z', /April 2026 has 30 days/],
      ['2026-06-01T24:00:00Z', /hour 24/],
      ['2026-06-01T23:60:00Z', /minute 60/],
      ['2026-06-01T10:00:61Z', /second 61/],
      ['2026-00-10T10:00:00Z', /month 00/],
      ['2026-06-00T10:00:00Z', /day 00/],
      ['2026-06-01T10:00:00+24:00', /offset \+24:00/],
      ['2026-06-01T10:00:00+02:60', /offset \+02:60/],
    ];
    for (const [text, reason] of cases) {
      assert.match(rfc3339Problem(text) ?? 'accepted', reason, text);
      assert.equal(rfc3339Instant(text), undefined, text);
    }
    // the bug this guards against: V8 reads each of these as some other instant
    assert.ok(!Number.isNaN(Date.parse('2026-02-30T10:00:00Z')) && !Number.isNaN(Date.parse('2026-06-01T24:00:00Z')));
  });

  it('every day of every month from 1896 to 2104 (leap years, 1900, 2000, 2100) agrees with the reference', () => {
    for (let y = 1896; y <= 2104; y++) {
      for (let m = 1; m <= 12; m++) {
        for (let d = 1; d <= 32; d++) {
          const text = `${pad(y, 4)}-${pad(m)}-${pad(d)}T12:00:00Z`;
          assert.equal(rfc3339Problem(text) === undefined, dayExists(y, m, d), text);
        }
      }
    }
  });

  it('property: any valid date-time gives the instant Date.UTC gives for its fields and offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        (y, m, d, h, mi, s, off) => {
          const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
          const text = `${y}-${pad(m)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${zone}`;
          if (!dayExists(y, m, d)) return rfc3339Instant(text) === undefined;
          return rfc3339Instant(text) === Date.UTC(y, m - 1, d, h, mi - off, s);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the bounds themselves are accepted: 00:00:00, 23:59:59, Feb 29 of a leap year, offsets ±23:59, fractions, lower-case t and z', () => {
    for (const text of [
      '2024-02-29T00:00:00Z',
      '2000-02-29T23:59:59Z',
      '2026-12-31T23:59:59.999999999Z',
      '2026-06-01T10:00:00+23:59',
      '2026-06-01T10:00:00-23:59',
      '2026-06-01t10:00:00z',
      '0000-01-01T00:00:00Z',
    ]) {
      assert.equal(rfc3339Problem(text), undefined, text);
      assert.equal(typeof rfc3339Instant(text), 'number', text);
    }
  });

  it('no date-time at all: a missing zone, seconds or T, or a space, is refused', () => {
    for (const text of [
      '2026-06-01T10:00Z',
      '2026-06-01T10:00:00',
      '2026-06-01 10:00:00Z',
      '2026-06-01',
      '20260601T100000Z',
      '2026-06-01T10:00:00.Z',
      '+2026-06-01T10:00:00Z',
      '',
    ]) {
      assert.match(rfc3339Problem(text) ?? 'accepted', /is not an RFC 3339 date-time/, text);
    }
  });
});

describe("fixedDateTimeExists (the verifier's fast check of receive times)", () => {
  it('property: agrees with rfc3339Problem on every toISOString-shaped text, impossible fields included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        (y, m, d, h, mi, s) => {
          const text = `${pad(y, 4)}-${pad(m)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.000Z`;
          return fixedDateTimeExists(text) === (rfc3339Problem(text) === undefined);
        },
      ),
      { numRuns: 5000 },
    );
    for (let y = 1896; y <= 2104; y++) {
      for (let m = 1; m <= 12; m++) {
        for (const d of [28, 29, 30, 31]) {
          const text = `${y}-${pad(m)}-${d}T23:59:59.999Z`;
          assert.equal(fixedDateTimeExists(text), dayExists(y, m, d), text);
        }
      }
    }
  });
});

describe('leap seconds', () => {
  it('are refused where an instant is needed, and accepted as a claimed time only at 23:59:60 UTC on June 30 or December 31', () => {
    assert.match(rfc3339Problem('2016-12-31T23:59:60Z') ?? '', /leap second/);
    assert.equal(rfc3339Instant('2016-12-31T23:59:60Z'), undefined);
    for (const ok of ['2016-12-31T23:59:60Z', '2015-06-30T23:59:60Z', '1990-12-31T15:59:60-08:00', '2017-01-01T00:59:60+01:00', '2026-06-30T23:59:60.5Z']) {
      assert.equal(rfc3339Problem(ok, { leapSecond: true }), undefined, ok);
      assert.equal(claimedTimeProblem(ok), undefined, ok);
    }
    for (const bad of ['2016-12-30T23:59:60Z', '2016-12-31T23:58:60Z', '2016-12-31T22:59:60Z', '2016-03-31T23:59:60Z', '2016-12-31T23:59:60+01:00']) {
      assert.match(rfc3339Problem(bad, { leapSecond: true }) ?? 'accepted', /only at 23:59:60 UTC on June 30 or December 31/, bad);
    }
  });
});

describe('claimed times in drafts', () => {
  const good = { type: 'note.recorded', actor: { agency: 'city-pd' }, body: {} };
  it('an impossible claimed time is refused naming the field and why; a real one is kept as sent', () => {
    assert.throws(
      () => parseDraft({ ...good, claimed: '2026-02-30T10:00:00Z' }),
      /^ConcordError: claimed must be an RFC 3339 time: "2026-02-30T10:00:00Z" has day 30, but February 2026 has 28 days$/,
    );
    assert.throws(() => parseDraft({ ...good, claimed: '2026-06-01T24:00:00Z' }), /^ConcordError: claimed .*hour 24/);
    assert.throws(() => parseDraft({ ...good, claimed: '2026-06-01t10:00:00z' }), /^ConcordError: claimed .*upper-case "T" and "Z"/);
    assert.throws(() => parseDraft({ ...good, claimed: '2026-06-01T10:00:00.1234567890Z' }), /^ConcordError: claimed .*at most 9 digits/);
    assert.equal(parseDraft({ ...good, claimed: '2026-06-01T21:02:59.5+02:00' }).claimed, '2026-06-01T21:02:59.5+02:00');
  });
});
