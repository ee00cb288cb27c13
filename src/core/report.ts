/**
 * report: one structured log record per fault, through a pino-compatible logger. 5xx at `error`,
 * a client that went away (499) at `info`, other 4xx at `debug`. Only the private channel and
 * scrubbed request data are written.
 */
import type { Fault } from './fault.js';
import { scrubHeaders, splitTarget } from './scrub.js';

/** The logger methods faultline uses; pino, and most structured loggers, fit. */
export interface LoggerLike {
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** What the reporter knows of the request. */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress: string | undefined;
  /** The validated inbound request id, when the client sent one. */
  readonly requestId: string | undefined;
  /** The framework's per-request logger (e.g. Fastify's `request.log`); overrides the instance logger. */
  readonly logger?: LoggerLike | undefined;
}

/** Writes fault records. */
export class Reporter {
  readonly #logger: LoggerLike | undefined;

  constructor(logger: LoggerLike | undefined) {
    this.#logger = logger;
  }

  /** Logs `fault`; never throws. */
  report(fault: Fault, req: RequestInfo | undefined): void {
    const logger = req?.logger ?? this.#logger;
    if (logger === undefined) return;
    const { status, code, incident } = fault.public;
    const level = status >= 500 ? 'error' : status === 499 ? 'info' : 'debug';
    const p = fault.private;
    const record: Record<string, unknown> = {
      incident,
      status,
      code,
      phase: fault.phase,
      // Not `err`: pino's default serializer for that key would rewrite the summary.
      error: {
        name: p.name,
        thrown: p.thrown,
        message: p.message,
        stack: p.stack,
        code: p.code,
        causes: p.causes.length > 0 ? p.causes : undefined,
      },
    };
    if (req !== undefined) {
      const { path, queryKeys } = splitTarget(req.url);
      record.req = {
        method: req.method,
        path,
        queryKeys,
        requestId: req.requestId,
        remoteAddress: req.remoteAddress,
        headers: status >= 500 ? scrubHeaders(req.headers) : undefined,
      };
    }
    const msg =
      status === 499
        ? 'client closed request'
        : `${status >= 500 ? 'request failed' : 'request rejected'}: ${status} ${code}`;
    try {
      logger[level](record, msg);
    } catch {
      // A broken logger must not break the response; the response path carries on.
    }
  }
}
