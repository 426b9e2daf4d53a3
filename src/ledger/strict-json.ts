/**
 * A strict JSON reader (RFC 8259) for text from outside, where JSON.parse
 * would quietly change what was sent:
 *
 * - a key given twice in one object is refused (JSON.parse keeps the last
 *   one, so `{"actor":{"agency":"a","agency":"b"}}` would be recorded as
 *   agency "b"; RFC 8259 §4 leaves duplicate names to the implementation,
 *   I-JSON, RFC 7493 §2.3, forbids them);
 * - a number a double does not hold as written is refused (json-number.ts);
 * - a string with a lone surrogate (a \ud800 escape with no pair) is refused:
 *   it is no Unicode text, and I-JSON §2.1 forbids it.
 *
 * Everything else is RFC 8259's grammar exactly: whitespace is space, tab,
 * LF and CR only; no comments, trailing commas, single quotes, leading
 * zeros, bare control characters in strings or unknown escapes. Unlike
 * canonical.ts's plainCanonicalValueEnd, which vouches for canonical text
 * only, any well-formed JSON is read. Pure.
 *
 * Errors are ConcordError BAD_INPUT: "<field>: <why>" for a value that is
 * refused (the field as a path, `actor.agency`, `body.list[2]`), "not valid
 * JSON at column <n>: <why>" for text that is not JSON.
 */
import { ConcordError } from '../errors.ts';
import { MAX_DEPTH } from './canonical.ts';
import { numberTextProblem } from './json-number.ts';

type PathStep = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// with the `u` flag a well-formed pair is one code point, so only lone surrogates match
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?/y;

