/**
 * WebSocket text frames as a server sends them (RFC 6455 §5.2): FIN set,
 * opcode 0x1, no extension bits (the feed negotiates no permessage-deflate),
 * unmasked (§5.1: a server MUST NOT mask), the payload length in 7 bits, or
 * 126 and 16 bits, or 127 and 64 bits (§5.2 "Payload length").
 *
 * The feed frames a run of entries once and writes the same bytes to every
 * client that reads as the same caller; a frame does not depend on who it
 * goes to.
 */

const FIN_TEXT = 0x81;

function header(length: number): Buffer {
  if (length < 126) return Buffer.from([FIN_TEXT, length]);
  if (length < 0x10000) {
    const h = Buffer.allocUnsafe(4);
    h[0] = FIN_TEXT;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.allocUnsafe(10);
  h[0] = FIN_TEXT;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(length), 2);
  return h;
}

/** one text frame per payload (each UTF-8 JSON), back to back in one buffer */
export function textFrames(payloads: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const p of payloads) parts.push(header(p.length), p);
  return Buffer.concat(parts);
}
