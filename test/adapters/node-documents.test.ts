/** Error documents through a real node:http server: literal, file, route (=code, =), redirect, recursion. */
import { rmSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { faultline as fetchFaultline } from '../../src/adapters/fetch.js';
import { errorContext, faultline } from '../../src/adapters/node.js';
import { createClient, isProblemError } from '../../src/client/index.js';
import type { ErrorDocuments } from '../../src/core/error-documents.js';
import { HttpError } from '../../src/core/http-error.js';
import { listen } from '../support/listen.js';
import { tempTree } from '../support/server-process.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/errors/', import.meta.url));
const HTML = { accept: 'text/html' };
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()?.();
});

async function app(errorDocuments: ErrorDocuments, errorDocumentsDir?: string) {
  const fl = faultline({
    logger: false,
    errorDocuments,
    root: FIXTURES,
    ...(errorDocumentsDir ? { errorDocumentsDir } : {}),
  });
  const seen: unknown[] = [];
  const server = http.createServer(
    fl.handle(async (req, res) => {
      const path = req.url ?? '/';
      if (path.startsWith('/fail/')) throw new HttpError(Number(path.slice(6)), 'private');
      if (path === '/errors/page') {
        seen.push({ method: req.method, ctx: errorContext(req) });
        res.writeHead(200, 'OK', {
          'content-type': 'text/html; charset=utf-8',
          'x-from-route': '1',
        });
        return res.end(`<p>route page for ${errorContext(req)?.status}</p>`);
      }
      if (path === '/errors/broken') throw new Error('the error page itself fails');
      throw new HttpError(404);
    }),
  );
  const s = await listen(server);
  closers.push(s.close);
  return { ...s, seen };
}

