import { context, metrics, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/core/http-error.js';
import { createFaultline, type FaultRequest } from '../../src/core/pipeline.js';
import { FAULT_COUNTER, incidentTraceId, loadOpenTelemetry } from '../../src/core/telemetry.js';
import { memoryLogger } from '../support/memory-logger.js';

/** A reader the test collects from on demand. */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const reader = new TestReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
});

afterAll(async () => {
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
  contextManager.disable();
  trace.disable();
  metrics.disable();
  context.disable();
});

beforeEach(() => {
  exporter.reset();
});

function request(route?: string): FaultRequest {
  const base: FaultRequest = {
    method: 'GET',
    url: '/orders/7',
    headers: { accept: 'application/json' },
    remoteAddress: '127.0.0.1',
    requestId: undefined,
  };
  return route === undefined ? base : { ...base, route };
}

/** Runs `fn` inside an active server span; returns what fn returned and the finished span. */
function inSpan<T>(fn: (span: Span) => T): { result: T; span: ReadableSpan } {
  const tracer = trace.getTracer('test');
  const result = tracer.startActiveSpan('GET /orders/:id', (span) => {
    try {
      return fn(span);
    } finally {
      span.end();
    }
  });
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return { result, span: spans[0] as ReadableSpan };
}

async function faultCounts(): Promise<
  Array<{ attributes: Record<string, unknown>; value: number }>
> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const out: Array<{ attributes: Record<string, unknown>; value: number }> = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== FAULT_COUNTER) continue;
      for (const dp of metric.dataPoints) {
        out.push({ attributes: dp.attributes, value: dp.value as number });
      }
    }
  }
  return out;
}

describe('OpenTelemetry', () => {
  it('loads the optional API', () => {
    expect(loadOpenTelemetry()).toBeDefined();
    expect(createFaultline({ logger: false }).options.telemetry).toEqual({
      spans: true,
      metrics: true,
      traceIncident: true,
    });
  });

  it('5xx: ERROR status, scrubbed exception event, incident attribute, trace id in the incident', () => {
    const { logger, records } = memoryLogger();
    const fl = createFaultline({ logger, storm: false });
    const { result, span } = inSpan(() =>
      fl.respond(new Error('db login failed: password=CANARYotel'), request('/orders/:id')),
    );
    const incident = result.fault?.public.incident as string;
    const traceId = span.spanContext().traceId;
    expect(incident).toMatch(/^[0-9a-f]{32}-[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(incidentTraceId(incident)).toBe(traceId);
    expect(result.headers).toContainEqual(['faultline-incident', incident]);
    expect(records()[0]?.incident).toBe(incident);

    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: '500 internal_error' });
    expect(span.attributes['faultline.incident']).toBe(incident);
    expect(span.attributes['faultline.code']).toBe('internal_error');
    const events = span.events.filter((e) => e.name === 'exception');
    expect(events).toHaveLength(1);
    const attrs = events[0]?.attributes ?? {};
    expect(attrs['exception.type']).toBe('Error');
    expect(attrs['exception.message']).toBe('db login failed: password=[redacted]');
    expect(String(attrs['exception.stacktrace'])).toMatch(
      /^Error: db login failed: password=\[redacted\]\n/,
    );
    expect(JSON.stringify(span.events)).not.toContain('CANARYotel');
  });

  it('4xx: exception recorded, status left unset, no incident', () => {
    const fl = createFaultline({ logger: false });
    const { span } = inSpan(() => fl.respond(new HttpError(404), request()));
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['faultline.incident']).toBeUndefined();
    expect(span.attributes['faultline.code']).toBe('not_found');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('ids stay unique for several faults in one trace', () => {
    const fl = createFaultline({ logger: false });
    const { result } = inSpan(() =>
      Array.from(
        { length: 100 },
        () => fl.respond(new Error('x'), request()).fault?.public.incident,
      ),
    );
    expect(new Set(result).size).toBe(100);
    expect(new Set(result.map((id) => incidentTraceId(id as string))).size).toBe(1);
  });

  it('no trace id from an unsampled span; plain ids without a span', () => {
    const fl = createFaultline({ logger: false });
    const unsampled = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 0,
    });
    const res = context.with(trace.setSpan(context.active(), unsampled), () =>
      fl.respond(new Error('x'), request()),
    );
    expect(res.fault?.public.incident).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(fl.respond(new Error('x'), request()).fault?.public.incident).toMatch(
      /^[0-9A-HJKMNP-TV-Z]{26}$/,
    );
  });

  it('an incident id given by the caller wins over the trace', () => {
    const fl = createFaultline({ logger: false });
    const { result } = inSpan(() => fl.respond(new Error('x'), request(), { incident: 'given-1' }));
    expect(result.fault?.public.incident).toBe('given-1');
  });

  it('counts faults by status, code and route', async () => {
    const fl = createFaultline({ logger: false, storm: false });
    const route = '/metrics-test/:id';
    for (let i = 0; i < 3; i++) fl.respond(new Error('x'), request(route));
    fl.respond(new HttpError(503), request(route));
    fl.respond(new HttpError(404), request());
    const after = await faultCounts();
    const find = (status: number, code: string, r?: string) =>
      after.find(
        (c) =>
          c.attributes['http.response.status_code'] === status &&
          c.attributes['faultline.code'] === code &&
          c.attributes['http.route'] === r,
      );
    expect(find(500, 'internal_error', route)?.value).toBe(3);
    expect(find(503, 'service_unavailable', route)?.value).toBe(1);
    // No route template: no route attribute (raw paths would make cardinality unbounded).
    const notFound = find(404, 'not_found');
    expect(notFound?.value).toBeGreaterThanOrEqual(1);
    expect(notFound && 'http.route' in notFound.attributes).toBe(false);
  });

  it('counts faults even when storm control suppresses their log records', async () => {
    const fl = createFaultline({ logger: memoryLogger().logger });
    const route = '/storm-metric/:id';
    for (let i = 0; i < 50; i++) fl.respond(new Error('same'), request(route));
    const c = (await faultCounts()).find((x) => x.attributes['http.route'] === route);
    expect(c?.value).toBe(50);
  });

  it('telemetry: false leaves spans alone and ids plain', () => {
    const fl = createFaultline({ logger: false, telemetry: false });
    const { result, span } = inSpan(() => fl.respond(new Error('x'), request()));
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toHaveLength(0);
    expect(result.fault?.public.incident).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('parts can be switched off; settings are validated', () => {
    const fl = createFaultline({
      logger: false,
      telemetry: { traceIncident: false, spans: false },
    });
    const { result, span } = inSpan(() => fl.respond(new Error('x'), request()));
    expect(span.events).toHaveLength(0);
    expect(result.fault?.public.incident).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(() => createFaultline({ logger: false, telemetry: { spans: 'yes' as never } })).toThrow(
      /option "telemetry.spans" must be true or false, got "yes"/,
    );
    expect(() => createFaultline({ logger: false, telemetry: { span: true } as never })).toThrow(
      /option "telemetry.span" is not a known setting/,
    );
    expect(() => createFaultline({ logger: false, telemetry: 1 as never })).toThrow(
      /option "telemetry" must be true, false or an object/,
    );
  });
});
