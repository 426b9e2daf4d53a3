// The load of `npm run bench -- console`, on a worker thread so that the
// server's event loop is not also the load's: posts unit status changes
// through the API at the rate asked, and, as the reference, listens to
// /v1/feed with a plain WebSocket client. Every moment is
// performance.timeOrigin + performance.now(), the clock the page and the
// main thread read too. The posts go through node:http on kept-alive
// connections: fetch (undici) cost this thread about as much CPU as the
// server spent answering, on a 2-core machine the server, the load and
// Chromium share.
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, headers, cookie, since, changes, rate } = workerData;
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const socketSeen = {};
const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/feed?since=${since}`, { headers: { cookie } });
ws.on('message', (data) => {
  const m = JSON.parse(String(data));
  if (m.type === 'entry' && m.entry?.type === 'unit.status_changed') {
    const k = `${m.entry.body.unit}|${m.entry.body.status}`;
    (socketSeen[k] ??= []).push(now());
  }
});
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});

const agent = new Agent({ keepAlive: true, maxSockets: 32 });
/** a POST of a JSON body; its status and text */
function post(path, body) {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sent = {};
const refusals = [];
const posts = [];
const start = performance.now();
for (let i = 0; i < changes.length; i++) {
  const due = start + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  const { unit, status } = changes[i];
  (sent[`${unit}|${status}`] ??= []).push(now());
  posts.push(
    post(`/v1/units/${unit}/status`, JSON.stringify({ status })).then(
      (r) => {
        if (r.status !== 201) refusals.push(`${r.status} ${r.text.slice(0, 200)}`);
      },
      (e) => refusals.push(`no answer: ${e.message}`),
    ),
  );
}
const sentFor = (performance.now() - start) / 1000;
await Promise.all(posts);
await sleep(1500);
ws.close();
agent.destroy();
parentPort.postMessage({ sent, socketSeen, refusals, eventsPerSecondSent: changes.length / sentFor });
