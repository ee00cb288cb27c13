/**
 * Debian's Chromium, driven by playwright-core, for the browser tests: headless, with the flags
 * that keep it off this machine's closed network (no background fetches, no QUIC, no updates).
 */
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type ContextOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

/** A headless Chromium context on a fresh `profile` directory; `options` as playwright's. */
export function launchChromium(
  profile: string,
  options: Omit<ContextOptions, 'executablePath' | 'headless' | 'args'> = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    ...options,
  });
}

/**
 * Records in `fired` what only a running script would cause: a dialog (dismissed), console
 * output, an uncaught page error. The document's own error status, which Chromium reports as a
 * failed load, is not one of them.
 */
export function watchScripts(page: Page, fired: string[]): Page {
  page.on('dialog', (d) => {
    fired.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (!m.text().startsWith('Failed to load resource')) fired.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => fired.push(`pageerror: ${e.message}`));
  return page;
}