/** `actor.agency`, `body.list[2]`, `body["a b"]`; '' for the top */
export function formatJsonPath(path: readonly PathStep[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (IDENTIFIER.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

/** Parses `text` as one JSON value, refusing what JSON.parse would alter. */
export function parseJsonStrict(text: string): unknown {
  return new Reader(text).document();
}

class Reader {
  private i = 0;
  private readonly path: PathStep[] = [];
  /** the first value refused; reported once the whole text is known to be JSON, so a syntax error is named first */
  private refused: ConcordError | undefined;

  constructor(private readonly text: string) {}

  document(): unknown {
    this.space();
    const v = this.value(0);
    this.space();
    if (this.i < this.text.length) this.syntax('more text after the JSON value (one value per line)');
    if (this.refused !== undefined) throw this.refused;
    return v;
  }

  private space(): void {
    const t = this.text;
    let i = this.i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
    this.i = i;
  }

  private value(depth: number): unknown {
    const c = this.text.charCodeAt(this.i);
    switch (c) {
      case 0x7b:
        return this.object(depth);
      case 0x5b:
        return this.array(depth);
      case 0x22:
        return this.string();
      case 0x74:
        return this.literal('true', true);
      case 0x66:
        return this.literal('false', false);
      case 0x6e:
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.syntax(this.i >= this.text.length ? 'the text ends where a value should be' : `${this.describeAt(this.i)} where a value should be`);
    }
  }

  private object(depth: number): Record<string, unknown> {
    this.enter(depth);
    this.i++;
    const out: Record<string, unknown> = {};
    this.space();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return out;
    }
    for (;;) {
      if (this.text.charCodeAt(this.i) !== 0x22) this.syntax(`${this.describeAt(this.i)} where a key in double quotes should be`);
      const key = this.string();
      this.space();
      if (this.text.charCodeAt(this.i) !== 0x3a) this.syntax(`${this.describeAt(this.i)} where ":" should follow the key ${JSON.stringify(key)}`);
      this.i++;
      this.space();
      this.path.push(key);
      if (Object.hasOwn(out, key)) this.refuse('appears twice in one object (JSON.parse would keep only the last)');
      const v = this.value(depth + 1);
      this.path.pop();
      // `__proto__` is a key like any other, never the object's prototype (as with JSON.parse)
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, writable: true, enumerable: true, configurable: true });
      else out[key] = v;
      if (this.closesAfterValue(0x7d, '}')) return out;
    }
  }

  private array(depth: number): unknown[] {
    this.enter(depth);
    this.i++;
    const out: unknown[] = [];
    this.space();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return out;
    }
    for (;;) {
      this.path.push(out.length);
      out.push(this.value(depth + 1));
      this.path.pop();
      if (this.closesAfterValue(0x5d, ']')) return out;
    }
  }

  /** after a member or element: true at the closing bracket (consumed), false after a comma (consumed), else a syntax error */
  private closesAfterValue(close: number, closeChar: string): boolean {
    this.space();
    const c = this.text.charCodeAt(this.i);
    if (c === 0x2c) {
      this.i++;
      this.space();
      return false;
    }
    if (c === close) {
      this.i++;
      return true;
    }
    return this.syntax(`${this.describeAt(this.i)} where "," or "${closeChar}" should follow a value`);
  }

  private enter(depth: number): void {
    // recursion is bounded before it is deep enough to overflow the stack
    if (depth >= MAX_DEPTH) throw this.refusal(`nested deeper than ${MAX_DEPTH} levels`);
  }

  private literal<T>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.i)) this.syntax(`${this.describeAt(this.i)} where a value should be`);
    this.i += word.length;
    return v;
  }

  private string(): string {
    const t = this.text;
    const start = this.i;
    let i = start + 1;
    let out = '';
    let run = i;
    for (;;) {
      if (i >= t.length) {
        this.i = start;
        return this.syntax('a string is not closed (no ending double quote)');
      }
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) {
        this.i = i;
        return this.syntax(`a control character (U+${hex4(c)}) inside a string; write it as an escape like \\n or \\u${hex4(c)}`);
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += t.slice(run, i);
      const e = t.charCodeAt(i + 1);
      switch (e) {
        case 0x22:
          out += '"';
          break;
        case 0x5c:
          out += '\\';
          break;
        case 0x2f:
          out += '/';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x6e:
          out += '\n';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x75: {
          const h = t.slice(i + 2, i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(h)) {
            this.i = i;
            return this.syntax('\\u must be followed by four hexadecimal digits');
          }
          out += String.fromCharCode(parseInt(h, 16));
          i += 4;
          break;
        }
        default:
          this.i = i;
          return this.syntax(
            `${Number.isNaN(e) ? 'a "\\" at the end of the text' : `the escape \\${t[i + 1]}`} is not JSON (only \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX are)`,
          );
      }
      i += 2;
      run = i;
    }
    out += t.slice(run, i);
    this.i = i + 1;
    if (LONE_SURROGATE.test(out)) {
      const at = LONE_SURROGATE.exec(out)?.[0]?.charCodeAt(0) ?? 0;
      const end = this.i;
      this.i = start;
      this.refuse(`a string holds a lone surrogate \\u${hex4(at).toLowerCase()}, which is not Unicode text (I-JSON, RFC 7493 §2.1)`);
      this.i = end;
    }
    return out;
  }

  private number(): number {
    const t = this.text;
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(t);
    const token = m?.[0] ?? '';
    const end = this.i + token.length;
    const next = t.charCodeAt(end);
    if (token === '' || token === '-') this.syntax('"-" must be followed by digits');
    if ((next >= 0x30 && next <= 0x39) || next === 0x2e || next === 0x65 || next === 0x45) {
      this.syntax(
        /^-?0\d/.test(t.slice(this.i, end + 1))
          ? 'a number may not start with 0 followed by digits'
          : `malformed number ${JSON.stringify(t.slice(this.i, end + 1))}: a "." or an exponent must be followed by digits`,
      );
    }
    const value = Number(token);
    const problem = numberTextProblem(token, value);
    if (problem !== undefined) this.refuse(problem);
    this.i = end;
    return value;
  }

  /** what stands at `i`, in words */
  private describeAt(i: number): string {
    if (i >= this.text.length) return 'the end of the text';
    const cp = this.text.codePointAt(i) as number;
    if (cp === 0x22) return `'"'`;
    return cp > 0x20 && cp < 0x7f ? `"${String.fromCodePoint(cp)}"` : `U+${hex4(cp)}`;
  }

  private syntax(reason: string): never {
    const where = formatJsonPath(this.path);
    throw new ConcordError('BAD_INPUT', `not valid JSON at column ${this.i + 1}${where ? ` (in ${where})` : ''}: ${reason}`, {
      column: this.i + 1,
      path: where,
    });
  }

  private refuse(reason: string): void {
    this.refused ??= this.refusal(reason);
  }

  private refusal(reason: string): ConcordError {
    const where = formatJsonPath(this.path);
    return new ConcordError('BAD_INPUT', `${where || 'the value'}: ${reason}`, { column: this.i + 1, path: where });
  }
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}
