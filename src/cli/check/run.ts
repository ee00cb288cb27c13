/**
 * run: orchestrates one check: builds the provocations, sends them with bounded concurrency and a
 * bounded total time, inspects each outcome and folds the hits into findings. Only the given
 * origin is contacted; redirects are reported as what they are, never followed.
 */
import { randomBytes } from 'node:crypto';
import { FINDINGS, type FindingId, SEVERITIES, type Severity } from './findings.js';
import { inspect } from './inspect.js';
import {
  ACCEPT,
  buildProvocations,
  type Canary,
  encodeRequest,
  MAX_PATHS,
  type Provocation,
} from './provocations.js';
import { type Endpoint, type Outcome, send } from './send.js';

/** Options of {@link runCheck}. */
export interface CheckOptions {
  /** Base URL: scheme, host and port are the origin; its path is the default route. */
  readonly url: string;
  /** Routes to ask in each representation. @default the base URL's path */
  readonly paths?: readonly string[];
  /** Also send POST requests with malformed bodies. @default false */
  readonly allowUnsafe?: boolean;
  /** Deadline per request in ms. @default 5000 */
  readonly timeoutMs?: number;
  /** Bound of the whole run in ms; requests not started by then are skipped. @default 60000 */
  readonly maxTimeMs?: number;
  /** Requests in flight at once. @default 4 */
  readonly concurrency?: number;
  /** Accept any TLS certificate. @default false */
  readonly insecure?: boolean;
  /** Called after each request with the number done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Where a finding was seen. */
export interface Occurrence {
  readonly request: { readonly method: string; readonly target: string; readonly accept: string };
  readonly what: string;
  /** Status of the answer, or `reset` / `timeout`. */
  readonly status: number | 'reset' | 'timeout';
  readonly evidence: string;
}

/** A finding with every occurrence. */
export interface Finding {
  readonly id: FindingId;
  readonly severity: Severity;
  readonly title: string;
  readonly remedy: string;
  readonly occurrences: readonly Occurrence[];
}

/** The result of a run. */
export interface CheckResult {
  readonly origin: string;
  readonly paths: readonly string[];
  readonly allowUnsafe: boolean;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly requests: {
    readonly planned: number;
    readonly sent: number;
    readonly responses: number;
    readonly errorResponses: number;
    readonly resets: number;
    readonly timeouts: number;
    readonly skipped: number;
  };
  /** Sorted by severity, then id. */
  readonly findings: readonly Finding[];
  readonly counts: Readonly<Record<Severity, number>>;
}

/** A problem with the command line or the target, reported with exit code 2. */
export class CheckUsageError extends Error {
  override readonly name = 'CheckUsageError';
  /** The command line was wrong (show the usage), as opposed to the target. */
  readonly usage: boolean;

