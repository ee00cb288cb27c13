import { describe, expect, it } from 'vitest';
import {
  buildProvocations,
  type Canary,
  DEBUG_PROBES,
  encodeRequest,
  MAX_PATHS,
  MAX_REQUESTS,
  reflectionMarker,
} from '../../../src/cli/check/provocations.js';

const canary: Canary = {
  cookieName: 'fl_canary',
  cookieValue: 'flc0123456789abcdef01',
  bearer: 'flb0123456789abcdef0123',
  nonce: 'abcd1234',
};

describe('buildProvocations', () => {
  it('sends no POST/PUT/PATCH/DELETE and bodies only on GET without allowUnsafe', () => {
    const list = buildProvocations({ paths: ['/a', '/b'], allowUnsafe: false, canary });
    const withBody = list.filter((p) => p.body !== undefined);
    expect(withBody.map((p) => p.key).sort()).toEqual([
      'root.json-get',
      'route:/a.json-get',
      'route:/b.json-get',
    ]);
    for (const p of withBody) {
      expect(p.method).toBe('GET');
      expect(() => JSON.parse(p.body ?? '')).toThrow();
    }
    for (const p of list) {
      expect(p.unsafe).toBe(false);
      expect(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'FAULTLINECHECK']).toContain(p.method);
    }
  });

  it('adds malformed POST bodies with allowUnsafe, to the unrouted path and each route only', () => {
    const list = buildProvocations({ paths: ['/api/items'], allowUnsafe: true, canary });
    const posts = list.filter((p) => p.method === 'POST');
    expect(posts.length).toBe(8);
    expect(new Set(posts.map((p) => p.target))).toEqual(
      new Set(['/faultline-check-abcd1234', '/api/items']),
    );
    expect(posts.every((p) => p.unsafe && p.body !== undefined)).toBe(true);
    const malformed = posts.find((p) => p.key === 'route:/api/items.malformed-json');
    expect(() => JSON.parse(malformed?.body ?? '')).toThrow();
    expect(malformed?.headers).toContainEqual(['content-type', 'application/json']);
  });

  it('asks every route in every representation', () => {
    const list = buildProvocations({ paths: ['/r'], allowUnsafe: false, canary });
    const reps = list
      .filter((p) => p.target === '/r' && p.method === 'GET' && p.body === undefined)
      .map((p) => p.accept);
    expect(reps.sort()).toEqual(['html', 'json', 'none', 'problem', 'text']);
  });

  it('costs what docs/check.md says: 31 for the origin, 10 per route, 4 + 4 per route unsafe', () => {
    const count = (paths: string[], allowUnsafe: boolean, root = '/'): number =>
      buildProvocations({ paths, allowUnsafe, canary, root }).length;
    // The base path as the route (the default): no separate generic provocations for the root.
    expect(count(['/'], false)).toBe(31 + 10);
    // Named routes: the root still gets its 2 generic provocations.
    expect(count(['/a', '/b'], false)).toBe(31 + 2 + 2 * 10);
    expect(count(['/a', '/b'], true)).toBe(31 + 2 + 4 + 2 * 14);
    const paths = Array.from({ length: MAX_PATHS }, (_, i) => `/route-${i}`);
    const list = buildProvocations({ paths, allowUnsafe: true, canary });
    // Over the bound with every option at its maximum: the run cuts and reports it (run.ts).
    expect(list.length).toBe(31 + 2 + 4 + MAX_PATHS * 14);
    expect(list.length).toBeGreaterThan(MAX_REQUESTS);
    expect(new Set(list.map((p) => p.key)).size).toBe(list.length);
  });

  it('probes the well-known debug endpoints once each, under the base path', () => {
    const at = (root: string): string[] =>
      buildProvocations({ paths: [], allowUnsafe: false, canary, root })
        .filter((p) => p.probe === true)
        .map((p) => `${p.method} ${p.target}`);
    expect(at('/')).toEqual(DEBUG_PROBES.map(([, path]) => `GET /${path}`));
    expect(at('/app/start?x=1')).toContain('GET /app/console');
    expect(at('/')).toEqual(
      expect.arrayContaining([
        'GET /console',
        'GET /actuator/env',
        'GET /actuator/heapdump',
        'GET /_ignition/health-check',
        'GET /phpinfo.php',
      ]),
    );
  });

  it('provokes error paths without a route: type confusion, malformed JSON, a bad cookie', () => {
    const list = buildProvocations({ paths: [], allowUnsafe: false, canary });
    const types = list.find((p) => p.key === 'root.query-types');
    expect(types?.target).toMatch(/^\/\?.*\bid=.*&id\[\]=1/);
    expect(types?.clientError).toBe(true);
    const cookie = list.find((p) => p.key === 'bad-cookie');
    const text = encodeRequest(cookie as NonNullable<typeof cookie>, {
      host: 'h',
      canary,
      userAgent: 'ua',
    }).toString('latin1');
    expect(text).toContain(`\r\nCookie: fl_canary=${canary.cookieValue}; fl_bad=%E0%A4%A;`);
    expect(text.match(/\r\nCookie:/g)?.length).toBe(1);
  });

  it('aims every request at an origin-form target or *', () => {
    const list = buildProvocations({ paths: ['/x'], root: '/base', allowUnsafe: true, canary });
    for (const p of list) expect(p.target === '*' || /^\/(?!\/)/.test(p.target)).toBe(true);
    expect(list.find((p) => p.key === 'unknown-method')?.target).toBe('/base');
  });

  it('puts the reflection marker in the path percent-encoded', () => {
    const list = buildProvocations({ paths: [], allowUnsafe: false, canary });
    const p = list.find((x) => x.key === 'reflect.path');
    expect(p?.target).toBe(`/${encodeURIComponent(reflectionMarker(canary))}`);
    expect(reflectionMarker(canary)).toBe('<flxabcd1234>');
  });
});

