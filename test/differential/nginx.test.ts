/**
 * Differential test against Debian's nginx: the same `error_page` configuration in nginx and in
 * faultline (`errorDocuments`), the same requests, and the same answer — status, Location,
 * Content-Type family and body — except where faultline deliberately differs. Every deliberate
 * difference is listed in DELIBERATE_DIFFERENCES with its reason and is itself asserted, so a
 * change on either side shows up here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ErrorDocuments } from '../../src/core/error-documents.js';
import { HttpError } from '../../src/core/http-error.js';
import {
  compared,
  type Shape,
  type Site,
  type SiteOptions,
  shape,
  startSite,
} from '../support/faultline-site.js';
import { startNginx } from '../support/nginx.js';
import { describeWith } from '../support/programs.js';
import { rawRequest } from '../support/raw-http.js';
import type { RunningServer } from '../support/server-process.js';

/** What a browser sends; faultline answers API clients (`*\/*`) differently by design. */
const BROWSER = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
};
const EMPTY_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
/** A page saved in ISO-8859-1: é and ü are single bytes (0xE9, 0xFC), invalid as UTF-8. */
const LATIN1 = Buffer.from(
  '<!doctype html><meta charset="iso-8859-1"><h1>Désolé, Störung</h1>\n',
  'latin1',
);
const FILES = {
  'www/50x.html': '<!doctype html><h1>Sorry, we are down for a moment</h1>\n',
  'www/latin1.html': LATIN1,
  'www/empty.gif': EMPTY_GIF,
};

