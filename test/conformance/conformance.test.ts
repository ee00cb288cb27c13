/**
 * Runs the one scenario table (scenarios.ts) against every adapter (servers.ts) over real
 * sockets on 127.0.0.1 and compares each answer, normalized, with the node:http adapter's — and
 * each log record: one failure, one record, with the same fields on every adapter.
 */
import { constants as h2 } from 'node:http2';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeMissing } from '../support/runtimes.js';
import { AUTHORIZATION, type Client, clientFor, type Normalized, normalize } from './client.js';
import { nestExpress, nestFastify } from './nest.js';
import { RUNTIME_TARGETS, startOn } from './runtimes.js';
import {
  CANARY,
  DEVIATIONS,
  deviationFor,
  type ExpectedRecord,
  REQUEST_ID,
  SCENARIOS,
  type Scenario,
} from './scenarios.js';
import {
  ADAPTERS,
  CONFORMANCE_OPTIONS,
  failures,
  type LogSink,
  node,
  type Started,
} from './servers.js';

/** Every line written to a sink, parsed: faultline's records and the framework's own lines. */
function capture(): LogSink & { lines: Array<Record<string, unknown>>; clear(): void } {
  const lines: Array<Record<string, unknown>> = [];
  return {
    lines,
    write(line: string) {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
    clear() {
      lines.length = 0;
    },
  };
}

/** faultline's fault records among the lines (the framework's access lines have no `phase`). */
function faultRecords(lines: ReadonlyArray<Record<string, unknown>>) {
  return lines.filter((l) => typeof l.phase === 'string' && typeof l.status === 'number');
}

/** Adapters whose router knows a route template for a matched route. */
const ROUTED = /^(express|fastify|koa|hono)/;

/**
 * The phase of a not-found record: a router's fallback says `not_found`; the hand-routed apps
 * (node:http, fetch) throw the 404 from their own handler, which is phase `handler`.
 */
const notFoundPhase = (adapter: string) => (ROUTED.test(adapter) ? 'not_found' : 'handler');
const phaseOf = (adapter: string, expected: ExpectedRecord) =>
  expected.phase === 'not_found' ? notFoundPhase(adapter) : expected.phase;

/** The record's fields that must be equal on every adapter (the route is checked on its own). */
function project(record: Record<string, unknown>, protocol: Started['protocol']) {
  const request = (record.request ?? {}) as Record<string, unknown>;
  const headers = request.headers as Record<string, unknown> | undefined;
  return {
    level: record.level,
    status: record.status,
    code: record.code,
    phase: record.phase,
    msg: record.msg,
    hasIncident: typeof record.incident === 'string',
    hasError: typeof (record.error as { name?: unknown } | undefined)?.name === 'string',
    hasDuration: typeof record.durationMs === 'number',
    request: {
      method: request.method,
      path: request.path,
      queryKeys: request.queryKeys,
      requestId: request.requestId,
      // A Fetch-style runtime without a socket has no peer address to give.
      remoteAddress: protocol === 'fetch' ? '127.0.0.1' : request.remoteAddress,
      authorization: headers?.authorization,
      requestIdHeader: headers?.['x-request-id'],
    },
  };
}

type Projection = ReturnType<typeof project>;

const options = { storm: false, telemetry: false } as const;
const reference = new Map<string, Normalized>();
const referenceRecords = new Map<string, Projection | undefined>();
const notFoundRef = (method: string, accept: string) =>
  reference.get(`not-found ${method} accept=${accept}`);
const notFoundRecord = (method: string, accept: string) =>
  referenceRecords.get(`not-found ${method} accept=${accept}`);

beforeAll(async () => {
  const logs = capture();
  const server = await node({
    ...CONFORMANCE_OPTIONS,
    ...options,
    logger: pino({ base: null }, logs),
  });
  const client = clientFor(server);
  try {
    for (const s of SCENARIOS) {
      logs.clear();
      reference.set(s.id, normalize(await client.send(s), s));
      await server.idle();
      const [record] = faultRecords(logs.lines);
      referenceRecords.set(s.id, record && project(record, server.protocol));
    }
  } finally {
    await client.close();
    await server.close();
  }
});

describe('the scenario table', () => {
  it('covers every failure kind, Accept, HEAD, a client abort, and names a reason for every deviation', () => {
    const kinds = new Set(SCENARIOS.map((s) => s.kind));
    expect(kinds.size).toBe(15);
    expect(SCENARIOS.some((s) => s.method === 'HEAD')).toBe(true);
    expect(SCENARIOS.some((s) => s.clientAborts)).toBe(true);
    for (const d of DEVIATIONS) expect(d.reason.length).toBeGreaterThan(20);
  });

  it('the reference writes the expected record for every row, complete', () => {
    for (const s of SCENARIOS) {
      const record = referenceRecords.get(s.id);
      if (s.record === undefined) {
        expect(record, s.id).toBeUndefined();
        continue;
      }
      // pino-http's levels: 5xx error (50), 4xx warn (40), a client that left info (30).
      const level = s.record.status >= 500 ? 50 : s.record.status === 499 ? 30 : 40;
      expect(record, s.id).toMatchObject({
        level,
        status: s.record.status,
        phase: phaseOf('node', s.record),
        hasError: true,
        hasDuration: true,
        request: {
          method: s.method,
          path: s.path,
          queryKeys: ['page', 'token'],
          requestId: REQUEST_ID,
          remoteAddress: '127.0.0.1',
        },
      });
      // Headers are kept, scrubbed, on server errors.
      if (s.record.status >= 500) expect(record?.request.authorization, s.id).toBe('[redacted]');
    }
  });
});

describe('the reference answers for mapped, extended and validation errors', () => {
  const json = (kind: string) => JSON.parse(reference.get(`${kind} GET accept=json`)?.body ?? '');
  it('a map rule sets status, code, type, detail and members', () => {
    expect(json('mapped')).toEqual({
      type: 'https://example.com/problems/payment-declined',
      title: 'Payment Required',
      status: 402,
      detail: 'The card was declined.',
      code: 'payment_declined',
      balance: 30,
    });
  });
  it('exposed http-errors members reach the body', () => {
    expect(json('extensions')).toMatchObject({
      status: 409,
      detail: failures.conflictMessage,
      errors: failures.conflictErrors,
    });
  });
  it('zod and valibot issues become errors with JSON Pointers', () => {
    expect(json('zod')).toMatchObject({ status: 400, detail: '2 values are not valid.' });
    expect(json('zod').errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '#/email',
      '#/age',
    ]);
    expect(json('valibot').errors).toEqual([
      { pointer: '#/items/1/sku', detail: expect.stringContaining('Invalid length') },
    ]);
  });
});

