/**
 * Reading NDJSON as bytes (src/cli/ndjson-lines.ts): the same lines however
 * the input is cut into chunks (a character split across two reads
 * included), UTF-8 checked strictly against Node's own validator, CRLF and
 * a final line without a newline, a byte order mark only at the start, and
 * a line without end refused before it is held whole.
 */
import assert from 'node:assert/strict';
import { isUtf8 } from 'node:buffer';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_LINE_BYTES, ndjsonLines, utf8ErrorOffset, type InputLine } from '../../src/cli/ndjson-lines.ts';
import { isConcordError } from '../../src/errors.ts';

async function collect(chunks: Array<Buffer | string>): Promise<InputLine[]> {
  const out: InputLine[] = [];
  async function* source(): AsyncGenerator<Buffer | string> {
    yield* chunks;
  }
  for await (const l of ndjsonLines(source())) out.push(l);
  return out;
}

async function refused(chunks: Array<Buffer | string>): Promise<string> {
  try {
    await collect(chunks);
  } catch (e) {
    assert.ok(isConcordError(e, 'BAD_INPUT'), String(e));
    return e.message;
  }
  return 'accepted';
}

describe('utf8ErrorOffset', () => {
  it('property: well-formed exactly when Node says so; the offset is where a decoder stops agreeing', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const b = Buffer.from(bytes);
        const at = utf8ErrorOffset(b);
        assert.equal(at === -1, isUtf8(b));
        if (at >= 0) {
          // everything before the offset is well-formed, and the four bytes from it (a longest sequence) are not
          assert.ok(isUtf8(b.subarray(0, at)));
          assert.ok(!isUtf8(b.subarray(0, at + 4)));
        }
        return true;
      }),
      { numRuns: 3000 },
    );
  });

  it('property: any text encoded as UTF-8 is well-formed, and one bad byte inserted is found at its place or the sequence it breaks', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.nat(), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff), (s, pos, bad) => {
        const b = Buffer.from(s.replace(/[\ud800-\udfff]/gu, ''), 'utf8');
        assert.equal(utf8ErrorOffset(b), -1);
        // insert at a character boundary
        const text = b.toString('utf8');
        const chars = [...text];
        const k = pos % (chars.length + 1);
        const before = Buffer.from(chars.slice(0, k).join(''), 'utf8');
        const broken = Buffer.concat([before, Buffer.from([bad]), Buffer.from(chars.slice(k).join(''), 'utf8')]);
        return utf8ErrorOffset(broken) === before.length;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ndjsonLines', () => {
  it('property: the same lines, with their numbers, however the bytes are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant(''),
            fc.constant('  \r'),
            fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).map((s) => s.replace(/[\n\r]/g, 'x')),
          ),
          { maxLength: 12 },
        ),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.boolean(),
        async (lines, cuts, finalNewline) => {
          const text = lines.join('\n') + (finalNewline ? '\n' : '');
          const bytes = Buffer.from(text, 'utf8');
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let from = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(from, p));
            from = p;
          }
          const got = await collect(chunks);
          const expected = lines.map((t, i) => ({ text: t, lineNo: i + 1 })).filter((l) => !/^[ \t\r]*$/.test(l.text));
          assert.deepEqual(got, expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('CRLF is kept for the JSON reader to read as whitespace; blank lines keep their numbers; a last line needs no newline', async () => {
    assert.deepEqual(await collect(['{"a":1}\r\n\r\n', '\n{"b":2}']), [
      { text: '{"a":1}\r', lineNo: 1 },
      { text: '{"b":2}', lineNo: 4 },
    ]);
  });

  it('a byte order mark is skipped at the very start only', async () => {
    assert.deepEqual(await collect([Buffer.from([0xef, 0xbb]), Buffer.from([0xbf, 0x7b, 0x7d, 0x0a])]), [{ text: '{}', lineNo: 1 }]);
    assert.deepEqual(await collect([Buffer.from('{}\n\ufeff{}\n')]), [
      { text: '{}', lineNo: 1 },
      { text: '\ufeff{}', lineNo: 2 },
    ]);
  });

  it('bytes that are not UTF-8 name the line and the byte, even when the bad sequence spans two chunks', async () => {
    assert.equal(
      await refused(['{}\n', Buffer.from([0x7b, 0x22, 0xe2]), Buffer.from([0x28, 0xa1, 0x22, 0x7d, 0x0a])]),
      'line 2: not UTF-8 text: the bytes from byte 3 of the line (0xe2) are not a valid UTF-8 sequence',
    );
    assert.match(await refused([Buffer.from([0x31, 0x32, 0xc3])]), /^line 1: not UTF-8 text: the bytes from byte 3 of the line \(0xc3\)/);
    // a character split across chunks is fine
    const euro = Buffer.from('"€"\n', 'utf8');
    assert.deepEqual(await collect([euro.subarray(0, 2), euro.subarray(2, 3), euro.subarray(3)]), [{ text: '"€"', lineNo: 1 }]);
  });

  it('a line longer than the limit is refused before it is held whole, with or without a newline after it', async () => {
    const big = Buffer.alloc(MAX_LINE_BYTES / 4, 0x20);
    const chunks = [Buffer.from('{}\n'), big, big, big, big, Buffer.from('x')];
    assert.match(await refused(chunks), /^line 2: longer than 16 MiB without a newline/);
    assert.match(await refused([...chunks, Buffer.from('\n')]), /^line 2: longer than 16 MiB/);
  });
});
