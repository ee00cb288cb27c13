/**
 * Differential test against Debian's Apache httpd: the same `ErrorDocument` configuration in
 * Apache and in faultline (`errorDocuments`; a string is read as Apache reads it), the same
 * requests, and the same answer — status, Location, Content-Type family and body — except where
 * faultline deliberately differs. Every deliberate difference is listed in DELIBERATE_DIFFERENCES
 * with its reason and is itself asserted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpError } from '../../src/core/http-error.js';
import { startApache } from '../support/apache.js';
import {
  compared,
  type Shape,
  type Site,
  type SiteOptions,
  shape,
  startSite,
} from '../support/faultline-site.js';
import { describeWith } from '../support/programs.js';
import { rawRequest } from '../support/raw-http.js';
import type { RunningServer } from '../support/server-process.js';

const BROWSER = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
};
const FILES = { 'www/errors/500.html': '<!doctype html><h1>Our apologies</h1>\n' };

/** Where faultline differs from Apache on purpose; each entry is asserted by the test that meets it. */
const DELIBERATE_DIFFERENCES = {
  literalType: {
    what: 'a literal ErrorDocument that does not start with "<" is text/plain in faultline; Apache always labels literals text/html',
    reason:
      'the literal is shown exactly as written (a "<" or "&" in it is not parsed as markup) and also serves Accept: text/plain; ' +
      'a literal starting with "<" is text/html in both, and { body, type: "html" } forces HTML',
    check: (fl: Shape, ap: Shape) => {
      expect(ap.type).toBe('text/html');
      expect(fl.type).toBe('text/plain');
      expect(fl.body.toString()).toBe(ap.body.toString());
    },
  },
  charset: {
    what: "Apache labels its own literals and pages charset=iso-8859-1; faultline's bodies are charset=utf-8",
    reason:
      'faultline renders UTF-8 (titles, placeholders); the family (text/html) is what the tests compare',
    check: (fl: Shape, ap: Shape) => {
      expect(ap.headers.get('content-type')).toMatch(/charset=iso-8859-1/i);
      expect(fl.headers.get('content-type')).toMatch(/charset=utf-8/i);
    },
  },
  noStore: {
    what: 'faultline sends Cache-Control: no-store and X-Content-Type-Options: nosniff on error responses (Apache sends neither)',
    reason:
      'an error answer must not be cached after the fault is fixed, nor sniffed into another type',
    check: (fl: Shape, ap: Shape) => {
      expect(fl.headers.get('cache-control')).toBe('no-store');
      expect(fl.headers.get('x-content-type-options')).toBe('nosniff');
      expect(ap.headers.get('cache-control')).toBeNull();
      expect(ap.headers.get('x-content-type-options')).toBeNull();
    },
  },
  incident: {
    what: 'faultline adds Faultline-Incident to 5xx answers (Apache has no incident ids)',
    reason: 'the incident id ties what the user sees to the one log line of the failure',
    check: (fl: Shape, ap: Shape) => {
      expect(fl.headers.get('faultline-incident')).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(ap.headers.get('faultline-incident')).toBeNull();
    },
  },
  redirectBody: {
    what: "an external ErrorDocument's 302 body is faultline's minimal link page, not Apache's \"302 Found\" page",
    reason: 'clients follow Location; the body is only a fallback link',
    check: (fl: Shape, ap: Shape) => {
      expect(ap.body.toString()).toContain('<title>302 Found</title>');
      expect(fl.body.toString()).toContain(`<a href="${fl.location}">`);
    },
  },
  builtinBody: {
    what: "when no document applies, the body is faultline's built-in page, not Apache's",
    reason: "faultline's page carries the status, a human sentence and the incident id",
    check: (fl: Shape, ap: Shape) => {
      expect(ap.body.toString()).toContain('<!DOCTYPE HTML PUBLIC');
      expect(fl.body.toString()).toContain(`<p class="status">${fl.status}</p>`);
      const incident = fl.headers.get('faultline-incident');
      if (incident !== null) expect(fl.body.toString()).toContain(incident);
    },
  },
  recursionStatus: {
    what: "when the ErrorDocument itself fails, faultline keeps the original status; Apache answers with the document's failure status",
    reason: 'a broken cosmetic error page must not turn a 503 (retry later) into a 500',
    check: (fl: Shape, ap: Shape, original: number) => {
      expect(fl.status).toBe(original);
      expect(ap.status).not.toBe(original);
    },
  },
  apiClients: {
    what: 'for Accept: */* a literal document falls back to application/problem+json in faultline; Apache sends the literal',
    reason:
      'API clients get machine-readable problem details; a per-format document ({ json }) serves them a custom body',
    check: (fl: Shape, ap: Shape) => {
      expect(fl.type).toBe('application/problem+json');
      expect(JSON.parse(fl.body.toString())).toMatchObject({ status: fl.status });
      expect(ap.type).toBe('text/html');
    },
  },
} as const;

