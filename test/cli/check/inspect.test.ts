import { describe, expect, it } from 'vitest';
import { inspect, mask } from '../../../src/cli/check/inspect.js';
import {
  ACCEPT,
  buildProvocations,
  type Canary,
  type Provocation,
  type Representation,
} from '../../../src/cli/check/provocations.js';
import type { Outcome, RawResponse } from '../../../src/cli/check/send.js';
import { httpErrors } from '../../../src/core/http-error.js';
import { createFaultline } from '../../../src/core/pipeline.js';

const canary: Canary = {
  cookieName: 'fl_canary',
  cookieValue: 'flc0123456789abcdef01',
  bearer: 'flb0123456789abcdef0123',
  nonce: 'abcd1234',
};
const ctx = { canary, timeoutMs: 5000 };
const list = buildProvocations({ paths: ['/boom'], allowUnsafe: true, canary });

function provocation(key: string): Provocation {
  const p = list.find((x) => x.key === key);
  if (!p) throw new Error(`no provocation ${key}`);
  return p;
}

function response(
  status: number,
  headers: Record<string, string>,
  body: string | Uint8Array = '',
): RawResponse {
  return {
    kind: 'response',
    status,
    reason: '',
    headers: Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v] as const),
    body: typeof body === 'string' ? Buffer.from(body) : Buffer.from(body),
    truncated: false,
    elapsedMs: 1,
  };
}

/** Headers that make a response clean for everything but the check under test. */
const CLEAN = {
  'content-type': 'application/problem+json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-request-id': 'req-12345678',
};

function idsOf(p: Provocation, outcome: Outcome): string[] {
  return inspect(p, outcome, ctx)
    .map((h) => h.id)
    .sort();
}

const json = provocation('route:/boom.json');
const html = provocation('route:/boom.html');

describe('inspect: leaks in the body', () => {
  const cases: Array<[string, string, string]> = [
    [
      'FL-STACK-TRACE',
      'text/plain',
      'Error: x\n    at Object.<anonymous> (C:\\app\\server.js:3:9)\n    at Module._compile (node:internal/modules/cjs/loader:1364:14)',
    ],
    ['FL-STACK-TRACE', 'text/plain', 'Traceback (most recent call last):\n  x'],
    [
      'FL-STACK-TRACE',
      'text/plain',
      'java.lang.IllegalStateException\n\tat com.acme.Orders.get(Orders.java:42)',
    ],
    ['FL-STACK-TRACE', 'text/plain', 'PHP Fatal error: x in index.php on line 12'],
    ['FL-STACK-TRACE', 'text/plain', 'panic: x\n\ngoroutine 1 [running]:'],
    ['FL-FILE-PATH', 'text/plain', 'cannot open /srv/app/config/prod.yml'],
    ['FL-FILE-PATH', 'text/plain', 'failed to load C:\\inetpub\\wwwroot\\web.config'],
    ['FL-SQL-ERROR', 'text/plain', 'ERROR: relation "users" does not exist'],
    ['FL-SQL-ERROR', 'text/plain', 'SQLITE_ERROR: no such table: users'],
    ['FL-SQL-ERROR', 'text/plain', 'ORA-00942: table or view does not exist'],
    ['FL-INTERNAL-IP', 'text/plain', 'upstream 192.168.4.20 refused'],
    ['FL-INTERNAL-IP', 'text/plain', 'connect ECONNREFUSED 172.17.0.3:6379'],
    ['FL-BODY-VERSION', 'text/html', '<hr><center>nginx/1.22.1</center>'],
    [
      'FL-BODY-VERSION',
      'text/html',
      '<address>Apache/2.4.62 (Debian) Server at x Port 80</address>',
    ],
  ];
  for (const [id, type, body] of cases) {
    it(`${id}: ${body.slice(0, 50)}`, () => {
      expect(idsOf(json, response(500, { ...CLEAN, 'content-type': type }, body))).toContain(id);
    });
  }

  it('reads stack frames inside HTML (Express development page) and JSON strings', () => {
    const page =
      '<pre>Error: boom<br> &nbsp; &nbsp;at /srv/app/index.js:10:9<br> &nbsp; &nbsp;at Layer.handle (/srv/app/node_modules/router/lib/layer.js:152:17)</pre>';
    expect(idsOf(html, response(500, { ...CLEAN, 'content-type': 'text/html' }, page))).toEqual(
      expect.arrayContaining(['FL-STACK-TRACE', 'FL-FILE-PATH']),
    );
    const body = JSON.stringify({
      error: { stack: 'Error: x\n    at run (file:///srv/a.mjs:1:2)' },
    });
    expect(
      idsOf(json, response(500, { ...CLEAN, 'content-type': 'application/json' }, body)),
    ).toEqual(expect.arrayContaining(['FL-STACK-TRACE', 'FL-FILE-PATH']));
  });

  it('does not mistake ordinary text for leaks', () => {
    const body =
      'We could not find /faultline-check-abcd1234. See https://example.com/usr/docs/at.html at 10:30 — version 1.2.3 of the docs. Select a product from the list.';
    expect(idsOf(json, response(404, { ...CLEAN, 'content-type': 'text/plain' }, body))).toEqual(
      [],
    );
  });
});

