/**
 * Debug detail reaches only the developer's own machine, for every adapter: with `debug: true`,
 * a direct loopback request gets the developer page / debug member, scrubbed exactly like the log
 * record; the same request through a real nginx (`proxy_pass`, typical and bare configurations)
 * or a small node proxy (copying Host, or adding X-Forwarded-For) gets byte for byte the body a
 * `debug: false` server sends (incident ids aside): 0 debug bytes. The fetch adapter runs on
 * @hono/node-server with its `peer` hook (`nodeServerPeer`); without a hook it never shows debug.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_PAGE_CSP } from '../../src/core/dev-page.js';
import type { FaultlineOptions } from '../../src/core/options.js';
import { CANARY } from '../conformance/scenarios.js';
import { ADAPTERS, failures, fetchHandler, type Started } from '../conformance/servers.js';
import { fetchWithPeer } from '../support/fetch-peer.js';
import { startNginx } from '../support/nginx.js';
import { describeWith } from '../support/programs.js';
import { type MemoryLogger, memoryLogger } from '../support/record-logger.js';
import type { RunningServer } from '../support/server-process.js';
import { startOrdersApp } from '../support/ts-app.js';

/** The HTTP/1.1 adapters a proxy can sit in front of (nginx speaks HTTP/1.x upstream). */
const PROXIED = ['node', 'express5', 'express4', 'fastify', 'koa', 'hono', 'fetch-peer'] as const;
type Name = (typeof PROXIED)[number];

const ACCEPTS = {
  html: 'text/html',
  json: 'application/json',
  text: 'text/plain',
} as const;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A GET with full control of Host and every other header (fetch cannot set Host). */
function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

function start(name: Name, options: FaultlineOptions): Promise<Started> {
  if (name === 'fetch-peer') return fetchWithPeer(options, failures.secret);
  return (ADAPTERS[name] as (o: FaultlineOptions) => Promise<Started>)(options);
}

