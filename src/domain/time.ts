/**
 * Times in the domain are RFC 3339 UTC strings ("2026-06-01T21:03:00.000Z").
 * They are compared as instants, never as strings, because inputs may differ
 * in precision ("…:00Z" and "…:00.000Z" are the same instant).
 */
export function instant(time: string): number {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not an RFC 3339 time: ${time}`);
  return ms;
}

export function isAtOrBefore(a: string, b: string): boolean {
  return instant(a) <= instant(b);
}

export function isBefore(a: string, b: string): boolean {
  return instant(a) < instant(b);
}

export function addSeconds(time: string, seconds: number): string {
  return new Date(instant(time) + seconds * 1000).toISOString();
}

/** a window [from, until): from inclusive, until exclusive; an absent bound is open */
export function isWithin(at: string, from: string | undefined, until: string | undefined): boolean {
  return (from === undefined || isAtOrBefore(from, at)) && (until === undefined || isBefore(at, until));
}
