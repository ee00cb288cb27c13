import { describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/fetch.js';
import { httpErrors } from '../../src/core/http-error.js';
import { CANARY } from '../conformance/scenarios.js';
import { fetchHandler } from '../conformance/servers.js';
import { memoryLogger } from '../support/record-logger.js';

const json = { headers: { accept: 'application/json', 'x-request-id': 'req-42' } };

describe('faultline/fetch', () => {
  it('turns a rejection into a problem response with an incident, message private', async () => {
    const logger = memoryLogger();
    const fl = faultline({ logger });
    const handler = fl.handle(async () => {
      throw new Error(`db password ${CANARY}`);
    });
    const res = await handler(new Request('http://x/a?token=1', json));
    expect(res.status).toBe(500);
    const incident = res.headers.get('faultline-incident');
    expect(incident).toMatch(/^[0-9A-Z]{26}$/);
    expect(res.headers.get('x-request-id')).toBe('req-42');
    expect(res.headers.get('vary')).toBe('Accept');
    const body = await res.text();
    expect(body).not.toContain(CANARY);
    expect(res.headers.get('content-length')).toBe(String(new TextEncoder().encode(body).length));
    const record = logger.records[0]?.obj as {
      incident: string;
      request: { path: string; requestId: string };
    };
    expect(record.incident).toBe(incident);
    expect(record.request.path).toBe('/a');
    expect(record.request.requestId).toBe('req-42');
  });

  it('sets the RFC 9110 reason phrase as statusText, for runtimes that write it', async () => {
    const fl = faultline({ logger: false });
    const handler = fl.handle(() => {
      throw httpErrors.unprocessableContent('bad email');
    });
    const res = await handler(new Request('http://x/', json));
    expect([res.status, res.statusText]).toEqual([422, 'Unprocessable Content']);
  });

  it('passes the runtime arguments through and leaves good responses untouched', async () => {
    const fl = faultline({ logger: false });
    const handler = fl.handle(
      (_req: Request, env: { greeting: string }) => new Response(env.greeting),
    );
    const res = await handler(new Request('http://x/'), { greeting: 'hi' });
    expect(await res.text()).toBe('hi');
  });

  it('answers HEAD with headers only', async () => {
    const handler = faultline({ logger: false }).handle(() => {
      throw httpErrors.notFound();
    });
    const res = await handler(new Request('http://x/', { method: 'HEAD' }));
    expect(res.status).toBe(404);
    expect(res.body).toBeNull();
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
  });

  it('fail() renders for code that catches errors itself', async () => {
    const fl = faultline({ logger: false });
    const res = fl.fail(
      httpErrors.tooManyRequests(undefined, { headers: { 'Retry-After': 3 } }),
      new Request('http://x/'),
    );
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('watch() records a body that fails mid-stream and errors it with a generic error', async () => {
    const logger = memoryLogger();
    const res = await fetchHandler({ logger })(new Request('http://x/stream'));
    expect(res.status).toBe(200);
    const err = await res.text().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(err)).toMatch(/mid-stream/);
    expect(String(err)).not.toContain(CANARY);
    expect(logger.records[0]?.obj.phase).toBe('stream');
  });

  it('watch() passes a healthy body through unchanged', async () => {
    const fl = faultline({ logger: false });
    const res = fl.watch(new Response('all of it', { status: 201 }), new Request('http://x/'));
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('all of it');
  });
});
