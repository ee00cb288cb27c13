/**
 * End to end against the demo app over a real socket: every route, every representation, with
 * undici's fetch and curl; and a canary secret that must appear in no response.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoServer, DEMO_ROUTES } from '../../src/demo/app.js';
import { listen } from '../support/listen.js';
import { memoryLogger } from '../support/memory-logger.js';
import { describeWith } from '../support/programs.js';

const run = promisify(execFile);
const CANARY = 'canary-9d1e-hunter2-secret';
const ACCEPTS: Array<[label: string, accept: string | undefined, contentType: RegExp]> = [
  [
    'html',
    'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    /^text\/html; charset=utf-8$/,
  ],
  ['json', 'application/json', /^application\/problem\+json; charset=utf-8$/],
  ['problem+json', 'application/problem+json', /^application\/problem\+json; charset=utf-8$/],
  ['text', 'text/plain', /^text\/plain; charset=utf-8$/],
  ['*/*', '*/*', /^application\/problem\+json; charset=utf-8$/],
  ['none', undefined, /^application\/problem\+json; charset=utf-8$/],
];
const EXPECTED: Record<string, number> = {
  '/fail/sync': 500,
  '/fail/async': 500,
  '/fail/secret': 500,
  '/fail/exposed': 422,
  '/fail/unavailable': 503,
  '/fail/non-error': 500,
};

const mem = memoryLogger();
let base = '';
let close: () => Promise<void>;

beforeAll(async () => {
  // Storm control off: this suite checks that every 5xx is logged once with its incident id.
  const { server } = createDemoServer({
    secret: CANARY,
    faultline: { logger: mem.logger, storm: false },
  });
  const s = await listen(server);
  base = s.url;
  close = s.close;
});
afterAll(() => close());

describe('demo over fetch (undici)', () => {
  it('serves a home page linking every failure route', async () => {
    const res = await request(`${base}/`);
    const html = await res.body.text();
    expect(res.statusCode).toBe(200);
    for (const [path] of DEMO_ROUTES) expect(html).toContain(`href="${path}"`);
    // Laid out for phones, in the error page's light and dark look, one line per route.
    expect(html).toContain('<meta name="viewport" content="width=device-width,initial-scale=1">');
    expect(html).toContain('prefers-color-scheme:dark');
    expect(html.match(/<li>/g)).toHaveLength(DEMO_ROUTES.length);
    for (const [, what] of DEMO_ROUTES) expect(html).toContain(what.replaceAll("'", '&#39;'));
  });

  for (const [path, status] of Object.entries(EXPECTED)) {
    for (const [label, accept, type] of ACCEPTS) {
      it(`${path} with Accept ${label} -> ${status}`, async () => {
        const headers: Record<string, string> = accept === undefined ? {} : { accept };
        const res = await request(base + path, { headers });
        const body = await res.body.text();
        expect(res.statusCode).toBe(status);
        expect(String(res.headers['content-type'])).toMatch(type);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(body));
        expect(body).not.toContain(CANARY);
        expect(JSON.stringify(res.headers)).not.toContain(CANARY);
        if (status >= 500) {
          const incident = String(res.headers['faultline-incident']);
          expect(incident).toMatch(/^[0-9A-Z]{26}$/);
          expect(body).toContain(incident);
          expect(mem.text()).toContain(incident);
        }
        if (path === '/fail/exposed') expect(body).toContain('email must be a valid address');
        if (path === '/fail/unavailable') expect(res.headers['retry-after']).toBe('120');
        if (label === 'json' || label === 'problem+json') {
          expect(JSON.parse(body)).toMatchObject({ status, type: 'about:blank' });
        }
      });
    }
  }

  it('HEAD gets headers without a body', async () => {
    const res = await request(`${base}/fail/sync`, { method: 'HEAD' });
    expect(res.statusCode).toBe(500);
    expect(await res.body.text()).toBe('');
    expect(Number(res.headers['content-length'])).toBeGreaterThan(0);
  });

  it('a mid-stream failure makes the body read reject', async () => {
    const res = await fetch(`${base}/fail/stream`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('the secret reaches neither the client nor the log: the log holds it scrubbed', () => {
    expect(mem.text()).not.toContain(CANARY);
    expect(mem.text()).toContain('postgres://[redacted]@db.internal:5432/app');
  });
});

describeWith(['curl'], 'demo over curl', () => {
  for (const [path, status] of Object.entries(EXPECTED)) {
    for (const [label, accept] of ACCEPTS) {
      it(`curl -i ${path} (Accept ${label})`, async () => {
        const args = ['-sS', '-i', base + path];
        if (accept === undefined) args.push('-H', 'Accept:');
        else args.push('-H', `Accept: ${accept}`);
        const { stdout } = await run('curl', args);
        expect(stdout.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
        expect(stdout).not.toContain(CANARY);
      });
    }
  }

  it('curl exits non-zero on the mid-stream failure', async () => {
    const err = await run('curl', ['-sS', `${base}/fail/stream`]).then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(err?.code).toBe(18); // CURLE_PARTIAL_FILE: transfer closed with outstanding read data
    expect(err?.stdout).toBe('first part of the body\n');
  });
});
