/**
 * Debian's Chromium, driven by playwright-core, for the browser tests: headless, with the flags
 * that keep it off this machine's closed network (no background fetches, no QUIC, no updates).
 */
import { type BrowserContext, chromium } from 'playwright-core';

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
