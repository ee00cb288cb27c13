/**
 * options: the configuration faultline accepts, validated once at startup. Every mistake throws a
 * FaultlineConfigError naming the key, the value and the fix — never discovered at the first error.
 */
import pino from 'pino';
import { compileDocuments, type DocumentTable, type ErrorDocuments } from './error-documents.js';
import { compileMap, type ErrorMap, type ErrorMapRule } from './error-map.js';
import { FaultlineConfigError } from './errors.js';
import type { FaultHook } from './hook.js';
import { DEFAULT_LEVELS, type LoggerLike, type LogLevel, type LogLevels } from './report.js';
import { Scrubber } from './scrub.js';
import type { StormSettings } from './storm.js';
import { loadOpenTelemetry, type TelemetrySettings } from './telemetry.js';

/** Options of {@link createFaultline}. */
export interface FaultlineOptions {
  /**
   * Where fault records go: a pino instance or any logger with `error`, `info` and `debug`
   * methods; `false` to log nothing.
   * @default pino writing JSON lines to stderr
   */
  logger?: LoggerLike | false;
  /**
   * The log level of fault records per status class: `'5xx'`, `'4xx'` and `'499'` (a client that
   * closed the connection early), each one of `fatal`, `error`, `warn`, `info`, `debug`, `trace`.
   * The defaults are pino-http's, so a fault record and pino-http's access line agree.
   * @example { '4xx': 'info' }
   * @default { '5xx': 'error', '4xx': 'warn', '499': 'info' }
   */
  levels?: Partial<Record<keyof LogLevels, LogLevel>>;
  /**
   * The developer error page (and a `debug` member in problem+json, a debug block in text): the
   * error, its causes, frames with code context (source-mapped), the request — scrubbed like the
   * log. Shown only to a request straight from this machine: loopback peer, loopback Host, no
   * proxy header (`X-Forwarded-For`, `Forwarded`, `Via`, ...), not HTTP/1.0. Refused at startup
   * when NODE_ENV is `production` unless `debugInProduction` says otherwise.
   * @default false
   */
  debug?: boolean;
  /**
   * Lets `debug: true` start under NODE_ENV=production. The only accepted value is the sentence
   * `'i-understand-the-risk'`: a string, not a boolean, so that no `"true"` from an environment
   * variable or a config template turns it on by accident, and a reviewer reads what it means.
   * @default undefined (debug refused in production)
   */
  debugInProduction?: typeof DEBUG_IN_PRODUCTION;
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
  /**
   * Additions to log scrubbing, which is always on: header values of credential headers, values
   * of sensitive keys (`password`, `secret`, `token`, `api_key`, `authorization`, ...) and strings
   * that look like bearer tokens, JWTs, AWS keys, private-key blocks or `user:pass@` in URLs are
   * replaced by `[redacted]` in messages, stacks, causes, paths and headers. There is no switch
   * to turn it off: a log is read by more people, and kept longer, than any secret should be.
   * @example { keys: ['ssn', 'iban'], patterns: [/\bcard=(?<secret>\d+)/g] }
   * @default {} (built-in rules only)
   */
  scrub?: {
    /** Extra sensitive key names, matched as case-insensitive substrings of keys. @default [] */
    keys?: string[];
    /**
     * Extra patterns; the whole match is redacted, or only named groups starting with `secret`.
     * @default []
     */
    patterns?: RegExp[];
  };
  /**
   * Error-storm control: a fault identical to one already logged in the current window (same
   * error type, top stack frames and route) is counted instead of logged, and one summary line
   * per window carries the exact count and the range of incident ids. `false` logs every fault.
   * @default { windowMs: 10_000, maxFingerprints: 10_000 }
   */
  storm?:
    | {
        /** Window length in milliseconds (100 ms – 24 h). @default 10_000 */
        windowMs?: number;
        /** Most distinct faults remembered at once (LRU). @default 10_000 */
        maxFingerprints?: number;
      }
    | false;
  /**
   * OpenTelemetry, through the optional peer `@opentelemetry/api`: faults recorded on the active
   * span (exception event, ERROR status for 5xx, `faultline.incident` attribute), trace ids in
   * incident ids (`<traceId>-<id>`), and a `faultline.faults` counter by status, code and route.
   * `true` requires the package (startup fails without it); `false` turns it all off.
   * @default on when `@opentelemetry/api` is installed (a no-op until an SDK is registered)
   */
  telemetry?:
    | boolean
    | {
        /** Record faults on the active span. @default true */
        spans?: boolean;
        /** Count faults in the `faultline.faults` counter. @default true */
        metrics?: boolean;
        /** Incident ids carry the trace id when a sampled span is active. @default true */
        traceIncident?: boolean;
      };
  /**
   * A custom reporter (Sentry and the like), called for every fault after the response path,
   * isolated: a throw or a rejection is caught and logged, a promise is never awaited.
   * @example onFault: (fault, ctx) => { if (fault.public.status >= 500) Sentry.captureException(fault.cause); }
   * @default undefined
   */
  onFault?: FaultHook;
  /**
   * Ordered rules mapping the app's own errors to problems: match by class, `code`, `name` or a
   * predicate; set status, public code, title, detail, type URI and RFC 9457 extension members.
   * The first matching rule wins; what it leaves out keeps the classified value.
   * @example
   * map: [
   *   { match: { code: 'P2025' }, status: 404, detail: 'No such record.' },
   *   { match: { instanceOf: PaymentError }, status: 402, type: 'https://example.com/problems/payment',
   *     extensions: (e) => ({ balance: (e as PaymentError).balance }) },
   * ]
   * @default []
   */
  map?: ErrorMapRule[];
}

