/**
 * The lines of an NDJSON input, read as bytes and decoded strictly: a line
 * that is not UTF-8 is refused with its line number and the byte at fault,
 * where a text decoder in its default mode would put U+FFFD in place of the
 * bad bytes and so record something nobody sent.
 *
 * Lines end at LF; a CR before it is JSON whitespace. A UTF-8 byte order mark
 * at the very start of the input is skipped (RFC 8259 §8.1 lets a parser
 * ignore one); anywhere else it is a character the JSON reader refuses.
 */
import { ConcordError } from '../errors.ts';

/** longer lines are refused before they are held whole: an entry is at most 1 MiB, and a stream without newlines (/dev/zero) must not exhaust memory */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface InputLine {
  readonly text: string;
  /** 1-based */
  readonly lineNo: number;
}

const BOM = [0xef, 0xbb, 0xbf];
const JSON_SPACE_ONLY = /^[ \t\r]*$/;

/**
 * The non-blank lines of `chunks` (Buffers, or strings, which are taken as
 * their UTF-8 bytes). Throws BAD_INPUT naming the line.
 */
export async function* ndjsonLines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<InputLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNo = 1;
  let first = true;
  const finish = (bytes: Buffer): InputLine | undefined => {
    let b = bytes;
    if (first && b.length >= 3 && b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2]) b = b.subarray(3);
    first = false;
    let text: string;
    try {
      text = decoder.decode(b);
    } catch {
      const at = utf8ErrorOffset(b);
      throw new ConcordError(
        'BAD_INPUT',
        `line ${lineNo}: not UTF-8 text: the bytes from byte ${at + 1} of the line (0x${(b[at] ?? 0).toString(16).padStart(2, '0')}) are not a valid UTF-8 sequence`,
        { line: lineNo },
      );
    }
    return JSON_SPACE_ONLY.test(text) ? undefined : { text, lineNo };
  };
  for await (const chunk of chunks) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (;;) {
      const nl = buf.indexOf(0x0a);
      if (nl < 0) break;
      const end = buf.subarray(0, nl);
      const whole = pending.length === 0 ? end : Buffer.concat([...pending, end], pendingBytes + end.length);
      pending = [];
      pendingBytes = 0;
      if (whole.length > MAX_LINE_BYTES) throw tooLong(lineNo);
      const line = finish(whole);
      if (line !== undefined) yield line;
      lineNo++;
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > 0) {
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes > MAX_LINE_BYTES) throw tooLong(lineNo);
    }
  }
  if (pendingBytes > 0) {
    const line = finish(Buffer.concat(pending, pendingBytes));
    if (line !== undefined) yield line;
  }
}

function tooLong(lineNo: number): ConcordError {
  return new ConcordError('BAD_INPUT', `line ${lineNo}: longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB without a newline (an entry is at most 1 MiB)`, {
    line: lineNo,
  });
}

/**
 * The offset where the first ill-formed UTF-8 sequence starts (Unicode
 * Table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or
 * -1 when all of `b` is well-formed.
 */
export function utf8ErrorOffset(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      // the sequence is at fault from its first byte, also when the line ends inside it
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return -1;
}