describe('inspect: echo and reflection', () => {
  it('FL-ECHO-CREDENTIALS for the cookie or bearer in body or headers, masked in evidence', () => {
    const hits = inspect(
      json,
      response(400, CLEAN, `{"headers":{"cookie":"fl_canary=${canary.cookieValue}"}}`),
      ctx,
    );
    const echo = hits.find((h) => h.id === 'FL-ECHO-CREDENTIALS');
    expect(echo?.evidence).toContain('fl_canary=****');
    expect(echo?.evidence).not.toContain(canary.cookieValue);
    expect(
      idsOf(json, response(400, { ...CLEAN, 'x-debug-auth': `Bearer ${canary.bearer}` })),
    ).toContain('FL-ECHO-CREDENTIALS');
  });

  it('FL-REFLECTED-HTML only when the marker comes back unescaped in HTML', () => {
    const p = provocation('reflect.path');
    const htmlType = { ...CLEAN, 'content-type': 'text/html' };
    expect(idsOf(p, response(404, htmlType, '<p>No page at /<flxabcd1234></p>'))).toContain(
      'FL-REFLECTED-HTML',
    );
    expect(
      idsOf(p, response(404, htmlType, '<p>No page at /&lt;flxabcd1234&gt;</p>')),
    ).not.toContain('FL-REFLECTED-HTML');
    const json404 = { ...CLEAN, 'content-type': 'application/problem+json' };
    expect(idsOf(p, response(404, json404, '{"detail":"/<flxabcd1234>"}'))).not.toContain(
      'FL-REFLECTED-HTML',
    );
    // No content type and no nosniff: a browser may sniff it as HTML.
    const { 'content-type': _, 'x-content-type-options': __, ...bare } = CLEAN;
    expect(idsOf(p, response(404, bare, '<p>/<flxabcd1234></p>'))).toContain('FL-REFLECTED-HTML');
  });
});

