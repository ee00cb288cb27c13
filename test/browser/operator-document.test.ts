/**
 * A real browser (Debian's chromium, driven by playwright-core) loads operator error documents
 * with the page's CSP enforced: a branded `{ file }` page loads its stylesheet and logo from the
 * app (faultline sets no CSP on it), a document that configures a strict `csp` gets exactly that
 * (the control: the same assets are then blocked), and a Latin-1 page reads as written through
 * its own `<meta charset>`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/node.js';
import type { ErrorDocuments } from '../../src/core/error-documents.js';
import { HttpError } from '../../src/core/http-error.js';
import { launchChromium } from '../support/browser.js';
import { listen } from '../support/listen.js';
import { describeWith } from '../support/programs.js';
import { tempTree } from '../support/server-process.js';

const CSS = 'h1 { color: rgb(1, 2, 3); }';
/** A 1×1 PNG. */
const LOGO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const BRANDED =
  '<!doctype html><html><head><meta charset="utf-8"><title>Down</title>' +
  '<link rel="stylesheet" href="/assets/brand.css"></head><body>' +
  '<img id="logo" src="/assets/logo.png" alt="logo"><h1>We are down ({{status}})</h1>' +
  '<p id="incident">{{incident}}</p></body></html>\n';
const LATIN1 = Buffer.from(
  '<!doctype html><html><head><meta charset="iso-8859-1"><title>Fermé</title></head>' +
    '<body><h1>Café fermé, Störung ({{status}})</h1></body></html>\n',
  'latin1',
);

describeWith(['chromium'], 'browser: operator error documents', () => {
  let context: BrowserContext;
  let profile: string;
  let docs: string;
  const closers: Array<() => Promise<void>> = [];
  const urls: Record<string, string> = {};

  /** An app that serves its assets and fails everywhere else with 503. */
  async function app(name: string, errorDocuments: ErrorDocuments): Promise<void> {
    const fl = faultline({ logger: false, errorDocuments, root: docs });
    const server = http.createServer(
      fl.handle((req, res) => {
        if (req.url === '/assets/brand.css') {
          res.writeHead(200, { 'content-type': 'text/css' });
          return res.end(CSS);
        }
        if (req.url === '/assets/logo.png') {
          res.writeHead(200, { 'content-type': 'image/png' });
          return res.end(LOGO);
        }
        throw new HttpError(503);
      }),
    );
    const s = await listen(server);
    closers.push(s.close);
    urls[name] = s.url;
  }

  /** The h1's colour and whether the logo decoded, after the page's load event. */
  async function looks(page: Page): Promise<{ color: string; logo: boolean }> {
    return page.evaluate(() => {
      const h1 = document.querySelector('h1') as HTMLElement;
      const img = document.getElementById('logo') as HTMLImageElement;
      return { color: getComputedStyle(h1).color, logo: img.complete && img.naturalWidth === 1 };
    });
  }

  beforeAll(async () => {
    docs = tempTree('faultline-browser-operator-', {
      'branded.html': BRANDED,
      'latin1.html': LATIN1,
    });
    await app('branded', { '5xx': { file: 'branded.html' } });
    await app('strict', { '5xx': { file: 'branded.html', csp: "default-src 'none'" } });
    await app('self', { '5xx': { file: 'branded.html', csp: "default-src 'self'" } });
    await app('latin1', { '5xx': { file: 'latin1.html' } });
    profile = mkdtempSync(join(tmpdir(), 'faultline-chromium-'));
    context = await launchChromium(profile, {
      // The page's Content-Security-Policy is enforced here: it is what is under test.
      bypassCSP: false,
    });
  });

  afterAll(async () => {
    await context?.close();
    while (closers.length) await closers.pop()?.();
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (docs) rmSync(docs, { recursive: true, force: true });
  });

  it('a branded { file } page loads its stylesheet and logo (faultline sets no CSP on it)', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${urls.branded}/fail`);
    expect(res?.status()).toBe(503);
    expect(res?.headers()['content-security-policy']).toBeUndefined();
    expect(await looks(page)).toEqual({ color: 'rgb(1, 2, 3)', logo: true });
    expect(await page.locator('#incident').textContent()).toBe(
      res?.headers()['faultline-incident'],
    );
    await page.close();
  });

  it('a configured csp is sent as set: default-src self loads the assets, none blocks them', async () => {
    const page = await context.newPage();
    const self = await page.goto(`${urls.self}/fail`);
    expect(self?.headers()['content-security-policy']).toBe("default-src 'self'");
    expect(await looks(page)).toEqual({ color: 'rgb(1, 2, 3)', logo: true });
    // The control: the browser does enforce the header, so the assets are blocked.
    const strict = await page.goto(`${urls.strict}/fail`);
    expect(strict?.headers()['content-security-policy']).toBe("default-src 'none'");
    const blocked = await looks(page);
    expect(blocked.color).not.toBe('rgb(1, 2, 3)');
    expect(blocked.logo).toBe(false);
    await page.close();
  });

  it('a Latin-1 page reads as written: its bytes are kept and its own meta charset applies', async () => {
    const page = await context.newPage();
    const res = await page.goto(`${urls.latin1}/fail`);
    expect(res?.headers()['content-type']).toBe('text/html');
    expect(await page.locator('h1').textContent()).toBe('Café fermé, Störung (503)');
    expect(await page.title()).toBe('Fermé');
    await page.close();
  });
});
