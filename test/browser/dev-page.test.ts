/**
 * The developer page in a real browser (Debian's chromium through playwright-core):
 * - a compiled TypeScript app (tsc, source maps) failing with a cause chain and an AggregateError
 *   shows its `.ts` lines, under the page's own CSP (the hashed style applies, nothing is
 *   refused); screenshots light, dark and phone go to test-output/screenshots/;
 * - XSS payloads in the message, the URL, the headers and the source lines around the throw run
 *   no script, with the CSP bypassed so only escaping stands in the way;
 * - the page renders for every adapter.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/node.js';
import { DEV_PAGE_CSP } from '../../src/core/dev-page.js';
import type { FaultlineOptions } from '../../src/core/options.js';
import { ADAPTERS, type Started } from '../conformance/servers.js';
import { launchChromium, watchScripts } from '../support/browser.js';
import { fetchWithPeer } from '../support/fetch-peer.js';
import { listen } from '../support/listen.js';
import { describeWith } from '../support/programs.js';
import { startOrdersApp, type TsApp } from '../support/ts-app.js';

const SHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const CANARY = 'canary-devpage-4e1b9c';
const PAYLOAD = '<script>window.__xss=1;alert(1)</script>"><img src=x onerror="window.__xss=1">';

/** Fails with the payload in the message; the lines around the throw carry payloads too. */
function xssHandler(req: http.IncomingMessage): never {
  // <script>window.__xss=1;alert(1)</script> "><img src=x onerror="window.__xss=1;alert(1)">
  throw new Error(`xss ${PAYLOAD} ${req.url} ${req.headers['x-note']}`);
  // '><svg onload=window.__xss=1> </pre></span><script>alert(1)</script>
}

