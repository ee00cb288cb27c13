/**
 * A real browser (Debian's chromium, driven by playwright-core; no browser download) loads
 * faultline's default error page and a configured error document: both show the status and the
 * incident id of the response header. Then URLs, headers and error messages carrying XSS payloads
 * are rendered with the page's CSP bypassed, so only escaping stands between the payload and the
 * page: a dialog, console or page-error hook and a `window.__xss` marker must never fire.
 * Screenshots of the default page (light, dark, phone) go to test-output/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/node.js';
import { HttpError } from '../../src/core/http-error.js';
import { launchChromium, watchScripts } from '../support/browser.js';
import { listen } from '../support/listen.js';
import { describeWith } from '../support/programs.js';
import { tempTree } from '../support/server-process.js';

const SHOTS = fileURLToPath(new URL('../../test-output/screenshots/', import.meta.url));
const INCIDENT = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** Each payload, if it ever ran, would set window.__xss or open a dialog. */
const PAYLOADS = [
  '<script>window.__xss=1;alert(1)</script>',
  '"><img src=x onerror="window.__xss=1;alert(1)">',
  "'><svg onload=alert(1)>",
  'javascript:alert(1)',
];

/** The text a user sees (rendered, CSS applied), unlike textContent. */
function visibleText(page: Page, selector: string): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is the point
  return page.locator(selector).innerText();
}

