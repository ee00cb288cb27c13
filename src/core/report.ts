/**
 * report: one structured log record per fault, through a pino-compatible logger, at the level
 * configured for its status class (by default as pino-http logs: 5xx `error`, 4xx `warn`, a client
 * that went away (499) `info`). Only the private channel and scrubbed request data are written. Storm control decides first, and scrubbing happens only for
 * records written in full: a storm costs a hash and a map lookup per fault, not a log line.
 *
 * A repeat that storm control only counts gets the incident id `<root>.<n>`, where `<root>` is the
 * id of its window's full record and `n` its ordinal in the window, before the response is
 * rendered: so every id a client receives leads, by a search for its root, to a full record of
 * the same fault, and the window's summary counts it.
 */
import type { ErrorSummary, Fault, Phase } from './fault.js';
import { repeatIncidentId } from './incident.js';
import { Scrubber, splitTarget } from './scrub.js';
import {
  faultFingerprint,
  fingerprintHex,
  quickKey,
  routeKey,
  StormControl,
  type StormHooks,
  type StormSettings,
  type StormSummary,
  type StormWindow,
} from './storm.js';

/** The logger methods faultline uses; pino, and most structured loggers, fit. */
export interface LoggerLike {
  error(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  /** Used when a status class is configured to log at `warn` (4xx by default). */
  warn?(obj: object, msg?: string): void;
  /** Used when a status class is configured to log at `fatal`. */
  fatal?(obj: object, msg?: string): void;
  /** Used when a status class is configured to log at `trace`. */
  trace?(obj: object, msg?: string): void;
}

/** A pino level name a status class can be logged at. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** The level of each status class's records. */
export interface LogLevels {
  /** Server errors. @default 'error' */
  readonly '5xx': LogLevel;
  /** Client errors other than 499. @default 'warn' (as pino-http logs them) */
  readonly '4xx': LogLevel;
  /** A client that closed the connection before the response was complete. @default 'info' */
  readonly '499': LogLevel;
}

/** The defaults a pino-http user expects: 5xx `error`, 4xx `warn`; a client abort is no error. */
export const DEFAULT_LEVELS: LogLevels = { '5xx': 'error', '4xx': 'warn', '499': 'info' };

/** What the reporter knows of the request. */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly remoteAddress: string | undefined;
  /** The validated inbound request id, when the client sent one. */
  readonly requestId: string | undefined;
  /** The framework's route template (e.g. `/users/:id`), when the adapter knows it. */
  readonly route?: string | undefined;
  /**
   * When the request started, from `performance.now()` (a `Date.now()` value is recognised and
   * accepted too); gives the record its `durationMs`.
   */
  readonly startTime?: number | undefined;
  /** The framework's per-request logger (e.g. Fastify's `request.log`); overrides the instance logger. */
  readonly logger?: LoggerLike | undefined;
}

/** Options of {@link Reporter}. */
export interface ReporterOptions extends StormHooks {
  /** @default the built-in rules */
  readonly scrubber?: Scrubber;
  /** Storm control; `false` logs every fault in full. @default false */
  readonly storm?: StormSettings | false;
  /** The level per status class. @default {@link DEFAULT_LEVELS} */
  readonly levels?: LogLevels;
}

type Level = LogLevel;

/** What a storm summary needs of the first fault of its window. */
interface Sample {
  readonly logger: LoggerLike;
  readonly level: Level;
  readonly status: number;
  readonly code: string;
  readonly phase: Phase;
  readonly route: string;
  readonly name: string;
  readonly incident: string | undefined;
}

// performance.now() values are small; Date.now() values are past 2001 in ms.
const EPOCH_MS = 1e12;
// Causes are context: shorter than the top error's 8 KiB message and 16 KiB stack, so a record
// stays under ~90 KiB even with the 10 causes classify keeps.
const MAX_QUICK = 10_000;
const MAX_CAUSE_MESSAGE = 2 * 1024;
const MAX_CAUSE_STACK = 4 * 1024;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}

