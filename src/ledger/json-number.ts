/**
 * Numbers written in a text from outside (JSON, YAML) that a double would
 * silently change. A ledger stores numbers as IEEE-754 doubles and writes
 * them back in RFC 8785 form (ECMAScript's Number::toString, the shortest
 * decimal that reads back as the same double), so a number is accepted only
 * when that form has the value that was written: its text round-trips.
 *
 * - 0.1 passes (stored as 0.1), and so do 1.50, 1e2 and -0 (stored as 1.5,
 *   100 and 0: other spellings of the same value);
 * - 0.10000000000000000001 (stored as 0.1), 12345678901234567890 (stored as
 *   12345678901234567000), 9007199254740993 (2^53 + 1, stored as
 *   9007199254740992), 1e400 (no double) and 1e-400 (stored as 0) do not.
 *
 * An integer beyond 2^53 passes only when it is itself a double's shortest
 * form (9007199254740994, 100000000000000000000): it is then stored exactly,
 * and RFC 8785 writes it the same way. Its neighbours are refused, so ids
 * and counters that large belong in strings (I-JSON, RFC 7493 §2.2).
 *
 * Pure and a leaf: the strict JSON reader and the YAML reader both use it.
 */

const DECIMAL = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/;

/** a decimal as sign, significant digits without leading or trailing zeros, and the power of ten of the last digit */
interface Decimal {
  readonly zero: boolean;
  readonly negative: boolean;
  readonly digits: string;
  readonly exponent: number;
}

function decimal(text: string): Decimal | undefined {
  const m = DECIMAL.exec(text);
  if (m === null) return undefined;
  const int = m[2] ?? '';
  const frac = m[3] ?? '';
  if (int.length + frac.length === 0) return undefined;
  let digits = (int + frac).replace(/^0+/, '');
  if (digits.length === 0) return { zero: true, negative: false, digits: '', exponent: 0 };
  const trimmed = digits.replace(/0+$/, '');
  // an exponent too long for a double only makes the comparison below fail, as it should
  const exponent = Number(m[4] ?? '0') - frac.length + (digits.length - trimmed.length);
  digits = trimmed;
  return { zero: false, negative: m[1] === '-', digits, exponent };
}

function sameValue(a: Decimal, b: Decimal): boolean {
  if (a.zero || b.zero) return a.zero && b.zero;
  return a.negative === b.negative && a.digits === b.digits && a.exponent === b.exponent;
}

/**
 * Why the number written as `text` (JSON or YAML decimal notation) cannot be
 * kept as `value`, the double it reads as; undefined when it can.
 */
export function numberTextProblem(text: string, value: number): string | undefined {
  // up to 15 characters without an exponent: at most 15 significant digits of
  // a magnitude a double holds, which always read back as written (DBL_DIG)
  if (text.length <= 15 && !/[eE]/.test(text) && Number.isFinite(value)) return undefined;
  if (!Number.isFinite(value)) return `${short(text)} is beyond the range of a number (a double holds up to about 1.8e308)`;
  const written = decimal(text);
  const stored = decimal(String(value));
  if (written === undefined || stored === undefined || !sameValue(written, stored)) {
    return `${short(text)} cannot be held exactly as a number: it would be stored as ${String(value)} (a double keeps about 17 significant digits, and integers exactly only up to 2^53); write it as a string`;
  }
  return undefined;
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