describe('inspect: headers and formats', () => {
  it('version disclosure in headers', () => {
    expect(idsOf(json, response(404, { ...CLEAN, server: 'nginx/1.22.1' }))).toEqual([
      'FL-SERVER-VERSION',
    ]);
    expect(idsOf(json, response(404, { ...CLEAN, server: 'nginx' }))).toEqual([]);
    expect(idsOf(json, response(404, { ...CLEAN, 'x-powered-by': 'Express' }))).toEqual([
      'FL-POWERED-BY',
    ]);
  });

  it('5xx hygiene: no-store and a correlation id', () => {
    const { 'cache-control': _, 'x-request-id': __, ...rest } = CLEAN;
    expect(idsOf(json, response(503, rest))).toEqual(['FL-NO-CORRELATION-ID', 'FL-NO-STORE-5XX']);
    expect(idsOf(json, response(404, rest))).toEqual([]);
    expect(
      idsOf(
        json,
        response(500, rest, '{"title":"Internal Server Error","requestId":"01HZX4K9Q2"}'),
      ),
    ).toEqual(['FL-NO-STORE-5XX']);
  });

  it('FL-NO-NOSNIFF only for responses with a body', () => {
    const { 'x-content-type-options': _, ...rest } = CLEAN;
    expect(idsOf(json, response(404, rest, '{}'))).toEqual(['FL-NO-NOSNIFF']);
    expect(idsOf(json, response(400, rest))).toEqual([]);
  });

  it('format: HTML for a JSON client, JSON that is not problem+json', () => {
    expect(
      idsOf(json, response(404, { ...CLEAN, 'content-type': 'text/html' }, '<h1>x</h1>')),
    ).toEqual(['FL-HTML-FOR-JSON']);
    expect(
      idsOf(html, response(404, { ...CLEAN, 'content-type': 'text/html' }, '<h1>x</h1>')),
    ).toEqual([]);
    expect(
      idsOf(html, response(404, { ...CLEAN, 'content-type': 'application/json' }, '{}')),
    ).toEqual(['FL-JSON-NOT-PROBLEM']);
  });

  it("FL-500-MESSAGE for a JSON 500 carrying the error's message, not for a generic one", () => {
    const type = { ...CLEAN, 'content-type': 'application/json' };
    const fastify =
      '{"statusCode":500,"error":"Internal Server Error","message":"cannot read x of undefined"}';
    expect(idsOf(json, response(500, type, fastify))).toContain('FL-500-MESSAGE');
    const generic =
      '{"statusCode":500,"error":"Internal Server Error","message":"Internal Server Error"}';
    expect(idsOf(json, response(500, type, generic))).not.toContain('FL-500-MESSAGE');
  });
});

describe('inspect: outcomes other than an error response', () => {
  it('resets, timeouts and 2xx to malformed input', () => {
    expect(idsOf(json, { kind: 'reset', code: 'ECONNRESET', elapsedMs: 3 })).toEqual([
      'FL-CONNECTION-RESET',
    ]);
    expect(idsOf(json, { kind: 'timeout', elapsedMs: 5000 })).toEqual(['FL-TIMEOUT']);
    expect(idsOf(json, { kind: 'unreachable', code: 'ECONNREFUSED', elapsedMs: 1 })).toEqual([
      'FL-CONNECTION-RESET',
    ]);
    const malformed = provocation('route:/boom.malformed-json');
    expect(idsOf(malformed, response(200, {}, '{"ok":true}'))).toEqual(['FL-ACCEPTS-MALFORMED']);
    // A 2xx page is searched for leaks once it shows an error (PHP's display_errors sends 200).
    expect(idsOf(json, response(200, {}, 'Error: x\n    at /srv/a.js:1:2'))).toEqual([
      'FL-FILE-PATH',
      'FL-STACK-TRACE',
    ]);
    expect(idsOf(html, response(200, { 'content-type': 'text/html' }, PHP_DISPLAY_ERRORS))).toEqual(
      ['FL-FILE-PATH', 'FL-STACK-TRACE'],
    );
    // An ordinary page that mentions a path or SQL is no finding, and 2xx skip the header rules.
    expect(
      idsOf(
        html,
        response(
          200,
          { 'content-type': 'text/html' },
          '<p>Edit /etc/hosts, then select a from b;</p>',
        ),
      ),
    ).toEqual([]);
  });

  it('says what came for an HTTP/0.9-style reply', () => {
    const hits = inspect(
      json,
      { kind: 'reset', code: 'EBADRESPONSE', elapsedMs: 2, preview: { bytes: 5, text: 'hello' } },
      ctx,
    );
    expect(hits).toEqual([
      {
        id: 'FL-CONNECTION-RESET',
        evidence: 'no HTTP/1.x status line (an HTTP/0.9-style reply): 5 bytes, starting "hello"',
      },
    ]);
  });
});

/** What `php -S` with display_errors=On sends for an uncaught TypeError, with status 200. */
const PHP_DISPLAY_ERRORS = `<br />
<b>Fatal error</b>:  Uncaught TypeError: htmlspecialchars(): Argument #1 ($string) must be of type string, array given in /var/www/html/index.php:3
Stack trace:
#0 /var/www/html/index.php(3): htmlspecialchars()
#1 {main}
  thrown in <b>/var/www/html/index.php</b> on line <b>3</b><br />`;

