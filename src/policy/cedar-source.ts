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
