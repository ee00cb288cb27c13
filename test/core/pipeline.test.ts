import { describe, expect, it } from 'vitest';
import { HttpError } from '../../src/core/http-error.js';
import {
  createFaultline,
  type FaultRequest,
  isLoopback,
  LAST_RESORT,
} from '../../src/core/pipeline.js';
import { memoryLogger } from '../support/memory-logger.js';

const req = (
  headers: FaultRequest['headers'] = {},
  remoteAddress = '203.0.113.9',
): FaultRequest => ({
  method: 'GET',
  url: '/x?token=abc',
  headers,
  remoteAddress,
  requestId: undefined,
});

describe('Faultline pipeline', () => {
  it('produces status, safety headers and the incident header', () => {
    const fl = createFaultline({ logger: false });
    const r = fl.respond(new Error('boom'), req({ accept: 'text/html' }));
    const h = Object.fromEntries(r.headers);
    expect(r.status).toBe(500);
    expect(h).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'faultline-incident': r.fault?.public.incident,
    });
  });

  it('shows debug detail only with debug on and to loopback clients naming a loopback Host', () => {
    const on = createFaultline({ logger: false, debug: true });
    const local = { host: 'localhost:3000' };
    expect(on.respond(new Error('dbg-msg'), req(local, '127.0.0.1')).body).toContain('dbg-msg');
    expect(on.respond(new Error('dbg-msg'), req(local, '::ffff:127.0.0.1')).body).toContain(
      'dbg-msg',
    );
    expect(on.respond(new Error('dbg-msg'), req(local, '10.0.0.1')).body).not.toContain('dbg-msg');
    expect(on.respond(new Error('dbg-msg'), req({}, '127.0.0.1')).body).not.toContain('dbg-msg');
    const off = createFaultline({ logger: false });
    expect(off.respond(new Error('dbg-msg'), req(local, '127.0.0.1')).body).not.toContain(
      'dbg-msg',
    );
    expect(isLoopback(undefined)).toBe(false);
  });

  it('falls back to a fixed 500 when the logger throws and rendering is fine, and on internal failure', () => {
    const throwing = {
      error: () => {
        throw new Error('logger down');
      },
      info: () => {},
      debug: () => {},
    };
    const fl = createFaultline({ logger: throwing });
    expect(fl.respond(new Error('x'), req()).status).toBe(500);
    const broken = createFaultline({ logger: false });
    const hostileReq = {
      ...req(),
      headers: new Proxy(
        {},
        {
          get: () => {
            throw new Error('no');
          },
        },
      ),
    };
    expect(broken.respond(new Error('x'), hostileReq)).toBe(LAST_RESORT);
  });

  it('logs once per 5xx with scrubbed headers and no query values', () => {
    const mem = memoryLogger();
    const fl = createFaultline({ logger: mem.logger });
    const r = fl.respond(new Error('kaput'), {
      ...req({
        authorization: 'Bearer sekrit',
        cookie: 'sid=sekrit',
        'x-api-key': 'sekrit',
        accept: '*/*',
      }),
      requestId: 'req-1',
    });
    const [rec] = mem.records();
    expect(mem.records()).toHaveLength(1);
    expect(rec).toMatchObject({
      level: 50,
      incident: r.fault?.public.incident,
      status: 500,
      code: 'internal_error',
      phase: 'handler',
      error: { name: 'Error', message: 'kaput', thrown: 'Error' },
      request: { method: 'GET', path: '/x', queryKeys: ['token'], requestId: 'req-1' },
    });
    expect(mem.text()).not.toContain('sekrit');
    expect(mem.text()).not.toContain('abc');
    expect(Object.fromEntries(r.headers)['x-request-id']).toBe('req-1');
  });

  it("logs 4xx at pino-http's warn, visible at pino's default level, and at the configured level", () => {
    const mem = memoryLogger('info');
    createFaultline({ logger: mem.logger }).respond(new HttpError(404), req());
    expect(mem.records()).toMatchObject([{ level: 40, status: 404 }]);
    const quiet = memoryLogger('info');
    createFaultline({ logger: quiet.logger, levels: { '4xx': 'debug' } }).respond(
      new HttpError(404),
      req(),
    );
    expect(quiet.records()).toHaveLength(0);
  });

  it('validates inbound request ids', () => {
    const fl = createFaultline({ logger: false });
    expect(fl.requestId({ 'x-request-id': 'abc-123' })).toBe('abc-123');
    expect(fl.requestId({ 'x-request-id': '<script>' })).toBeUndefined();
    expect(fl.requestId({ 'x-request-id': 'a'.repeat(500) })).toBeUndefined();
  });
});

describe('render re-checks the status', () => {
  it('renders a fault whose status was changed after classification as a 500 with an incident', () => {
    const fl = createFaultline({ logger: false });
    for (const status of [200, 302, 101, 99, 1e10, 404.5]) {
      const fault = fl.classify(new HttpError(404, 'gone away'));
      const changed = { ...fault, public: { ...fault.public, status, detail: 'gone away' } };
      for (const accept of ['application/json', 'text/html', 'text/plain']) {
        const r = fl.render(changed, req({ accept }));
        expect(r.status).toBe(500);
        const incident = Object.fromEntries(r.headers)['faultline-incident'];
        expect(incident).toMatch(/^[0-9A-Z]{26}$/);
        expect(r.body).toContain(incident);
        expect(r.body).not.toContain('gone away');
      }
    }
  });

  it('gives a hand-built 5xx without an incident id one', () => {
    const fl = createFaultline({ logger: false });
    const fault = fl.classify(new HttpError(404));
    const r = fl.render({ ...fault, public: { ...fault.public, status: 503 } }, req());
    expect(Object.fromEntries(r.headers)['faultline-incident']).toMatch(/^[0-9A-Z]{26}$/);
  });
});
