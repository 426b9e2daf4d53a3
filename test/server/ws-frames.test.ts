/**
 * src/server/ws-frames.ts read by a real `ws` client (as it reads what a
 * server sends), and byte for byte against ws's own frames at the edges of
 * RFC 6455 §5.2's length forms.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import WebSocket from 'ws';
import { textFrames } from '../../src/server/ws-frames.ts';

/** ws's frame builder (not in its type declarations): what ws itself writes for a message */
const { Sender } = createRequire(import.meta.url)('ws') as {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean }): Buffer[] };
};

/**
 * The text messages a `ws` client reads when a server answers its handshake
 * (RFC 6455 §4.2.2: Sec-WebSocket-Accept is base64 SHA-1 of the key and the
 * GUID) and then writes `bytes` in pieces of `chunk` bytes.
 */
async function readAsClient(bytes: Buffer, chunk: number, count: number): Promise<string[]> {
  const server = createServer((socket: Socket) => {
    socket.once('data', (request) => {
      const key = /sec-websocket-key: *(\S+)/i.exec(request.toString('latin1'))?.[1] ?? '';
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      for (let at = 0; at < bytes.length; at += chunk) socket.write(bytes.subarray(at, at + chunk));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}/`, { perMessageDeflate: false });
    return await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const done = (): void => {
        ws.terminate();
        resolve(got);
      };
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (isBinary) reject(new Error('a binary frame'));
        got.push(data.toString('utf8'));
        if (got.length === count) done();
      });
      ws.on('error', reject);
      if (count === 0) ws.once('open', done);
    });
  } finally {
    server.close();
  }
}

describe('textFrames', () => {
  it('property: ws reads back exactly the messages, in order, however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ minLength: 65_530, maxLength: 65_540 })), { maxLength: 6 }),
        fc.integer({ min: 1, max: 70_000 }),
        async (messages, chunk) => {
          const bytes = textFrames(messages.map((m) => Buffer.from(m)));
          assert.deepEqual(await readAsClient(bytes, chunk, messages.length), messages);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses the shortest length form at each edge, byte for byte what ws itself sends', () => {
    for (const n of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
      const payload = Buffer.alloc(n, 0x61);
      const ours = textFrames([payload]);
      const theirs = Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));
      assert.deepEqual(ours, theirs, `a payload of ${n} bytes`);
      assert.equal(ours[0], 0x81, 'FIN, text');
      assert.equal(ours[1]! & 0x80, 0, 'unmasked');
      assert.equal(ours[1]! & 0x7f, n < 126 ? n : n < 65_536 ? 126 : 127);
    }
  });
});