  constructor(message: string, usage = true) {
    super(message);
    this.usage = usage;
  }
}

const USER_AGENT = 'faultline-check/1 (+https://www.npmjs.com/package/faultline)';

function newCanary(): Canary {
  return {
    cookieName: 'fl_canary',
    cookieValue: `flc${randomBytes(9).toString('hex')}`,
    bearer: `flb${randomBytes(12).toString('hex')}`,
    nonce: randomBytes(4).toString('hex'),
  };
}

/** Parses and vets the base URL: http(s), no credentials. */
export function parseOrigin(
  url: string,
  insecure: boolean,
): { endpoint: Endpoint; host: string; origin: string; path: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CheckUsageError(`not a URL: "${url}" (expected e.g. http://127.0.0.1:3000)`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new CheckUsageError(`only http: and https: URLs can be checked, got "${u.protocol}"`);
  }
  if (u.username !== '' || u.password !== '') {
    throw new CheckUsageError('the URL must not carry credentials');
  }
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  const hostname = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return {
    endpoint: { protocol: u.protocol, hostname, port, insecure },
    host: u.host,
    origin: u.origin,
    path: u.pathname + u.search,
  };
}

function vetPaths(paths: readonly string[]): string[] {
  for (const p of paths) {
    // Printable ASCII only: the path is written into the request line as is.
    if (!p.startsWith('/') || p.startsWith('//') || !/^[\x21-\x7e]+$/.test(p)) {
      throw new CheckUsageError(
        `--path must be an origin-relative path such as /api/items, got "${p}"`,
      );
    }
  }
  if (paths.length > MAX_PATHS) throw new CheckUsageError(`at most ${MAX_PATHS} --path values`);
  return [...new Set(paths)];
}

function occurrence(p: Provocation, outcome: Outcome, evidence: string): Occurrence {
  const target =
    p.target.length > 80 ? `${p.target.slice(0, 60)}…(${p.target.length} chars)` : p.target;
  return {
    request: { method: p.method, target, accept: ACCEPT[p.accept] ?? '(none)' },
    what: p.title,
    status:
      outcome.kind === 'response'
        ? outcome.status
        : outcome.kind === 'timeout'
          ? 'timeout'
          : 'reset',
    evidence,
  };
}

/**
 * Runs the check against one origin.
 * @example
 * const result = await runCheck({ url: 'http://127.0.0.1:3000', paths: ['/api/items'] });
 */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const insecure = options.insecure ?? false;
  const { endpoint, host, origin, path } = parseOrigin(options.url, insecure);
  const paths = vetPaths(options.paths && options.paths.length > 0 ? options.paths : [path]);
  const allowUnsafe = options.allowUnsafe ?? false;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxTimeMs = options.maxTimeMs ?? 60_000;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 4, 16));
  const canary = newCanary();
  const provocations = buildProvocations({ root: path, paths, allowUnsafe, canary });
  const startedAt = new Date();
  const started = performance.now();

  const outcomes: Array<Outcome | undefined> = new Array(provocations.length);
  let next = 0;
  let done = 0;
  const exchange = async (i: number): Promise<Outcome> => {
    const p = provocations[i] as Provocation;
    const bytes = encodeRequest(p, { host, canary, userAgent: USER_AGENT });
    const outcome = await send(endpoint, bytes, { timeoutMs, head: p.method === 'HEAD' });
    outcomes[i] = outcome;
    done++;
    options.onProgress?.(done, provocations.length);
    return outcome;
  };

  // The first request alone: an unreachable target is a usage problem, not 150 findings.
  const first = await exchange(next++);
  if (first.kind === 'unreachable') {
    throw new CheckUsageError(`cannot connect to ${origin} (${first.code})`, false);
  }
  const worker = async (): Promise<void> => {
    while (next < provocations.length && performance.now() - started < maxTimeMs) {
      await exchange(next++);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  const byId = new Map<FindingId, Occurrence[]>();
  let responses = 0;
  let errorResponses = 0;
  let resets = 0;
  let timeouts = 0;
  let sent = 0;
  provocations.forEach((p, i) => {
    const outcome = outcomes[i];
    if (outcome === undefined) return;
    sent++;
    if (outcome.kind === 'response') {
      responses++;
      if (outcome.status >= 400) errorResponses++;
    } else if (outcome.kind === 'timeout') timeouts++;
    else resets++;
    for (const hit of inspect(p, outcome, { canary, timeoutMs, targetHost: endpoint.hostname })) {
      const list = byId.get(hit.id) ?? [];
      list.push(occurrence(p, outcome, hit.evidence));
      byId.set(hit.id, list);
    }
  });

  const findings: Finding[] = [...byId].map(([id, occurrences]) => ({
    id,
    ...FINDINGS[id],
    occurrences,
  }));
  findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.id.localeCompare(b.id),
  );
  const counts = { error: 0, warn: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    origin,
    paths,
    allowUnsafe,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    requests: {
      planned: provocations.length,
      sent,
      responses,
      errorResponses,
      resets,
      timeouts,
      skipped: provocations.length - sent,
    },
    findings,
    counts,
  };
}
