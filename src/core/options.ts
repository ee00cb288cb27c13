/**
 * options: the configuration faultline accepts, validated once at startup. Every mistake throws a
 * FaultlineConfigError naming the key, the value and the fix — never discovered at the first error.
 */
import pino from 'pino';
import { compileDocuments, type DocumentTable, type ErrorDocuments } from './error-documents.js';
import { FaultlineConfigError } from './errors.js';
import type { LoggerLike } from './report.js';

/** Options of {@link createFaultline}. */
export interface FaultlineOptions {
  /**
   * Where fault records go: a pino instance or any logger with `error`, `info` and `debug`
   * methods; `false` to log nothing.
   * @default pino writing JSON lines to stderr
   */
  logger?: LoggerLike | false;
  /**
   * Adds the error's message and stack to error bodies — only for clients on a loopback address,
   * whatever NODE_ENV says. Never enable it where a proxy on the same host forwards the public.
   * @default false
   */
  debug?: boolean;
  /**
   * Inbound request-id header: when the client sends a short id of safe characters it is logged
   * with the fault and echoed on the error response (never used as the incident id).
   * @default 'x-request-id'
   */
  requestIdHeader?: string;
  /**
   * Extra response headers a handler set that survive an error response. CORS
   * (`access-control-*`), `vary`, the request-id header and security headers always survive.
   * @default []
   */
  preserveHeaders?: string[];
  /**
   * Custom error documents, Apache `ErrorDocument` / NGINX `error_page` style: a status
   * (`'500'`), a list (`'502 503 504'`) or a class (`'5xx'`) mapped to literal text, a file, an
   * internal route, an external redirect, or one document per representation. See README.
   * @default {} (the built-in page, problem+json and text)
   */
  errorDocuments?: ErrorDocuments;
  /**
   * A directory of `<status>.html` (and `4xx.html`, `5xx.html`) documents for browsers; entries
   * in `errorDocuments` win.
   * @default undefined
   */
  errorDocumentsDir?: string;
  /**
   * Deadline for a handler to start its response, in milliseconds, or an object with the status
   * (503, or 504 when the route waits on an upstream) and `Retry-After` seconds. When it passes,
   * the client gets the error response and the request's AbortSignal aborts. Routes override it
   * with `setDeadline(req, ms)`.
   * @default undefined (no deadline)
   */
  deadline?: number | { ms: number; status?: 503 | 504; retryAfter?: number };
  /**
   * Directory that relative document paths start from.
   * @default process.cwd() (a config file's own directory when loaded by the CLI)
   */
  root?: string;
}

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  readonly logger: LoggerLike | undefined;
  readonly debug: boolean;
  readonly requestIdHeader: string;
  readonly preserveHeaders: ReadonlySet<string>;
  readonly documents: DocumentTable;
  readonly deadline:
    | { readonly ms: number; readonly status: 503 | 504; readonly retryAfter: number }
    | undefined;
}

/** Every option key faultline accepts. */
export const OPTION_KEYS: ReadonlySet<string> = new Set([
  'logger',
  'debug',
  'requestIdHeader',
  'preserveHeaders',
  'errorDocuments',
  'errorDocumentsDir',
  'root',
  'deadline',
]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function closest(key: string): string {
  let best = '';
  let score = Number.POSITIVE_INFINITY;
  for (const known of OPTION_KEYS) {
    const d = distance(key.toLowerCase(), known.toLowerCase());
    if (d < score) [best, score] = [known, d];
  }
  return score <= 3 ? ` (did you mean "${best}"?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        prev + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return row[b.length] as number;
}

function defaultLogger(): LoggerLike {
  return pino({ base: null }, pino.destination({ dest: 2, sync: false }));
}

/** Validates options and applies defaults. Throws FaultlineConfigError on the first mistake. */
export function resolveOptions(options: FaultlineOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new FaultlineConfigError(
      'options',
      `must be an object, got ${String(options)}`,
      'pass an object such as { debug: false }',
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new FaultlineConfigError(
        key,
        `is not a faultline option${closest(key)}`,
        `remove it or use one of: ${[...OPTION_KEYS].join(', ')}`,
      );
    }
  }
  const { logger, debug = false, requestIdHeader = 'x-request-id', preserveHeaders = [] } = options;
  if (logger !== undefined && logger !== false) {
    for (const method of ['error', 'info', 'debug'] as const) {
      if (typeof (logger as unknown as Record<string, unknown>)?.[method] !== 'function') {
        throw new FaultlineConfigError(
          'logger',
          `has no ${method}() method`,
          'pass a pino instance, a logger with error/info/debug methods, or false',
        );
      }
    }
  }
  if (typeof debug !== 'boolean') {
    throw new FaultlineConfigError(
      'debug',
      `must be true or false, got ${JSON.stringify(debug)}`,
      'use debug: true to show stacks to loopback clients only',
    );
  }
  if (typeof requestIdHeader !== 'string' || !TOKEN.test(requestIdHeader)) {
    throw new FaultlineConfigError(
      'requestIdHeader',
      `must be a header name, got ${JSON.stringify(requestIdHeader)}`,
      "use a name such as 'x-request-id'",
    );
  }
  if (
    !Array.isArray(preserveHeaders) ||
    preserveHeaders.some((h) => typeof h !== 'string' || !TOKEN.test(h))
  ) {
    throw new FaultlineConfigError(
      'preserveHeaders',
      `must be an array of header names, got ${JSON.stringify(preserveHeaders)}`,
      "use e.g. ['x-trace-id']",
    );
  }
  const { root = process.cwd() } = options;
  if (typeof root !== 'string' || root === '') {
    throw new FaultlineConfigError(
      'root',
      `must be a directory path, got ${JSON.stringify(root)}`,
      'use an absolute path, e.g. import.meta.dirname',
    );
  }
  const documents = compileDocuments(options.errorDocuments, options.errorDocumentsDir, root);
  return {
    deadline: resolveDeadline(options.deadline),
    documents,
    logger: logger === false ? undefined : (logger ?? defaultLogger()),
    debug,
    requestIdHeader: requestIdHeader.toLowerCase(),
    preserveHeaders: new Set(preserveHeaders.map((h) => h.toLowerCase())),
  };
}

function resolveDeadline(value: FaultlineOptions['deadline']): ResolvedOptions['deadline'] {
  if (value === undefined) return undefined;
  const spec = typeof value === 'number' ? { ms: value } : value;
  const {
    ms,
    status = 503,
    retryAfter = 5,
  } = (spec ?? {}) as { ms?: unknown; status?: unknown; retryAfter?: unknown };
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms <= 0 || ms > 2_147_483_647) {
    throw new FaultlineConfigError(
      'deadline',
      `must be a positive integer of milliseconds (or { ms }), got ${JSON.stringify(value)}`,
      'use e.g. deadline: 10_000',
    );
  }
  if (status !== 503 && status !== 504) {
    throw new FaultlineConfigError(
      'deadline.status',
      `must be 503 or 504, got ${JSON.stringify(status)}`,
      'use 503 (this server is overloaded) or 504 (an upstream did not answer)',
    );
  }
  if (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0) {
    throw new FaultlineConfigError(
      'deadline.retryAfter',
      `must be a non-negative integer of seconds, got ${JSON.stringify(retryAfter)}`,
      'use e.g. retryAfter: 5',
    );
  }
  return { ms, status, retryAfter };
}