/** A 5-line-style node proxy: `/copy/<name>/...` copies every header (Host included); `/xff/<name>/...` sets Host to the upstream and adds X-Forwarded-For, as http-proxy with `xfwd` does. */
function nodeProxy(upstreams: Map<string, string>): http.Server {
  return http.createServer((req, res) => {
    const [, mode, name, ...rest] = (req.url ?? '/').split('/');
    const target = new URL(upstreams.get(name ?? '') ?? 'http://127.0.0.1:9');
    const headers = { ...req.headers };
    if (mode === 'xff') {
      headers.host = target.host;
      headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    }
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `/${rest.join('/')}`,
        method: req.method,
        headers,
      },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
}

/** The body with incident ids blanked, for byte comparison across servers. */
function normalize(a: Answer): string {
  const incident = String(a.headers['faultline-incident'] ?? '');
  return incident === '' ? a.body : a.body.replaceAll(incident, 'INCIDENT');
}

describeWith(['nginx'], 'debug output never passes a proxy, for every adapter', () => {
  const debugOn = new Map<string, Started>();
  const debugOff = new Map<string, Started>();
  const logs = new Map<string, MemoryLogger>();
  let nginx: RunningServer;
  let proxy: http.Server;
  let proxyOrigin: string;

  beforeAll(async () => {
    for (const name of PROXIED) {
      const logger = memoryLogger();
      logs.set(name, logger);
      debugOn.set(name, await start(name, { logger, debug: true }));
      debugOff.set(name, await start(name, { logger: false }));
    }
    let locations = '';
    for (const name of PROXIED) {
      const port = new URL((debugOn.get(name) as Started).origin).port;
      // A typical site: the public Host and the client address passed on.
      locations += `
    location /typical/${name}/ {
      proxy_pass http://127.0.0.1:${port}/;
      proxy_set_header Host $host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
    # The bare minimum: no header added, Host rewritten to the (loopback) upstream.
    location /bare/${name}/ {
      proxy_pass http://127.0.0.1:${port}/;
    }
    # Host passed on, nothing else added.
    location /host/${name}/ {
      proxy_pass http://127.0.0.1:${port}/;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
    }`;
    }
    nginx = await startNginx(locations);
    const upstreams = new Map([...debugOn].map(([name, s]) => [name, s.origin]));
    proxy = nodeProxy(upstreams);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyOrigin = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await nginx?.stop();
    proxy?.closeAllConnections();
    await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
    for (const s of [...debugOn.values(), ...debugOff.values()]) await s.close();
  });

  for (const name of PROXIED) {
    describe(name, () => {
      it('a direct loopback request gets debug detail, scrubbed exactly as the log record', async () => {
        const origin = (debugOn.get(name) as Started).origin;
        const json = await get(`${origin}/secret`, { accept: ACCEPTS.json });
        expect(json.status).toBe(500);
        const body = JSON.parse(json.body);
        expect(body.debug.error.message).toContain('could not connect to postgres://');
        expect(json.body).not.toContain(CANARY);
        const incident = json.headers['faultline-incident'];
        const record = logs.get(name)?.records.find((r) => r.obj.incident === incident);
        const logged = (record?.obj.error as { message: string } | undefined)?.message;
        expect(logged).toContain('[redacted]');
        expect(body.debug.error.message).toBe(logged);

        const html = await get(`${origin}/secret`, { accept: ACCEPTS.html });
        expect(html.headers['content-security-policy']).toBe(DEV_PAGE_CSP);
        expect(html.body).toContain('could not connect to postgres://');
        expect(html.body).not.toContain(CANARY);
        const text = await get(`${origin}/secret`, { accept: ACCEPTS.text });
        expect(text.body).toContain('[debug] Error: could not connect to postgres://');
        expect(text.body).not.toContain(CANARY);
      });

      it('a request through nginx or a node proxy gets exactly the production body', async () => {
        const off = (debugOff.get(name) as Started).origin;
        const routes: Array<[string, Record<string, string>]> = [
          [`${nginx.url}/typical/${name}/secret`, {}],
          [`${nginx.url}/bare/${name}/secret`, {}],
          // A stranger names the site, never localhost.
          [`${nginx.url}/host/${name}/secret`, { host: 'shop.example.com' }],
          [`${proxyOrigin}/copy/${name}/secret`, { host: 'shop.example.com' }],
          [`${proxyOrigin}/xff/${name}/secret`, {}],
        ];
        for (const [format, accept] of Object.entries(ACCEPTS)) {
          const expected = normalize(await get(`${off}/secret`, { accept }));
          for (const [url, headers] of routes) {
            const got = await get(url, { accept, ...headers });
            expect(got.status, `${url} ${format}`).toBe(500);
            expect(normalize(got), `${url} ${format}`).toBe(expected);
            expect(got.body).not.toMatch(
              /postgres|could not connect|\[redacted\]|"debug"|\[debug\]/,
            );
            if (format === 'html') {
              expect(got.headers['content-security-policy']).not.toBe(DEV_PAGE_CSP);
            }
          }
        }
      });
    });
  }

  it('a fetch handler without a peer hook never shows debug detail, even on loopback', async () => {
    const handler = fetchHandler({ logger: false, debug: true });
    const res = await handler(
      new Request('http://127.0.0.1/secret', {
        headers: { accept: ACCEPTS.json, host: '127.0.0.1' },
      }),
    );
    expect((await res.json()).debug).toBeUndefined();
  });

  it('HTTP/2 (node, cleartext) direct loopback requests get debug detail through :authority', async () => {
    const s = await (ADAPTERS['node-h2c'] as (o: FaultlineOptions) => Promise<Started>)({
      logger: false,
      debug: true,
    });
    try {
      const http2 = await import('node:http2');
      const session = http2.connect(s.origin);
      const body = await new Promise<string>((resolve, reject) => {
        const req = session.request({ ':path': '/secret', accept: ACCEPTS.json });
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (c) => {
          data += c;
        });
        req.on('end', () => resolve(data));
        req.on('error', reject);
      });
      session.close();
      expect(JSON.parse(body).debug.error.message).toContain('could not connect to postgres://');
    } finally {
      await s.close();
    }
  });
});

describe('debug under NODE_ENV=production', () => {
  it('a real app with debug: true refuses to start, naming the option and the override', async () => {
    const started = startOrdersApp({ NODE_ENV: 'production' });
    await expect(started).rejects.toThrow(/app exited 1/);
    const message = String(await started.catch((err: Error) => err.message));
    expect(message).toContain('faultline: option "debug" is true while NODE_ENV is "production"');
    expect(message).toContain("debugInProduction: 'i-understand-the-risk'");
    expect(message).toContain('FAULTLINE_INVALID_OPTION');
  });
});
