/**
 * `npm run bench -- server`: the live server, each figure beside its
 * reference measured in the same run, on fresh copies of one demo node.
 *
 * commands: commands/s through HTTP (100 concurrent clients, each with its
 *   own API token, alternating message.send and unit.report_positions, both
 *   real commands accepted whatever came before), beside
 *   CoordinationService.execute in process with the same 100 concurrent
 *   callers and commands, beside LedgerService.append with 100 concurrent
 *   appenders of the same entries (one each, as those commands append).
 * feed: latency from an append's acknowledgement (execute() resolving) to
 *   each client's receipt, p50 and p99, with 1,000 WebSocket clients on
 *   /v1/feed while 500 events/s are appended; beside a bare `ws` server
 *   broadcasting the same messages at the same rate to 1,000 clients (as
 *   the feed does: each message encoded once, the messages due at once
 *   corked into one write per client).
 *
 * The clients run on a worker thread of this process
 * (bench/server-clients.mjs), the server on the main thread; both clock
 * their moments with performance.timeOrigin + performance.now(), one clock.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { openLiveNode, type LiveNode } from '../src/app/live-node.ts';
import { openNodeLedger } from '../src/app/node-ledger.ts';
import { readScenario } from '../src/app/scenario.ts';
import { runScenario } from '../src/app/scenario-run.ts';
import { DEMO_POLICIES, DEMO_SCENARIO } from '../src/cli/commands/serve.ts';
import type { EntryDraft } from '../src/ledger/entry.ts';
import { buildNodeServer } from '../src/server/node-server.ts';

const INCIDENT = 'inc-2026-0601-harrison';
/** a car the demo ends with off any request: its positions are accepted whatever came before */
const UNIT = 'cpd-1231';
const CLIENTS_URL = new URL('./server-clients.mjs', import.meta.url);

export interface ServerBenchOptions {
  /** concurrent command clients (and in-process callers, and appenders) */
  readonly clients?: number;
  /** commands each of them sends, timed (after one warm-up each) */
  readonly perClient?: number;
  readonly feedClients?: number;
  readonly eventsPerSecond?: number;
  readonly feedSeconds?: number;
}

const now = (): number => performance.timeOrigin + performance.now();
/** seconds of the feed's load before its latencies are timed */
const WARM_UP_S = 1;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const began = now();
/** what the bench is doing, on stderr (the figures go to stdout, as JSON) */
const progress = (what: string): void => void process.stderr.write(`bench server: ${((now() - began) / 1000).toFixed(1)} s: ${what}\n`);
const round = (x: number, places = 1): number => Math.round(x * 10 ** places) / 10 ** places;

/** the worker's answer to one job; for a feed job, `onConnected` runs once its clients are all connected, and its end tells the worker to stop */
function runClients<T>(data: Record<string, unknown>, onConnected?: () => Promise<void>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(CLIENTS_URL, { workerData: data });
    worker.on('message', (m: { connected?: number; done?: T; failed?: string }) => {
      if (m.connected !== undefined && onConnected !== undefined) {
        onConnected().then(
          () => worker.postMessage('stop'),
          (e: unknown) => {
            void worker.terminate();
            reject(e);
          },
        );
      } else if (m.done !== undefined) {
        void worker.terminate();
        resolve(m.done);
      } else if (m.failed !== undefined) {
        void worker.terminate();
        reject(new Error(`bench clients: ${m.failed}`));
      }
    });
    worker.on('error', reject);
  });
}

/** the command the i-th call of a client sends: the same two the HTTP clients alternate */
function command(i: number, device: string): Record<string, unknown> {
  const actor = { agency: 'city-pd', device };
  return i % 2 === 0
    ? { type: 'message.send', actor, incidentId: INCIDENT, text: `bench message ${i}`, agencies: ['city-pd'] }
    : {
        type: 'unit.report_positions',
        actor,
        positions: [{ unit: UNIT, lat: 41.8739 + (i % 100) / 1e5, lon: -87.6658, accuracy: 8, observed: new Date().toISOString() }],
      };
}

/** the entry each of those commands appends */
function entryOf(i: number, device: string): EntryDraft {
  const actor = { agency: 'city-pd', device };
  return i % 2 === 0
    ? {
        type: 'message.sent',
        actor,
        incident: INCIDENT,
        body: { message: `message-bench-${device}-${i}`, text: `bench message ${i}`, agencies: ['city-pd'], people: [] },
      }
    : {
        type: 'unit.positions_reported',
        actor,
        body: { positions: [{ unit: UNIT, lat: 41.8739 + (i % 100) / 1e5, lon: -87.6658, accuracy: 8, observed: new Date().toISOString() }] },
      };
}

/** `callers` concurrent loops of `perCaller` calls each, after one untimed call each; calls per second */
async function concurrently(callers: number, perCaller: number, call: (caller: number, i: number) => Promise<unknown>): Promise<{ per_s: number; ms: number }> {
  await Promise.all(Array.from({ length: callers }, (_, c) => call(c, c)));
  const t0 = now();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      for (let i = 0; i < perCaller; i++) await call(c, c + i);
    }),
  );
  const ms = now() - t0;
  return { per_s: Math.round((callers * perCaller * 1000) / ms), ms: Math.round(ms) };
}