/** Where faultline differs from nginx on purpose; each entry is asserted by the test that meets it. */
const DELIBERATE_DIFFERENCES = {
  noStore: {
    what: 'faultline sends Cache-Control: no-store on every error response (nginx sends none)',
    reason:
      'an error answer must not be cached by a browser or shared cache after the fault is fixed',
    check: (fl: Shape, ng: Shape) => {
      expect(fl.headers.get('cache-control')).toBe('no-store');
      expect(ng.headers.get('cache-control')).toBeNull();
    },
  },
  nosniff: {
    what: 'faultline sends X-Content-Type-Options: nosniff (nginx does not)',
    reason: 'an error body must never be sniffed into a script or stylesheet',
    check: (fl: Shape, ng: Shape) => {
      expect(fl.headers.get('x-content-type-options')).toBe('nosniff');
      expect(ng.headers.get('x-content-type-options')).toBeNull();
    },
  },
  incident: {
    what: 'faultline adds a Faultline-Incident header to 5xx answers (nginx has no incident ids)',
    reason: 'the incident id ties what the user sees to the one log line of the failure',
    check: (fl: Shape, ng: Shape) => {
      expect(fl.headers.get('faultline-incident')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(ng.headers.get('faultline-incident')).toBeNull();
    },
  },
  builtinBody: {
    what: "when no document applies, the body is faultline's built-in page, not nginx's",
    reason:
      "faultline's page carries the status, a human sentence and the incident id; nginx's names its version",
    check: (fl: Shape, ng: Shape) => {
      expect(ng.body.toString()).toContain(`<center>nginx/`);
      expect(fl.body.toString()).toContain(`<p class="status">${fl.status}</p>`);
      const incident = fl.headers.get('faultline-incident');
      if (incident !== null) expect(fl.body.toString()).toContain(incident);
    },
  },
  redirectBody: {
    what: "an external redirect's body is faultline's minimal link page, not nginx's \"302 Found\" page",
    reason: 'clients follow Location; the body is only a fallback link and names no server version',
    check: (fl: Shape, ng: Shape) => {
      expect(ng.body.toString()).toContain('<title>302 Found</title>');
      expect(fl.body.toString()).toContain(`<a href="${fl.location}">`);
    },
  },
  redirectApi: {
    what: 'an external redirect document applies to browsers only: API clients (Accept: */*) keep the error status and problem+json; nginx redirects every client',
    reason:
      'fetch follows a 302 to the status page, so a failed POST would resolve as 200 OK; the failure must stay visible to code',
    check: (fl: Shape, ng: Shape, original: number) => {
      expect([ng.status, ng.location]).toEqual([302, 'https://status.example.com/']);
      expect([fl.status, fl.location, fl.type]).toEqual([
        original,
        null,
        'application/problem+json',
      ]);
    },
  },
  recursionStatus: {
    what: "when the error route itself fails, faultline keeps the original status; nginx answers with the error route's status",
    reason:
      'a broken cosmetic error page must not turn a 503 (retry later) into a 500, or a 500 into a cacheable 404',
    check: (fl: Shape, ng: Shape, original: number) => {
      expect(fl.status).toBe(original);
      expect(ng.status).not.toBe(original);
    },
  },
  utf8Charset: {
    what: 'a { file } document in valid UTF-8 is labelled charset=utf-8; nginx labels no charset without a charset directive',
    reason:
      'the bytes were checked as UTF-8 at startup, so the charset is known; any other encoding gets no label, as in nginx (see the Latin-1 test)',
    check: (fl: Shape, ng: Shape) => {
      expect(fl.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(ng.headers.get('content-type')).toBe('text/html');
    },
  },
  unknownMethod: {
    what: "a well-formed request line with an unknown method (BREW / HTTP/1.1) is 501 in faultline; nginx's static handler answers 405",
    reason:
      'RFC 9110 §9.1: a method the server does not recognize is 501 Not Implemented (as Apache answers); 405 claims the method exists but not here',
    check: (fl: string, ng: string) => {
      expect(fl).toMatch(/^HTTP\/1\.1 501 Not Implemented\r\n/);
      expect(ng).toMatch(/^HTTP\/1\.1 405 Not Allowed\r\n/);
    },
  },
  apiClients: {
    what: 'for Accept: */* faultline answers file documents and its built-in page as application/problem+json; nginx always sends HTML',
    reason:
      'API clients and curl get machine-readable problem details; browsers (Accept: text/html) get the same HTML as nginx',
    check: (fl: Shape, ng: Shape) => {
      expect(fl.type).toBe('application/problem+json');
      expect(JSON.parse(fl.body.toString())).toMatchObject({ status: fl.status });
      expect(ng.type).toBe('text/html');
    },
  },
} as const;

describeWith(['nginx'], 'differential: faultline errorDocuments vs nginx error_page', () => {
  let nginx: RunningServer;
  let brokenCalls = 0;
  const sites = new Map<string, Site>();

  /** nginx config: one location per case, each with its own error_page. */
  const LIST = [500, 502, 503, 504];
  const SERVER = `
    ${LIST.map((s) => `location = /list/${s} { error_page 500 502 503 504 /50x.html; return ${s}; }`).join('\n    ')}
    location = /50x.html { internal; }
    location /override/ { error_page 404 =200 /empty.gif; }
    location = /named { error_page 500 = @fallback; return 500; }
    location @fallback { default_type text/html; return 200 "<p>fallback page</p>\\n"; }
    location = /named-busy { error_page 500 = @busy; return 500; }
    location @busy { default_type text/html; return 503 "<p>busy, try again later</p>\\n"; }
    location = /external { error_page 503 https://status.example.com/; return 503; }
    location = /recursive { error_page 500 /broken.html; return 500; }
    location = /recursive-503 { error_page 503 /broken.html; return 503; }
    location = /broken.html { return 500; }
    location = /plain/500 { return 500; }
    location = /latin1/503 { error_page 503 /latin1.html; return 503; }
    location = /latin1-labelled/503 { error_page 503 /latin1.html; return 503; }
    location = /latin1.html { internal; if ($request_uri ~ labelled) { charset iso-8859-1; } }
  `;

  /** The faultline equivalents, one app per error_page (errorDocuments are per app). */
  const html = (body: string) => (_req: unknown, res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(body);
  };
  const SITES: Record<string, Omit<SiteOptions, 'dir'>> = {
    list: {
      errorDocuments: { '500 502 503 504': '/50x.html' },
      fail: Object.fromEntries(LIST.map((s) => [`/list/${s}`, s])),
      internal: { '/50x.html': 'file' },
    },
    listFile: {
      errorDocuments: { '500 502 503 504': { file: '50x.html' } },
      fail: Object.fromEntries(LIST.map((s) => [`/list/${s}`, s])),
    },
    override: { errorDocuments: { '404': { route: '/empty.gif', status: 200 } } },
    named: {
      errorDocuments: { '500': { route: '/fallback', status: '=' } },
      fail: { '/named': 500 },
      internal: { '/fallback': html('<p>fallback page</p>\n') },
    },
    namedBusy: {
      errorDocuments: { '500': { route: '/busy', status: '=' } },
      fail: { '/named-busy': 500 },
      internal: {
        '/busy': (_req, res) => {
          res.writeHead(503, { 'content-type': 'text/html' });
          res.end('<p>busy, try again later</p>\n');
        },
      },
    },
    external: {
      errorDocuments: { '503': 'https://status.example.com/' } satisfies ErrorDocuments,
      fail: { '/external': 503 },
    },
    recursive: {
      errorDocuments: { '500 503': '/broken.html' },
      fail: { '/recursive': 500, '/recursive-503': 503 },
      internal: {
        '/broken.html': () => {
          brokenCalls++;
          throw new HttpError(500, 'the error page itself fails');
        },
      },
    },
    plain: { errorDocuments: {}, fail: { '/plain/500': 500 } },
    latin1: {
      errorDocuments: { '503': { file: 'latin1.html' } },
      fail: { '/latin1/503': 503 },
    },
    latin1Labelled: {
      errorDocuments: { '503': { file: 'latin1.html', charset: 'iso-8859-1' } },
      fail: { '/latin1-labelled/503': 503 },
    },
  };

  beforeAll(async () => {
    nginx = await startNginx(SERVER, FILES);
    for (const [name, opts] of Object.entries(SITES))
      sites.set(name, await startSite({ ...opts, dir: nginx.dir }));
  });
  afterAll(async () => {
    for (const site of sites.values()) await site.close();
    await nginx?.stop();
  });

  /** The same request to nginx and to faultline site `site`. */
  async function both(site: string, path: string, init: RequestInit = {}) {
    const opts = { ...init, headers: { ...BROWSER, ...(init.headers as object) } };
    const [ng, fl] = await Promise.all([
      shape(nginx.url + path, opts),
      shape((sites.get(site) as Site).url + path, opts),
    ]);
    return { ng, fl };
  }

  it.each(LIST)(
    'status list 500 502 503 504 -> /50x.html keeps status %i (GET and HEAD)',
    async (status) => {
      for (const site of ['list', 'listFile']) {
        const { ng, fl } = await both(site, `/list/${status}`);
        expect(ng.status).toBe(status);
        expect(compared(fl)).toEqual(compared(ng));
        DELIBERATE_DIFFERENCES.noStore.check(fl, ng);
        DELIBERATE_DIFFERENCES.nosniff.check(fl, ng);
        DELIBERATE_DIFFERENCES.incident.check(fl, ng);
        if (site === 'listFile') DELIBERATE_DIFFERENCES.utf8Charset.check(fl, ng);
        const head = await both(site, `/list/${status}`, { method: 'HEAD' });
        expect(compared(head.fl)).toEqual(compared(head.ng));
        expect(head.fl.body.length).toBe(0);
      }
    },
  );

  it('the error page location is internal: a direct request is 404 on both', async () => {
    const { ng, fl } = await both('list', '/50x.html');
    expect([fl.status, fl.type]).toEqual([ng.status, ng.type]);
    expect(ng.status).toBe(404);
    DELIBERATE_DIFFERENCES.builtinBody.check(fl, ng);
  });

  it('error_page 404 =200 /empty.gif: status 200, the gif, for GET and HEAD', async () => {
    for (const method of ['GET', 'HEAD']) {
      const { ng, fl } = await both('override', '/override/missing', { method });
      expect(ng.status).toBe(200);
      expect(ng.type).toBe('image/gif');
      expect(compared(fl)).toEqual(compared(ng));
      if (method === 'GET') expect(fl.body.equals(EMPTY_GIF)).toBe(true);
      DELIBERATE_DIFFERENCES.noStore.check(fl, ng);
    }
  });

  it('error_page 500 = @fallback: the fallback decides the status (200, or its own 503)', async () => {
    for (const [site, path, expected] of [
      ['named', '/named', 200],
      ['namedBusy', '/named-busy', 503],
    ] as const) {
      for (const method of ['GET', 'HEAD']) {
        const { ng, fl } = await both(site, path, { method });
        expect(ng.status).toBe(expected);
        expect(compared(fl)).toEqual(compared(ng));
      }
    }
  });

  it('error_page 503 https://status.example.com/: 302 with Location (GET and HEAD)', async () => {
    const { ng, fl } = await both('external', '/external');
    expect([ng.status, ng.location]).toEqual([302, 'https://status.example.com/']);
    expect({ ...compared(fl), body: '' }).toEqual({ ...compared(ng), body: '' });
    DELIBERATE_DIFFERENCES.redirectBody.check(fl, ng);
    DELIBERATE_DIFFERENCES.noStore.check(fl, ng);
    const head = await both('external', '/external', { method: 'HEAD' });
    expect(compared(head.fl)).toEqual(compared(head.ng));
    const api = await both('external', '/external', { headers: { accept: '*/*' } });
    DELIBERATE_DIFFERENCES.redirectApi.check(api.fl, api.ng, 503);
  });

  it('recursion: the error page itself fails -> the built-in 500 page, once', async () => {
    brokenCalls = 0;
    for (const method of ['GET', 'HEAD']) {
      const { ng, fl } = await both('recursive', '/recursive', { method });
      expect([fl.status, fl.location, fl.type]).toEqual([ng.status, ng.location, ng.type]);
      expect([ng.status, ng.type]).toEqual([500, 'text/html']);
      if (method === 'GET') DELIBERATE_DIFFERENCES.builtinBody.check(fl, ng);
      DELIBERATE_DIFFERENCES.incident.check(fl, ng);
    }
    // Both did try the error page (once per request) before falling back.
    expect(brokenCalls).toBe(2);
    const log = readFileSync(join(nginx.dir, 'access.log'), 'utf8');
    expect(log.match(/^\/recursive \/broken\.html 500$/gm)).toHaveLength(2);
  });

  it('recursion after a 503: faultline keeps 503, nginx answers 500 (deliberate)', async () => {
    const { ng, fl } = await both('recursive', '/recursive-503');
    DELIBERATE_DIFFERENCES.recursionStatus.check(fl, ng, 503);
    expect(ng.status).toBe(500);
    expect(fl.type).toBe(ng.type);
    DELIBERATE_DIFFERENCES.builtinBody.check(fl, ng);
  });

  it('no error_page: both answer with their built-in page', async () => {
    const { ng, fl } = await both('plain', '/plain/500');
    expect([fl.status, fl.type]).toEqual([500, 'text/html']);
    expect([fl.status, fl.type]).toEqual([ng.status, ng.type]);
    DELIBERATE_DIFFERENCES.builtinBody.check(fl, ng);
  });

  it('Accept: */* (API clients, curl): faultline answers problem+json, nginx HTML (deliberate)', async () => {
    for (const [site, path] of [
      ['listFile', '/list/503'],
      ['plain', '/plain/500'],
    ] as const) {
      const { ng, fl } = await both(site, path, { headers: { accept: '*/*' } });
      expect(fl.status).toBe(ng.status);
      DELIBERATE_DIFFERENCES.apiClients.check(fl, ng);
    }
    // An internal route is the app's own answer: it is served whatever the client accepts.
    const { ng, fl } = await both('list', '/list/503', { headers: { accept: '*/*' } });
    expect(compared(fl)).toEqual(compared(ng));
  });

  it('parser errors: a line with no target or version is 400 on both, as is a bad method token', async () => {
    const port = (site: string) => Number(new URL((sites.get(site) as Site).url).port);
    for (const raw of ['GARBAGE\r\n\r\n', 'G@T / HTTP/1.1\r\nHost: x\r\n\r\n', 'GET\r\n\r\n']) {
      const [ng, fl] = await Promise.all([
        rawRequest(nginx.port, raw),
        rawRequest(port('plain'), raw),
      ]);
      expect(ng, JSON.stringify(raw)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(fl, JSON.stringify(raw)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    }
    // Connection: close: nginx keeps the connection open after its (well-formed) 405.
    const brew = 'BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
    const [ng, fl] = await Promise.all([
      rawRequest(nginx.port, brew),
      rawRequest(port('plain'), brew),
    ]);
    DELIBERATE_DIFFERENCES.unknownMethod.check(fl, ng);
  });

  it('a Latin-1 page: the same bytes and the same Content-Type, charset only when configured', async () => {
    for (const [site, path, contentType] of [
      ['latin1', '/latin1/503', 'text/html'],
      ['latin1Labelled', '/latin1-labelled/503', 'text/html; charset=iso-8859-1'],
    ] as const) {
      const { ng, fl } = await both(site, path);
      expect(ng.status).toBe(503);
      expect(ng.body.equals(LATIN1)).toBe(true);
      expect(fl.body.equals(ng.body)).toBe(true);
      expect(compared(fl)).toEqual(compared(ng));
      expect(ng.headers.get('content-type')).toBe(contentType);
      expect(fl.headers.get('content-type')).toBe(contentType);
    }
  });
});