describeWith(['chromium'], 'browser: default error page and XSS', () => {
  let context: BrowserContext;
  let profile: string;
  let docs: string;
  const closers: Array<() => Promise<void>> = [];
  const urls: Record<string, string> = {};
  /** Everything that would show a script ran: dialogs, console output, page errors. */
  const fired: string[] = [];

  /** An app whose every path fails: exposed 4xx detail under /exposed, else a 500 with `message`. */
  async function app(name: string, options: Parameters<typeof faultline>[0]): Promise<void> {
    const fl = faultline({ logger: false, ...options });
    const server = http.createServer(
      fl.handle((req) => {
        if (req.url?.startsWith('/exposed'))
          throw new HttpError(422, `Field "name" is invalid: ${PAYLOADS.join(' ')}`, {
            expose: true,
          });
        throw new Error(`boom ${PAYLOADS.join(' ')} ${req.url}`);
      }),
    );
    const s = await listen(server);
    closers.push(s.close);
    urls[name] = s.url;
  }

  async function newPage(): Promise<Page> {
    return watchScripts(await context.newPage(), fired);
  }

  async function noScriptRan(page: Page): Promise<void> {
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    // The payloads never became elements: the pages have no script, img, svg or iframe at all.
    expect(await page.locator('script, img, svg, iframe').count()).toBe(0);
    expect(fired).toEqual([]);
  }

  beforeAll(async () => {
    docs = tempTree('faultline-browser-docs-', {
      '503.html':
        '<!doctype html><html><head><title>Down</title></head><body><h1>We are down ({{status}})</h1>' +
        '<p id="incident">Incident {{incident}}</p><p id="request">Request {{requestId}}</p></body></html>\n',
    });
    await app('plain', {});
    await app('configured', { errorDocuments: { '500 503': { file: '503.html' } }, root: docs });
    await app('debug', { debug: true });
    profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-'));
    context = await launchChromium(profile, {
      // Only escaping may stop the payloads here, not the page's Content-Security-Policy.
      bypassCSP: true,
      viewport: { width: 1024, height: 720 },
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await context?.close();
    while (closers.length) await closers.pop()?.();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (docs) rmSync(docs, { recursive: true, force: true });
  });

  it('control: the hooks do see a script run when a page does not escape', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(500, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      });
      res.end(`<!doctype html><p>unescaped: ${PAYLOADS[0]}</p>`);
    });
    const s = await listen(server);
    closers.push(s.close);
    const page = await newPage();
    await page.goto(s.url);
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBe(1);
    expect(fired).toContain('dialog: 1');
    fired.length = 0;
    await page.close();
  });

  it('renders the default 500 page with its status and incident id; screenshots light, dark, phone', async () => {
    const page = await newPage();
    const res = await page.goto(`${urls.plain}/fail/500`);
    expect(res?.status()).toBe(500);
    const incident = res?.headers()['faultline-incident'] ?? '';
    expect(incident).toMatch(INCIDENT);
    expect(res?.headers()['content-type']).toBe('text/html; charset=utf-8');
    await expect(page.title()).resolves.toBe('500 Internal Server Error');
    expect(await visibleText(page, '.status')).toBe('500');
    expect(await visibleText(page, 'h1')).toBe('Internal Server Error');
    expect(await visibleText(page, '.incident code')).toBe(incident);
    // The private message never reaches the page without debug mode.
    expect(await page.content()).not.toContain('boom');
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.screenshot({ path: join(SHOTS, 'default-500-light.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(dark).not.toBe(light);
    await page.screenshot({ path: join(SHOTS, 'default-500-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 360, height: 740 });
    // Nothing overflows sideways on a phone.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'default-500-phone.png'), fullPage: true });
    await noScriptRan(page);
    await page.close();
  });

  it('renders a configured error document with the status, incident and request id', async () => {
    const page = await newPage();
    await page.setExtraHTTPHeaders({ 'x-request-id': 'rq-browser-1' });
    const res = await page.goto(`${urls.configured}/fail`);
    expect(res?.status()).toBe(500);
    const incident = res?.headers()['faultline-incident'] ?? '';
    expect(incident).toMatch(INCIDENT);
    expect(await visibleText(page, 'h1')).toBe('We are down (500)');
    expect(await visibleText(page, '#incident')).toBe(`Incident ${incident}`);
    expect(await visibleText(page, '#request')).toBe('Request rq-browser-1');
    await noScriptRan(page);
    await page.close();
  });

  it('URLs carrying payloads run no script (default and configured pages)', async () => {
    const page = await newPage();
    for (const base of [urls.plain, urls.configured]) {
      for (const path of [
        '/fail/500?q=<script>window.__xss=1;alert(1)</script>',
        '/"><img src=x onerror=alert(1)>',
        '/javascript:alert(1)',
        `/x?a=${encodeURIComponent(PAYLOADS.join(''))}#<img src=x onerror=alert(1)>`,
      ]) {
        const res = await page.goto(`${base}${path}`);
        expect(res?.status()).toBe(500);
        await noScriptRan(page);
      }
    }
    await page.close();
  });

  it('headers carrying payloads run no script and an invalid request id is not echoed', async () => {
    const page = await newPage();
    await page.setExtraHTTPHeaders({
      'x-request-id': '"><img src=x onerror=alert(1)>',
      'x-forwarded-for': '<script>alert(1)</script>',
      referer: 'http://127.0.0.1/"><script>alert(1)</script>',
    });
    for (const base of [urls.plain, urls.configured]) {
      const res = await page.goto(`${base}/fail`);
      expect(res?.headers()['x-request-id']).toBeUndefined();
      await noScriptRan(page);
    }
    expect(await visibleText(page, '#request')).toBe('Request');
    await page.close();
  });

  it('an exposed 4xx message and debug output show the payload as text, never as markup', async () => {
    const page = await newPage();
    const exposed = await page.goto(`${urls.plain}/exposed`);
    expect(exposed?.status()).toBe(422);
    expect(await visibleText(page, 'main')).toContain(PAYLOADS[0]);
    await noScriptRan(page);
    const debug = await page.goto(`${urls.debug}/fail?q=<script>alert(1)</script>`);
    expect(debug?.status()).toBe(500);
    // Debug mode on loopback shows the developer page: the private message, escaped.
    expect(await visibleText(page, 'h1')).toBe('Error');
    expect(await visibleText(page, '.msg')).toContain(`boom ${PAYLOADS[0]}`);
    await page.screenshot({ path: join(SHOTS, 'debug-500-light.png'), fullPage: true });
    await noScriptRan(page);
    await page.close();
  });
});