/**
 * One target's rows. `records`: the target's log lines reach this process (in-process servers);
 * a runtime in a child process is checked on its answers only.
 */
function conformance(
  name: string,
  start: (logs: ReturnType<typeof capture>) => Promise<Started>,
  records = true,
): void {
  describe(`conformance: ${name}`, () => {
    let server: Started;
    let client: Client;
    const logs = capture();
    beforeAll(async () => {
      server = await start(logs);
      client = clientFor(server);
    });
    afterAll(async () => {
      await client?.close();
      await server?.close();
    });

    const checkRecords = (s: Scenario, expected: ExpectedRecord | undefined, ref: unknown) => {
      const records = faultRecords(logs.lines);
      const seen = records.map((r) => `${r.status} ${r.phase}`);
      if (expected === undefined) {
        expect(seen, 'no record for a success').toEqual([]);
        return;
      }
      const phase = phaseOf(name, expected);
      expect(seen, 'one failure, one record').toEqual([`${expected.status} ${phase}`]);
      const record = records[0] as Record<string, unknown>;
      expect(project(record, server.protocol), 'the same fields as node:http').toEqual({
        ...(ref as Projection),
        phase,
      });
      const route = (record.request as { route?: unknown }).route;
      if (ROUTED.test(name) && expected.phase !== 'not_found') {
        expect(route, "the router's template").toBe(s.path);
      } else {
        expect(route).toBeUndefined();
      }
      expect(JSON.stringify(record)).not.toContain(AUTHORIZATION);
    };

    for (const s of SCENARIOS) {
      const deviation = deviationFor(name, s);
      const title = deviation ? `${s.id} [deviation: ${deviation.status}]` : s.id;
      it(title, async () => {
        logs.clear();
        const o = await client.send(s);
        await server.idle();
        expect(`${JSON.stringify(o.headers)}\n${o.body}`).not.toContain(CANARY);
        if (deviation) {
          // The recorded deviation, and nothing else: the answer is the house 404 exactly.
          expect(o.status, deviation.reason).toBe(deviation.status);
          expect(normalize(o, s)).toEqual(notFoundRef(s.method, s.accept));
          const ref = notFoundRecord(s.method, s.accept) as Projection;
          if (records)
            checkRecords(s, deviation.record, {
              ...ref,
              request: { ...ref.request, path: s.path },
            });
          return;
        }
        expect(o.status).toBe(s.status);
        if (s.broken) {
          expect(o.broken, 'a failure after the headers must break the response').toBe(true);
          if (!s.clientAborts && (server.protocol === 'h2' || server.protocol === 'h2c'))
            expect(o.rstCode).toBe(h2.NGHTTP2_INTERNAL_ERROR);
        } else {
          expect(o.broken).toBe(false);
        }
        if (o.status >= 500) expect(o.headers['faultline-incident']).toMatch(/^[0-9A-Z]{26}$/);
        if (s.method === 'HEAD') expect(o.body).toBe('');
        expect(normalize(o, s)).toEqual(reference.get(s.id));
        if (records) checkRecords(s, s.record, referenceRecords.get(s.id));
      });
    }
  });
}

for (const [name, factory] of Object.entries(ADAPTERS)) {
  // faultline's default logger is pino; Fastify's own logger writes to the same sink.
  conformance(name, (logs) =>
    factory({ ...CONFORMANCE_OPTIONS, ...options, logger: pino({ base: null }, logs) }, logs),
  );
}

// NestJS (its app lives in nest.ts, which imports servers.ts): the same answers; its records do
// not carry the duration and route yet, so they are not compared.
const NEST = { 'nest-express': nestExpress, 'nest-fastify': nestFastify };
for (const [name, factory] of Object.entries(NEST)) {
  conformance(name, () => factory({ ...CONFORMANCE_OPTIONS, ...options }), false);
}

// The Fetch-style apps on Bun's and Deno's own servers: the same answers as on Node.
for (const [name, { runtime, app }] of Object.entries(RUNTIME_TARGETS)) {
  const missing = runtimeMissing(runtime);
  if (missing === undefined) conformance(name, () => startOn(runtime, app), false);
  else if (process.env.FAULTLINE_REQUIRE_ALL === '1')
    it(`conformance: ${name} requires ${runtime}`, () => {
      throw new Error(missing);
    });
  else describe.skip(`conformance: ${name} [skipped: ${missing}]`, () => {});
}
