/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the one byte form of a JSON
 * value that every entry hash and signature is computed over.
 *
 * Pure and synchronous; on the hot append path, so it walks the value once
 * with plain loops and builds the path of the offending value only when it
 * throws.
 */
import { ConcordError } from '../errors.ts';

/**
 * Nesting limit. RFC 8785 sets none, but unbounded recursion would end in a
 * stack overflow (a crash, not an answer); no ledger entry comes close.
 */
export const MAX_DEPTH = 1000;

// With the `u` flag a well-formed surrogate pair is one code point above
// U+FFFF, so only lone (unpaired) surrogates match.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
// Characters that need an escape or a surrogate check; strings without them
// (nearly all) are quoted as they are, ~5x faster than JSON.stringify.
const NOT_PLAIN = /["\\\u0000-\u001F\uD800-\uDFFF]/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

type PathStep = string | number;

/**
 * RFC 8785 canonical JSON of `value`.
 *
 * Throws ConcordError('CANONICAL_JSON') naming the JSON path (`$.a.b[3]`) of
 * the first value that has no JSON form or no canonical one: NaN and
 * ±Infinity, undefined (also array holes), bigint, functions, symbols,
 * objects that are not plain (Date, Map, Buffer, class instances, boxed
 * primitives), strings or keys with lone surrogates, cycles, and nesting
 * deeper than MAX_DEPTH. Where JSON.stringify would silently drop or coerce
 * such values, a ledger must not: the hash would cover something other than
 * what the caller meant to record.
 */
export function canonicalize(value: unknown): string {
  // a lone string or number (an entry's origin and index, on every append) needs no serialiser
  if (typeof value === 'string' && !NOT_PLAIN.test(value)) return '"' + value + '"';
  if (typeof value === 'number' && Number.isFinite(value)) return '' + value;
  return new Serializer().value(value, 0);
}

/** UTF-8 bytes of canonicalize(value): what is hashed and signed (RFC 8785 §3.2.4). */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), 'utf8');
}

class Serializer {
  // Objects and arrays from the root down to the value being serialised: the
  // path for error messages, and the ancestors that would make a cycle.
  private readonly keys: PathStep[] = [];
  private readonly ancestors: object[] = [];

  value(v: unknown, depth: number): string {
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
        // RFC 8785 §3.2.2.3: ES6 Number.prototype.toString; -0 serialises as 0
        // (String(-0) === '0'). NaN and Infinity have no JSON form.
        if (!Number.isFinite(v)) this.fail(`${String(v)} is not a JSON number`);
        return '' + v;
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object':
        if (v === null) return 'null';
        if (Array.isArray(v)) return this.array(v, depth);
        return this.object(v, depth);
      case 'undefined':
        return this.fail('undefined has no JSON form');
      case 'bigint':
        // I-JSON (RFC 7493), which RFC 8785 builds on, allows only IEEE-754
        // doubles; a caller with larger integers must encode them as strings.
        return this.fail('bigint has no JSON form (encode it as a string)');
      default:
        return this.fail(`${typeof v} has no JSON form`);
    }
  }

  private string(s: string): string {
    return NOT_PLAIN.test(s) ? this.escape(s, 'string') : '"' + s + '"';
  }

  private escape(s: string, what: string): string {
    // RFC 8785 §3.2.2.2: JSON.stringify's escaping is the canonical one for
    // well-formed strings, but it writes lone surrogates as \udxxx, which
    // RFC 8785 §3.1 (I-JSON) forbids, so they are rejected first.
    if (LONE_SURROGATE.test(s)) this.fail(`${what} contains a lone surrogate`);
    return JSON.stringify(s);
  }

  private array(a: readonly unknown[], depth: number): string {
    if (Object.getPrototypeOf(a) !== Array.prototype) this.fail('array subclass is not plain JSON');
    this.enter(a, depth);
    const n = a.length;
    let out = '[';
    for (let i = 0; i < n; i++) {
      this.keys.push(i);
      if (i > 0) out += ',';
      out += this.value(a[i], depth + 1);
      this.keys.pop();
    }
    this.leave();
    return out + ']';
  }

  private object(o: object, depth: number): string {
    const proto: unknown = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) {
      const name = (o as { constructor?: { name?: unknown } }).constructor?.name;
      this.fail(`${typeof name === 'string' && name !== '' ? name : 'object with a prototype'} is not a plain JSON object`);
    }
    this.enter(o, depth);
    const record = o as Record<string, unknown>;
    const names = Object.keys(record);
    if (names.length > 1) sortKeys(names);
    let out = '{';
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      this.keys.push(name);
      if (i > 0) out += ',';
      out += NOT_PLAIN.test(name) ? this.escape(name, 'property name') : '"' + name + '"';
      out += ':';
      out += this.value(record[name], depth + 1);
      this.keys.pop();
    }
    this.leave();
    return out + '}';
  }

  private enter(container: object, depth: number): void {
    if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    // A linear scan: ancestors are few in real entries, and it avoids the
    // allocation a Set would cost on every call.
    if (this.ancestors.includes(container)) this.fail('cycle: value contains itself');
    this.ancestors.push(container);
  }

  private leave(): void {
    this.ancestors.pop();
  }

  private fail(reason: string): never {
    throw new ConcordError('CANONICAL_JSON', `${formatPath(this.keys)}: ${reason}`, { path: formatPath(this.keys) });
  }
}

