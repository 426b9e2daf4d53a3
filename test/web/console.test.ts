/**
 * The operations console end to end: the built console (web/dist, built
 * once before the tests by `node bin/web.js` in `npm test`) served by a real
 * demo node, driven in Debian's Chromium by playwright-core, one browser
 * context per person of the story:
 *
 *   1. santos (fed-ice supervisor) sends a request for help from the board;
 *   2. chen (city-pd watch commander) sees it appear live, with its verdict
 *      and the clauses it cites, accepts it and commits a unit, and the unit
 *      status board shows the unit serving the request;
 *   3. harris (city-pd chief of patrol) tries to withdraw it without a
 *      reason and the form refuses; then sends it with a reason;
 *   4. santos's inbox shows the withdrawal notice live, and santos
 *      acknowledges it;
 *   5. both timelines (santos's and harris's) show every step, and harris's
 *      board shows that fed-ice acknowledged the notice, and when.
 *
 * Each step leaves a screenshot in test-results/console/. The test installs
 * nothing: bin/ensure-test-tools.js (run by `npm test` and .ci/run) does.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Locator, type Page, type Route } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/browser.ts';
import { ROOT } from '../../bin/dist.js';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

const BUILT = existsSync(join(ROOT, 'web', 'dist', 'index.html'));
const SHOTS = join(ROOT, 'test-results', 'console');
const INCIDENT = 'inc-2026-0601-harrison';
const PASSWORDS: Record<string, string> = { santos: 'demo-santos-2026', chen: 'demo-chen-2026', harris: 'demo-harris-2026' };
/** what "live" means here: the feed's entry reaches the other screen within this */
const LIVE_MS = 5_000;

