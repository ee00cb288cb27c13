/**
 * telemetry: OpenTelemetry without depending on it. `@opentelemetry/api` is an optional peer: it
 * is loaded lazily, synchronously, the first time a faultline instance asks for it, and when it is
 * absent everything here is a no-op. When a span is active the fault is recorded on it (exception
 * event, ERROR status for 5xx only, incident attribute) and a counter counts faults by status,
 * code and route. With no span active the cost is one context lookup and a counter add.
 *
 * Incident ids carry the trace: when the active span is sampled, the incident id is
 * `<trace id, 32 lower-case hex>-<26-char incident id>` (59 characters), e.g.
 * `4bf92f3577b34da6a3ce929d0e0e4736-01KB3ZT4Q8N6V2D7XK9M1RCF5H`, so support can go from the id a user
 * reports to the trace. The suffix keeps ids unique per fault, even for several faults in a trace.
 */
import { createRequire } from 'node:module';
import type { Fault } from './fault.js';
import { newIncidentId } from './incident.js';
import type { Scrubber } from './scrub.js';

// Structural slices of @opentelemetry/api: its types must not leak into faultline's published
// declarations, which have to type-check for users who don't install it.
interface SpanContextLike {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

interface SpanLike {
  spanContext(): SpanContextLike;
  isRecording(): boolean;
  recordException(exception: { name: string; message: string; stack?: string }): void;
  setStatus(status: { code: number; message?: string }): unknown;
  setAttribute(key: string, value: string | number): unknown;
}

interface CounterLike {
  add(value: number, attributes?: Record<string, string | number>): void;
}

interface MeterProviderLike {
  getMeter(
    name: string,
    version?: string,
  ): {
    createCounter(name: string, options?: { description?: string; unit?: string }): CounterLike;
  };
}

interface OtelApi {
  trace: { getActiveSpan(): SpanLike | undefined };
  metrics: { getMeterProvider(): MeterProviderLike };
  isSpanContextValid(context: SpanContextLike): boolean;
  SpanStatusCode: { ERROR: number };
}

let loaded: OtelApi | null | undefined;

/**
 * `@opentelemetry/api` when it can be loaded from here, else undefined. Loaded once; a
 * synchronous require (not a top-level await) so faultline stays loadable with `require(esm)` and
 * importing it never fails when the peer is absent. The API keeps its registry on `globalThis`,
 * so this copy sees the providers an application registered through its own import.
 */
export function loadOpenTelemetry(): OtelApi | undefined {
  if (loaded === undefined) {
    try {
      const required = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
      loaded = typeof required?.trace?.getActiveSpan === 'function' ? required : null;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}

/** What telemetry does; each part can be switched off. */
export interface TelemetrySettings {
  /** Record faults on the active span. */
  readonly spans: boolean;
  /** Count faults in the `faultline.faults` counter. */
  readonly metrics: boolean;
  /** Put the trace id into incident ids when a sampled span is active. */
  readonly traceIncident: boolean;
}

const SAMPLED = 0x1;
const TRACE_INCIDENT = /^([0-9a-f]{32})-[0-9A-Z]{26}$/;

/**
 * The trace id an incident id carries, or undefined when it was made outside a trace.
 * @example
 * incidentTraceId('4bf92f3577b34da6a3ce929d0e0e4736-01KB3ZT4Q8N6V2D7XK9M1RCF5H');
 * // '4bf92f3577b34da6a3ce929d0e0e4736'
 */
export function incidentTraceId(incident: string): string | undefined {
  return TRACE_INCIDENT.exec(incident)?.[1];
}

/** Name of the fault counter metric. */
export const FAULT_COUNTER = 'faultline.faults';

/** Records faults on spans and in metrics. Never throws. */
export class Telemetry {
  readonly #api: OtelApi;
  readonly #settings: TelemetrySettings;
  readonly #scrubber: Scrubber;
  #provider: MeterProviderLike | undefined;
  #counter: CounterLike | undefined;

  private constructor(api: OtelApi, settings: TelemetrySettings, scrubber: Scrubber) {
    this.#api = api;
    this.#settings = settings;
    this.#scrubber = scrubber;
  }

  /** Telemetry with the installed API, or undefined when `@opentelemetry/api` is absent. */
  static create(settings: TelemetrySettings, scrubber: Scrubber): Telemetry | undefined {
    const api = loadOpenTelemetry();
    return api === undefined ? undefined : new Telemetry(api, settings, scrubber);
  }

  /** A trace-linked incident id when a sampled span is active, else undefined. */
  traceIncident(): string | undefined {
    if (!this.#settings.traceIncident) return undefined;
    try {
      const span = this.#api.trace.getActiveSpan();
      if (span === undefined) return undefined;
      const sc = span.spanContext();
      if ((sc.traceFlags & SAMPLED) === 0 || !this.#api.isSpanContextValid(sc)) return undefined;
      return `${sc.traceId}-${newIncidentId()}`;
    } catch {
      return undefined;
    }
  }

  /** Records `fault` on the active span and in the counter. */
  record(fault: Fault, route: string | undefined): void {
    const pub = fault.public;
    if (this.#settings.spans) {
      try {
        this.#recordOnSpan(fault);
      } catch {
        // Telemetry is best effort; the response does not wait for it or depend on it.
      }
    }
    if (this.#settings.metrics) {
      try {
        const attributes: Record<string, string | number> = {
          'http.response.status_code': pub.status,
          'faultline.code': pub.code,
        };
        // Only a route template, never a raw path: paths would make the metric's cardinality
        // unbounded (every 404 scan would add a series).
        if (route !== undefined) attributes['http.route'] = route;
        this.#faultCounter().add(1, attributes);
      } catch {
        // As above.
      }
    }
  }

  #recordOnSpan(fault: Fault): void {
    const span = this.#api.trace.getActiveSpan();
    if (span === undefined || !span.isRecording()) return;
    const pub = fault.public;
    const p = fault.private;
    const s = this.#scrubber;
    // Trace backends are logs too: the exception goes out scrubbed, like a log record.
    const exception: { name: string; message: string; stack?: string } = {
      name: s.string(p.name),
      message: s.string(p.message),
    };
    if (p.stack !== undefined) exception.stack = s.string(p.stack);
    span.recordException(exception);
    // OTel HTTP semantic conventions: a server span is an error for 5xx; a 4xx is the client's
    // doing and leaves the status unset.
    if (pub.status >= 500) {
      span.setStatus({
        code: this.#api.SpanStatusCode.ERROR,
        message: `${pub.status} ${pub.code}`,
      });
    }
    if (pub.incident !== undefined) span.setAttribute('faultline.incident', pub.incident);
    span.setAttribute('faultline.code', pub.code);
  }

  /** The counter of the meter provider registered now: an SDK may register after startup. */
  #faultCounter(): CounterLike {
    const provider = this.#api.metrics.getMeterProvider();
    if (provider !== this.#provider || this.#counter === undefined) {
      this.#provider = provider;
      this.#counter = provider.getMeter('faultline').createCounter(FAULT_COUNTER, {
        description: 'Failed requests handled by faultline, by status, code and route.',
        unit: '{fault}',
      });
    }
    return this.#counter;
  }
}
