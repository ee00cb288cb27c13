/**
 * HttpError: faultline's own throwable for intended errors. Like http-errors, `expose` defaults to
 * `status < 500`: a 4xx message is meant for the client, a 5xx message never is.
 */
import { FaultlineError } from './errors.js';
import { isErrorStatus, statusCode, statusTitle } from './status.js';

const BRAND = Symbol.for('faultline.http-error');

/** Options of {@link HttpError}. */
export interface HttpErrorOptions extends ErrorOptions {
  /** Whether `message` may be shown to the client. @default status < 500 */
  expose?: boolean;
  /** Stable public code, `[a-z][a-z0-9_.-]*`. @default derived from the status, e.g. `not_found` */
  code?: string;
  /** Public headers for the response, e.g. `Retry-After`, `Allow`, `WWW-Authenticate`. */
  headers?: Record<string, string | number>;
  /** RFC 9457 problem `type` URI. @default 'about:blank' */
  type?: string;
  /**
   * RFC 9457 §3.2 extension members for the problem body, e.g. `{ errors: [...] }`. Sent when
   * `expose` is true: by default for a 4xx; a 5xx sends them only with `expose: true` (its
   * message stays private even then). Names faultline writes itself (`type`, `title`, `status`,
   * `detail`, `instance`, `code`, `incident`) are ignored.
   * @default undefined
   */
  extensions?: Record<string, unknown>;
}

/**
 * An error meant to become an HTTP error response.
 * @example
 * throw new HttpError(422, 'email is not a valid address');
 * throw new HttpError(503, 'maintenance', { headers: { 'Retry-After': 120 } });
 * throw new HttpError(409, 'already taken', { extensions: { errors: [{ pointer: '#/email', detail: 'taken' }] } });
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly expose: boolean;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly type: string;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
  readonly [BRAND] = true;

  constructor(status: number, message?: string, options: HttpErrorOptions = {}) {
    if (!isErrorStatus(status)) {
      throw new FaultlineError(
        'FAULTLINE_INVALID_HTTP_ERROR',
        `faultline: HttpError status must be an integer in 400–599, got ${String(status)}`,
      );
    }
    super(
      message ?? statusTitle(status),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.status = status;
    this.expose = options.expose ?? status < 500;
    this.code = options.code ?? statusCode(status);
    this.type = options.type ?? 'about:blank';
    this.extensions = options.extensions;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.headers ?? {}))
      headers[k.toLowerCase()] = String(v);
    this.headers = headers;
  }

  /** The status of the error, as http-errors and Express call it. */
  get statusCode(): number {
    return this.status;
  }
}

/** True for an {@link HttpError}, across realms and duplicate installs. */
export function isHttpError(value: unknown): value is HttpError {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true
    );
  } catch {
    return false;
  }
}

type Factory = (message?: string, options?: HttpErrorOptions) => HttpError;
const make =
  (status: number): Factory =>
  (message, options) =>
    new HttpError(status, message, options);

/**
 * Factories for the common statuses.
 * @example
 * throw httpErrors.notFound();
 * throw httpErrors.serviceUnavailable(undefined, { headers: { 'Retry-After': 30 } });
 */
export const httpErrors = {
  badRequest: make(400),
  unauthorized: make(401),
  forbidden: make(403),
  notFound: make(404),
  methodNotAllowed: make(405),
  conflict: make(409),
  gone: make(410),
  contentTooLarge: make(413),
  unsupportedMediaType: make(415),
  unprocessableContent: make(422),
  tooManyRequests: make(429),
  internal: make(500),
  notImplemented: make(501),
  badGateway: make(502),
  serviceUnavailable: make(503),
  gatewayTimeout: make(504),
} as const;
