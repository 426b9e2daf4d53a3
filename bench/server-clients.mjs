/**
 * The clients of `npm run bench -- server`, on a worker thread of the
 * bench's process, so that they do not share the server's event loop (plain
 * JavaScript: Node 20 does not pass tsx's loader on to a worker). Two jobs:
 *
 *   commands: `clients` HTTP clients, each with its own API token, each
 *             posting `perClient` commands one after the other, alternating
 *             message.send and unit.report_positions (both accepted
 *             whatever came before); answers how long all of them took.
 *   feed:     `clients` WebSocket clients of `url`; each message's index and
 *             the moment it arrived (performance.timeOrigin + now: the same
 *             clock as the main thread's) are kept until the main thread
 *             says stop and nothing more has come for half a second.
 */
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const now = () => performance.timeOrigin + performance.now();

async function commands({ url, tokens, perClient, incident, unit }) {
  const statuses = {};
  const one = async (token, i) => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const [path, body] =
      i % 2 === 0
        ? [`/v1/incidents/${incident}/messages`, { text: `bench message ${i}`, agencies: ['city-pd'] }]
        : ['/v1/units/positions', { positions: [{ unit, lat: 41.8739 + (i % 100) / 1e5, lon: -87.6658, accuracy: 8, observed: new Date().toISOString() }] }];
    const r = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    await r.arrayBuffer();
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
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
  return { ms, statuses };
}

async function feed({ url, headers, clients }) {
  let indexes = new Float64Array(1 << 20);
  let times = new Float64Array(1 << 20);
  let n = 0;
  let last = now();
  const closes = {};
  const record = (data) => {
    const t = now();
    last = t;
    const text = typeof data === 'string' ? data : data.toString();
    // {"type":"entry","index":N,...}: the index without parsing the whole entry
    if (!text.startsWith('{"type":"entry","index":')) return;
    const index = Number(text.slice(24, text.indexOf(',', 24)));
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
  const sockets = [];
  // connect in batches: a thousand upgrades at once is a test of the accept queue, not of the feed
  for (let i = 0; i < clients; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(clients, i + 50); j++) {
      const ws = new WebSocket(url, { headers, perMessageDeflate: false });
      ws.on('message', record);
      ws.on('close', (code) => (closes[code] = (closes[code] ?? 0) + 1));
      sockets.push(ws);
      batch.push(
        new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        }),
      );
    }
    await Promise.all(batch);
  }
  parentPort.postMessage({ connected: sockets.length });
  await new Promise((resolve) => parentPort.once('message', resolve));
  // what is still on its way: until nothing has come for half a second (ten seconds at most)
  const stopAt = now();
  while (now() - last < 500 && now() - stopAt < 10_000) await new Promise((r) => setTimeout(r, 100));
  const open = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  for (const s of sockets) s.terminate();
  return { indexes: indexes.subarray(0, n), times: times.subarray(0, n), open, closes };
}

const job = workerData.job === 'commands' ? commands(workerData) : feed(workerData);
job.then(
  (result) => parentPort.postMessage({ done: result }),
  (e) => parentPort.postMessage({ failed: String(e?.stack ?? e) }),
);