const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (npm test installs it: bin/ensure-test-tools.js)`
  : !BUILT
    ? 'the console is not built (npm test builds it: node bin/web.js)'
    : false;

describe('operations console in Chromium', { skip }, () => {
  let node: ServedNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    node = await serveDemo();
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await node?.stop();
    node?.cleanup();
  });

  async function open(login: string, prepare?: (context: BrowserContext) => Promise<void>): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    contexts.push(context);
    await prepare?.(context);
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(`${login}: ${e.message}`));
    // a request to anywhere but the node would break the console's promise to reach nothing else
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
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    return page;
  }

  /** what the person sees (1366×768, the sticky header on top), scrolled to `focus` when given */
  async function shot(page: Page, name: string, focus?: Locator): Promise<void> {
    if (focus !== undefined) await focus.evaluate((e) => e.scrollIntoView({ block: 'start' }));
    if (focus !== undefined) await page.evaluate('scrollBy(0, -60)');
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  }
  /** opens an action's form on a card (the forms sit behind disclosure buttons) and returns it */
  async function action(card: Locator, route: string, title: string): Promise<Locator> {
    const button = card.locator(`button[data-action$="-${route}"]`);
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
    return card.getByRole('form', { name: title, exact: true });
  }
  const requestCard = (page: Page, text: string) => page.locator('li[data-request]').filter({ hasText: text });
  /** the request's state, as the card shows it (its badge; data-state says the same for the test) */
  const inState = (page: Page, text: string, state: string) => page.locator(`li[data-request][data-state="${state}"]`).filter({ hasText: text });

  it('serves the console with a CSP that allows only the node', async () => {
    const r = await fetch(`${node.url}/incidents/${INCIDENT}`);
    assert.equal(r.status, 200);
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://${new URL(node.url).host}`));
    const html = await r.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset !== undefined, 'index.html names its script');
    const js = await fetch(`${node.url}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    // the API is where it was
    assert.equal((await fetch(`${node.url}/openapi.json`)).status, 200);
    assert.equal((await fetch(`${node.url}/v1/incidents`)).status, 401);
  });

  it('login shows the refusal next to the form, then the incident list', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${node.url}/`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Enter your login.').waitFor();
    await page.getByLabel('Login').fill('santos');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').filter({ hasText: /./ }).first().waitFor();
    await shot(page, '0-login-refused');
    await page.getByLabel('Password').fill(PASSWORDS['santos'] as string);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.getByRole('link', { name: /Harrison Street/ }).waitFor();
    await shot(page, '0-incidents');
  });

  it('the story: a request for help, answered live, units committed and withdrawn with a reason, the notice acknowledged', async () => {
    const santos = await open('santos');
    const chen = await open('chen');
    const harris = await open('harris');
    const description = `FOT-3 pinned at the loading dock, e2e ${Date.now()}`;
    // where the story starts in the ledger: its steps are the entries after this
    const startedAfter = ((await (await (await node.as('chen')).get(`/v1/incidents/${INCIDENT}`)).json()) as { asOf: { index: number } }).asOf.index;

    // 1. santos sends a request for help; a request the city's protocols would prohibit shows its verdict and clauses before it is sent
    await santos.getByLabel('To agency').selectOption('city-pd');
    await santos.getByLabel('Your operation').selectOption('civil_immigration_enforcement');
    await santos.getByLabel('Category').selectOption('perimeter');
    const newRequest = santos.getByRole('region', { name: 'Request help' });
    const prohibited = newRequest.locator('[data-verdict="prohibited"]');
    await prohibited.getByText('Metro City Code § 2-173-020(b)').waitFor();
    await shot(santos, '1-santos-sees-prohibited-before-sending', newRequest);
    await santos.getByLabel('Category').selectOption('officer_in_danger');
    await santos.getByLabel('Urgency').selectOption('immediate');
    await santos.getByLabel('Your operation').selectOption('civil_immigration_enforcement');
    await santos.getByLabel('Units needed').fill('1');
    await santos.getByLabel('What is happening (required)').fill(description);
    await newRequest.locator('[data-verdict="permitted"]').waitFor();
    await santos.getByRole('button', { name: 'Send request' }).click();
    await santos.getByText('Request sent.').waitFor();
    await requestCard(santos, description).waitFor();
    await shot(santos, '1-santos-sent-request', requestCard(santos, description));

    // 2. chen sees it live, with the verdict and its clauses, accepts and commits a unit
    const card = requestCard(chen, description);
    await card.waitFor({ timeout: LIVE_MS });
    await card.getByText('Permitted').waitFor();
    await card.getByText('Metro City Code § 2-173-030(a)').waitFor();
    await card.getByText('policy city-pd/2026-01-01').waitFor();
    await shot(chen, '2-chen-sees-request-live', card);
    // the forms of the watch commander's positions, and none of the requester's
    await card.locator('button[data-action$="-decline"]').waitFor();
    assert.equal(await card.locator('button[data-action$="-cancel"]').count(), 0, 'the receiving side cannot cancel a request');
    assert.equal(await requestCard(santos, description).locator('button[data-action$="-accept"]').count(), 0, 'the requester cannot accept its own request');
    const accept = await action(card, 'accept', 'Accept');
    await accept.getByRole('button', { name: 'Accept', exact: true }).click();
    await accept.getByText('A reason is required').waitFor();
    await accept.getByLabel(/Reason/).fill('Officer in danger: assistance permitted by 2-173-030(a).');
    await accept.getByRole('button', { name: 'Accept', exact: true }).click();
    await inState(chen, description, 'accepted').waitFor({ timeout: LIVE_MS });
    const commit = await action(card, 'commit', 'Commit units');
    await commit.getByRole('checkbox', { name: /1232/ }).check();
    await commit.getByRole('button', { name: 'Commit units' }).click();
    await inState(chen, description, 'units_committed').waitFor({ timeout: LIVE_MS });
    // the unit status board shows the unit serving the request
    const requestId = await card.getAttribute('data-request');
    await chen
      .locator('tr[data-unit="cpd-1232"]')
      .getByText(`request ${requestId ?? ''} (fed-ice)`)
      .waitFor({ timeout: LIVE_MS });
    await shot(chen, '3-chen-committed-unit', card);
    await shot(chen, '3-chen-unit-board', chen.getByRole('heading', { name: /^Units/ }));

    // 3. harris withdraws: refused without a reason, sent with one
    const hcard = requestCard(harris, description);
    await inState(harris, description, 'units_committed').waitFor({ timeout: LIVE_MS });
    const withdraw = await action(hcard, 'withdraw', 'Withdraw units');
    // who will be told, before it is sent (the server's preview of the withdrawal)
    await withdraw.locator('[data-told~="fed-ice"]').waitFor();
    await withdraw.getByRole('checkbox', { name: /1232/ }).check();
    await withdraw.getByRole('button', { name: 'Withdraw units' }).click();
    await withdraw.getByText('A reason is required').waitFor();
    assert.equal(await withdraw.getByLabel(/Reason/).getAttribute('aria-invalid'), 'true');
    await shot(harris, '4-harris-withdraw-refused-without-reason', hcard);
    await withdraw.getByLabel(/Reason/).fill('The dock is clear; units needed for the crowd on Polk. Available again if danger recurs.');
    // santos's screen is watched from the click on
    const notice = santos
      .locator('li[data-notification]')
      .filter({ hasText: 'withdrawn from request' })
      .filter({ hasText: requestId ?? '' });
    const withdrawnAt = Date.now();
    await withdraw.getByRole('button', { name: 'Withdraw units' }).click();
    const noticeSeen = notice.waitFor({ timeout: LIVE_MS }).then(() => Date.now() - withdrawnAt);
    await inState(harris, description, 'withdrawn').waitFor({ timeout: LIVE_MS });
    await shot(harris, '4-harris-withdrew-with-reason', hcard);

    // 4. santos's inbox shows the notice live, on top (urgent and not acknowledged), and santos acknowledges it
    // from harris's click to the notice on santos's screen: reported (test-results/console/timings.json), asserted only as live
    const seenAfter = await noticeSeen;
    writeFileSync(join(SHOTS, 'timings.json'), `${JSON.stringify({ withdrawalClickedToNoticeOnFedIceScreenMs: seenAfter }, null, 2)}\n`);
    await notice.getByText('Urgent').waitFor();
    await shot(santos, '5-santos-notice-live');
    await notice.getByRole('button', { name: /Acknowledge/ }).click();
    await notice.getByText('acknowledged', { exact: true }).waitFor({ timeout: LIVE_MS });
    await shot(santos, '6-santos-acknowledged');
    assert.ok(seenAfter < LIVE_MS, `the notice reached the inbox in ${seenAfter} ms`);

    // the requester's board shows the whole history, with the reasons
    const scard = requestCard(santos, description);
    await inState(santos, description, 'withdrawn').waitFor({ timeout: LIVE_MS });
    await scard.getByText(/Decision history/).click();
    await scard.getByText('units withdrawn', { exact: true }).waitFor();
    await shot(santos, '7-santos-history', scard);

    // 5. the chief's board: fed-ice was told of the withdrawal, and acknowledged it (by whom and when)
    const told = hcard.locator('li[data-notice][data-recipient="fed-ice"]').filter({ hasText: 'units withdrawn' });
    await told.and(hcard.locator('[data-status="acknowledged"]')).first().waitFor({ timeout: LIVE_MS });
    await told
      .getByText(/acknowledged .* by ice-santos/)
      .first()
      .waitFor();
    await shot(harris, '8-harris-sees-acknowledgement', told.first());

    // both timelines hold every step of the story: each type, filtered, has an entry recorded since the story began
    const steps = [
      'request.sent',
      'request.accepted',
      'request.units_committed',
      'request.units_withdrawn',
      'notification.created',
      'notification.acknowledged',
    ];
    for (const [who, page] of [
      ['santos', santos],
      ['harris', harris],
    ] as const) {
      const timeline = page.locator('section.timeline');
      for (const type of steps) {
        await timeline.getByLabel('Entry type').selectOption(type);
        const newest = timeline.locator(`.tl-row[data-type="${type}"]`).first();
        await newest.waitFor({ timeout: LIVE_MS });
        const index = Number(await newest.getAttribute('data-index'));
        assert.ok(index > startedAfter, `${who}'s timeline shows no ${type} of the story (newest is #${index}, the story began after #${startedAfter})`);
      }
      await timeline.getByLabel('Entry type').selectOption('');
      await shot(page, `9-${who}-timeline`, timeline);
    }
    assert.deepEqual(errors, []);
  });

  it('a map chunk that could not be fetched is said in its place, the board staying, and fetched again when the network is back', async () => {
    // the map's own chunk (MapLibre and its stylesheet) fails to arrive, as when the network drops while the board opens
    const chunk = (url: URL) => url.href.startsWith(node.url) && /\/assets\/MapCanvas-/.test(url.pathname);
    const dropChunk = (route: Route) => route.abort('internetdisconnected');
    const page = await open('santos', async (context) => {
      await context.route(chunk, dropChunk);
    });
    const failure = page.locator('.map-failure');
    await failure.filter({ hasText: 'The map could not be loaded' }).waitFor();
    assert.ok(await page.getByRole('heading', { name: 'Requests' }).isVisible(), 'the rest of the board stays on screen');
    await shot(page, '8-map-chunk-unreachable', failure);
    await page.context().unroute(chunk, dropChunk);
    await page.evaluate("dispatchEvent(new Event('online'))");
    await page.locator('.map-canvas[data-map-ready="true"]').waitFor({ timeout: 15_000 });
    assert.equal(await failure.count(), 0);
    assert.deepEqual(errors, []);
  });

  it('after the feed drops, the console resumes and shows what happened meanwhile, without a reload', async () => {
    const page = await open('santos');
    const context = page.context();
    const feeds: string[] = [];
    page.on('websocket', (ws) => feeds.push(ws.url()));
    await context.setOffline(true);
    // cut the feed where the node holds it (a dropped connection, not a close the console asked for)
    const server = (node.app as unknown as { websocketServer: { clients: Set<{ terminate(): void }> } }).websocketServer;
    for (const ws of server.clients) ws.terminate();
    await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    await shot(page, '8-feed-dropped');
    const santos = await node.as('santos');
    const description = `sent while the console was offline ${Date.now()}`;
    const r = await santos.post('/v1/requests', {
      incidentId: INCIDENT,
      to: 'city-pd',
      kind: 'units',
      category: 'crowd_safety',
      urgency: 'urgent',
      operation: 'public_order',
      description,
      unitsRequested: 1,
    });
    assert.equal(r.status, 201, await r.text());
    await context.setOffline(false);
    await requestCard(page, description).waitFor({ timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    // it resumed where it was: the new connection names the last index it had
    assert.ok(feeds.length > 0 && feeds.every((u) => /[?&]since=\d+$/.test(u)), feeds.join(' '));
    // the map too: a basemap that the cut stopped halfway is fetched again once the network is back
    await page.locator('.map-canvas[data-map-ready="true"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.map-failure').count(), 0);
    await shot(page, '9-after-reconnect', requestCard(page, description));
    assert.deepEqual(errors, []);
  });
});