describeWith(['chromium'], 'browser: developer page', () => {
  let strict: BrowserContext;
  let bypass: BrowserContext;
  const profiles: string[] = [];
  const closers: Array<() => Promise<void>> = [];
  const fired: string[] = [];
  let app: TsApp;

  async function open(context: BrowserContext): Promise<Page> {
    const page = watchScripts(await context.newPage(), fired);
    // The page loads nothing of its own: any request but the document is a finding.
    page.on('request', (r) => {
      if (r.resourceType() !== 'document') fired.push(`request: ${r.url()}`);
    });
    return page;
  }

  async function noScriptRan(page: Page): Promise<void> {
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('script, img, svg, iframe, object, embed').count()).toBe(0);
    expect(fired).toEqual([]);
  }

  async function launch(bypassCSP: boolean): Promise<BrowserContext> {
    const profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-dev-'));
    profiles.push(profile);
    return launchChromium(profile, {
      bypassCSP,
      ignoreHTTPSErrors: true,
      viewport: { width: 1100, height: 900 },
    });
  }

  beforeAll(async () => {
    app = await startOrdersApp({ CANARY });
    strict = await launch(false);
    bypass = await launch(true);
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await strict?.close();
    await bypass?.close();
    await app?.stop();
    while (closers.length) await closers.pop()?.();
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
  });

  it('shows a TypeScript app its .ts lines, causes and request; screenshots light, dark, phone', async () => {
    const page = await open(strict);
    const res = await page.goto(`${app.url}/orders/42`);
    expect(res?.status()).toBe(500);
    expect(res?.headers()['content-security-policy']).toBe(DEV_PAGE_CSP);
    const incident = res?.headers()['faultline-incident'] ?? '';
    expect(await page.locator('h1').textContent()).toBe('DatabaseError');
    expect(await page.locator('header .msg').textContent()).toBe('could not load order 42');
    expect(await page.locator('header code').textContent()).toBe(incident);
    // The first frame is the .ts line that threw, mapped from the compiled .js.
    const first = page.locator('section .frame.app').first();
    expect(await first.locator('.file').textContent()).toMatch(/^src\/orders\.ts:\d+:\d+$/);
    expect(await first.locator('.gen').textContent()).toMatch(/dist\/orders\.js:\d+:\d+$/);
    expect(await first.locator('.l.hit').textContent()).toContain('throw new DatabaseError(');
    // Cause chain and AggregateError members.
    const causes = await page.locator('.cause h3').allInnerTexts();
    expect(causes).toEqual(['AggregateError', 'Error', 'Error']);
    expect(await page.locator('.cause .l.hit').first().textContent()).toContain(
      'throw new AggregateError(',
    );
    // Node's frames are collapsed.
    expect(await page.locator('details:not([open])').count()).toBeGreaterThan(0);
    expect(await page.content()).not.toContain(CANARY);
    // The hashed style applies under the page's own CSP, light and dark.
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(light).toBe('rgb(246, 247, 249)');
    await page.screenshot({ path: join(SHOTS, 'dev-page-light.png'), fullPage: true });
    // The first screen, as the README shows it (docs/dev-page.png).
    await page.screenshot({ path: join(SHOTS, 'dev-page-light-top.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).toBe('rgb(18, 19, 22)');
    await page.screenshot({ path: join(SHOTS, 'dev-page-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 360, height: 740 });
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'dev-page-phone.png'), fullPage: true });
    await page.screenshot({ path: join(SHOTS, 'dev-page-phone-top.png') });
    await noScriptRan(page);
    await page.close();
  });

  it('payloads in the message, URL, headers and source lines run no script', async () => {
    const fl = faultline({ logger: false, debug: true });
    const s = await listen(http.createServer(fl.handle(xssHandler)));
    closers.push(s.close);
    for (const context of [bypass, strict]) {
      const page = await open(context);
      await page.setExtraHTTPHeaders({
        'x-note': PAYLOAD,
        'x-request-id': '"><img src=x onerror=alert(1)>',
        referer: `${s.url}/"><script>alert(1)</script>`,
      });
      for (const path of [
        '/a?q=<script>window.__xss=1;alert(1)</script>',
        '/"><img src=x onerror=alert(1)>',
        `/x?a=${encodeURIComponent(PAYLOAD)}`,
      ]) {
        const res = await page.goto(`${s.url}${path}`);
        expect(res?.status()).toBe(500);
        expect(await page.locator('h1').textContent()).toBe('Error');
        expect(await page.locator('header .msg').textContent()).toContain(`xss ${PAYLOAD}`);
        // The source lines around the throw are shown as text.
        const code = await page.locator('section .frame.app').first().locator('pre').textContent();
        expect(code).toContain('<script>window.__xss=1;alert(1)</script>');
        expect(code).toContain('<svg onload=window.__xss=1>');
        expect(await page.locator('table').textContent()).toContain(PAYLOAD);
        await noScriptRan(page);
      }
      await page.close();
    }
  });

  it('renders for every adapter', async () => {
    const names = Object.keys(ADAPTERS).filter(
      // Browsers do not speak cleartext HTTP/2; in-process fetch runtimes have no socket.
      (n) => !n.endsWith('h2c') && !n.endsWith('runtime') && n !== 'fetch',
    );
    const servers: Array<[string, Started]> = [];
    for (const name of names) {
      servers.push([
        name,
        await (ADAPTERS[name] as (o: FaultlineOptions) => Promise<Started>)({
          logger: false,
          debug: true,
        }),
      ]);
    }
    servers.push([
      'fetch (peer hook)',
      await fetchWithPeer({ logger: false, debug: true }, () => new Error('synchronous failure')),
    ]);
    for (const [, s] of servers) closers.push(s.close);
    const page = await open(strict);
    for (const [name, s] of servers) {
      const res = await page.goto(`${s.origin}/sync`);
      expect(res?.status(), name).toBe(500);
      expect(res?.headers()['content-security-policy'], name).toBe(DEV_PAGE_CSP);
      expect(await page.locator('h1').textContent(), name).toBe('Error');
      expect(await page.locator('header .msg').textContent(), name).toBe('synchronous failure');
      expect(await page.locator('section .frame').count(), name).toBeGreaterThan(0);
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), name).toBe(
        'rgb(246, 247, 249)',
      );
    }
    expect(servers.map(([n]) => n)).toEqual(expect.arrayContaining(['node-h2-tls', 'koa', 'hono']));
    await noScriptRan(page);
    await page.close();
  });
});