describe('inspect: TRACE', () => {
  const trace = provocation('trace');
  const echo = `TRACE / HTTP/1.1\r\nHost: x\r\nCookie: fl_canary=${canary.cookieValue}\r\n\r\n`;
  it('FL-TRACE-ENABLED when TRACE is answered 2xx with the request echoed, masked', () => {
    const hits = inspect(trace, response(200, { 'content-type': 'message/http' }, echo), ctx);
    expect(hits.map((h) => h.id)).toEqual(['FL-TRACE-ENABLED']);
    expect(hits[0]?.evidence).toMatch(/^200 message\/http: TRACE \/ HTTP\/1\.1/);
    expect(hits[0]?.evidence).not.toContain(canary.cookieValue);
  });
  it('nothing when TRACE is refused', () => {
    expect(idsOf(trace, response(405, CLEAN, ''))).toEqual([]);
    expect(idsOf(trace, response(200, CLEAN, 'ok'))).toEqual([]);
  });
});

describe('inspect: debug consoles and pages, whatever the status', () => {
  const probe = provocation('debug.werkzeug-console');
  const cases: Array<[string, number, string, string]> = [
    [
      'FL-DEBUG-CONSOLE',
      200,
      'text/html',
      '<script>var CONSOLE_MODE = true, EVALEX = true, EVALEX_TRUSTED = false, SECRET = "x";</script><h1>Interactive Console</h1>',
    ],
    [
      'FL-DEBUG-PAGE',
      500,
      'text/html',
      '<title>ZeroDivisionError: division by zero // Werkzeug Debugger</title><link href="?__debugger__=yes&amp;cmd=resource&amp;f=style.css"><script>var EVALEX = false;</script>',
    ],
    ['FL-DEBUG-CONSOLE', 200, 'application/json', '{"can_execute_commands":true}'],
    [
      'FL-DEBUG-PAGE',
      404,
      'text/html',
      '<p>You&#x27;re seeing this error because you have <code>DEBUG = True</code> in your Django settings file.</p>',
    ],
    [
      'FL-DEBUG-PAGE',
      500,
      'text/html',
      '<title>Action Controller: Exception caught</title><h1>NoMethodError</h1>',
    ],
    ['FL-DEBUG-PAGE', 500, 'text/html', '<script>window.ignite = {}</script>'],
    [
      'FL-ACTUATOR-EXPOSED',
      200,
      'application/vnd.spring-boot.actuator.v3+json',
      '{"activeProfiles":["prod"],"propertySources":[{"name":"server.ports"}]}',
    ],
    ['FL-ACTUATOR-EXPOSED', 200, 'application/octet-stream', 'JAVA PROFILE 1.0.2\0\0\0\u0008'],
    [
      'FL-PHPINFO',
      200,
      'text/html',
      '<title>PHP 8.2.36 - phpinfo()</title><h1 class="p">PHP Version 8.2.36</h1>',
    ],
  ];
  for (const [id, status, type, body] of cases) {
    it(`${id}: ${body.slice(0, 50)}`, () => {
      expect(idsOf(probe, response(status, { ...CLEAN, 'content-type': type }, body))).toContain(
        id,
      );
    });
  }
  it("a product's console outranks its page: one finding per product", () => {
    const body = '<title>KeyError // Werkzeug Debugger</title><script>var EVALEX = true;</script>';
    const found = idsOf(probe, response(500, { ...CLEAN, 'content-type': 'text/html' }, body));
    expect(found.filter((id) => id.startsWith('FL-DEBUG-'))).toEqual(['FL-DEBUG-CONSOLE']);
  });

  it('nothing for an ordinary 404 or a page that talks about debugging', () => {
    const body = '<p>Turn DEBUG off in production. See the console for details.</p>';
    expect(idsOf(probe, response(404, { ...CLEAN, 'content-type': 'text/html' }, body))).toEqual(
      [],
    );
  });
});