function durationMs(start: number | undefined): number | undefined {
  if (typeof start !== 'number' || !Number.isFinite(start)) return undefined;
  const end = start > EPOCH_MS ? Date.now() : performance.now();
  const d = end - start;
  return d >= 0 ? Math.round(d * 1000) / 1000 : undefined;
}

/**
 * Gives a counted repeat its derived incident id. Faults come from `toFault`, whose public part is
 * a fresh object; a caller's frozen fault can't be renamed, and is then logged in full instead.
 */
function renameRepeat(fault: Fault, window: StormWindow<Sample>): boolean {
  const root = window.sample.incident;
  if (root === undefined || fault.public.incident === undefined) return true;
  const id = repeatIncidentId(root, window.count);
  try {
    (fault.public as { incident: string | undefined }).incident = id;
  } catch {
    return false;
  }
  return fault.public.incident === id;
}

/**
 * The logger method for `level`; a logger without it (a minimal custom logger, for `warn`, `fatal`
 * or `trace`) gets the nearest of the three methods every logger has.
 */
function methodOf(logger: LoggerLike, level: Level): Level {
  if (typeof (logger as unknown as Record<string, unknown>)[level] === 'function') return level;
  return level === 'fatal' ? 'error' : level === 'trace' ? 'debug' : 'info';
}

/** Writes fault records. */
export class Reporter {
  readonly #logger: LoggerLike | undefined;
  readonly #scrubber: Scrubber;
  readonly #storm: StormControl<Sample> | undefined;
  readonly #levels: LogLevels;
  /** quickKey -> full fingerprint of the fault last counted under it (bounded). */
  readonly #quick = new Map<string, number>();