/**
 * RFC 8785 §3.2.3: property names sorted by their UTF-16 code units, which
 * is how both `<` on strings and the comparator-less Array.prototype.sort
 * compare. Entries have few keys, where insertion sort is ~1.6x faster than
 * the built-in sort.
 */
function sortKeys(names: string[]): void {
  const n = names.length;
  if (n > 16) {
    names.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = names[i] as string;
    let j = i - 1;
    while (j >= 0 && (names[j] as string) > x) {
      names[j + 1] = names[j] as string;
      j--;
    }
    names[j + 1] = x;
  }
}

function formatPath(keys: readonly PathStep[]): string {
  let path = '$';
  for (const k of keys) {
    if (typeof k === 'number') path += `[${k}]`;
    else if (IDENTIFIER.test(k)) path += `.${k}`;
    else path += `[${JSON.stringify(k)}]`;
  }
  return path;
}

/** deeper than this, plainCanonicalValueEnd leaves the text to JSON.parse and the exact check */
const PLAIN_SCAN_DEPTH = 64;

/**
 * Where the JSON value starting at `text[i]` ends, when it is certainly valid
 * JSON (checked here, not by JSON.parse: every token and separator) and
 * certainly RFC 8785 canonical with no string escape and no surrogate, as
 * isPlainCanonicalText defines; else -1 ("not, or not sure": the caller
 * parses and checks exactly). A verifier reading a long log calls this on
 * every entry body, where parsing would cost more than the rest of the check.
 */
export function plainCanonicalValueEnd(text: string, i: number): number {
  return valueEnd(text, i, 0);
}

function valueEnd(text: string, i: number, depth: number): number {
  const c = text.charCodeAt(i);
  if (c === 0x22) return plainStringEnd(text, i);
  if (c === 0x7b) {
    if (depth >= PLAIN_SCAN_DEPTH) return -1;
    let j = i + 1;
    if (text.charCodeAt(j) === 0x7d) return j + 1;
    let prevStart = -1;
    let prevEnd = -1;
    for (;;) {
      if (text.charCodeAt(j) !== 0x22) return -1;
      const keyEnd = plainStringEnd(text, j);
      if (keyEnd < 0) return -1;
      // strictly increasing keys: sorted, and no duplicates
      if (prevStart >= 0 && !before(text, prevStart, prevEnd, j + 1, keyEnd - 1)) return -1;
      prevStart = j + 1;
      prevEnd = keyEnd - 1;
      if (text.charCodeAt(keyEnd) !== 0x3a) return -1;
      j = valueEnd(text, keyEnd + 1, depth + 1);
      if (j < 0) return -1;
      const d = text.charCodeAt(j);
      if (d === 0x7d) return j + 1;
      if (d !== 0x2c) return -1;
      j++;
    }
  }
  if (c === 0x5b) {
    if (depth >= PLAIN_SCAN_DEPTH) return -1;
    let j = i + 1;
    if (text.charCodeAt(j) === 0x5d) return j + 1;
    for (;;) {
      j = valueEnd(text, j, depth + 1);
      if (j < 0) return -1;
      const d = text.charCodeAt(j);
      if (d === 0x5d) return j + 1;
      if (d !== 0x2c) return -1;
      j++;
    }
  }
  if (c === 0x74) return text.startsWith('true', i) ? i + 4 : -1;
  if (c === 0x66) return text.startsWith('false', i) ? i + 5 : -1;
  if (c === 0x6e) return text.startsWith('null', i) ? i + 4 : -1;
  // numberEnd accepts only what ES6 Number-to-String prints for a finite number: valid JSON
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return numberEnd(text, i);
  return -1;
}