describe('inspect: precision', () => {
  const type = { ...CLEAN, 'content-type': 'text/html' };
  it('decodes numeric HTML entities before matching', () => {
    const body = '<pre>Error: x&#10;    at handler (&#x2F;srv&#47;app.js:10:5)</pre>';
    expect(idsOf(html, response(500, type, body))).toEqual(
      expect.arrayContaining(['FL-STACK-TRACE', 'FL-FILE-PATH']),
    );
  });
  it('FL-FILE-PATH: not for a 404 that echoes the requested path; yes for /run/secrets', () => {
    const app = buildProvocations({ paths: ['/app/orders'], allowUnsafe: false, canary }).find(
      (p) => p.key === 'route:/app/orders.html',
    ) as Provocation;
    expect(idsOf(app, response(404, type, '<p>Cannot GET /app/orders</p>'))).toEqual([]);
    expect(
      idsOf(app, response(404, type, '<p>open /run/secrets/db_password: permission denied</p>')),
    ).toEqual(['FL-FILE-PATH']);
    expect(idsOf(app, response(404, type, '<p>at D:/a/app/src/server.ts:10</p>'))).toEqual([
      'FL-FILE-PATH',
    ]);
  });
  it('FL-500-MESSAGE: an exception in an HTML 500, not a fixed friendly detail', () => {
    expect(
      idsOf(
        html,
        response(500, type, '<h1>Error</h1><p>TypeError: items.map is not a function</p>'),
      ),
    ).toContain('FL-500-MESSAGE');
    const friendly = JSON.stringify({
      title: 'Internal Server Error',
      detail: 'We could not complete your request. Please try again in a minute.',
    });
    expect(
      idsOf(json, response(500, { ...CLEAN, 'content-type': 'application/json' }, friendly)),
    ).not.toContain('FL-500-MESSAGE');
  });
});

describe("inspect: faultline's own error responses", () => {
  const fl = createFaultline({ logger: false });
  const reps: Representation[] = ['html', 'json', 'problem', 'text', 'none'];
  const thrown = [
    new Error('select * from "orders" - connect ECONNREFUSED 10.20.0.7:5432'),
    httpErrors.notFound(),
    httpErrors.serviceUnavailable('maintenance window', { headers: { 'Retry-After': 120 } }),
  ];
  for (const rep of reps) {
    it(`come out clean, Accept ${rep}`, () => {
      const p = provocation(`route:/boom.${rep}`);
      const accept = ACCEPT[rep];
      for (const err of thrown) {
        const r = fl.respond(err, {
          method: 'GET',
          url: '/boom',
          headers: accept === undefined ? {} : { accept },
          remoteAddress: '203.0.113.9',
          requestId: undefined,
        });
        const headers = Object.fromEntries(r.headers.map(([n, v]) => [n, v]));
        expect(idsOf(p, response(r.status, headers, r.body))).toEqual([]);
      }
    });
  }
});

describe('mask', () => {
  it('hides canaries, URL passwords, bearer tokens and key=value secrets', () => {
    const out = mask(
      `postgres://admin:hunter2@db:5432/app Bearer abcdef123456 token=s3cr3tvalue ${canary.bearer}`,
      canary,
    );
    expect(out).toBe('postgres://admin:****@db:5432/app Bearer **** token=**** ****');
  });
});

describe('inspect: the target itself', () => {
  it("does not count the target's own private address as a leak", () => {
    const body = '<address>Apache Server at 10.0.0.5 Port 80</address>';
    const type = { ...CLEAN, 'content-type': 'text/html' };
    const p = provocation('route:/boom.html');
    const own = inspect(p, response(404, type, body), { ...ctx, targetHost: '10.0.0.5' });
    expect(own.map((h) => h.id)).toEqual([]);
    const other = inspect(p, response(404, type, `${body} via 10.0.0.9`), {
      ...ctx,
      targetHost: '10.0.0.5',
    });
    expect(other.map((h) => h.id)).toEqual(['FL-INTERNAL-IP']);
  });
});

describe('mask: terminal safety', () => {
  it('replaces control characters (escape sequences from a hostile server)', () => {
    expect(mask('a\u001b[2Jb\u0007c', canary)).toBe('a\ufffd[2Jb\ufffdc');
  });
});