describe('encodeRequest', () => {
  const ctx = { host: '127.0.0.1:8080', canary, userAgent: 'ua' };

  it('writes malformed requests byte for byte', () => {
    const list = buildProvocations({ paths: [], allowUnsafe: false, canary });
    const bad = list.find((p) => p.key === 'bad-content-length');
    const text = encodeRequest(bad as NonNullable<typeof bad>, ctx).toString('latin1');
    expect(text).toBe(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: ua\r\nAccept: application/json\r\n' +
        `Cookie: fl_canary=${canary.cookieValue}\r\nAuthorization: Bearer ${canary.bearer}\r\n` +
        'content-length: 12abc\r\nConnection: close\r\n\r\n',
    );
    const percent = list.find((p) => p.key === 'bad-percent');
    expect(encodeRequest(percent as NonNullable<typeof percent>, ctx).toString('latin1')).toMatch(
      /^GET \/%zzabcd1234 HTTP\/1\.1\r\n/,
    );
    const noHost = list.find((p) => p.key === 'no-host');
    expect(encodeRequest(noHost as NonNullable<typeof noHost>, ctx).toString('latin1')).not.toMatch(
      /\r\nHost:/i,
    );
    const version = list.find((p) => p.key === 'bad-version');
    expect(encodeRequest(version as NonNullable<typeof version>, ctx).toString('latin1')).toMatch(
      /^GET \/ HTTP\/9\.9\r\n/,
    );
  });

  it('adds Content-Length for bodies and leaves Accept out for the none representation', () => {
    const list = buildProvocations({ paths: ['/r'], allowUnsafe: true, canary });
    const post = list.find((p) => p.key === 'route:/r.malformed-json');
    const text = encodeRequest(post as NonNullable<typeof post>, ctx).toString('utf8');
    expect(text).toMatch(/\r\nContent-Length: 13\r\nConnection: close\r\n\r\n\{"name": "x",$/);
    const none = list.find((p) => p.key === 'route:/r.none');
    expect(encodeRequest(none as NonNullable<typeof none>, ctx).toString('latin1')).not.toMatch(
      /\r\nAccept:/,
    );
  });
});
