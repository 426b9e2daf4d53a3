/**
 * The operations console's live picture end to end (issue 18): the built
 * console served by a real demo node (the demo story up to 20:53:30, when
 * the city's three cars are on scene at the north gate under the unified
 * command), in Debian's Chromium with the node's Content-Security-Policy on:
 *
 *   - the map draws the demo's own basemap and the units, by agency colour
 *     and status shape, with a legend; a position reported through the API
 *     moves a unit on the map live;
 *   - the timeline shows the incident's entries and filters them;
 *   - the checkpoint badge turns "verified" (signature and inclusion proofs
 *     checked in the browser);
 *   - a message sent by one agency appears live in the other's context;
 *   - the command chart shows the unified command, liaisons and each unit's
 *     home agency apart from who directs it;
 *   - an order that contradicts another raises a conflict alert live.
 *
 * Screenshots at 1366×768 and 3840×2160 go to test-results/console-picture/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/browser.ts';
import { ROOT } from '../../bin/dist.js';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

const BUILT = existsSync(join(ROOT, 'web', 'dist', 'index.html'));
const SHOTS = join(ROOT, 'test-results', 'console-picture');
const INCIDENT = 'inc-2026-0601-harrison';
const PASSWORDS: Record<string, string> = { santos: 'demo-santos-2026', chen: 'demo-chen-2026', harris: 'demo-harris-2026' };
const LIVE_MS = 5_000;
/** the map draws in software (SwiftShader, no GPU here), on a 4K page too, on a busy machine: generous, not a timing */
const MAP_MS = 60_000;
const HD = { width: 1366, height: 768 };
const WALL = { width: 3840, height: 2160 };

