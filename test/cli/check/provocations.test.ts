import { describe, expect, it } from 'vitest';
import {
  buildProvocations,
  type Canary,
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
  it('sends no body and no POST/PUT/PATCH/DELETE without allowUnsafe', () => {
    const list = buildProvocations({ paths: ['/a', '/b'], allowUnsafe: false, canary });
    for (const p of list) {
      expect(p.body).toBeUndefined();
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
    const reps = list.filter((p) => p.target === '/r' && p.method === 'GET').map((p) => p.accept);
    expect(reps.sort()).toEqual(['html', 'json', 'none', 'problem', 'text']);
  });

  it('stays within the request bound with the most paths', () => {
    const paths = Array.from({ length: MAX_PATHS }, (_, i) => `/route-${i}`);
    const list = buildProvocations({ paths, allowUnsafe: true, canary });
    expect(list.length).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(list.length).toBeGreaterThan(100);
    expect(new Set(list.map((p) => p.key)).size).toBe(list.length);
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
