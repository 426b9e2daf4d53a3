/**
 * `npm run bench -- console`: the operations console in headless Chromium
 * (/usr/bin/chromium, playwright-core) on an incident of 10,000 entries and
 * 500 units, each figure beside a reference measured in the same run.
 *
 * The incident is made through the app layer: the demo scenario replayed,
 * then 500 city units registered and assigned to the demo incident, and
 * unit status changes until the ledger holds 10,000 entries, all through
 * CoordinationService.execute (the path every command takes).
 *
 * boardUsable: from navigation to the board until it is usable (the unit
 *   status board drawn with its rows, the requests panel, the feed live),
 *   median of 3 loads; beside the time to fetch the incident view and the
 *   unit list as JSON with no browser.
 * liveToScreen: while 200 unit status changes a second are posted through
 *   the API, the time from sending the POST to the changed status being on
 *   screen (a MutationObserver in the page on the unit rows in view), p50
 *   and p99; beside the same changes reaching a plain WebSocket client of
 *   /v1/feed (from the same send). Before the load the setup's writes are
 *   flushed to disk (`sync`), and its first second is warm-up, not counted
 *   (CONCORD_BENCH_NO_SYNC=1 skips the flush, to see what it changes).
 * bundle: the gzip size of the console's own JavaScript in web/dist/assets,
 *   leaving out chunks named for MapLibre; beside the gzip size of all of it.
 *
 * Benchmarks are not tests: nothing here fails on a figure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CHROMIUM, launchChromium } from '../test/helpers/browser.ts';
import { Worker } from 'node:worker_threads';
import { ROOT } from '../bin/dist.js';
import { ensureDemoUsers } from '../src/app/demo.ts';
import { openLiveNode } from '../src/app/live-node.ts';
import { readScenario } from '../src/app/scenario.ts';
import { runScenario } from '../src/app/scenario-run.ts';
import { DEMO_POLICIES, DEMO_SCENARIO } from '../src/cli/commands/serve.ts';
import { buildNodeServer } from '../src/server/node-server.ts';

const LOAD_URL = new URL('./console-load.mjs', import.meta.url);
const INCIDENT = 'inc-2026-0601-harrison';
const CHEN = { agency: 'city-pd', person: 'cpd-chen' } as const;
const HARRIS = { agency: 'city-pd', person: 'cpd-harris' } as const;
/**
 * the load's first second is warm-up, not counted: the server's routes and
 * the page are compiled by the JIT as the first changes arrive, and in that
 * second even the plain WebSocket client saw changes 300-900 ms late (2-core
 * machine, server, load and Chromium on it together)
 */
const LOAD_WARM_UP_S = 1;
/** the statuses a change cycles through (none needs a reason) */
const CYCLE = ['en_route', 'on_scene', 'returning', 'available'] as const;

export interface ConsoleBenchOptions {
  readonly units?: number;
  readonly entries?: number;
  readonly eventsPerSecond?: number;
  readonly seconds?: number;
}

const began = performance.now();
const progress = (what: string): void => void process.stderr.write(`bench console: ${((performance.now() - began) / 1000).toFixed(1)} s: ${what}\n`);
const round = (x: number, places = 1): number => Math.round(x * 10 ** places) / 10 ** places;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}
const median = (xs: readonly number[]): number => percentile(xs, 50);

/** the console's JavaScript, gzipped: its own (chunks not named for MapLibre) and all of it */
function bundleSizes(): { ownGzipKb: number; allGzipKb: number; chunks: number } {
  const dir = join(ROOT, 'web', 'dist', 'assets');
  let own = 0;
  let all = 0;
  let chunks = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const size = gzipSync(readFileSync(join(dir, f)), { level: 9 }).length;
    all += size;
    if (!f.toLowerCase().includes('maplibre')) {
      own += size;
      chunks++;
    }
  }
  return { ownGzipKb: round(own / 1024), allGzipKb: round(all / 1024), chunks };
}

/** tmpfs, where there is one: the browser's profile goes there */
const SHM = '/dev/shm';

/**
 * The browser stands for a dispatcher's own machine: its profile (cache,
 * storage) goes on tmpfs where there is one, so its writes do not queue on
 * the one disk of this machine with the server's fsyncs. Playwright makes
 * the profile under os.tmpdir(), which reads TMPDIR when it is called.
 */
