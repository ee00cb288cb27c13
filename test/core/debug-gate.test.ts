import { describe, expect, it } from 'vitest';
import {
  type DebugGateInput,
  debugAllowed,
  FORWARDING_HEADERS,
  isForwardingHeader,
  isLoopback,
  isLoopbackHost,
} from '../../src/core/debug-gate.js';

const direct: DebugGateInput = {
  enabled: true,
  remoteAddress: '127.0.0.1',
  headers: { host: 'localhost:3000', accept: 'text/html' },
  localPort: 3000,
  httpVersion: '1.1',
};

describe('debug gate', () => {
  it('allows a direct request from this machine', () => {
    expect(debugAllowed(direct)).toBe(true);
    expect(debugAllowed({ ...direct, remoteAddress: '::1', headers: { host: '[::1]:3000' } })).toBe(
      true,
    );
    expect(
      debugAllowed({
        ...direct,
        remoteAddress: '::ffff:127.0.0.1',
        headers: { host: '127.0.0.1:3000' },
      }),
    ).toBe(true);
    // Unknown transport details (a Fetch runtime's hook gave only the address) are not required.
    expect(
      debugAllowed({ enabled: true, remoteAddress: '127.0.0.1', headers: { host: 'localhost' } }),
    ).toBe(true);
  });

  it('refuses when debug is off', () => {
    expect(debugAllowed({ ...direct, enabled: false })).toBe(false);
    expect(debugAllowed({ ...direct, enabled: 'yes' as never })).toBe(false);
  });

  it('refuses peers that are not loopback, and unknown peers', () => {
    for (const remoteAddress of [
      undefined,
      '',
      '10.0.0.1',
      '192.168.1.2',
      '::ffff:10.0.0.1',
      '128.0.0.1',
      '127.0.0.256',
      '127.evil.example',
      'localhost',
      '::2',
      'fe80::1',
    ]) {
      expect(debugAllowed({ ...direct, remoteAddress }), String(remoteAddress)).toBe(false);
    }
    for (const ok of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::FFFF:127.0.0.2']) {
      expect(isLoopback(ok), ok).toBe(true);
    }
  });

  it('refuses every forwarding header, whatever its value or case', () => {
    const names = [
      ...FORWARDING_HEADERS,
      'X-Forwarded-For',
      'x-forwarded-host',
      'x-forwarded-proto',
      'x-forwarded-port',
      'X-Real-IP',
      'Forwarded',
      'Via',
      'CF-Connecting-IP',
      'True-Client-IP',
      'X-Client-IP',
      'Fastly-Client-IP',
      'X-Cluster-Client-IP',
      'Forwarded-For',
      'x-envoy-external-address',
      'x-amzn-trace-id',
    ];
    for (const name of names) {
      expect(
        debugAllowed({ ...direct, headers: { ...direct.headers, [name]: '127.0.0.1' } }),
        name,
      ).toBe(false);
      expect(debugAllowed({ ...direct, headers: { ...direct.headers, [name]: '' } }), name).toBe(
        false,
      );
    }
    expect(isForwardingHeader('accept')).toBe(false);
    expect(isForwardingHeader('x-request-id')).toBe(false);
  });

  it('refuses a Host that does not name this machine, a missing Host and a port mismatch', () => {
    for (const host of [
      undefined,
      '',
      'example.com',
      'localhost.example.com',
      '127.0.0.1.nip.io',
      '10.0.0.1:3000',
      'localhost:3001',
      'localhost:abc',
      'localhost:3000:1',
      '[::1',
      '[::2]:3000',
      ['localhost:3000', 'localhost:3000'],
    ]) {
      const headers = host === undefined ? {} : { host };
      expect(debugAllowed({ ...direct, headers }), JSON.stringify(host)).toBe(false);
    }
    // No port in Host means 80 or 443.
    expect(isLoopbackHost('localhost', 3000)).toBe(false);
    expect(isLoopbackHost('localhost', 80)).toBe(true);
    expect(isLoopbackHost('app.localhost:3000', 3000)).toBe(true);
    expect(isLoopbackHost('LOCALHOST:3000', 3000)).toBe(true);
  });

  it('reads HTTP/2 :authority, and refuses a Host that disagrees with it', () => {
    const h2 = { ...direct, httpVersion: '2.0' };
    expect(debugAllowed({ ...h2, headers: { ':authority': 'localhost:3000' } })).toBe(true);
    expect(debugAllowed({ ...h2, headers: { ':authority': 'example.com' } })).toBe(false);
    expect(
      debugAllowed({ ...h2, headers: { ':authority': 'example.com', host: 'localhost:3000' } }),
    ).toBe(false);
  });

  it("refuses HTTP/1.0, nginx proxy_pass's default upstream protocol", () => {
    expect(debugAllowed({ ...direct, httpVersion: '1.0' })).toBe(false);
  });

  it('fails closed on hostile input', () => {
    const headers = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no');
        },
      },
    );
    expect(debugAllowed({ ...direct, headers })).toBe(false);
    expect(debugAllowed(null as never)).toBe(false);
  });
});
