/**
 * The console for the control room: axe-core (pinned, injected from
 * node_modules, nothing from the network) on each main view (login, the
 * incident list, the board, the inbox on it, the keyboard help) in the
 * light and the dark theme, with no serious or critical violation; the
 * theme follows prefers-color-scheme until the person chooses, and the
 * choice is remembered; the shortcuts work; and screenshots at 1366×768
 * and 3840×2160 in both themes, in test-results/console/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../helpers/browser.ts';
import { ROOT } from '../../bin/dist.js';
import { serveDemo, type ServedNode } from '../helpers/server.ts';

const BUILT = existsSync(join(ROOT, 'web', 'dist', 'index.html'));
const SHOTS = join(ROOT, 'test-results', 'console');
const INCIDENT = 'inc-2026-0601-harrison';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const skip = !existsSync(CHROMIUM)
  ? `${CHROMIUM} is missing (npm test installs it: bin/ensure-test-tools.js)`
  : !BUILT
    ? 'the console is not built (node bin/web.js)'
    : false;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

describe('the console for the control room', { skip }, () => {
  let node: ServedNode;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

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

  async function context(scheme: 'light' | 'dark', width = 1366, height = 768): Promise<BrowserContext> {
    // bypassCSP: the test injects axe-core as an inline script, which the console's CSP rightly refuses
    const c = await browser.newContext({ viewport: { width, height }, colorScheme: scheme, bypassCSP: true });
    contexts.push(c);
    await c.route(
      (url) => !url.href.startsWith(node.url) && !url.href.startsWith('data:'),
      (route) => route.abort(),
    );
    return c;
  }

  async function logIn(page: Page, login: string, password: string): Promise<void> {
    await page.goto(`${node.url}/incidents/${INCIDENT}`);
    await page.getByLabel('Login').fill(login);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Requests' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  }

  /** axe-core's serious and critical violations of WCAG 2.2 A/AA and its best practices, on the page as it is */
  async function violations(page: Page): Promise<Violation[]> {
    await page.addScriptTag({ content: AXE });
    const result = (await page.evaluate(
      `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] })`,
    )) as { violations: Violation[] };
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  function report(vs: readonly Violation[]): string {
    return vs.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`).join('\n');
  }

  const SCHEMES = ['light', 'dark'] as const;
  let page: Page;

  /** both themes, as the system asks for them (no choice stored yet: the console follows prefers-color-scheme live) */
  async function inEachTheme(view: string, found: string[], also?: (scheme: string) => Promise<void>): Promise<void> {
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      // the console hears the change of the system's scheme (a media query listener) and follows it
      await page.waitForFunction(`document.documentElement.dataset.theme === '${scheme}'`, undefined, { timeout: 2000 }).catch(() => {});
      assert.equal(await page.evaluate('document.documentElement.dataset.theme'), scheme, 'the theme follows prefers-color-scheme');
      const v = await violations(page);
      if (v.length > 0) found.push(`${view}, ${scheme}:\n${report(v)}`);
      await also?.(scheme);
    }
  }

  it('login, incident list, board, inbox and help, light and dark: no serious or critical axe violation; screenshots at 1366×768 and 3840×2160', async () => {
    page = await (await context('light')).newPage();
    const found: string[] = [];
    await page.goto(`${node.url}/`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await inEachTheme('login', found, (scheme) => page.screenshot({ path: join(SHOTS, `a11y-${scheme}-login.png`) }).then(() => {}));
    await page.getByLabel('Login').fill('chen');
    await page.getByLabel('Password').fill('demo-chen-2026');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await inEachTheme('incident list', found);
    await page.getByRole('link', { name: /Harrison Street/ }).click();
    await page.getByRole('heading', { name: 'Requests' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    // a form open, with the server's preview in it, as a person acting sees it
    await page.locator('button[data-action]').first().click();
    await page.locator('form.action .preview').first().waitFor();
    await inEachTheme('board', found);
    await page.getByRole('heading', { name: /^Inbox/ }).scrollIntoViewIfNeeded();
    await inEachTheme('inbox', found);
    await page.evaluate('scrollTo(0, 0)');
    await inEachTheme('board, sized', found, async (scheme) => {
      for (const [width, height] of [
        [1366, 768],
        [3840, 2160],
      ] as const) {
        await page.setViewportSize({ width, height });
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        assert.ok(overflow <= 0, `at ${width}×${height} the board scrolls sideways by ${overflow}px`);
        await page.screenshot({ path: join(SHOTS, `board-${width}x${height}-${scheme}.png`) });
      }
      await page.setViewportSize({ width: 1366, height: 768 });
    });
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await inEachTheme('keyboard help', found, (scheme) => page.screenshot({ path: join(SHOTS, `a11y-${scheme}-help.png`) }).then(() => {}));
    await page.keyboard.press('Escape');
    assert.deepEqual(found, [], found.join('\n\n'));
  });

  it('the theme toggle is remembered across a reload, and the keys work outside fields only', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('button', { name: /Switch to dark/ }).click();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    await page.reload();
    await page.getByRole('heading', { name: 'Requests' }).waitFor();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark', 'the choice outlives the page');
    await page.keyboard.press('t');
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'light');
    // no shortcut while the person types
    const description = page.getByLabel('What is happening (required)');
    await description.fill('');
    await description.press('t');
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'light');
    assert.equal(await description.inputValue(), 't');
    await description.fill('');
    // n: the new request form; u: the unit board
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('n');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'new-request-to');
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('u');
    assert.equal(await page.evaluate('document.activeElement?.className'), 'table-scroll');
  });
});
