/**
 * The domain's time schema (src/domain/values.ts): zod's iso.datetime
 * checks the calendar itself (days per month, leap years, hours 00-23), so
 * the domain needs no check of its own; this holds a zod upgrade to that.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timeSchema } from '../../src/domain/values.ts';
import { rfc3339Problem } from '../../src/ledger/time.ts';

test("timeSchema refuses the times that do not exist, and agrees with the ledger's calendar on UTC times", () => {
  for (const t of [
    '2026-02-30T10:00:00Z',
    '2026-02-29T10:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-06-01T24:00:00Z',
    '2026-06-01T23:60:00Z',
    '2016-12-31T23:59:60Z',
  ]) {
    assert.equal(timeSchema.safeParse(t).success, false, t);
  }
  for (const t of ['2024-02-29T10:00:00Z', '2000-02-29T23:59:59.999Z', '2026-06-01T00:00:00Z']) assert.equal(timeSchema.safeParse(t).success, true, t);
  for (let day = 1; day <= 31; day++) {
    for (const month of ['01', '02', '04', '06', '09', '11', '12']) {
      const t = `2028-${month}-${String(day).padStart(2, '0')}T12:00:00Z`;
      assert.equal(timeSchema.safeParse(t).success, rfc3339Problem(t) === undefined, t);
    }
  }
});
