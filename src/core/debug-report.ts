/**
 * debug-report: what a developer sees when their own request fails, as data: the error and its
 * causes (cause chain and AggregateError members, from classify's bounded snapshot), each with
 * parsed frames, the code around the app's own frames (source-mapped), and the request. Every
 * string goes through the same scrubber as the log. Built only after the debug gate said yes, so
 * the production error path never pays for it.
 */
import type { ErrorSummary, Fault } from './fault.js';
import type { Scrubber } from './scrub.js';
import { sourcePlace } from './source-context.js';
import { type FrameKind, parseStack } from './stack-frames.js';

/** One frame of a debug report. `line`/`column` are 1-based. */
export interface DebugFrame {
  readonly function?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** `app` frames are the app's own code; `dependency` is node_modules; `runtime` is Node's. */
  readonly kind: FrameKind;
  /** Where the stack said it was, when a source map moved it (e.g. the compiled `.js`). */
  readonly generated?: { readonly file: string; readonly line: number; readonly column: number };
  /** Lines around `line` (app frames only), the first being line `start`. */
  readonly context?: { readonly start: number; readonly lines: readonly string[] };
}

/** One error of a debug report. */
export interface DebugError {
  readonly name: string;
  readonly message: string;
  /** The error's own `code` property (`ECONNREFUSED`), when it had one. */
  readonly code?: string;
  readonly frames: readonly DebugFrame[];
}

/** The whole debug report; also the `debug` member of a problem+json body in debug mode. */
export interface DebugReport {
  readonly error: DebugError;
  /** The `cause` chain and AggregateError members, breadth-first, as classify bounded them. */
  readonly causes: readonly DebugError[];
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly route?: string;
    readonly headers: Readonly<Record<string, string | string[]>>;
  };
}

/** What the report needs of the request. */
export interface DebugRequest {
  readonly method: string;
  readonly url: string;
  readonly route?: string | undefined;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** App frames that get code context, per error: enough to see the path, bounded in file reads. */
const CONTEXT_FRAMES = 8;

function frames(stack: string | undefined, scrub: Scrubber): DebugFrame[] {
  let withContext = 0;
  return parseStack(stack).map((f) => {
    let out: {
      -readonly [K in keyof DebugFrame]: DebugFrame[K];
    } = { kind: f.kind };
    if (f.fn !== undefined) out.function = scrub.string(f.fn);
    if (f.file !== undefined) out.file = scrub.string(f.file);
    if (f.line !== undefined) out.line = f.line;
    if (f.column !== undefined) out.column = f.column;
    if (
      f.kind === 'app' &&
      f.file !== undefined &&
      f.line !== undefined &&
      f.column !== undefined &&
      withContext < CONTEXT_FRAMES
    ) {
      withContext++;
      const place = sourcePlace(f.file, f.line, f.column);
      if (place !== undefined) {
        if (place.mapped) {
          out = {
            ...out,
            file: scrub.string(place.file),
            line: place.line,
            column: place.column,
            generated: { file: scrub.string(f.file), line: f.line, column: f.column },
          };
        }
        if (place.context !== undefined) {
          out.context = {
            start: place.context.start,
            lines: place.context.lines.map((l) => scrub.string(l)),
          };
        }
      }
    }
    return out;
  });
}

function error(e: ErrorSummary, scrub: Scrubber): DebugError {
  const out: DebugError = {
    name: scrub.string(e.name),
    message: scrub.string(e.message),
    frames: frames(e.stack, scrub),
  };
  return e.code === undefined ? out : { ...out, code: scrub.string(e.code) };
}

/**
 * The debug report of `fault` for `req`, scrubbed with `scrub`. Call it only when the debug gate
 * allowed it. Never throws: undefined when the report cannot be built (a hostile request object),
 * and the client then gets the production body.
 */
export function debugReport(
  fault: Fault,
  req: DebugRequest,
  scrub: Scrubber,
): DebugReport | undefined {
  try {
    return build(fault, req, scrub);
  } catch {
    return undefined;
  }
}

function build(fault: Fault, req: DebugRequest, scrub: Scrubber): DebugReport {
  const p = fault.private;
  const request: { -readonly [K in keyof DebugReport['request']]: DebugReport['request'][K] } = {
    method: scrub.string(req.method),
    url: scrub.string(req.url),
    headers: scrub.headers(req.headers),
  };
  if (req.route !== undefined) request.route = scrub.string(req.route);
  return {
    error: error(p, scrub),
    causes: p.causes.map((c) => error(c, scrub)),
    request,
  };
}
