import { describe, expect, it } from 'vitest';
import { toFault } from '../../src/core/classify.js';
import { HttpError } from '../../src/core/http-error.js';
import { Reporter, type RequestInfo } from '../../src/core/report.js';
import { memoryLogger } from '../support/memory-logger.js';

const INCIDENT = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function request(over: Partial<RequestInfo> = {}): RequestInfo {
  return {
    method: 'GET',
    url: '/orders/42?expand=items&token=abc',
    headers: { accept: 'application/json', authorization: 'Bearer abcdefghijk', host: 'x' },
    remoteAddress: '127.0.0.1',
    requestId: 'req-42',
    ...over,
  };
}

describe('Reporter records', () => {
  it('writes a 5xx record field by field', () => {
    const { logger, records } = memoryLogger('debug');
    const reporter = new Reporter(logger, { storm: { windowMs: 10_000, maxFingerprints: 100 } });
    const err = new Error('db down') as Error & { code: string };
    err.code = 'ECONNREFUSED';
    const fault = toFault(err);
    const start = performance.now() - 25;
    expect(reporter.report(fault, request({ route: '/orders/:id', startTime: start }))).toBe(true);

    const [rec] = records();
    expect(Object.keys(rec ?? {})).toEqual([
      'level',
      'time',
      'incident',
      'status',
      'code',
      'phase',
      'durationMs',
      'fingerprint',
      'error',
      'request',
      'msg',
    ]);
    expect(rec?.level).toBe(50);
    expect(rec?.msg).toBe('request failed: 500 internal_error');
    expect(rec?.incident).toBe(fault.public.incident);
    expect(rec?.incident).toMatch(INCIDENT);
    expect(rec?.status).toBe(500);
    expect(rec?.code).toBe('internal_error');
    expect(rec?.phase).toBe('handler');
    expect(rec?.durationMs).toBeGreaterThanOrEqual(25);
    expect(rec?.durationMs).toBeLessThan(5000);
    expect(rec?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const error = rec?.error as Record<string, unknown>;
    expect(error.name).toBe('Error');
    expect(error.thrown).toBe('Error');
    expect(error.message).toBe('db down');
    expect(error.code).toBe('ECONNREFUSED');
    expect(String(error.stack)).toMatch(/^Error: db down\n {4}at /);
    expect(error.causes).toBeUndefined();
    expect(rec?.request).toEqual({
      method: 'GET',
      route: '/orders/:id',
      path: '/orders/42',
      queryKeys: ['expand', 'token'],
      requestId: 'req-42',
      remoteAddress: '127.0.0.1',
      headers: { accept: 'application/json', authorization: '[redacted]', host: 'x' },
    });
  });

  it('writes the cause chain and AggregateError members, bounded', () => {
    const { logger, records } = memoryLogger('debug');
    const reporter = new Reporter(logger);
    const root = new Error('root');
    const members = Array.from({ length: 30 }, (_, i) => new RangeError(`member ${i}`));
    const agg = new AggregateError(members, 'several', { cause: root });
    const top = new Error('top', { cause: agg });
    reporter.report(toFault(top), undefined);
    const rec = records()[0] as { error: { causes: Array<{ name: string; message: string }> } };
    const causes = rec.error.causes;
    expect(causes[0]).toMatchObject({ name: 'AggregateError', message: 'several' });
    expect(causes[1]).toMatchObject({ name: 'Error', message: 'root' });
    expect(causes[2]).toMatchObject({ name: 'RangeError', message: 'member 0' });
    expect(causes.length).toBe(10);
    expect('request' in rec).toBe(false);
  });

  it('bounds a huge message and stack, and the causes more tightly', () => {
    const { logger, text, records } = memoryLogger('debug');
    const causes = Array.from({ length: 12 }, () => new Error('c'.repeat(1_000_000)));
    const err = new Error('x'.repeat(5_000_000), { cause: new AggregateError(causes, 'y') });
    new Reporter(logger).report(toFault(err), request());
    expect(text().length).toBeLessThan(100 * 1024);
    const rec = records()[0] as { error: { message: string; causes: Array<{ message: string }> } };
    expect(rec.error.message).toMatch(/^x{8192}…\[4991808 more chars\]$/);
    expect(rec.error.causes[1]?.message).toMatch(/^c{2048}…\[\d+ more chars\]$/);
  });

  it('writes 4xx at warn without headers or incident, 499 at info (as pino-http levels)', () => {
    const { logger, records } = memoryLogger('debug');
    const reporter = new Reporter(logger);
    reporter.report(toFault(new HttpError(404)), request());
    reporter.report(
      toFault(new DOMException('gone', 'AbortError'), { clientClosed: true }),
      request(),
    );
    const [notFound, closed] = records();
    expect(notFound).toMatchObject({ level: 40, status: 404, code: 'not_found' });
    expect(notFound?.msg).toBe('request rejected: 404 not_found');
    expect('incident' in (notFound ?? {})).toBe(false);
    expect((notFound?.request as Record<string, unknown> | undefined)?.headers).toBeUndefined();
    expect(notFound?.request).toBeDefined();
    expect(closed).toMatchObject({ level: 30, status: 499, msg: 'client closed request' });
  });

  it('writes each status class at its configured level', () => {
    const { logger, records } = memoryLogger('trace');
    const reporter = new Reporter(logger, {
      levels: { '5xx': 'fatal', '4xx': 'info', '499': 'debug' },
    });
    reporter.report(toFault(new Error('x')), request());
    reporter.report(toFault(new HttpError(400)), request());
    reporter.report(toFault(new Error('gone'), { clientClosed: true }), request());
    expect(records().map((r) => [r.status, r.level])).toEqual([
      [500, 60],
      [400, 30],
      [499, 20],
    ]);
  });

  it('uses the nearest method of a logger that lacks the configured one', () => {
    const seen: string[] = [];
    const minimal = {
      error: () => seen.push('error'),
      info: () => seen.push('info'),
      debug: () => seen.push('debug'),
    };
    const reporter = new Reporter(minimal, {
      levels: { '5xx': 'fatal', '4xx': 'warn', '499': 'trace' },
    });
    reporter.report(toFault(new Error('x')), request());
    reporter.report(toFault(new HttpError(400)), request());
    reporter.report(toFault(new Error('gone'), { clientClosed: true }), request());
    expect(seen).toEqual(['error', 'info', 'debug']);
  });

  it('builds nothing for a disabled level, and survives a broken logger', () => {
    const { logger, lines } = memoryLogger('error');
    const reporter = new Reporter(logger);
    expect(reporter.report(toFault(new HttpError(400)), request())).toBe(false);
    expect(lines).toHaveLength(0);
    const broken = {
      error() {
        throw new Error('logger broke');
      },
      info() {},
      debug() {},
    };
    expect(new Reporter(broken).report(toFault(new Error('x')), request())).toBe(false);
    expect(new Reporter(undefined).report(toFault(new Error('x')), request())).toBe(false);
  });

  it('accepts a Date.now() start time', () => {
    const { logger, records } = memoryLogger('debug');
    new Reporter(logger).report(toFault(new Error('x')), request({ startTime: Date.now() - 40 }));
    const d = records()[0]?.durationMs as number;
    expect(d).toBeGreaterThanOrEqual(39);
    expect(d).toBeLessThan(5000);
  });
});

describe('storm control without formatting stacks', () => {
  it('counts repeats of a fault without making V8 format their stacks, and keeps exact counts', async () => {
    const { createFaultline } = await import('../../src/core/pipeline.js');
    const mem = memoryLogger();
    const fl = createFaultline({ logger: mem.logger, telemetry: false });
    const req: RequestInfo = {
      method: 'GET',
      url: '/orders/7',
      headers: {},
      remoteAddress: undefined,
      requestId: undefined,
    };
    let formatted = 0;
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = (err, frames) => {
      formatted++;
      return original ? original(err, frames) : `${err}\n    at ${frames.join('\n    at ')}`;
    };
    try {
      const fail = () => fl.respond(new Error('order 7 not loaded'), req);
      for (let i = 0; i < 1000; i++) fail();
    } finally {
      Error.prepareStackTrace = original;
    }
    fl.flush();
    const records = mem.records();
    // The first fault is logged in full (stack formatted); the second computes the full
    // fingerprint once; the other 998 are counted from the quick key.
    expect(formatted).toBeLessThanOrEqual(2);
    expect(
      records.filter(
        (r) => r.error !== undefined && (r as { storm?: unknown }).storm === undefined,
      ),
    ).toHaveLength(1);
    expect((records[0] as { error: { stack: string } }).error.stack).toContain('report.test');
    const summary = records.find((r) => r.storm !== undefined) as { storm: { count: number } };
    expect(summary.storm.count).toBe(1000);
  });
});
