/**
 * RFC 3339 timestamps as the protocol layer accepts them: a full date-time with
 * a "Z" or numeric offset (RFC 3339 §5.6 `date-time`). Local times without an
 * offset are refused: an effective date must mean the same instant everywhere.
 */
const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** Milliseconds since the epoch, or undefined when `text` is not an RFC 3339 date-time. */
export function parseRfc3339(text: string): number | undefined {
  if (!RFC3339.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