const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (npm test installs it: bin/ensure-test-tools.js)`
  : !BUILT
    ? 'the console is not built (npm test builds it: node bin/web.js)'
    : false;

describe('the live picture in Chromium', { skip }, () => {
  let node: ServedNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const pages = new Map<string, Page>();

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    node = await serveDemo({ until: '2026-06-01T20:53:30Z' });
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await node?.stop();
    node?.cleanup();
  });

  async function open(login: string, viewport = HD, prepare?: (page: Page) => Promise<unknown>): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    await prepare?.(page);
    page.on('pageerror', (e) => errors.push(`${login}: ${e.message}`));
    // the policy is on: anything it refuses (a blob: worker, a tile from elsewhere) is an error here
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(`${login}: ${m.text()}`);
    });
    await context.route(
      (url) => !url.href.startsWith(node.url) && !url.href.startsWith('data:'),
      (route) => {
        errors.push(`${login}: the console asked for ${route.request().url()}`);
        return route.abort();
      },
    );
    await page.goto(`${node.url}/incidents/${INCIDENT}`);
    await page.getByLabel('Login').fill(login);
    await page.getByLabel('Password').fill(PASSWORDS[login] as string);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Requests' }).waitFor();
    return page;
  }
  async function as(login: string): Promise<Page> {
    const have = pages.get(login);
    if (have !== undefined) return have;
    const page = await open(login);
    pages.set(login, page);
    return page;
  }

  /** unit → [lon, lat] as the map rendered them (MapCanvas writes what queryRenderedFeatures returns) */
  async function rendered(page: Page): Promise<Record<string, [number, number]>> {
    const text = await page.locator('.map-canvas').getAttribute('data-rendered-units');
    return text === null ? {} : (JSON.parse(text) as Record<string, [number, number]>);
  }
  async function until(what: string, check: () => Promise<boolean>, ms = LIVE_MS): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) assert.fail(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('the map draws the demo basemap and the units by agency and status, with a legend', async () => {
    const chen = await as('chen');
    await chen.locator('.map-canvas[data-map-ready="true"]').waitFor({ timeout: MAP_MS });
    await until('the three city cars on the map', async () => {
      const u = await rendered(chen);
      return ['cpd-1231', 'cpd-1232', 'cpd-1233'].every((id) => u[id] !== undefined);
    });
    const u = await rendered(chen);
    assert.deepEqual(u['cpd-1231'], [-87.6658, 41.87385]);
    const legend = chen.getByRole('group', { name: 'Map legend' });
    for (const text of ['City', 'on scene', 'en route', 'available', 'incident', 'request location']) await legend.getByText(text).first().waitFor();
    await chen.getByText('3 of 4 units placed').waitFor();
    // the basemap came from the node, and MapLibre's worker from the console's own assets
    const basemap = await fetch(`${node.url}/v1/map/basemap`);
    assert.equal(basemap.status, 401, 'the basemap needs a login');
    await chen.screenshot({ path: join(SHOTS, '1-map-1366x768.png') });
    assert.deepEqual(errors, []);
  });

  it('a basemap that could not be fetched is drawn once it can be, without a reload', async () => {
    let blocked = true;
    const page = await open('chen', HD, (p) =>
      p.route(`${node.url}/v1/map/basemap`, (route) => (blocked ? route.abort('internetdisconnected') : route.fallback())),
    );
    const failure = page.locator('.map-failure');
    await failure.filter({ hasText: 'The basemap cannot be loaded' }).waitFor({ timeout: MAP_MS });
    await failure.filter({ hasText: 'Trying again' }).waitFor();
    blocked = false;
    await page.locator('.map-canvas[data-map-ready="true"]').waitFor({ timeout: MAP_MS });
    assert.equal(await failure.count(), 0, 'the failure is gone once the map is drawn');
    await until('the city cars on the map', async () => (await rendered(page))['cpd-1231'] !== undefined);
    assert.deepEqual(errors, []);
  });

  it('a position reported through the API moves the unit on the map, live', async () => {
    const chen = await as('chen');
    const api = await node.as('chen');
    const r = await api.post('/v1/units/positions', {
      positions: [{ unit: 'cpd-1232', lat: 41.87452, lon: -87.66175, accuracy: 5, observed: new Date().toISOString() }],
    });
    assert.ok(r.status < 300, `${r.status} ${await r.text()}`);
    await until('cpd-1232 at its new position', async () => {
      const p = (await rendered(chen))['cpd-1232'];
      return p !== undefined && Math.abs(p[0] - -87.66175) < 1e-4 && Math.abs(p[1] - 41.87452) < 1e-4;
    });
    await chen.screenshot({ path: join(SHOTS, '2-position-moved.png') });
    assert.deepEqual(errors, []);
  });

  it("a unit's status changed through the API changes its marker on the map and its row on the board, live", async () => {
    const chen = await as('chen');
    const api = await node.as('chen');
    const statuses = async (): Promise<Record<string, string>> =>
      JSON.parse((await chen.locator('.map-canvas').getAttribute('data-rendered-statuses')) ?? '{}') as Record<string, string>;
    const before = (await statuses())['cpd-1231'];
    const next = before === 'on_scene' ? 'en_route' : 'on_scene';
    const r = await api.post('/v1/units/cpd-1231/status', { status: next });
    assert.ok(r.status < 300, `${r.status} ${await r.text()}`);
    // the feed patches the unit list; the marker follows it without the incident being fetched again
    await until(`cpd-1231 drawn as ${next}`, async () => (await statuses())['cpd-1231'] === next);
    await chen.locator(`tr[data-unit="cpd-1231"][data-status="${next}"]`).waitFor({ timeout: LIVE_MS });
    await chen.screenshot({ path: join(SHOTS, '2-status-changed.png') });
    assert.deepEqual(errors, []);
  });

  it('the timeline shows the entries, the source time beside the server time, and filters by type, agency and unit', async () => {
    const chen = await as('chen');
    const timeline = chen.locator('section.timeline');
    const count = timeline.locator('.count');
    await until('the timeline has the story', async () => Number(await count.getAttribute('data-count')) > 20);
    const all = Number(await count.getAttribute('data-count'));
    // the car's terminal claimed 20:43:18 for a status the server received at 20:43:20
    await timeline.getByLabel('Entry type').selectOption('unit.status_changed');
    await timeline.locator('.tl-row[data-type="unit.status_changed"]').first().waitFor();
    await timeline.locator('.tl-claimed').first().waitFor();
    const rows = await timeline.locator('.tl-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-type')));
    assert.ok(rows.length > 0 && rows.every((t) => t === 'unit.status_changed'), rows.join(' '));
    assert.ok(Number(await count.getAttribute('data-count')) < all);
    await chen.screenshot({ path: join(SHOTS, '3-timeline-filtered.png') });
    await timeline.getByLabel('Entry type').selectOption('');
    await timeline.getByLabel('Agency').selectOption('fed-ice');
    const agencies = await timeline.locator('.tl-row').evaluateAll((els) => els.map((e) => e.textContent ?? ''));
    assert.ok(agencies.length > 0 && agencies.every((t) => t.includes('fed-ice')), agencies.join('\n'));
    await timeline.getByLabel('Agency').selectOption('');
    await timeline.getByLabel('Unit', { exact: true }).selectOption('cpd-1233');
    const unitRows = Number(await count.getAttribute('data-count'));
    assert.ok(unitRows > 0 && unitRows < all, `${unitRows} of ${all}`);
    // a time range after everything leaves nothing
    await timeline.getByLabel('Unit', { exact: true }).selectOption('');
    await timeline.getByLabel('From').fill('2030-01-01T00:00:00');
    await timeline.getByText('No entries match the filters.').waitFor();
    await timeline.getByLabel('From').fill('');
    await until('the filters cleared', async () => Number(await count.getAttribute('data-count')) >= all);
    assert.deepEqual(errors, []);
  });

  it('the checkpoint badge turns verified: the signature and the inclusion of the entries on screen, checked in the browser', async () => {
    const chen = await as('chen');
    const badge = chen.locator('[data-checkpoint="verified"]');
    await badge.waitFor({ timeout: MAP_MS });
    await badge.getByText(/signature valid/).waitFor();
    const text = (await badge.textContent()) ?? '';
    assert.match(text, /checkpoint \d+ of concord\.local\/demo/);
    assert.match(text, /[1-9]\d* of [1-9]\d* entries on screen proven included/);
    assert.deepEqual(errors, []);
  });

  it('the board links the after-action report and each request’s ICS 213RR; the report opens as a page in a new tab', async () => {
    const chen = await as('chen');
    const link = chen.getByRole('link', { name: 'After-action report as HTML' });
    assert.equal(await link.getAttribute('href'), `/v1/reports/after-action?incident=${INCIDENT}&format=html`);
    assert.equal(
      await chen.getByRole('link', { name: 'ICS 213RR of req-001 as PDF' }).getAttribute('href'),
      '/v1/reports/ics-213rr?request=req-001&format=pdf',
    );
    const [report] = await Promise.all([chen.context().waitForEvent('page'), link.click()]);
    await report.getByRole('heading', { level: 1, name: /^After-action report: / }).waitFor();
    await report.getByRole('heading', { name: '4. Requests and their verdicts' }).waitFor();
    await report.screenshot({ path: join(SHOTS, 'after-action-report.png') });
    // its tables fit the page, and no column heading is split over lines to make room
    const layout = (await report.evaluate(`({
      sideways: document.documentElement.scrollWidth > window.innerWidth,
      split: [...document.querySelectorAll('th')].filter((th) => th.getBoundingClientRect().height > 2 * parseFloat(getComputedStyle(th).lineHeight)).map((th) => th.textContent),
    })`)) as { sideways: boolean; split: string[] };
    assert.deepEqual(layout, { sideways: false, split: [] });
    await report.close();
    assert.deepEqual(errors, []);
  });

  it('a message sent by one agency appears live in the other agency’s context; an empty one is refused at the field', async () => {
    const santos = await as('santos');
    const chen = await as('chen');
    const form = santos.getByRole('form', { name: 'Send a message' });
    await form.getByRole('button', { name: 'Send message' }).click();
    await form.getByText('Write the message.').waitFor();
    assert.equal(await form.getByLabel(/Message/).getAttribute('aria-invalid'), 'true');
    await form.getByText('Choose at least one agency or person.').waitFor();
    const text = `Gate cleared, moving FOT-3 out via Loomis ${Date.now()}`;
    await form.getByLabel(/Message/).fill(text);
    await form.getByRole('checkbox', { name: 'City Police Department (city-pd)' }).check();
    await form.getByRole('button', { name: 'Send message' }).click();
    await form.getByText('Message sent.').waitFor({ timeout: LIVE_MS });
    await chen.locator('li[data-message]').filter({ hasText: text }).waitFor({ timeout: LIVE_MS });
    await chen
      .locator('li[data-message]')
      .filter({ hasText: text })
      .evaluate((e) => e.scrollIntoView({ block: 'center' }));
    await chen.screenshot({ path: join(SHOTS, '4-message-live.png') });
    assert.deepEqual(errors, []);
  });

  it('the command chart shows the unified command, the liaisons, and each unit by home agency apart from who directs it', async () => {
    const chen = await as('chen');
    const chart = chen.locator('section.command-chart');
    await chart.getByRole('heading', { name: 'Unified command' }).waitFor();
    await chart.locator('[data-member="ice-santos"]').getByText('SDDO Javier Santos').waitFor();
    await chart.locator('[data-member="cpd-chen"]').getByText('Lt. Lena Chen').waitFor();
    await chart.locator('[data-liaison="ice-whitfield"]').waitFor();
    await chart.locator('[data-liaison="cpd-novak"]').waitFor();
    const car = chart.locator('[data-agency="city-pd"] [data-unit="cpd-1231"]');
    await car.getByText(/home:/).waitFor();
    await car.getByText(/serving fed-ice's request req-001/).waitFor();
    await car.getByText(/last order: hold \(ord-000\)/).waitFor();
    await chart.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await chen.screenshot({ path: join(SHOTS, '5-command-chart.png') });
    assert.deepEqual(errors, []);
  });

  it('an order contradicting another raises a conflict alert live, with both orders and their status', async () => {
    const chen = await as('chen');
    const santos = await as('santos');
    const harris = await node.as('harris');
    const r = await harris.post('/v1/orders', {
      orderId: 'ord-e2e-withdraw',
      incidentId: INCIDENT,
      directive: 'withdraw',
      units: ['cpd-1231'],
      rationale: 'Crowd calm; 1231 needed on Polk. De-escalation per General Order 7.03.',
    });
    assert.ok(r.status < 300, `${r.status} ${await r.text()}`);
    // the city's watch commander sees both orders; the federal side sees the conflict too
    await santos.locator('section.conflicts-open li[data-status="open"]').filter({ hasText: 'cpd-1231' }).first().waitFor({ timeout: LIVE_MS });
    const alert = chen.locator('section.conflicts-open li[data-status="open"]').filter({ hasText: 'cpd-1231' }).first();
    await alert.waitFor({ timeout: LIVE_MS });
    await alert.locator('[data-order="ord-000"] strong').getByText('hold', { exact: true }).waitFor();
    await alert.locator('[data-order="ord-e2e-withdraw"] strong').getByText('withdraw', { exact: true }).waitFor();
    await alert.locator('[data-order="ord-e2e-withdraw"]').getByText('active', { exact: true }).waitFor();
    await alert.getByText('OPEN').waitFor();
    await alert.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await chen.screenshot({ path: join(SHOTS, '6-conflict-alert.png') });
    assert.deepEqual(errors, []);
  });

  it('the board at 1366×768 is one screen, and a 4K wall shows more columns', async () => {
    const hd = await as('santos');
    // (expressions as strings: the tests are typed without the DOM)
    const size = (await hd.evaluate('[document.documentElement.scrollWidth, document.documentElement.scrollHeight, innerWidth, innerHeight]')) as number[];
    assert.ok(size[0]! <= size[2]! && size[1]! <= size[3]! + 1, `the board scrolls within its panels, not the page: ${size.join(' ')}`);
    await hd.locator('[data-checkpoint="verified"]').waitFor({ timeout: MAP_MS });
    await hd.screenshot({ path: join(SHOTS, '7-board-1366x768.png') });
    const wall = await open('santos', WALL);
    await wall.locator('.map-canvas[data-map-ready="true"]').waitFor({ timeout: MAP_MS });
    await wall.locator('[data-checkpoint="verified"]').waitFor({ timeout: MAP_MS });
    const columns = await wall.evaluate("getComputedStyle(document.querySelector('.board-grid')).gridTemplateColumns.split(' ').length");
    assert.equal(columns, 5);
    await wall.screenshot({ path: join(SHOTS, '8-board-3840x2160.png') });
    assert.deepEqual(errors, []);
  });
});
