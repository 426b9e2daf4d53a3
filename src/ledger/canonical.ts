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