describe('error documents on faultline/node', () => {
  it('serves a file document with escaped placeholders to browsers; problem+json stays for APIs', async () => {
    const { url } = await app({ '500 502 503 504': { file: '500.html' } });
    const res = await fetch(`${url}/fail/502`, { headers: { ...HTML, 'x-request-id': 'rq-1' } });
    const body = await res.text();
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(body).toBe(
      `<!doctype html><title>502 Bad Gateway</title><h1>Sorry (502)</h1><p>Incident ${res.headers.get('faultline-incident')}, request rq-1</p>\n`,
    );
    const api = await fetch(`${url}/fail/502`);
    expect(api.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  });

  it('serves a directory of status pages', async () => {
    const { url } = await app({}, '.');
    expect(await (await fetch(`${url}/fail/404`, { headers: HTML })).text()).toBe(
      '<!doctype html><h1>Client problem 404</h1>\n',
    );
  });

  it('serves per-format documents', async () => {
    const { url } = await app({
      '5xx': {
        html: '<h1>{{status}}</h1>',
        json: { file: 'problem.json' },
        text: 'down: {{incident}}',
      },
    });
    const json = await fetch(`${url}/fail/500`);
    expect(await json.json()).toEqual({
      error: 'Internal Server Error',
      incident: json.headers.get('faultline-incident'),
    });
    const text = await fetch(`${url}/fail/503`, { headers: { accept: 'text/plain' } });
    expect(await text.text()).toBe(`down: ${text.headers.get('faultline-incident')}`);
  });

  it('internal route keeps the original status and tells the route what failed', async () => {
    const { url, seen } = await app({ '503': '/errors/page' });
    const res = await fetch(`${url}/fail/503`, { method: 'POST', body: 'x', headers: HTML });
    expect(res.status).toBe(503);
    expect(res.headers.get('x-from-route')).toBe('1');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('<p>route page for 503</p>');
    expect(seen[0]).toMatchObject({
      method: 'GET',
      ctx: {
        status: 503,
        url: '/fail/503',
        method: 'POST',
        incident: res.headers.get('faultline-incident'),
      },
    });
  });

  it('internal route with =200 and with = (route decides)', async () => {
    const a = await app({ '404': { route: '/errors/page', status: 200 } });
    expect((await fetch(`${a.url}/fail/404`)).status).toBe(200);
    const b = await app({ '500': { route: '/errors/page', status: '=' } });
    expect((await fetch(`${b.url}/fail/500`)).status).toBe(200);
  });

  it('a failing error route falls back to the built-in page once, never loops', async () => {
    const { url } = await app({ '500': '/errors/broken', '5xx': '/errors/broken' });
    const res = await fetch(`${url}/fail/500`, { headers: HTML });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).toContain('<p class="status">500</p>');
    expect(body).toContain(res.headers.get('faultline-incident'));
  });

  it('external redirect answers browsers 302 with Location; HEAD has no body', async () => {
    const { url } = await app({ '503': 'https://status.example.com/' });
    const res = await fetch(`${url}/fail/503`, { redirect: 'manual', headers: HTML });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://status.example.com/');
    expect(res.headers.get('vary')).toBe('Accept');
    expect(await res.text()).toBe(
      '<!doctype html><title>302 Found</title><p>See <a href="https://status.example.com/">https://status.example.com/</a></p>\n',
    );
    const head = await fetch(`${url}/fail/503`, {
      method: 'HEAD',
      redirect: 'manual',
      headers: HTML,
    });
    expect(head.status).toBe(302);
    expect(await head.text()).toBe('');
  });

  it('a redirect never reaches API clients: fetch and faultline/client see the error status', async () => {
    const { url } = await app({ '5xx': 'https://status.example.com/' });
    // fetch follows redirects by default: a failed POST must not resolve as the status page's 200.
    for (const headers of [{}, { accept: 'application/json' }, { accept: '*/*' }]) {
      const res = await fetch(`${url}/fail/500`, { method: 'POST', body: '{}', headers });
      expect(res.status).toBe(500);
      expect(res.redirected).toBe(false);
      expect(res.headers.get('location')).toBeNull();
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(await res.json()).toMatchObject({
        status: 500,
        incident: res.headers.get('faultline-incident'),
      });
    }
    const text = await fetch(`${url}/fail/503`, { headers: { accept: 'text/plain' } });
    expect([text.status, text.headers.get('location')]).toEqual([503, null]);
    const client = createClient({ retry: false });
    const error = await client(`${url}/fail/502`, { method: 'POST', body: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(isProblemError(error)).toBe(true);
    if (!isProblemError(error)) return;
    expect([error.status, error.problem.status]).toEqual([502, 502]);
    expect(error.incident).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("a redirect page's title is its own status's reason phrase", async () => {
    for (const [status, phrase] of [
      [301, 'Moved Permanently'],
      [303, 'See Other'],
      [307, 'Temporary Redirect'],
      [308, 'Permanent Redirect'],
    ] as const) {
      const { url } = await app({ '500': { redirect: 'https://status.example.com/', status } });
      const res = await fetch(`${url}/fail/500`, { redirect: 'manual', headers: HTML });
      expect(res.status).toBe(status);
      expect(await res.text()).toContain(`<title>${status} ${phrase}</title>`);
    }
  });

  it('literal text serves browsers and text clients', async () => {
    const { url } = await app({ '500': 'Internal Server Error, custom' });
    const res = await fetch(`${url}/fail/500`, { headers: HTML });
    expect(await res.text()).toBe('Internal Server Error, custom');
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('a Latin-1 file is served byte for byte, with no charset it cannot know (node and fetch)', async () => {
    const latin1 = Buffer.from(
      '<!doctype html><meta charset="iso-8859-1"><h1>Café fermé ({{status}})</h1><p>{{incident}}</p>\n',
      'latin1',
    );
    const dir = tempTree('faultline-latin1-', { 'down.html': latin1 });
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const docs = {
      '503': { file: join(dir, 'down.html') },
      '502': { file: join(dir, 'down.html'), charset: 'iso-8859-1' },
    };
    const { url } = await app(docs);
    const fetchFl = fetchFaultline({ logger: false, errorDocuments: docs });
    const handle = fetchFl.handle((request) => {
      throw new HttpError(Number(new URL(request.url).pathname.slice(6)));
    });
    for (const via of ['node', 'fetch'] as const) {
      const get = (status: number) =>
        via === 'node'
          ? fetch(`${url}/fail/${status}`, { headers: HTML })
          : handle(new Request(`http://x/fail/${status}`, { headers: HTML }));
      const res = await get(503);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('text/html');
      const bytes = Buffer.from(await res.arrayBuffer());
      const incident = res.headers.get('faultline-incident') ?? '';
      const want = latin1
        .toString('latin1')
        .replace('{{status}}', '503')
        .replace('{{incident}}', incident);
      expect(bytes.equals(Buffer.from(want, 'latin1'))).toBe(true);
      expect(res.headers.get('content-length')).toBe(String(bytes.length));
      const labelled = await get(502);
      expect(labelled.headers.get('content-type')).toBe('text/html; charset=iso-8859-1');
      // Decoded with the label, the text reads as written.
      expect(new TextDecoder('latin1').decode(await labelled.arrayBuffer())).toContain(
        'Café fermé (502)',
      );
    }
  });

  it("operator documents get no CSP unless configured; faultline's own pages keep the strict one", async () => {
    const { url } = await app({
      '500': { file: '500.html' },
      '502': { body: '<h1>{{status}}</h1>', csp: "default-src 'self'" },
      '503': 'https://status.example.com/',
    });
    const get = (status: number) =>
      fetch(`${url}/fail/${status}`, { headers: HTML, redirect: 'manual' });
    expect((await get(500)).headers.get('content-security-policy')).toBeNull();
    expect((await get(502)).headers.get('content-security-policy')).toBe("default-src 'self'");
    const strict = "default-src 'none'; style-src 'unsafe-inline'";
    expect((await get(503)).headers.get('content-security-policy')).toBe(strict);
    expect((await get(504)).headers.get('content-security-policy')).toBe(strict);
  });
});
