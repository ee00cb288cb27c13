/**
 * request-logger: which logger a fault record goes to when the framework already has one for the
 * request (Fastify's `request.log`, pino-http's `req.log`). Reusing it joins the incident line to
 * the framework's request id (`reqId`) and its bindings.
 */
import type { Faultline } from './pipeline.js';
import type { LoggerLike } from './report.js';

/**
 * The framework's per-request logger, when it is a configured pino-like logger (a string `level`,
 * which no-op stand-ins such as Fastify's disabled logger lack) and faultline's own logging is not
 * switched off (`logger: false` silences faultline everywhere).
 */
export function requestLogger(fl: Faultline, candidate: unknown): LoggerLike | undefined {
  if (fl.options.logger === undefined) return undefined;
  if (typeof candidate !== 'object' || candidate === null) return undefined;
  try {
    const c = candidate as Record<string, unknown>;
    const ok =
      typeof c.level === 'string' &&
      typeof c.error === 'function' &&
      typeof c.info === 'function' &&
      typeof c.debug === 'function';
    return ok ? (candidate as LoggerLike) : undefined;
  } catch {
    return undefined;
  }
}
