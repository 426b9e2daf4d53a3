/**
 * RFC 3339 timestamps as the protocol layer accepts them: a full date-time with
 * a "Z" or numeric offset (RFC 3339 §5.6 `date-time`) on a day that exists, at
 * a time of day that exists (src/ledger/time.ts). Local times without an
 * offset are refused: an effective date must mean the same instant everywhere.
 */
import { rfc3339Instant } from '../ledger/time.ts';

/** Milliseconds since the epoch, or undefined when `text` is not an RFC 3339 date-time. */
export function parseRfc3339(text: string): number | undefined {
  return rfc3339Instant(text);
}