/** The one value of `debugInProduction`. */
export const DEBUG_IN_PRODUCTION = 'i-understand-the-risk';

/** Options after validation, with defaults applied. */
export interface ResolvedOptions {
  readonly logger: LoggerLike | undefined;
  /** The level of each status class's records. */
  readonly levels: LogLevels;
  readonly debug: boolean;
  readonly requestIdHeader: string;
  readonly preserveHeaders: ReadonlySet<string>;
  readonly documents: DocumentTable;
  readonly deadline:
    | { readonly ms: number; readonly status: 503 | 504; readonly retryAfter: number }
    | undefined;
  /** The compiled scrubber (built-in rules plus `scrub` additions). */
  readonly scrubber: Scrubber;
  /** Storm control settings; undefined when off. */
  readonly storm: StormSettings | undefined;
  /** Telemetry settings; undefined when off or when `@opentelemetry/api` is absent. */
  readonly telemetry: TelemetrySettings | undefined;
  readonly onFault: FaultHook | undefined;
  /** Compiled `map` rules; undefined when there are none. */
  readonly map: ErrorMap | undefined;
}

/** Every option key faultline accepts. */
export const OPTION_KEYS: ReadonlySet<string> = new Set([
  'logger',
  'levels',
  'debug',
  'debugInProduction',
  'requestIdHeader',
  'preserveHeaders',
  'errorDocuments',
  'errorDocumentsDir',
  'root',
  'deadline',
  'scrub',
  'storm',
  'telemetry',
  'onFault',
  'map',
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
  checkDebugInProduction(debug, options.debugInProduction);
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
  const { onFault } = options;
  if (onFault !== undefined && typeof onFault !== 'function') {
    throw new FaultlineConfigError(
      'onFault',
      `must be a function, got ${describe(onFault)}`,
      'pass (fault, context) => { ... } or leave it out',
    );
  }
  return {
    deadline: resolveDeadline(options.deadline),
    documents,
    logger: logger === false ? undefined : (logger ?? defaultLogger()),
    levels: resolveLevels(options.levels),
    debug,
    requestIdHeader: requestIdHeader.toLowerCase(),
    preserveHeaders: new Set(preserveHeaders.map((h) => h.toLowerCase())),
    scrubber: resolveScrub(options.scrub),
    storm: resolveStorm(options.storm),
    telemetry: resolveTelemetry(options.telemetry),
    onFault,
    map: compileMap(options.map),
  };
}

function nodeEnv(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.NODE_ENV;
}

/** `debug: true` under NODE_ENV=production needs the deliberately named override. */
function checkDebugInProduction(debug: boolean, override: unknown): void {
  if (override !== undefined && override !== DEBUG_IN_PRODUCTION) {
    throw new FaultlineConfigError(
      'debugInProduction',
      `must be '${DEBUG_IN_PRODUCTION}' or left out, got ${describe(override)}`,
      `leave it out (debug stays refused in production), or write debugInProduction: '${DEBUG_IN_PRODUCTION}'`,
    );
  }
  if (debug && override === undefined && nodeEnv()?.trim().toLowerCase() === 'production') {
    throw new FaultlineConfigError(
      'debug',
      'is true while NODE_ENV is "production"',
      `turn debug off in production (debug: process.env.NODE_ENV !== 'production'); if this really is a developer's machine, add debugInProduction: '${DEBUG_IN_PRODUCTION}'`,
    );
  }
}

const LEVEL_NAMES: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

function resolveLevels(levels: FaultlineOptions['levels']): LogLevels {
  if (levels === undefined) return DEFAULT_LEVELS;
  if (!isPlainObject(levels)) {
    throw new FaultlineConfigError(
      'levels',
      `must be an object, got ${describe(levels)}`,
      "use e.g. { '4xx': 'info' } or leave it out",
    );
  }
  rejectUnknown('levels', levels, Object.keys(DEFAULT_LEVELS));
  const out: Record<string, LogLevel> = { ...DEFAULT_LEVELS };
  for (const [key, value] of Object.entries(levels)) {
    if (!LEVEL_NAMES.includes(value as LogLevel)) {
      throw new FaultlineConfigError(
        `levels.${key}`,
        `must be a level name, got ${describe(value)}`,
        `use one of: ${LEVEL_NAMES.join(', ')}`,
      );
    }
    out[key] = value as LogLevel;
  }
  return out as unknown as LogLevels;
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

function describe(value: unknown): string {
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknown(
  option: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new FaultlineConfigError(
        `${option}.${key}`,
        'is not a known setting',
        `use only ${known.map((k) => `${option}.${k}`).join(', ')}`,
      );
    }
  }
}

function resolveScrub(scrub: FaultlineOptions['scrub']): Scrubber {
  if (scrub === undefined) return new Scrubber();
  if (!isPlainObject(scrub)) {
    throw new FaultlineConfigError(
      'scrub',
      `must be an object, got ${describe(scrub)}${
        (scrub as unknown) === false ? ' (scrubbing cannot be turned off)' : ''
      }`,
      "add rules with { keys: ['ssn'], patterns: [/card=(?<secret>\\d+)/g] } or leave it out",
    );
  }
  rejectUnknown('scrub', scrub, ['keys', 'patterns']);
  const { keys = [], patterns = [] } = scrub;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string' || k.trim() === '')) {
    throw new FaultlineConfigError(
      'scrub.keys',
      `must be an array of non-empty strings, got ${describe(keys)}`,
      "use e.g. ['ssn', 'iban']",
    );
  }
  if (!Array.isArray(patterns) || patterns.some((p) => !(p instanceof RegExp))) {
    throw new FaultlineConfigError(
      'scrub.patterns',
      `must be an array of RegExp, got ${describe(patterns)}`,
      'use e.g. [/card=(?<secret>\\d+)/g]',
    );
  }
  for (const p of patterns) {
    if (new RegExp(p.source, p.flags.replace(/[gy]/g, '')).test('')) {
      throw new FaultlineConfigError(
        'scrub.patterns',
        `contains ${String(p)}, which matches the empty string`,
        'make the pattern require at least one character',
      );
    }
  }
  return new Scrubber({ keys, patterns });
}

