/**
 * report: one structured log record per fault, through a pino-compatible logger. 5xx at `error`,
 * a client that went away (499) at `info`, other 4xx at `debug`. Only the private channel and
 * scrubbed request data are written. Storm control decides first, and scrubbing happens only for
 * records written in full: a storm costs a hash and a map lookup per fault, not a log line.
 */
import type { ErrorSummary, Fault, Phase } from './fault.js';
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
} from './storm.js';

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
}

type Level = 'error' | 'info' | 'debug';

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

function levelOf(status: number): Level {
  return status >= 500 ? 'error' : status === 499 ? 'info' : 'debug';
}

/** Writes fault records. */
export class Reporter {
  readonly #logger: LoggerLike | undefined;
  readonly #scrubber: Scrubber;
  readonly #storm: StormControl<Sample> | undefined;
  /** quickKey -> full fingerprint of the fault last counted under it (bounded). */
  readonly #quick = new Map<string, number>();

  constructor(logger: LoggerLike | undefined, options: ReporterOptions = {}) {
    this.#logger = logger;
    this.#scrubber = options.scrubber ?? new Scrubber();
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
    const level = levelOf(status);
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
      if (known !== undefined && storm.countIfOpen(known, incident)) return false;
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
      if (!storm.admit(fingerprint, incident, sample)) {
        if (this.#quick.size >= MAX_QUICK) this.#quick.clear();
        this.#quick.set(quick, fingerprint);
        return false;
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
      record.req = {
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
    logger[level](record, msg);
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

  /** One line per window of a repeated fault: exact count and incident id range. */
  #summary(summary: StormSummary<Sample>): void {
    const { sample } = summary;
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
        firstIncident: summary.firstIncident,
        lastIncident: summary.lastIncident,
      },
      error: { name: this.#scrubber.string(sample.name) },
      req: { route: this.#scrubber.string(sample.route) },
    };
    sample.logger[sample.level](
      record,
      `repeated fault: ${sample.status} ${this.#scrubber.string(sample.code)} ${summary.suppressed} more time${summary.suppressed === 1 ? '' : 's'}`,
    );
  }
}