function percentiles(latencies: Float64Array): { p50_ms: number; p99_ms: number; max_ms: number } {
  const sorted = latencies.slice().sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50_ms: round(at(0.5), 2), p99_ms: round(at(0.99), 2), max_ms: round(sorted[sorted.length - 1] ?? Number.NaN, 2) };
}

interface FeedReceipts {
  readonly indexes: Float64Array;
  readonly times: Float64Array;
  readonly open: number;
  readonly closes: Record<string, number>;
}

/** each receipt's latency from its entry's acknowledgement; receipts of entries not timed here are left out */
function latencies(r: FeedReceipts, acknowledged: ReadonlyMap<number, number>): Float64Array {
  const out = new Float64Array(r.indexes.length);
  let n = 0;
  for (let i = 0; i < r.indexes.length; i++) {
    const at = acknowledged.get(r.indexes[i] as number);
    if (at !== undefined) out[n++] = Math.max(0, (r.times[i] as number) - at);
  }
  return out.subarray(0, n);
}

/**
 * Calls `emit(k)` for k = 0, 1, ... on the schedule of `perSecond` (a late
 * tick catches up) for `seconds` of wall time or `max` calls, with at most
 * `inFlight` unfinished at once (so a system slower than the rate is fed as
 * fast as it takes, not buried); resolves when all have finished, with the
 * rate achieved.
 */
async function atRate(
  perSecond: number,
  seconds: number,
  emit: (k: number) => Promise<void> | void,
  limits: { readonly max?: number; readonly inFlight?: number } = {},
): Promise<number> {
  const max = limits.max ?? Number.POSITIVE_INFINITY;
  const inFlightLimit = limits.inFlight ?? Number.POSITIVE_INFINITY;
  const start = now();
  const pending: Promise<void>[] = [];
  let k = 0;
  let inFlight = 0;
  for (;;) {
    const elapsed = now() - start;
    if (elapsed >= seconds * 1000 || k >= max) break;
    const due = Math.min(max, Math.floor((elapsed * perSecond) / 1000));
    while (k < due && inFlight < inFlightLimit) {
      inFlight++;
      pending.push(Promise.resolve(emit(k++)).finally(() => inFlight--));
    }
    await sleep(2);
  }
  await Promise.all(pending);
  return (k * 1000) / (now() - start);
}

async function serve(live: LiveNode): Promise<{ url: string; close: () => Promise<void> }> {
  const app = await buildNodeServer(live, {});
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, close: () => app.close() };
}

