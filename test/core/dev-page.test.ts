/**
 * The developer page and the debug member, through the core pipeline: what passes the gate gets
 * the page (escaped, scrubbed, its CSP allowing only its own style by hash), JSON clients get a
 * structured `debug` member, text clients a debug block; what fails it gets exactly the production
 * body; and nothing of the debug path runs when debug is off.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as reportModule from '../../src/core/debug-report.js';
import { DEV_PAGE_CSP, DEV_PAGE_STYLE, devPage } from '../../src/core/dev-page.js';
import { createFaultline, type FaultRequest } from '../../src/core/pipeline.js';
import { sourcePlace } from '../../src/core/source-context.js';
import { compileTs } from '../support/ts-app.js';

vi.mock('../../src/core/debug-report.js', async (importOriginal) => {
  const original = await importOriginal<typeof reportModule>();
  return { ...original, debugReport: vi.fn(original.debugReport) };
});

// Bodies are text here (the byte form is only for operator files not in UTF-8).
const text = (body: string | Uint8Array): string =>
  typeof body === 'string' ? body : new TextDecoder().decode(body);
const CANARY = 'CANARYdevpage7f3a';
const XSS = '<script>window.__xss=1</script><img src=x onerror=alert(1)>';

const local = (accept: string, extra: FaultRequest['headers'] = {}): FaultRequest => ({
  method: 'GET',
  url: `/orders/42?q=${encodeURIComponent(XSS)}`,
  headers: { host: 'localhost:3000', accept, authorization: `Bearer ${CANARY}`, ...extra },
  remoteAddress: '127.0.0.1',
  localPort: 3000,
  httpVersion: '1.1',
  requestId: undefined,
  route: '/orders/:id',
});

function failure(): Error {
  const inner = new Error(`password=${CANARY} rejected ${XSS}`);
  return new TypeError(`order failed ${XSS} token=${CANARY}`, {
    cause: new AggregateError([inner, new RangeError('second member')], 'all attempts failed'),
  });
}

describe('developer page', () => {
  it("CSP allows exactly the page's own style by its hash", () => {
    const hash = createHash('sha256').update(DEV_PAGE_STYLE).digest('base64');
    expect(DEV_PAGE_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(DEV_PAGE_CSP).toMatch(/^default-src 'none';/);
    expect(DEV_PAGE_CSP).not.toContain('unsafe');
  });

  it('renders the error, causes, frames, request and production body, escaped and scrubbed', () => {
    const fl = createFaultline({ logger: false, debug: true });
    const r = fl.respond(failure(), local('text/html'));
    const headers = Object.fromEntries(r.headers);
    expect(headers['content-type']).toBe('text/html; charset=utf-8');
    expect(headers['content-security-policy']).toBe(DEV_PAGE_CSP);
    const page = text(r.body);
    expect(page).toContain('<h1>TypeError</h1>');
    expect(page).toContain('order failed &#60;script&#62;');
    // The cause chain and the AggregateError members.
    expect(page).toContain('<h3>AggregateError</h3>');
    expect(page).toContain('<h3>RangeError</h3>');
    expect(page).toContain('second member');
    // Frames with code context: this very test file, with the throwing line highlighted.
    expect(page).toContain('dev-page.test.ts');
    expect(page).toMatch(/<span class="l hit"><span class="n">\d+<\/span>.*new TypeError/);
    // Runtime and dependency frames are collapsed.
    expect(page).toMatch(/<details><summary>\d+ frames? hidden/);
    expect(page).toContain('/orders/:id');
    expect(page).toContain(r.fault?.public.incident as string);
    // What a production client would get: the problem+json body.
    expect(page).toContain('&#34;code&#34;: &#34;internal_error&#34;');
    // Nothing executable, nothing remote, no unescaped payload, no secret.
    expect(page).not.toContain(CANARY);
    expect(page).not.toMatch(/<script|<img|<svg|https?:\/\//i);
    expect(page.match(/<style>/g)).toHaveLength(1);
  });

  it('gives JSON clients a structured, scrubbed debug member', () => {
    const fl = createFaultline({ logger: false, debug: true });
    const r = fl.respond(failure(), local('application/json'));
    expect(text(r.body)).not.toContain(CANARY);
    const body = JSON.parse(text(r.body));
    expect(body).toMatchObject({
      status: 500,
      code: 'internal_error',
      incident: r.fault?.public.incident,
    });
    expect(body.debug.error.name).toBe('TypeError');
    expect(body.debug.error.message).toContain('token=[redacted]');
    const top = body.debug.error.frames[0];
    expect(top).toMatchObject({ kind: 'app', file: expect.stringContaining('dev-page.test.ts') });
    expect(typeof top.line).toBe('number');
    expect(top.context.lines.length).toBeGreaterThan(1);
    expect(body.debug.causes.map((c: { name: string }) => c.name)).toEqual([
      'AggregateError',
      'Error',
      'RangeError',
    ]);
    expect(body.debug.causes[1].message).toContain('password=[redacted]');
    expect(body.debug.request).toMatchObject({
      method: 'GET',
      route: '/orders/:id',
      headers: { authorization: '[redacted]', host: 'localhost:3000' },
    });
  });

  it('gives text clients a debug block', () => {
    const fl = createFaultline({ logger: false, debug: true });
    const r = fl.respond(failure(), local('text/plain'));
    expect(text(r.body)).toMatch(
      /^500 Internal Server Error\nIncident: \w+\n\n\[debug\] TypeError: order failed/,
    );
    expect(text(r.body)).toContain('[cause] AggregateError: all attempts failed');
    expect(text(r.body)).toContain('[request] GET /orders/42');
    expect(text(r.body)).not.toContain(CANARY);
  });

  it('answers exactly the production body when the gate says no, and builds nothing when debug is off', () => {
    const spy = vi.mocked(reportModule.debugReport);
    spy.mockClear();
    const prod = createFaultline({ logger: false });
    const on = createFaultline({ logger: false, debug: true });
    const proxied = local('application/json', { 'x-forwarded-for': '203.0.113.7' });
    const a = JSON.parse(text(prod.respond(failure(), proxied).body));
    const b = JSON.parse(text(on.respond(failure(), proxied).body));
    expect(b.debug).toBeUndefined();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    expect(spy).not.toHaveBeenCalled();
    prod.respond(failure(), local('text/html'));
    expect(spy).not.toHaveBeenCalled();
    on.respond(failure(), local('text/html'));
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('falls back to the production body when the request cannot be read for the report', () => {
    const fl = createFaultline({ logger: false, debug: true });
    const base = local('application/json');
    let reads = 0;
    // Readable once for the gate, then hostile: the report's header scrubbing throws.
    const headers = new Proxy(base.headers, {
      ownKeys(target) {
        if (++reads > 1) throw new Error('hostile');
        return Reflect.ownKeys(target);
      },
    });
    const r = fl.respond(failure(), { ...base, headers });
    expect(r.status).toBe(500);
    const body = JSON.parse(text(r.body));
    expect(body).toMatchObject({ code: 'internal_error', incident: r.fault?.public.incident });
    expect(body.debug).toBeUndefined();
  });

  it('escapes every field of a report, frame and context lines included', () => {
    const html = devPage(
      {
        error: {
          name: XSS,
          message: XSS,
          code: XSS,
          frames: [
            {
              kind: 'app',
              function: XSS,
              file: `/app/${XSS}.ts`,
              line: 2,
              column: 1,
              context: { start: 1, lines: [XSS, XSS] },
            },
            {
              kind: 'dependency',
              function: XSS,
              file: `/app/node_modules/${XSS}.js`,
              line: 1,
              column: 1,
            },
          ],
        },
        causes: [{ name: XSS, message: XSS, frames: [] }],
        request: {
          method: XSS,
          url: XSS,
          route: XSS,
          headers: { [XSS]: XSS, 'x-list': [XSS, XSS] },
        },
      },
      { status: 500, title: XSS, incident: XSS, problem: XSS, cwd: '/app' },
    );
    expect(html).not.toMatch(/<script|<img/i);
    expect(html.split('&#60;script&#62;').length).toBeGreaterThan(15);
  });
});

describe('source maps', () => {
  let dir: string;
  const TS = `// orders
interface Order {
  id: string;
}

export function load(id: string): Order {
  throw new Error(\`no order \${id}\`);
}
`;

  beforeAll(() => {
    dir = compileTs({ 'file-map.ts': TS });
    const inline = compileTs(
      { 'inline-map.ts': TS },
      { inlineSourceMap: true, inlineSources: true },
    );
    rmSync(join(inline, 'src'), { recursive: true });
    dir = `${dir}\n${inline}`;
  });
  afterAll(() => {
    for (const d of dir.split('\n')) rmSync(d, { recursive: true, force: true });
  });

  it('maps a compiled frame to its .ts line, from a .map file and from an inline map', () => {
    const [fileDir, inlineDir] = dir.split('\n') as [string, string];
    for (const [base, name] of [
      [fileDir, 'file-map'],
      [inlineDir, 'inline-map'],
    ] as const) {
      const js = join(base, 'dist', `${name}.js`);
      const lines = readFileSync(js, 'utf8').split('\n');
      const index = lines.findIndex((l) => l.includes('throw new Error'));
      const column = (lines[index] as string).indexOf('new Error') + 1;
      const place = sourcePlace(js, index + 1, column);
      expect(place).toMatchObject({ file: join(base, 'src', `${name}.ts`), line: 7, mapped: true });
      expect(place?.context?.lines[(place?.line ?? 0) - (place?.context?.start ?? 0)]).toContain(
        'throw new Error(`no order',
      );
      // The .ts is gone in the inline case: the map's sourcesContent still gives the lines.
    }
  });

  it('gives the plain file and its lines when there is no map, and nothing for unreadable files', () => {
    const here = new URL(import.meta.url).pathname;
    const place = sourcePlace(here, 3, 1);
    expect(place).toMatchObject({ file: here, line: 3, mapped: false });
    expect(place?.context?.start).toBe(1);
    expect(sourcePlace('/no/such/file.js', 1, 1)?.context).toBeUndefined();
    expect(sourcePlace('node:internal/x', 1, 1)).toBeUndefined();
  });
});