/** the end (after the closing quote) of the string opening at text[i], when it has no escape, control character or surrogate; else -1 */
function plainStringEnd(text: string, i: number): number {
  const n = text.length;
  for (let j = i + 1; j < n; j++) {
    const d = text.charCodeAt(j);
    if (d === 0x22) return j + 1;
    if (d === 0x5c || d < 0x20 || (d >= 0xd800 && d <= 0xdfff)) return -1;
  }
  return -1;
}

/**
 * Whether `text` is certainly RFC 8785 canonical JSON holding no string
 * escape and no surrogate (nearly every entry): plainCanonicalValueEnd
 * covering the whole text. False means "not, or not sure": the caller decides
 * with the exact check (canonicalize the parsed value and compare).
 *
 * Canonical here: no whitespace; object keys in strictly increasing UTF-16
 * code-unit order (so no duplicates); every number as ES6 Number-to-String
 * prints it (RFC 8785 §3.2.2.3); strings without escapes are canonical when
 * they hold no control character and no surrogate (left to the exact check,
 * which refuses lone ones).
 */
export function isPlainCanonicalText(text: string): boolean {
  return plainCanonicalValueEnd(text, 0) === text.length;
}

/** whether text[as, ae) < text[bs, be) in UTF-16 code units (strictly: equal keys are duplicates) */
function before(text: string, as: number, ae: number, bs: number, be: number): boolean {
  const la = ae - as;
  const lb = be - bs;
  const m = la < lb ? la : lb;
  for (let k = 0; k < m; k++) {
    const x = text.charCodeAt(as + k);
    const y = text.charCodeAt(bs + k);
    if (x !== y) return x < y;
  }
  return la < lb;
}

/**
 * The end of the number token at `i` when it is written as ES6
 * Number-to-String writes it, else -1. Integers of up to 15 digits and
 * decimals 1 <= |x| < 1e15 with up to 15 significant digits and no trailing
 * zero are canonical as written (a decimal of at most 15 significant digits
 * is the shortest that round-trips to its double, so it is the one ES6
 * prints); anything else is printed again and compared.
 */
function numberEnd(text: string, i: number): number {
  const n = text.length;
  let j = i;
  if (text.charCodeAt(j) === 0x2d) j++;
  const intStart = j;
  while (j < n && isDigit(text.charCodeAt(j))) j++;
  const intDigits = j - intStart;
  let fracDigits = 0;
  let simple = intDigits > 0 && (text.charCodeAt(intStart) !== 0x30 || intDigits === 1);
  if (j < n && text.charCodeAt(j) === 0x2e) {
    j++;
    const fracStart = j;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    fracDigits = j - fracStart;
    // a trailing zero is not ES6's; 0.x may be written with an exponent: leave both to the printer
    simple = simple && fracDigits > 0 && text.charCodeAt(j - 1) !== 0x30 && text.charCodeAt(intStart) !== 0x30;
  }
  const c = j < n ? text.charCodeAt(j) : 0;
  if (c === 0x65 || c === 0x45) {
    simple = false;
    j++;
    while (j < n && (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 0x2b || text.charCodeAt(j) === 0x2d)) j++;
  }
  // -0 is written 0
  if (simple && intDigits + fracDigits <= 15 && !(intDigits === 1 && fracDigits === 0 && text.charCodeAt(intStart) === 0x30 && intStart > i)) return j;
  const token = text.slice(i, j);
  return String(Number(token)) === token ? j : -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
