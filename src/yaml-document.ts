/**
 * YAML written outside Concord (scenarios, protocol manifests and tests,
 * request files), parsed defensively: any failure is one ConcordError
 * `file:line: reason`, never a crash or a hang.
 *
 * The yaml package builds the document; the plain values are made here
 * rather than by its `toJS`, because `toJS` looks up every alias and every
 * merge key by walking the whole document (measured with yaml 2.9: 100
 * aliases in a 2.5 MiB file took 11 s, 1,000 in 0.5 MiB took 23 s), and
 * its guard against alias bombs (`maxAliasCount`) is a heuristic that still
 * lets each of many large anchors be used 100 times. Here an alias is one
 * lookup, and what aliases add is counted exactly: the nodes each alias
 * stands for, as if written out (nested aliases included). A "billion
 * laughs" document is refused at the alias that crosses the cap.
 *
 * Duplicate keys are found here too, in linear time (the package's
 * `uniqueKeys` compares each key with every earlier one: a mapping of 20,000
 * keys took 5 s), and by the key as it will be in the value, so `1:` and
 * `"1":` clash as well.
 *
 * Numbers are held to the ledger's rule (ledger/json-number.ts): a number
 * whose text a double does not hold as written (12345678901234567890,
 * 0.10000000000000000001, 1e400) is refused, as are .inf and .nan, which
 * have no JSON form; the yaml package would read them silently as another
 * value. A leaf module: it imports nothing of ours but the error registry
 * and that number rule.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Alias, type Document, type Scalar, type YAMLMap } from 'yaml';
import { ConcordError, type ErrorCode } from './errors.ts';
import { numberTextProblem } from './ledger/json-number.ts';
import { formatJsonPath } from './ledger/strict-json.ts';

export const YAML_LIMITS = {
  /** nesting of mappings and lists; our files need fewer than ten */
  maxDepth: 64,
  /** nodes added by aliases (each alias counts the nodes it stands for) */
  maxAliasedNodes: 100_000,
} as const;

export interface YamlDocument {
  /** for locating nodes (line numbers); never converted with `toJS` */
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** the document as plain values: objects, arrays, strings, numbers, booleans, null */
  readonly value: unknown;
}

export interface YamlOptions {
  /** allow YAML 1.1 merge keys (`<<: *base`) */
  readonly merge?: boolean;
}

/** Parse one YAML document; every failure is `code` with `path:line: reason`. */
export function parseYamlDocument(path: string, text: string, code: ErrorCode, options: YamlOptions = {}): YamlDocument {
  const lineCounter = new LineCounter();
  const fail = (offset: number, reason: string): never => {
    const line = lineCounter.linePos(offset).line;
    throw new ConcordError(code, `${path}:${line}: ${reason}`, { file: path, line });
  };
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: options.merge ?? false });
  const first = doc.errors[0];
  // prettyErrors is off, so linePos is not filled in: the line comes from the error's offset
  if (first) fail(first.pos[0], `not valid YAML: ${first.message.split('\n')[0]}`);
  const value = new PlainValues(options.merge ?? false, fail).convert(doc.contents, 0).value;
  return { doc, lineCounter, value };
}

interface Converted {
  readonly value: unknown;
  /** nodes this value stands for, aliases written out */
  readonly size: number;
  readonly isMap: boolean;
}

const EMPTY: Converted = { value: null, size: 1, isMap: false };

class PlainValues {
  /** anchor name -> the value of the latest complete node with that anchor */
  private readonly anchors = new Map<string, Converted>();
  /** anchors whose node is being converted: an alias to one would contain itself */
  private readonly open = new Set<string>();
  private aliasedNodes = 0;
  /** the keys and indexes down to the node being converted, to name a refused value's field */
  private readonly path: Array<string | number> = [];

  constructor(
    private readonly merge: boolean,
    private readonly fail: (offset: number, reason: string) => never,
  ) {}

  convert(node: unknown, depth: number): Converted {
    if (node === null || node === undefined) return EMPTY;
    if (isAlias(node)) return this.alias(node);
    const at = offsetOf(node);
    // recursion is bounded here, before anything deeper is visited
    if (depth > YAML_LIMITS.maxDepth) this.fail(at, `refused: nested more than ${YAML_LIMITS.maxDepth} levels deep`);
    const anchor = isScalar(node) || isMap(node) || isSeq(node) ? node.anchor : undefined;
    if (anchor !== undefined) this.open.add(anchor);
    let result: Converted;
    if (isScalar(node)) {
      if (typeof node.value === 'number') this.checkNumber(node, at, '');
      result = { value: node.value, size: 1, isMap: false };
    } else if (isMap(node)) {
      result = this.map(node, depth);
    } else if (isSeq(node)) {
      const items: unknown[] = [];
      let size = 1;
      for (const item of node.items) {
        this.path.push(items.length);
        const c = isPair(item) ? this.pairs([item], at, depth + 1) : this.convert(item, depth + 1);
        this.path.pop();
        items.push(c.value);
        size += c.size;
      }
      result = { value: items, size, isMap: false };
    } else {
      return this.fail(at, 'not valid YAML: unexpected node');
    }
    if (anchor !== undefined) {
      // an anchor used again later names the later node (YAML 1.2 §3.2.2.2)
      this.open.delete(anchor);
      this.anchors.set(anchor, result);
    }
    return result;
  }