  constructor(logger: LoggerLike | undefined, options: ReporterOptions = {}) {
    this.#logger = logger;
    this.#scrubber = options.scrubber ?? new Scrubber();
    this.#levels = options.levels ?? DEFAULT_LEVELS;
    const { storm } = options;
    this.#storm =
      storm === undefined || storm === false
        ? undefined
        : new StormControl<Sample>(storm, (s) => this.#summary(s), options);
  }

  /** Fingerprints remembered by storm control (0 when it is off). */
  get fingerprints(): number {
    return this.#storm?.size ?? 0;
  }

  /** Writes pending storm summaries now (e.g. before exit). Never throws. */
  flush(): void {
    try {
      this.#storm?.flush(true);
    } catch {
      // Best effort at shutdown.
    }
  }

  /**
   * Logs `fault`; never throws. True when a full record was written; false when there is no
   * logger, the level is disabled, or storm control only counted it.
   */
  report(fault: Fault, req: RequestInfo | undefined): boolean {
    const logger = req?.logger ?? this.#logger;
    if (logger === undefined) return false;
    try {
      return this.#report(logger, fault, req);
    } catch {
      // A broken logger or a hostile request object must not break the response.
      return false;
    }
  }

  #report(logger: LoggerLike, fault: Fault, req: RequestInfo | undefined): boolean {
    const { status, code, incident } = fault.public;
    const levels = this.#levels;
    const level = methodOf(
      logger,
      status >= 500 ? levels['5xx'] : status === 499 ? levels['499'] : levels['4xx'],
    );
    // pino: don't build, scrub or count records that would be dropped anyway.
    const enabled = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
    if (typeof enabled === 'function' && !enabled.call(logger, level)) return false;
    const target = req === undefined ? undefined : splitTarget(req.url);
    let fingerprint: number | undefined;
    const storm = this.#storm;
    if (storm !== undefined) {
      const route = routeKey(req?.route, target?.path ?? '-');
      // Repeats of a fault already counted in an open window skip the stack (see quickKey).
      const quick = quickKey(fault, route);
      const known = this.#quick.get(quick);
      const open = known === undefined ? undefined : storm.countIfOpen(known);
      if (open !== undefined) {
        if (renameRepeat(fault, open)) return false;
        fingerprint = known;
      } else {
        fingerprint = faultFingerprint(fault, route);
        const sample: Sample = {
          logger,
          level,
          status,
          code,
          phase: fault.phase,
          route,
          name: fault.private.name,
          incident,
        };
        const window = storm.admit(fingerprint, sample);
        if (window.count > 1) {
          if (this.#quick.size >= MAX_QUICK) this.#quick.clear();
          this.#quick.set(quick, fingerprint);
          if (renameRepeat(fault, window)) return false;
        }
      }
    }
    const s = this.#scrubber;
    const p = fault.private;
    // Every string of the record passes the scrubber, the public code and `thrown` included (a
    // code is any `[a-z][a-z0-9_.-]*` an app chose; `thrown` is an error's own name).
    const safeCode = s.string(code);
    const record: Record<string, unknown> = {
      incident,
      status,
      code: safeCode,
      phase: fault.phase,
    };
    const duration = durationMs(req?.startTime);
    if (duration !== undefined) record.durationMs = duration;
    if (fingerprint !== undefined) record.fingerprint = fingerprintHex(fingerprint);
    // Not `err`: pino's default serializer for that key would rewrite the summary.
    record.error = {
      name: s.string(p.name),
      thrown: s.string(p.thrown),
      message: s.string(p.message),
      stack: p.stack === undefined ? undefined : s.string(p.stack),
      code: p.code === undefined ? undefined : s.string(p.code),
      causes: p.causes.length > 0 ? p.causes.map((c) => this.#summary1(c)) : undefined,
      // Names from a fixed list (Retry-After, Allow, ...): nothing to scrub.
      droppedHeaders: p.droppedHeaders,
    };
    if (req !== undefined && target !== undefined) {
      // Not `req`: Fastify's, pino-http's and bunyan's serializers for that key would replace
      // these fields with their own view of a Node request.
      record.request = {
        method: s.string(req.method),
        route: req.route === undefined ? undefined : s.string(req.route),
        path: s.string(target.path),
        queryKeys: target.queryKeys?.map((k) => s.string(k)),
        requestId: req.requestId === undefined ? undefined : s.string(req.requestId),
        remoteAddress: req.remoteAddress === undefined ? undefined : s.string(req.remoteAddress),
        headers: status >= 500 ? s.headers(req.headers) : undefined,
      };
    }
    const msg =
      status === 499
        ? 'client closed request'
        : `${status >= 500 ? 'request failed' : 'request rejected'}: ${status} ${safeCode}`;
    (logger[level] as (obj: object, msg?: string) => void)(record, msg);
    return true;
  }

  #summary1(c: ErrorSummary): ErrorSummary {
    const s = this.#scrubber;
    return {
      name: s.string(c.name),
      message: s.string(cut(c.message, MAX_CAUSE_MESSAGE)),
      stack: c.stack === undefined ? undefined : s.string(cut(c.stack, MAX_CAUSE_STACK)),
      code: c.code === undefined ? undefined : s.string(c.code),
    };
  }

  /**
   * One line per window of a repeated fault: exact count and the range of derived ids
   * (`<root>.2` … `<root>.<count>`), under the root's own `incident` so a search finds it too.
   */
  #summary(summary: StormSummary<Sample>): void {
    const { sample } = summary;
    const root = sample.incident;
    const record = {
      incident: sample.incident,
      status: sample.status,
      code: this.#scrubber.string(sample.code),
      phase: sample.phase,
      fingerprint: summary.fingerprint,
      storm: {
        count: summary.count,
        suppressed: summary.suppressed,
        since: new Date(summary.since).toISOString(),
        until: new Date(summary.until).toISOString(),
        firstIncident: root === undefined ? undefined : repeatIncidentId(root, 2),
        lastIncident: root === undefined ? undefined : repeatIncidentId(root, summary.count),
      },
      error: { name: this.#scrubber.string(sample.name) },
      request: { route: this.#scrubber.string(sample.route) },
    };
    (sample.logger[sample.level] as (obj: object, msg?: string) => void)(
      record,
      `repeated fault: ${sample.status} ${this.#scrubber.string(sample.code)} ${summary.suppressed} more time${summary.suppressed === 1 ? '' : 's'}`,
    );
  }
}
