/**
 * RFC 3339 date-times (§5.6 `date-time`), checked for everything §5.7 adds
 * to the grammar: the day must exist in its month (28, 29, 30 or 31 by
 * month and leap year), hours are 00-23, minutes 00-59, seconds 00-59 and
 * 60 only for a leap second. Date.parse is no check: V8 reads
 * 2026-02-30T10:00:00Z as March 2 and 2026-06-01T24:00:00Z as the next
 * midnight, so a time that does not exist would be stored as another one.
 */

// §5.6: full-date "T" full-time; "T" and "Z" may be lower case (§5.6 NOTE); secfrac is 1*DIGIT
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface Rfc3339Options {
  /**
   * accept a leap second (second 60) where one can fall: a time kept as it
   * was sent (an entry's claimed time). Off for times Concord orders and
   * compares as instants, which cannot hold a 61st second.
   */
  readonly leapSecond?: boolean;
}

/** RFC 3339 Appendix C: Gregorian leap years */
function isLeapYear(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Why `text` is not an RFC 3339 date-time, in words ("has day 30, but
 * February 2026 has 28 days"), or undefined when it is one.
 */
export function rfc3339Problem(text: string, opts: Rfc3339Options = {}): string | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return 'is not an RFC 3339 date-time (a date, "T", hours, minutes and seconds, then "Z" or an offset like +02:00)';
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return `has month ${m[2]} (01-12)`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `has day ${m[3]}, but ${MONTHS[month - 1]} ${m[1]} has ${days} days`;
  if (hour > 23) return `has hour ${m[4]} (RFC 3339 allows 00-23: write 00 of the next day)`;
  if (minute > 59) return `has minute ${m[5]} (00-59)`;
  if (m[7] !== undefined) {
    if (Number(m[8]) > 23 || Number(m[9]) > 59) return `has offset ${m[7]}${m[8]}:${m[9]} (hours 00-23, minutes 00-59)`;
  }
  if (second > 60) return `has second ${m[6]} (00-59, or 60 for a leap second)`;
  if (second === 60) {
    if (!opts.leapSecond) return 'has second 60, a leap second, which is not an instant that can be compared (write :59)';
    if (!isLeapSecondPlace(year, month, day, hour, minute, m[7] === undefined ? 0 : (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])))) {
      return 'has second 60, but a leap second falls only at 23:59:60 UTC on June 30 or December 31';
    }
  }
  return undefined;
}

/**
 * RFC 3339 §5.7: second 60 is allowed at the end of a month in which a leap
 * second occurs, "to date: June or December", at the same instant in every
 * zone (so 15:59:60-08:00 is one). Future leap seconds cannot be known in
 * advance, so any June 30 or December 31 is accepted.
 */
function isLeapSecondPlace(year: number, month: number, day: number, hour: number, minute: number, offsetMinutes: number): boolean {
  const d = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute - offsetMinutes, 59, 0);
  const m = d.getUTCMonth();
  return d.getUTCHours() === 23 && d.getUTCMinutes() === 59 && ((m === 5 && d.getUTCDate() === 30) || (m === 11 && d.getUTCDate() === 31));
}

/**
 * For a text already known to start `YYYY-MM-DDTHH:MM:SS` (a node's receive
 * time, matched by its pattern): whether that date and time exist. Reads the
 * digits in place, without allocating: a verifier calls it on every entry
 * of a long log, where rfc3339Problem would cost it twice Date.parse's time.
 */
export function fixedDateTimeExists(t: string): boolean {
  const year = t.charCodeAt(0) * 1000 + t.charCodeAt(1) * 100 + t.charCodeAt(2) * 10 + t.charCodeAt(3) - 53328;
  const month = t.charCodeAt(5) * 10 + t.charCodeAt(6) - 528;
  const day = t.charCodeAt(8) * 10 + t.charCodeAt(9) - 528;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 28 + (month === 2 ? (isLeapYear(year) ? 1 : 0) : month === 4 || month === 6 || month === 9 || month === 11 ? 2 : 3)
  )
    return false;
  return (
    t.charCodeAt(11) * 10 + t.charCodeAt(12) - 528 <= 23 &&
    t.charCodeAt(14) * 10 + t.charCodeAt(15) - 528 <= 59 &&
    t.charCodeAt(17) * 10 + t.charCodeAt(18) - 528 <= 59
  );
}

export function isRfc3339DateTime(text: unknown, opts: Rfc3339Options = {}): text is string {
  return typeof text === 'string' && rfc3339Problem(text, opts) === undefined;
}

/** Milliseconds since the epoch of an RFC 3339 date-time (no leap second), or undefined when `text` is not one. */
export function rfc3339Instant(text: string): number | undefined {
  if (rfc3339Problem(text) !== undefined) return undefined;
  // the calendar is checked above, so Date.parse has nothing left to be lenient about
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
