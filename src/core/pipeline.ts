/**
 * pipeline: classify -> report -> render, as one call that never throws. Transport-neutral: it
 * returns status, headers and body; `deliver-node` (and later adapters) write them out.
 */
import { type ClassifyContext, renderable, toFault } from './classify.js';
import { debugAllowed } from './debug-gate.js';
import { type DebugReport, debugReport } from './debug-report.js';
import { DEV_PAGE_CSP, devPage, devText } from './dev-page.js';
import { fillDocument, redirectPage } from './error-documents.js';
import type { Fault } from './fault.js';
import { HookRunner } from './hook.js';
import { type Format, negotiateFormat } from './negotiate.js';
import { type FaultlineOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { INCIDENT_HEADER } from './problem.js';
import { Renderer } from './render.js';
import { Reporter, type RequestInfo } from './report.js';
import { Telemetry } from './telemetry.js';

/** What to send for a fault. */
export interface ErrorResponse {
  readonly status: number;
  /** Lower-case names. Content-Length is left to the transport. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Text (sent as UTF-8), or the bytes of a file document not in UTF-8, sent unchanged. */
  readonly body: string | Uint8Array<ArrayBuffer>;
  /** The fault; absent only for the fixed last-resort 500. */
  readonly fault: Fault | undefined;
  /**
   * Set when an error document says the app itself serves this error (NGINX internal redirect).
   * `status` is the status to force (undefined: the route's own). Adapters that can re-dispatch
   * do so; `status`, `headers` and `body` are then the fallback if the route fails too.
   */
  readonly route?: { readonly path: string; readonly status: number | undefined };
}

/** Render options. */
export interface RenderOptions {
  /** Use configured error documents. False for the fallback after an error document failed. @default true */
  documents?: boolean;
}

/** Request data the pipeline needs; adapters build it from their framework's request. */
export interface FaultRequest extends RequestInfo {
  /** The port the connection arrived on, when the transport tells (for the debug gate). */
  readonly localPort?: number | undefined;
  /** `'1.1'`, `'2.0'`, ..., when the transport tells (for the debug gate). */
  readonly httpVersion?: string | undefined;
}

/** faultline's own HTML pages: self-contained, nothing may load. */
const CSP_HTML = "default-src 'none'; style-src 'unsafe-inline'";
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The fixed response when faultline itself fails (double fault). */
export const LAST_RESORT: ErrorResponse = {
  status: 500,
  headers: [
    ['content-type', 'text/plain; charset=utf-8'],
    ['cache-control', 'no-store'],
    ['x-content-type-options', 'nosniff'],
  ],
  body: 'Internal Server Error\n',
  fault: undefined,
};

export { isLoopback } from './debug-gate.js';

function currentDirectory(): string | undefined {
  try {
    return (globalThis as { process?: { cwd?: () => string } }).process?.cwd?.();
  } catch {
    return undefined;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Flushes a logger that buffers (pino's async destination); resolves within a bound. */
export function flushLogger(logger: unknown, boundMs = 1000): Promise<void> {
  const flush = (logger as { flush?: (cb?: (err?: Error) => void) => void } | undefined)?.flush;
  if (typeof flush !== 'function') return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, boundMs);
    try {
      flush.call(logger, () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** A configured faultline instance. Create one per app at startup with {@link createFaultline}. */
export class Faultline {
  readonly options: ResolvedOptions;
  readonly #renderer = new Renderer();
  readonly #reporter: Reporter;
  readonly #telemetry: Telemetry | undefined;
  readonly #hook: HookRunner | undefined;

  constructor(options: FaultlineOptions = {}) {
    const resolved = resolveOptions(options);
    this.options = resolved;
    this.#reporter = new Reporter(resolved.logger, {
      scrubber: resolved.scrubber,
      storm: resolved.storm ?? false,
      levels: resolved.levels,
    });
    this.#telemetry =
      resolved.telemetry === undefined
        ? undefined
        : Telemetry.create(resolved.telemetry, resolved.scrubber);
    this.#hook =
      resolved.onFault === undefined
        ? undefined
        : new HookRunner(
            resolved.onFault,
            resolved.logger,
            resolved.scrubber,
            resolved.storm?.windowMs,
          );
  }

  /** The validated inbound request id, or undefined. */
  requestId(headers: FaultRequest['headers']): string | undefined {
    const id = firstHeader(headers[this.options.requestIdHeader]);
    return id !== undefined && REQUEST_ID.test(id) ? id : undefined;
  }

  /**
   * Classifies `thrown` without reporting or rendering. Inside a sampled trace the incident id
   * carries the trace id (see `telemetry`).
   */
  classify(thrown: unknown, ctx?: ClassifyContext): Fault {
    if (this.#telemetry !== undefined && ctx?.incident === undefined) {
      const incident = this.#telemetry.traceIncident();
      if (incident !== undefined) return toFault(thrown, { ...ctx, incident }, this.options.map);
    }
    return toFault(thrown, ctx, this.options.map);
  }

  /**
   * Reports a fault: the log record (scrubbed, storm-controlled), the active span and the fault
   * counter, then the `onFault` hook, deferred. Never throws.
   */
  report(fault: Fault, req: FaultRequest | undefined): void {
    const logged = this.#reporter.report(fault, req);
    if (this.#telemetry !== undefined) {
      try {
        this.#telemetry.record(fault, req?.route);
      } catch {
        // Telemetry is best effort.
      }
    }
    this.#hook?.run(fault, req, logged);
  }

  /**
   * Writes pending storm summaries (the exact count of every open window) now, synchronously,
   * then flushes a buffering logger (pino's async destination); resolves when written, or after
   * one second. Call it on every planned exit: the summaries of a running process are written by
   * an unref'ed timer at the end of each window, which an exit would skip. The process guard
   * calls it on every exit it controls. Never rejects.
   * @example
   * process.on('SIGTERM', () => server.close(() => fl.flush().then(() => process.exit(0))));
   */
  flush(): Promise<void> {
    this.#reporter.flush();
    return flushLogger(this.options.logger);
  }

  /**
   * The whole pipeline for one failure: classify, report, render. Never throws: if anything in it
   * fails, the fixed last-resort 500 is returned.
   */
  respond(
    thrown: unknown,
    req: FaultRequest,
    ctx?: ClassifyContext,
    options?: RenderOptions,
  ): ErrorResponse {
    try {
      const fault = this.classify(thrown, ctx);
      this.report(fault, req);
      return this.render(fault, req, options);
    } catch {
      return LAST_RESORT;
    }
  }

  /** Renders an already classified fault for `req`. Never throws. */
  render(fault: Fault, req: FaultRequest, options: RenderOptions = {}): ErrorResponse {
    try {
      const format = negotiateFormat(firstHeader(req.headers.accept));
      // Re-checked here, whatever built the fault: only 400–599 goes out, every 5xx with an id.
      const pub = renderable(fault.public);
      if (pub !== fault.public) fault = { ...fault, public: pub };
      // Debug detail only when the gate says the request comes straight from this machine; with
      // debug off this is one property read, the production path does nothing more.
      const debug =
        this.options.debug &&
        debugAllowed({
          enabled: true,
          remoteAddress: req.remoteAddress,
          headers: req.headers,
          localPort: req.localPort,
          httpVersion: req.httpVersion,
        })
          ? debugReport(fault, req, this.options.scrubber)
          : undefined;
      const documents = this.options.documents;
      const doc =
        options.documents === false || documents.empty ? undefined : documents.lookup(pub.status);
      let status = pub.status;
      let contentType: string;
      let body: string | Uint8Array<ArrayBuffer>;
      let csp: string | undefined;
      let route: ErrorResponse['route'];
      let location: string | undefined;
      const custom = doc?.kind === 'bodies' ? doc.byFormat[format] : undefined;
      if (custom !== undefined && debug === undefined) {
        // The operator's own page: its charset as read, and no CSP unless it configured one.
        contentType = custom.contentType;
        csp = custom.csp;
        body = fillDocument(custom, {
          status,
          title: pub.title,
          incident: pub.incident,
          requestId: req.requestId,
        });
      } else if (doc?.kind === 'redirect' && format === 'html') {
        // Browsers only: an API client would follow the redirect and take a failure for success.
        status = doc.status;
        location = doc.location;
        contentType = 'text/html; charset=utf-8';
        body = redirectPage(status, location);
        csp = CSP_HTML;
      } else {
        if (doc?.kind === 'route')
          route = {
            path: doc.path,
            status: doc.status === '=' ? undefined : (doc.status ?? pub.status),
          };
        ({ contentType, body } =
          debug === undefined
            ? this.#renderer.render(pub, format)
            : this.#renderDebug(fault, format, debug));
        if (format === 'html') csp = debug === undefined ? CSP_HTML : DEV_PAGE_CSP;
      }
      const headers: Array<readonly [string, string]> = [
        ['content-type', contentType],
        ['cache-control', 'no-store'],
        ['x-content-type-options', 'nosniff'],
      ];
      if (csp !== undefined) headers.push(['content-security-policy', csp]);
      if (location !== undefined) headers.push(['location', location]);
      if (pub.incident !== undefined) headers.push([INCIDENT_HEADER.toLowerCase(), pub.incident]);
      if (req.requestId !== undefined) headers.push([this.options.requestIdHeader, req.requestId]);
      for (const h of pub.headers) headers.push(h);
      return route === undefined
        ? { status, headers, body, fault }
        : { status, headers, body, fault, route };
    } catch {
      return LAST_RESORT;
    }
  }

  /** The body for a request that passed the debug gate: the developer page, or a debug member. */
  #renderDebug(
    fault: Fault,
    format: Format,
    debug: DebugReport,
  ): { contentType: string; body: string } {
    const pub = fault.public;
    const plain = this.#renderer.render(pub, format === 'html' ? 'json' : format);
    if (format === 'html') {
      return {
        contentType: 'text/html; charset=utf-8',
        body: devPage(debug, {
          status: pub.status,
          title: pub.title,
          incident: pub.incident,
          problem: JSON.stringify(JSON.parse(plain.body), null, 2),
          cwd: currentDirectory(),
        }),
      };
    }
    if (format === 'json') {
      const problem = JSON.parse(plain.body) as Record<string, unknown>;
      problem.debug = debug;
      return { contentType: plain.contentType, body: JSON.stringify(problem) };
    }
    return { contentType: plain.contentType, body: plain.body + devText(debug) };
  }
}

/**
 * Creates a faultline instance; validates options now, so mistakes surface at startup.
 * @example
 * const fl = createFaultline({ debug: false });
 */
export function createFaultline(options?: FaultlineOptions): Faultline {
  return new Faultline(options);
}