describeWith(['apache2'], 'differential: faultline errorDocuments vs Apache ErrorDocument', () => {
  let apache: RunningServer;
  const sites = new Map<string, Site>();

  // Statuses come from mod_rewrite ([R=5xx] answers that status); each case has its own
  // <Location> so that the failing document (/broken) has no ErrorDocument of its own.
  const DIRECTIVES = `
  RewriteRule ^/literal$ - [R=500]
  RewriteRule ^/literal-html$ - [R=502]
  RewriteRule ^/literal-mixed$ - [R=504]
  RewriteRule ^/local$ - [R=503]
  RewriteRule ^/external$ - [R=503]
  RewriteRule ^/recursive/500$ - [R=500]
  RewriteRule ^/recursive/503$ - [R=503]
  RewriteRule ^/broken$ - [R=500]
  RewriteRule ^/plain$ - [R=500]
  <Location /literal>
    ErrorDocument 500 "Internal Server Error"
  </Location>
  <Location /literal-html>
    ErrorDocument 502 "<h1>Bad gateway & co</h1>"
  </Location>
  <Location /literal-mixed>
    ErrorDocument 504 "Sorry <b>down</b> & out"
  </Location>
  <Location /local>
    ErrorDocument 503 /errors/500.html
  </Location>
  <Location /external>
    ErrorDocument 503 https://status.example.com/
  </Location>
  <Location /recursive/>
    ErrorDocument 500 /broken
    ErrorDocument 503 /broken
  </Location>`;

  const SITES: Record<string, Omit<SiteOptions, 'dir'>> = {
    literal: { errorDocuments: { '500': 'Internal Server Error' }, fail: { '/literal': 500 } },
    literalHtml: {
      errorDocuments: { '502': '<h1>Bad gateway & co</h1>' },
      fail: { '/literal-html': 502 },
    },
    literalMixed: {
      errorDocuments: { '504': 'Sorry <b>down</b> & out' },
      fail: { '/literal-mixed': 504 },
    },
    local: { errorDocuments: { '503': '/errors/500.html' }, fail: { '/local': 503 } },
    external: {
      errorDocuments: { '503': 'https://status.example.com/' },
      fail: { '/external': 503 },
    },
    recursive: {
      errorDocuments: { '500 503': '/broken' },
      fail: { '/recursive/500': 500, '/recursive/503': 503 },
      internal: {
        '/broken': () => {
          throw new HttpError(500, 'the error document itself fails');
        },
      },
    },
    plain: { errorDocuments: {}, fail: { '/plain': 500 } },
  };

  beforeAll(async () => {
    apache = await startApache(DIRECTIVES, FILES);
    for (const [name, opts] of Object.entries(SITES))
      sites.set(name, await startSite({ ...opts, dir: apache.dir }));
  });
  afterAll(async () => {
    for (const site of sites.values()) await site.close();
    await apache?.stop();
  });

  async function both(site: string, path: string, init: RequestInit = {}) {
    const opts = { ...init, headers: { ...BROWSER, ...(init.headers as object) } };
    const [ap, fl] = await Promise.all([
      shape(apache.url + path, opts),
      shape((sites.get(site) as Site).url + path, opts),
    ]);
    return { ap, fl };
  }

  it('literal text: same status and body; content type deliberately text/plain', async () => {
    const { ap, fl } = await both('literal', '/literal');
    expect([ap.status, ap.body.toString()]).toEqual([500, 'Internal Server Error']);
    expect({ ...compared(fl), type: null }).toEqual({ ...compared(ap), type: null });
    DELIBERATE_DIFFERENCES.literalType.check(fl, ap);
    DELIBERATE_DIFFERENCES.charset.check(fl, ap);
    DELIBERATE_DIFFERENCES.noStore.check(fl, ap);
    DELIBERATE_DIFFERENCES.incident.check(fl, ap);
    const head = await both('literal', '/literal', { method: 'HEAD' });
    expect([head.fl.status, head.fl.body.length]).toEqual([head.ap.status, head.ap.body.length]);
    expect(head.fl.body.length).toBe(0);
  });

  it('literal text with markup inside: Apache parses it as HTML, faultline shows it as written', async () => {
    const { ap, fl } = await both('literalMixed', '/literal-mixed');
    expect(ap.status).toBe(504);
    expect(fl.status).toBe(ap.status);
    DELIBERATE_DIFFERENCES.literalType.check(fl, ap);
    expect(fl.body.toString()).toBe('Sorry <b>down</b> & out');
  });

  it('literal HTML: identical status, type family and body (GET and HEAD)', async () => {
    for (const method of ['GET', 'HEAD']) {
      const { ap, fl } = await both('literalHtml', '/literal-html', { method });
      expect(ap.status).toBe(502);
      expect(compared(fl)).toEqual(compared(ap));
    }
  });

  it('local document /errors/500.html: the original status is kept (GET and HEAD)', async () => {
    for (const method of ['GET', 'HEAD']) {
      const { ap, fl } = await both('local', '/local', { method });
      expect([ap.status, ap.type]).toEqual([503, 'text/html']);
      expect(compared(fl)).toEqual(compared(ap));
      DELIBERATE_DIFFERENCES.noStore.check(fl, ap);
      DELIBERATE_DIFFERENCES.incident.check(fl, ap);
    }
  });

  it('external URL: 302 with Location (GET and HEAD)', async () => {
    const { ap, fl } = await both('external', '/external');
    expect([ap.status, ap.location]).toEqual([302, 'https://status.example.com/']);
    expect({ ...compared(fl), body: '' }).toEqual({ ...compared(ap), body: '' });
    DELIBERATE_DIFFERENCES.redirectBody.check(fl, ap);
    const head = await both('external', '/external', { method: 'HEAD' });
    expect(compared(head.fl)).toEqual(compared(head.ap));
  });

  it('recursion: the error document itself fails -> built-in 500 page (GET and HEAD)', async () => {
    for (const method of ['GET', 'HEAD']) {
      const { ap, fl } = await both('recursive', '/recursive/500', { method });
      expect([ap.status, ap.type]).toEqual([500, 'text/html']);
      expect([fl.status, fl.location, fl.type]).toEqual([ap.status, ap.location, ap.type]);
      if (method === 'GET') DELIBERATE_DIFFERENCES.builtinBody.check(fl, ap);
    }
  });

  it('recursion after a 503: faultline keeps 503, Apache answers 500 (deliberate)', async () => {
    const { ap, fl } = await both('recursive', '/recursive/503');
    DELIBERATE_DIFFERENCES.recursionStatus.check(fl, ap, 503);
    expect(ap.status).toBe(500);
    expect(fl.type).toBe(ap.type);
    DELIBERATE_DIFFERENCES.builtinBody.check(fl, ap);
  });

  it('no ErrorDocument: both answer with their built-in page', async () => {
    const { ap, fl } = await both('plain', '/plain');
    expect([fl.status, fl.type]).toEqual([500, 'text/html']);
    expect([fl.status, fl.type]).toEqual([ap.status, ap.type]);
    DELIBERATE_DIFFERENCES.builtinBody.check(fl, ap);
  });

  it('Accept: */*: faultline answers problem+json where Apache sends the literal (deliberate)', async () => {
    const { ap, fl } = await both('literal', '/literal', { headers: { accept: '*/*' } });
    expect(fl.status).toBe(ap.status);
    DELIBERATE_DIFFERENCES.apiClients.check(fl, ap);
    // A local document is the app's own answer: served whatever the client accepts.
    const local = await both('local', '/local', { headers: { accept: '*/*' } });
    expect(compared(local.fl)).toEqual(compared(local.ap));
  });

  it('parser errors: 400 for a line without target or version, 501 for an unknown method', async () => {
    const port = Number(new URL((sites.get('plain') as Site).url).port);
    for (const [raw, expected] of [
      ['GARBAGE\r\n\r\n', '400 Bad Request'],
      ['G@T / HTTP/1.1\r\nHost: x\r\n\r\n', '400 Bad Request'],
      ['BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '501 Not Implemented'],
      ['get / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '501 Not Implemented'],
    ] as const) {
      const [ap, fl] = await Promise.all([rawRequest(apache.port, raw), rawRequest(port, raw)]);
      expect(ap, JSON.stringify(raw)).toMatch(new RegExp(`^HTTP/1\\.1 ${expected}\r\n`));
      expect(fl, JSON.stringify(raw)).toMatch(new RegExp(`^HTTP/1\\.1 ${expected}\r\n`));
    }
  });
});