export async function benchServer(opts: ServerBenchOptions = {}): Promise<Record<string, unknown>> {
  const clients = opts.clients ?? 100;
  const perClient = opts.perClient ?? 10;
  const feedClients = opts.feedClients ?? 1000;
  const eventsPerSecond = opts.eventsPerSecond ?? 500;
  const feedSeconds = opts.feedSeconds ?? 5;
  const root = mkdtempSync(join(tmpdir(), 'concord-bench-server-'));
  try {
    const demo = join(root, 'demo');
    await runScenario(readScenario(DEMO_SCENARIO), demo, { origin: 'bench.example/server' });
    const copy = (name: string): string => {
      const dir = join(root, name);
      cpSync(demo, dir, { recursive: true });
      return dir;
    };

    progress('commands through HTTP');
    // (a) commands through HTTP, each client with its own write token of the city
    const httpNode = await openLiveNode(copy('http'), { policiesDir: DEMO_POLICIES });
    let http: { ms: number; statuses: Record<string, number> };
    try {
      const server = await serve(httpNode);
      const tokens: string[] = [];
      for (let c = 0; c < clients; c++) tokens.push((await httpNode.accounts.createToken({ agency: 'city-pd', scope: 'write', label: `bench ${c}` })).token);
      http = await runClients({ job: 'commands', url: server.url, tokens, perClient, incident: INCIDENT, unit: UNIT });
      await server.close();
    } finally {
      await httpNode.close();
    }
    const httpPerS = Math.round((clients * perClient * 1000) / http.ms);

    progress('the same in process');
    // the same commands and callers in process, on a fresh copy of the node
    const inNode = await openLiveNode(copy('in-process'), { policiesDir: DEMO_POLICIES });
    let inProcess: { per_s: number; ms: number };
    try {
      inProcess = await concurrently(clients, perClient, (c, i) => inNode.coordination.execute(command(i, `bench-${c}`)));
    } finally {
      await inNode.close();
    }

    progress('the ledger alone');
    // the ledger alone: the entries those commands append, by as many concurrent appenders
    const ledger = await openNodeLedger(copy('ledger'));
    let append: { per_s: number; ms: number };
    try {
      append = await concurrently(clients, perClient, (c, i) => ledger.append([entryOf(i, `bench-${c}`)]));
    } finally {
      await ledger.close();
    }

    progress('the feed');
    // (b) the feed: 1,000 clients of the city (one read token) while commands append 500 events/s
    const feedNode = await openLiveNode(copy('feed'), { policiesDir: DEMO_POLICIES });
    const acknowledged = new Map<number, number>();
    // the first second's events warm the path (JIT, buffers) and are not timed; the same for the reference
    const untimed = eventsPerSecond * WARM_UP_S;
    const timed = new Map<number, number>();
    let feedRate = 0;
    let feed: FeedReceipts;
    const messages: string[] = [];
    try {
      const server = await serve(feedNode);
      const { token } = await feedNode.accounts.createToken({ agency: 'city-pd', scope: 'read', label: 'bench feed' });
      feed = await runClients<FeedReceipts>(
        { job: 'feed', url: `${server.url.replace('http', 'ws')}/v1/feed`, headers: { authorization: `Bearer ${token}` }, clients: feedClients },
        async () => {
          progress(`${feedClients} feed clients connected`);
          // message.send appends one entry: 500 commands/s are 500 events/s
          feedRate = await atRate(
            eventsPerSecond,
            WARM_UP_S + feedSeconds,
            async (k) => {
              const x = await feedNode.coordination.execute(command(2 * k, 'bench-feed'));
              const t = now();
              for (const e of x.entries) {
                acknowledged.set(e.index, t);
                if (k >= untimed) timed.set(e.index, t);
              }
            },
            // the service decides the commands that wait together and appends them as one batch
            { inFlight: 64 },
          );
        },
      );
      await server.close();
      // the same messages, for the reference
      const indexes = [...acknowledged.keys()].sort((a, b) => a - b);
      for await (const e of feedNode.ledger.store.entries(indexes[0] as number, (indexes[indexes.length - 1] as number) + 1)) {
        messages.push(`{"type":"entry","index":${e.index},"entry":${e.text}}`);
      }
    } finally {
      await feedNode.close();
    }
    const feedLatency = percentiles(latencies(feed, timed));

    progress('the bare ws reference');
    // reference: a bare ws server broadcasting the same messages at the same rate to as many clients
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    // as the feed does: each message encoded once, and the messages due at once written to each client in one go
    const wires = new Map<WebSocket, Socket>();
    wss.on('connection', (ws, req) => {
      wires.set(ws, req.socket);
      ws.on('close', () => wires.delete(ws));
    });
    const encoded = messages.map((m) => Buffer.from(m));
    let due: Buffer[] = [];
    const broadcast = (): void => {
      const run = due;
      due = [];
      for (const [ws, wire] of wires) {
        wire.cork();
        for (const m of run) ws.send(m, { binary: false });
        wire.uncork();
      }
    };
    const broadcastAt = new Map<number, number>();
    let bareRate = 0;
    let bareSent = 0;
    const bare = await runClients<FeedReceipts>(
      { job: 'feed', url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, headers: {}, clients: feedClients },
      async () => {
        bareRate = await atRate(
          eventsPerSecond,
          WARM_UP_S + feedSeconds,
          (k) => {
            bareSent++;
            if (k >= untimed) broadcastAt.set(k, now());
            if (due.length === 0) queueMicrotask(broadcast);
            due.push(encoded[k] as Buffer);
          },
          { max: messages.length },
        );
      },
    );
    await new Promise<void>((r) => wss.close(() => r()));
    // the reference's messages carry the ledger's indexes: key its times by them
    const firstIndex = [...acknowledged.keys()].sort((a, b) => a - b)[0] as number;
    const bareAt = new Map([...broadcastAt].map(([k, t]) => [firstIndex + k, t]));
    const bareLatency = percentiles(latencies(bare, bareAt));

    return {
      clients_run_in: 'a worker thread of the bench process (bench/server-clients.mjs); the server on the main thread',
      commands: {
        command: 'message.send and unit.report_positions, alternating (each appends one entry)',
        clients,
        timed_commands: clients * perClient,
        http_per_s: httpPerS,
        http_statuses: http.statuses,
        in_process_per_s: inProcess.per_s,
        ledger_append_per_s: append.per_s,
        http_vs_in_process: round(httpPerS / inProcess.per_s, 2),
        in_process_vs_ledger_append: round(inProcess.per_s / append.per_s, 2),
      },
      feed: {
        clients: feedClients,
        events_per_s_target: eventsPerSecond,
        events_per_s: Math.round(feedRate),
        events: acknowledged.size,
        warm_up_s: WARM_UP_S,
        timed_events: timed.size,
        receipts_expected: acknowledged.size * feedClients,
        receipts: feed.indexes.length,
        open_at_end: feed.open,
        closed: feed.closes,
        ...feedLatency,
        target_p99_ms: 50,
        bare_ws: {
          events_per_s: Math.round(bareRate),
          receipts_expected: bareSent * feedClients,
          receipts: bare.indexes.length,
          ...bareLatency,
        },
        p99_vs_bare_ws: round(feedLatency.p99_ms / bareLatency.p99_ms, 2),
      },
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