function resolveStorm(storm: FaultlineOptions['storm']): StormSettings | undefined {
  if (storm === false) return undefined;
  if (storm === undefined) return { windowMs: 10_000, maxFingerprints: 10_000 };
  if (!isPlainObject(storm)) {
    throw new FaultlineConfigError(
      'storm',
      `must be an object or false, got ${describe(storm)}`,
      'use e.g. { windowMs: 10_000, maxFingerprints: 10_000 }, or false to log every fault',
    );
  }
  rejectUnknown('storm', storm, ['windowMs', 'maxFingerprints']);
  const { windowMs = 10_000, maxFingerprints = 10_000 } = storm;
  if (!Number.isInteger(windowMs) || windowMs < 100 || windowMs > 86_400_000) {
    throw new FaultlineConfigError(
      'storm.windowMs',
      `must be an integer number of milliseconds from 100 to 86400000, got ${describe(windowMs)}`,
      'use e.g. 10_000 (10 seconds)',
    );
  }
  if (!Number.isInteger(maxFingerprints) || maxFingerprints < 1 || maxFingerprints > 1_000_000) {
    throw new FaultlineConfigError(
      'storm.maxFingerprints',
      `must be an integer from 1 to 1000000, got ${describe(maxFingerprints)}`,
      'use e.g. 10_000',
    );
  }
  return { windowMs, maxFingerprints };
}

function resolveTelemetry(telemetry: FaultlineOptions['telemetry']): TelemetrySettings | undefined {
  if (telemetry === false) return undefined;
  const all: TelemetrySettings = { spans: true, metrics: true, traceIncident: true };
  if (telemetry === undefined) return loadOpenTelemetry() === undefined ? undefined : all;
  let settings = all;
  if (telemetry !== true) {
    if (!isPlainObject(telemetry)) {
      throw new FaultlineConfigError(
        'telemetry',
        `must be true, false or an object, got ${describe(telemetry)}`,
        'use e.g. { spans: true, metrics: false } or leave it out',
      );
    }
    rejectUnknown('telemetry', telemetry, ['spans', 'metrics', 'traceIncident']);
    for (const key of ['spans', 'metrics', 'traceIncident'] as const) {
      if (telemetry[key] !== undefined && typeof telemetry[key] !== 'boolean') {
        throw new FaultlineConfigError(
          `telemetry.${key}`,
          `must be true or false, got ${describe(telemetry[key])}`,
          `use telemetry: { ${key}: false } to turn it off`,
        );
      }
    }
    settings = {
      spans: telemetry.spans ?? true,
      metrics: telemetry.metrics ?? true,
      traceIncident: telemetry.traceIncident ?? true,
    };
  }
  if (loadOpenTelemetry() === undefined) {
    throw new FaultlineConfigError(
      'telemetry',
      'is on, but @opentelemetry/api cannot be loaded',
      'install it (npm install @opentelemetry/api) or leave telemetry unset to use it when present',
    );
  }
  return settings;
}