async function launchOnTmpfs(): ReturnType<typeof launchChromium> {
  if (!existsSync(SHM)) return launchChromium();
  const before = process.env['TMPDIR'];
  process.env['TMPDIR'] = SHM;
  try {
    return await launchChromium();
  } finally {
    if (before === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = before;
  }
}

export async function benchConsole(opts: ConsoleBenchOptions = {}): Promise<Record<string, unknown>> {
  const unitCount = opts.units ?? 500;
  const entryTarget = opts.entries ?? 10_000;
  const rate = opts.eventsPerSecond ?? 200;
  const seconds = opts.seconds ?? 5;
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium)`);
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) throw new Error('the console is not built: node bin/web.js');

  const root = mkdtempSync(join(tmpdir(), 'concord-bench-console-'));
  try {
    const dir = join(root, 'node');
    progress('replaying the demo');
    await runScenario(readScenario(DEMO_SCENARIO), dir, { origin: 'bench.example/console' });
    const live = await openLiveNode(dir, { policiesDir: DEMO_POLICIES });
    await ensureDemoUsers(live.accounts);
    const c = live.coordination;
    const run = (commands: readonly Record<string, unknown>[]) => Promise.all(commands.map((x) => c.execute(x)));

    progress(`registering and assigning ${unitCount} units`);
    const units = Array.from({ length: unitCount }, (_, i) => `bench-car-${String(i).padStart(3, '0')}`);
    await run(
      units.map((unitId) => ({ type: 'unit.register', actor: HARRIS, unitId, unitType: 'patrol car', callsign: unitId, supervisor: 'city-pd.sergeant-1231' })),
    );
    await run(units.map((unitId) => ({ type: 'incident.assign_unit', actor: HARRIS, incidentId: INCIDENT, unitId })));
    const state = new Map<string, number>();
    const nextStatus = (unit: string): string => {
      const n = (state.get(unit) ?? -1) + 1;
      state.set(unit, n);
      return CYCLE[n % CYCLE.length] as string;
    };
    let size = await live.ledger.store.size();
    progress(`status changes until ${entryTarget} entries (now ${size})`);
    while (size < entryTarget) {
      const batch = Math.min(500, entryTarget - size);
      await run(
        Array.from({ length: batch }, (_, i) => units[(size + i) % units.length] as string).map((u) => ({
          type: 'unit.set_status',
          actor: CHEN,
          unitId: u,
          status: nextStatus(u),
        })),
      );
      size = await live.ledger.store.size();
    }

    const app = await buildNodeServer(live, {});
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const login = await fetch(`${url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'chen', password: 'demo-chen-2026' }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };

    // reference: the board's data as JSON, no browser
    const raw: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await Promise.all([
        fetch(`${url}/v1/incidents/${INCIDENT}`, { headers }).then((r) => r.arrayBuffer()),
        fetch(`${url}/v1/units`, { headers }).then((r) => r.arrayBuffer()),
      ]);
      raw.push(performance.now() - t0);
    }

    const browser = await launchOnTmpfs();
    try {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      const [name, value] = cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url }]);
      const page = await context.newPage();
      progress('loading the board');
      const loads: number[] = [];
      const firstRows: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await page.goto(`${url}/incidents/${INCIDENT}`);
        await page.locator('tr[data-unit]').first().waitFor({ timeout: 60_000 });
        firstRows.push(performance.now() - t0);
        await page.getByRole('heading', { name: 'Requests' }).waitFor();
        await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
        loads.push(performance.now() - t0);
      }
      const rows = await page.locator('tr[data-unit]').count();

      // the rows on screen: their changes are the ones a person sees
      const inView = (await page.locator('tr[data-unit]').evaluateAll((trs) => trs.map((t) => t.getAttribute('data-unit')))).filter(
        (u): u is string => u !== null && u.startsWith('bench-car-'),
      );
      await page.evaluate(`(() => {
        window.__seen = {};
        const last = {}; const note = (tr) => { const u = tr.getAttribute('data-unit'); const st = tr.getAttribute('data-status'); if (last[u] === st) return; last[u] = st; (window.__seen[u + '|' + st] ??= []).push(performance.timeOrigin + performance.now()); };
        new MutationObserver((ms) => { for (const m of ms) { const tr = m.target.closest ? m.target.closest('tr[data-unit]') : m.target.parentElement?.closest('tr[data-unit]'); if (tr) note(tr); } })
          .observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'], childList: true, characterData: true });
      })()`);

      progress(`${rate} status changes a second for ${LOAD_WARM_UP_S} s of warm-up, then ${seconds} s measured`);
      if (process.env['CONCORD_BENCH_HIDE'] !== undefined)
        await page.evaluate(`for (const e of document.querySelectorAll(${JSON.stringify(process.env['CONCORD_BENCH_HIDE'])})) e.style.display = 'none'`);
      // CONCORD_BENCH_PROFILE=FILE: the page's CPU profile during the load, for Chrome's DevTools (a diagnostic; it slows the page)
      const profileTo = process.env['CONCORD_BENCH_PROFILE'];
      const cdp = profileTo !== undefined ? await context.newCDPSession(page) : undefined;
      if (cdp !== undefined) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.start');
      }
      // the setup wrote the incident and the browser's profile: flush it to disk first, so the load's
      // commits do not wait behind the kernel writing that back (runs that skipped this had seconds of 300-900 ms
      // fsyncs, in the plain WebSocket client's figures too)
      if (process.env['CONCORD_BENCH_NO_SYNC'] === undefined) spawnSync('sync');
      const watched = new Set(inView);
      const others = units.filter((u) => !watched.has(u));
      const total = rate * (LOAD_WARM_UP_S + seconds);
      // one change in four is to a row on screen, the rest to units scrolled out of view; each unit's changes are far enough apart to arrive in order
      const changes = Array.from({ length: total }, (_, i) => {
        const unit = i % 4 === 0 && inView.length > 0 ? (inView[(i / 4) % inView.length] as string) : (others[i % others.length] as string);
        return { unit, status: nextStatus(unit) };
      });
      const load = await new Promise<{ sent: Record<string, number[]>; socketSeen: Record<string, number[]>; refusals: string[]; eventsPerSecondSent: number }>(
        (resolve, reject) => {
          const worker = new Worker(LOAD_URL, { workerData: { url, headers, cookie, since: size - 1, changes, rate } });
          worker.once('message', (m) => {
            void worker.terminate();
            resolve(m as never);
          });
          worker.once('error', reject);
        },
      );
      if (cdp !== undefined && profileTo !== undefined) writeFileSync(profileTo, JSON.stringify((await cdp.send('Profiler.stop')).profile));
      const seen = (await page.evaluate('window.__seen')) as Record<string, number[]>;
      const sent = new Map(Object.entries(load.sent));
      const socketSeen = new Map(Object.entries(load.socketSeen));
      const screen: number[] = [];
      const series: Array<[number, number, number]> = [];
      const socket: number[] = [];
      // the changes of the warm-up are sent and shown, not counted
      const loadStart = Math.min(...[...sent.values()].flat());
      const countFrom = loadStart + LOAD_WARM_UP_S * 1000;
      for (const [k, times] of sent) {
        const unit = k.split('|')[0] as string;
        for (const t of times) {
          if (t < countFrom) continue;
          // the first time the change was seen after it was sent (a unit comes back to a status every few changes)
          if (watched.has(unit)) {
            const s = (seen[k] ?? []).find((x) => x >= t);
            if (s !== undefined) screen.push(s - t);
            if (s !== undefined) series.push([t, s - t, (socketSeen.get(k) ?? []).find((x) => x >= t) ?? -1]);
          }
          const w = (socketSeen.get(k) ?? []).find((x) => x >= t);
          if (w !== undefined) socket.push(w - t);
        }
      }
      if (process.env['CONCORD_BENCH_SERIES'] !== undefined)
        writeFileSync(
          process.env['CONCORD_BENCH_SERIES'],
          series
            .sort((a, b) => a[0] - b[0])
            .map(([t, d, w]) => `${Math.round(t - series[0]![0])} ${Math.round(d)} ${Math.round(w - t)}`)
            .join('\n'),
        );
      const onScreenSent = [...sent.entries()]
        .filter(([k]) => watched.has(k.split('|')[0] as string))
        .reduce((n, [, ts]) => n + ts.filter((t) => t >= countFrom).length, 0);
      await app.close();
      return {
        incident: { entries: size, units: unitCount, rowsDrawn: rows },
        boardUsableMs: { median: round(median(loads)), each: loads.map((x) => round(x)), unitRowsDrawnAfter: firstRows.map((x) => round(x)), target: 1500 },
        reference_boardJsonMs: { median: round(median(raw)), each: raw.map((x) => round(x)) },
        liveToScreenMs: {
          p50: round(percentile(screen, 50)),
          p90: round(percentile(screen, 90)),
          p99: round(percentile(screen, 99)),
          seen: screen.length,
          sentToRowsOnScreen: onScreenSent,
          warmUpSecondsNotCounted: LOAD_WARM_UP_S,
          // the browser's own profile: on tmpfs it does not share the server's disk (see launchOnTmpfs)
          browserProfileOn: existsSync(SHM) ? 'tmpfs' : 'the temporary folder',
          target_p99: 250,
        },
        reference_liveToWebSocketMs: {
          p50: round(percentile(socket, 50)),
          p90: round(percentile(socket, 90)),
          p99: round(percentile(socket, 99)),
          seen: socket.length,
        },
        load: {
          eventsPerSecondAsked: rate,
          eventsPerSecondSent: round(load.eventsPerSecondSent),
          sent: total,
          refused: load.refusals.length,
          firstRefusals: load.refusals.slice(0, 3),
          // the machine is shared: its load says how much of the time was this bench's
          machineLoadAverage1m: round(loadavg()[0] ?? 0, 2),
        },
        bundle: { ...bundleSizes(), targetOwnGzipKb: 500 },
      };
    } finally {
      await browser.close();
      await live.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