  private alias(node: Alias): Converted {
    const at = offsetOf(node);
    const name = node.source;
    if (this.open.has(name)) this.fail(at, `not valid YAML: alias *${name} is inside the node it names`);
    const target = this.anchors.get(name);
    if (!target) return this.fail(at, `not valid YAML: alias *${name} has no anchor &${name} before it`);
    this.aliasedNodes += target.size;
    if (this.aliasedNodes > YAML_LIMITS.maxAliasedNodes) {
      this.fail(at, `refused: aliases here expand to more than ${YAML_LIMITS.maxAliasedNodes.toLocaleString('en-US')} nodes (an alias bomb?)`);
    }
    // shared, as the yaml package shares it: the expansion is bounded above
    return target;
  }

  private map(node: YAMLMap, depth: number): Converted {
    return this.pairs(node.items, offsetOf(node), depth);
  }

  private pairs(items: readonly unknown[], at: number, depth: number): Converted {
    const out: Record<string, unknown> = {};
    const written = new Set<string>();
    let size = 1;
    for (const pair of items) {
      if (!isPair(pair)) return this.fail(at, 'not valid YAML: unexpected node in a mapping');
      const keyNode = pair.key;
      const keyAt = keyNode === null || keyNode === undefined ? at : offsetOf(keyNode);
      if (this.merge && isMergeKey(keyNode)) {
        size += this.mergeInto(out, pair.value, keyAt, depth + 1);
        continue;
      }
      const key = this.key(keyNode, keyAt);
      if (written.has(key)) this.fail(keyAt, `not valid YAML: map keys must be unique (${JSON.stringify(key)} appears twice)`);
      written.add(key);
      this.path.push(key);
      const value = this.convert(pair.value, depth + 1);
      this.path.pop();
      size += 1 + value.size;
      // an explicit key wins over a merged one, wherever the merge key stands
      define(out, key, value.value);
    }
    return { value: out, size, isMap: true };
  }

  /** `<<: *base` or `<<: [*a, *b]`: copy the keys this mapping lacks; returns the nodes added */
  private mergeInto(out: Record<string, unknown>, source: unknown, at: number, depth: number): number {
    const sources = isSeq(source) ? source.items : [source];
    let size = 0;
    for (const s of sources) {
      const c = isAlias(s) || isMap(s) ? this.convert(s, depth) : undefined;
      if (!c?.isMap) return this.fail(at, 'not valid YAML: a merge key (<<) takes a mapping, an alias of one, or a list of them');
      for (const [key, value] of Object.entries(c.value as Record<string, unknown>)) {
        // the first merged source wins, as in the yaml package
        if (!Object.hasOwn(out, key)) define(out, key, value);
      }
      size += c.size;
    }
    return size;
  }

  /**
   * A number must be finite and, when it was written in decimal, hold the
   * value its text says (ledger/json-number.ts). Hexadecimal and octal
   * (YAML 1.2 `0x1F`, `0o17`) are integers: exact when within 2^53.
   */
  private checkNumber(node: Scalar, at: number, what: string): void {
    const value = node.value as number;
    const source = typeof node.source === 'string' ? node.source.trim() : undefined;
    const field = formatJsonPath(this.path);
    const refuse = (problem: string): never => this.fail(at, `${field ? `${field}: ` : ''}${what}${problem}`);
    if (source === undefined || /^[-+]?\.(inf|nan)$/i.test(source)) {
      if (!Number.isFinite(value)) refuse(`${source ?? String(value)} is not a finite number (JSON and the ledger have no infinity or NaN)`);
      return;
    }
    if (/^[-+]?0[xXoO]/.test(source)) {
      if (!Number.isSafeInteger(value)) refuse(`${source} is an integer beyond 2^53, which a number does not hold exactly; write it as a string`);
      return;
    }
    const problem = numberTextProblem(source, value);
    if (problem !== undefined) refuse(problem);
  }

  private key(node: unknown, at: number): string {
    if (isScalar(node)) {
      const v = node.value;
      if (v === null) return '';
      // a key becomes its text in the value: a number key must be exact too
      if (typeof v === 'number') this.checkNumber(node, at, 'the key ');
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
    }
    return this.fail(at, 'not valid YAML here: a mapping key must be plain text, a number or a boolean');
  }
}

function isMergeKey(node: unknown): boolean {
  // with `merge` on, the yaml package resolves a plain `<<` key to Symbol('<<')
  return isScalar(node) && typeof node.value === 'symbol' && node.value.description === '<<';
}

function offsetOf(node: unknown): number {
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0] ?? 0;
}

/** `__proto__` is a key like any other here, never the object's prototype */
function define(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
}
