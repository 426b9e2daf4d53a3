/**
 * Debian's Chromium driven by playwright-core, as the console's end-to-end
 * tests and `npm run bench -- console` launch it: no sandbox (the tests run
 * as root), no GPU, and nothing fetched from the network but the node (the
 * machine's network is closed). bin/ensure-test-tools.js installs it.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
