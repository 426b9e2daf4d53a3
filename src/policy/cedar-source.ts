/**
 * Source positions in Cedar policy files. Cedar reports error locations as
 * UTF-8 byte offsets; people need file:line. Cedar also numbers the policies of
 * a text itself ("policy0", ...), so to tell which file and line a policy came
 * from we cut each file into its policies ourselves.
 */

export interface PolicyChunk {
  /** the policy text, from just after the previous policy's `;` to its own `;` */
  readonly text: string;
  /** index in the file's text (UTF-16 units) where `text` starts */
  readonly offset: number;
  /** 1-based line of the policy's first token (its first annotation or effect) */
  readonly line: number;
}

/**
 * Cut a policy file into policies. In Cedar's grammar a `;` ends a policy and
 * appears nowhere else outside string literals and `//` comments, so a scan
 * that skips those two finds every boundary. Text after the last `;` is
 * returned only if it holds tokens (a parse error the caller reports anyway).
 */
export function splitPolicies(text: string): PolicyChunk[] {
  const chunks: PolicyChunk[] = [];
  let start = 0;
  let firstToken = -1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol + 1;
      continue;
    }
    if (ch === '"') {
      if (firstToken === -1) firstToken = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (ch === ';') {
      if (firstToken === -1) firstToken = i;
      chunks.push({ text: text.slice(start, i + 1), offset: start, line: lineAt(text, firstToken) });
      start = i + 1;
      firstToken = -1;
    } else if (firstToken === -1 && !/\s/.test(ch ?? '')) {
      firstToken = i;
    }
    i++;
  }
  if (firstToken !== -1) chunks.push({ text: text.slice(start), offset: start, line: lineAt(text, firstToken) });
  return chunks;
}

/** 1-based line number of the UTF-16 index `index` in `text`. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  const end = Math.min(index, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The UTF-16 index in `text` of the UTF-8 byte offset `byteOffset`. */
export function byteToIndex(text: string, byteOffset: number): number {
  return Buffer.from(text, 'utf8').subarray(0, Math.max(0, byteOffset)).toString('utf8').length;
}

export interface CedarToken {
  readonly kind: 'string' | 'word' | 'symbol';
  /** as written; a string keeps its quotes and escapes */
  readonly text: string;
  /** UTF-16 index in the tokenized text */
  readonly index: number;
}

const WORD = /[A-Za-z0-9_]+/y;
const TWO_CHAR_SYMBOLS = new Set(['::', '==', '!=', '<=', '>=', '&&', '||']);

/**
 * The tokens of a policy text, without whitespace and `//` comments: enough
 * to find where a construct is written (Cedar's JSON form of a policy, which
 * our checks read, has no source positions). Not a parser: the text has
 * already parsed.
 */
export function tokenizeCedar(text: string): CedarToken[] {
  const tokens: CedarToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '/' && text[i + 1] === '/') {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol + 1;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      tokens.push({ kind: 'string', text: text.slice(i, j + 1), index: i });
      i = j + 1;
    } else if (/[A-Za-z0-9_]/.test(ch)) {
      WORD.lastIndex = i;
      const m = WORD.exec(text) as RegExpExecArray;
      tokens.push({ kind: 'word', text: m[0], index: i });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      const symbol = TWO_CHAR_SYMBOLS.has(two) ? two : ch;
      tokens.push({ kind: 'symbol', text: symbol, index: i });
      i += symbol.length;
    }
  }
  return tokens;
}

/**
 * Where the policy's effect (`permit` / `forbid`) is, in `tokens`: the
 * first of those words that is not an annotation's name. Everything a
 * check points at (scope, conditions) comes after it. -1 if there is none.
 */
export function effectToken(tokens: readonly CedarToken[]): number {
  return tokens.findIndex((t, i) => t.kind === 'word' && (t.text === 'permit' || t.text === 'forbid') && tokens[i - 1]?.text !== '@');
}

/**
 * A policy's text, for pointing at parts of it: the variables of its scope,
 * and constructs of its conditions in the order a check meets them (each
 * search goes on from the last match, so the second of two equal literals
 * is found second).
 */
export class PolicyText {
  private readonly tokens: CedarToken[];
  /** token positions of the scope's parentheses, -1 when not found */
  private readonly scopeOpen: number;
  private readonly scopeClose: number;
  private cursor: number;

  constructor(text: string) {
    this.tokens = tokenizeCedar(text);
    const effect = effectToken(this.tokens);
    this.scopeOpen = effect === -1 || this.tokens[effect + 1]?.text !== '(' ? -1 : effect + 1;
    let close = -1;
    if (this.scopeOpen !== -1) {
      let depth = 0;
      for (let i = this.scopeOpen; i < this.tokens.length; i++) {
        const t = this.tokens[i] as CedarToken;
        if (t.kind !== 'symbol') continue;
        if (t.text === '(' || t.text === '[') depth++;
        if ((t.text === ')' || t.text === ']') && --depth === 0) {
          close = i;
          break;
        }
      }
    }
    this.scopeClose = close;
    this.cursor = close === -1 ? this.tokens.length : close + 1;
  }

  /** index in the text of `principal`, `action` or `resource` in the policy's scope */
  scopeVariable(name: 'principal' | 'action' | 'resource'): number | undefined {
    if (this.scopeOpen === -1) return undefined;
    for (let i = this.scopeOpen + 1; i < this.scopeClose; i++) {
      const t = this.tokens[i] as CedarToken;
      if (t.kind === 'word' && t.text === name) return t.index;
    }
    return undefined;
  }

  /**
   * Index in the text of the next run of tokens in the conditions written
   * exactly as `texts`, from where the last search ended; undefined (and the
   * position unchanged) if there is none.
   */
  next(texts: readonly string[]): number | undefined {
    for (let i = this.cursor; i + texts.length <= this.tokens.length; i++) {
      if (texts.every((text, k) => this.tokens[i + k]?.text === text)) {
        this.cursor = i + texts.length;
        return (this.tokens[i] as CedarToken).index;
      }
    }
    return undefined;
  }
}
