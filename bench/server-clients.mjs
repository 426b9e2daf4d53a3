/**
 * The clients of `npm run bench -- server`, on a worker thread of the
 * bench's process, so that they do not share the server's event loop (plain
 * JavaScript: Node 20 does not pass tsx's loader on to a worker). Two jobs:
 *
 *   commands: `clients` HTTP clients, each with its own API token, each
 *             posting `perClient` commands one after the other, alternating
 *             message.send and unit.report_positions (both accepted
 *             whatever came before); answers how long all of them took.
 *   feed:     `clients` WebSocket clients of `url` (rawClient below); each
 *             entry's index and the moment its frame arrived
 *             (performance.timeOrigin + now: the same clock as the main
 *             thread's) are kept until the main thread says stop and
 *             nothing more has come for half a second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

const now = () => performance.timeOrigin + performance.now();

/** POSTs JSON over a kept-alive connection of `agent` (node:http: fetch's streams cost the clients' thread more than the server costs) */
function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function commands({ url, tokens, perClient, incident, unit }) {
  const statuses = {};
  const agent = new Agent({ keepAlive: true, maxSockets: tokens.length });
  const one = async (token, i) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const [path, body] =
      i % 2 === 0
        ? [`/v1/incidents/${incident}/messages`, { text: `bench message ${i}`, agencies: ['city-pd'] }]
        : ['/v1/units/positions', { positions: [{ unit, lat: 41.8739 + (i % 100) / 1e5, lon: -87.6658, accuracy: 8, observed: new Date().toISOString() }] }];
    const status = await post(agent, `${url}${path}`, headers, JSON.stringify(body));
    statuses[status] = (statuses[status] ?? 0) + 1;
  };
  // one warm-up command per client (connections opened, tokens looked up), not timed
  await Promise.all(tokens.map((t, c) => one(t, c)));
  const t0 = now();
  await Promise.all(
    tokens.map(async (t, c) => {
      for (let i = 0; i < perClient; i++) await one(t, c + i);
    }),
  );
  const ms = now() - t0;
  agent.destroy();
  return { ms, statuses };
}

/**
 * One feed client on a bare TCP connection: the WebSocket handshake (RFC 6455
 * §4.1), then the server's frames read as they come (§5.2: unmasked, as a
 * server sends them): a text frame's index is read from its first bytes
 * without parsing the entry, control frames are counted, nothing is sent
 * back. A ws client per connection would cost the bench's own thread more
 * than the server it measures (a thousand of them parsing 500 entries a
 * second each); this one reads every byte of every frame all the same, so
 * the server does all the work of a real client's feed.
 */
function rawClient(url, headers, onEntry, onClose) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    const key = randomBytes(16).toString('base64');
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.on('connect', () => {
      const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
      );
    });
    let handshake = Buffer.alloc(0);
    let open = false;
    // frame state: bytes of the current frame's header read so far, and of its payload still to skip
    let pending = Buffer.alloc(0);
    let skip = 0;
    const frames = (chunk) => {
      let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, buf.length - at);
          skip -= n;
          at += n;
          if (skip > 0) break;
        }
        if (buf.length - at < 2) break;
        const opcode = buf[at] & 0x0f;
        let len = buf[at + 1] & 0x7f;
        let head = 2;
        if (len === 126) {
          if (buf.length - at < 4) break;
          len = buf.readUInt16BE(at + 2);
          head = 4;
        } else if (len === 127) {
          if (buf.length - at < 10) break;
          len = Number(buf.readBigUInt64BE(at + 2));
          head = 10;
        }
        // the first 40 bytes of a text frame hold {"type":"entry","index":N,
        const peek = Math.min(len, 40);
        if (buf.length - at < head + peek) break;
        const t = now();
        if (opcode === 1) {
          const p = at + head;
          if (buf.toString('latin1', p, p + 24) === '{"type":"entry","index":') {
            let index = 0;
            for (let i = p + 24; i < p + peek && buf[i] !== 0x2c; i++) index = index * 10 + (buf[i] - 48);
            onEntry(index, t);
          }
        } else if (opcode === 8) {
          onClose(len >= 2 ? buf.readUInt16BE(at + head) : 1005);
        }
        at += head;
        skip = len;
      }
      pending = at < buf.length ? Buffer.from(buf.subarray(at)) : Buffer.alloc(0);
    };
    socket.on('data', (chunk) => {
      if (open) return frames(chunk);
      handshake = Buffer.concat([handshake, chunk]);
      const end = handshake.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = handshake.toString('latin1', 0, handshake.indexOf('\r\n'));
      if (!/^HTTP\/1\.1 101 /.test(status)) return reject(new Error(`feed handshake refused: ${status}`));
      open = true;
      resolve(socket);
      if (handshake.length > end + 4) frames(handshake.subarray(end + 4));
    });
  });
}

async function feed({ url, headers, clients }) {
  // room for a 6 s run at 500 events/s to 1,000 clients: growing the arrays mid-run would stall this thread
  let indexes = new Float64Array(1 << 22);
  let times = new Float64Array(1 << 22);
  let n = 0;
  let last = now();
  const closes = {};
  const record = (index, t) => {
    last = t;
    if (n === indexes.length) {
      const i2 = new Float64Array(n * 2);
      i2.set(indexes);
      indexes = i2;
      const t2 = new Float64Array(n * 2);
      t2.set(times);
      times = t2;
    }
    indexes[n] = index;
    times[n] = t;
    n++;
  };
  const closed = (code) => (closes[code] = (closes[code] ?? 0) + 1);
  const sockets = [];
  // connect in batches: a thousand upgrades at once is a test of the accept queue, not of the feed
  for (let i = 0; i < clients; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(clients, i + 50); j++) batch.push(rawClient(url, headers, record, closed));
    sockets.push(...(await Promise.all(batch)));
  }
  parentPort.postMessage({ connected: sockets.length });
  await new Promise((resolve) => parentPort.once('message', resolve));
  // what is still on its way: until nothing has come for half a second (ten seconds at most)
  const stopAt = now();
  while (now() - last < 500 && now() - stopAt < 10_000) await new Promise((r) => setTimeout(r, 100));
  const open = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
  for (const s of sockets) s.destroy();
  return { indexes: indexes.subarray(0, n), times: times.subarray(0, n), open, closes };
}

const job = workerData.job === 'commands' ? commands(workerData) : feed(workerData);
job.then(
  (result) => parentPort.postMessage({ done: result }),
  (e) => parentPort.postMessage({ failed: String(e?.stack ?? e) }),
);
