/**
 * End to end through node:http: a failing request produces one scrubbed log record with the
 * request id, the duration and the incident id the client was given.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/node.js';
import { memoryLogger } from '../support/memory-logger.js';

const mem = memoryLogger('debug');
let server: http.Server;
let base: string;

beforeAll(async () => {
  const fl = faultline({ logger: mem.logger, telemetry: false });
  server = fl.attach(
    http.createServer(
      fl.handle(async (req) => {
        await new Promise((r) => setTimeout(r, 30));
        throw new Error(`upstream refused: postgres://app:CANARYe2e@db:5432/x for ${req.url}`);
      }),
    ),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

describe('node:http fault records', () => {
  it('carry request id, method, path, query keys, duration, incident and scrubbed details', async () => {
    const res = await fetch(`${base}/orders/42?token=CANARYquery&page=2`, {
      method: 'POST',
      headers: {
        'x-request-id': 'req-e2e-1',
        authorization: 'Bearer CANARYauthheader',
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(res.status).toBe(500);
    const incident = res.headers.get('faultline-incident');
    expect(incident).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    await res.text();

    const records = mem.records();
    expect(records).toHaveLength(1);
    const rec = records[0] as Record<string, unknown> & {
      error: Record<string, unknown>;
      request: Record<string, unknown> & { headers: Record<string, unknown> };
    };
    expect(rec.incident).toBe(incident);
    expect(rec).toMatchObject({ level: 50, status: 500, code: 'internal_error', phase: 'handler' });
    expect(rec.durationMs).toBeGreaterThanOrEqual(29);
    expect(rec.durationMs).toBeLessThan(5_000);
    expect(rec.request).toMatchObject({
      method: 'POST',
      path: '/orders/42',
      queryKeys: ['token', 'page'],
      requestId: 'req-e2e-1',
      remoteAddress: '127.0.0.1',
    });
    expect(rec.request.headers.authorization).toBe('[redacted]');
    expect(rec.request.headers['x-request-id']).toBe('req-e2e-1');
    expect(rec.error.message).toBe(
      'upstream refused: postgres://[redacted]@db:5432/x for /orders/42?token=[redacted]&page=2',
    );
    expect(mem.text()).not.toMatch(/CANARY/);
  });
});
