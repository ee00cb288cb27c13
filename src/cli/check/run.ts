/**
 * run: orchestrates one check: builds the provocations, sends them with bounded concurrency and a
 * bounded total time, inspects each outcome and folds the hits into findings. Only the given
 * origin is contacted; redirects are reported as what they are, never followed.
 */
import { randomBytes } from 'node:crypto';
import { FINDINGS, type FindingId, SEVERITIES, type Severity } from './findings.js';
import { inspect, looksLikeException, mask, messageOf, messageShape } from './inspect.js';
import {
  ACCEPT,
  buildProvocations,
  type Canary,
  encodeRequest,
  MAX_PATHS,
  MAX_REQUESTS,
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
  /** Requests in flight at once, at most {@link MAX_CONCURRENCY}. @default 4 */
  readonly concurrency?: number;
  /** Requests started per second, at most; `undefined` for no limit. @default undefined */
  readonly rate?: number;
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

/** A setting the run could not honour as asked, and what it used instead. */
export interface Clamp {
  /** The option, e.g. `--concurrency`, or `requests` for the request bound. */
  readonly option: string;
  readonly requested: number;
  readonly used: number;
}

/** The settings a run used (after clamping). */
export interface RunSettings {
  readonly timeoutMs: number;
  readonly maxTimeMs: number;
  readonly concurrency: number;
  /** Requests per second, or null for no limit. */
  readonly rate: number | null;
}

/** The result of a run. */
export interface CheckResult {
  readonly origin: string;
  readonly paths: readonly string[];
  readonly allowUnsafe: boolean;
  readonly settings: RunSettings;
  /** Settings cut to their bounds; empty when every value was used as given. */
  readonly clamped: readonly Clamp[];
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

/** Most requests in flight at once. */
export const MAX_CONCURRENCY = 16;

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
 * 5xx answers to input that is the client's fault. A path whose plain GET fails with a 5xx as
 * well (a route that always throws) is left out: the input made no difference there. 501 and
 * 505 name what the server does not implement and are right answers.
 */
function serverFaultsForClientErrors(
  provocations: readonly Provocation[],
  outcomes: ReadonlyArray<Outcome | undefined>,
): Array<[number, string]> {
  const pathOf = (p: Provocation): string => p.target.split('?')[0] ?? '';
  // Paths asked plainly, and whether that plain GET failed with a 5xx.
  const plain = new Map<string, boolean>();
  provocations.forEach((p, i) => {
    if (p.method !== 'GET' || p.body !== undefined || p.clientError === true || p.malformed) return;
    if (p.probe === true || p.headers.length > 0) return;
    const o = outcomes[i];
    const failed = o?.kind === 'response' && o.status >= 500;
    plain.set(pathOf(p), (plain.get(pathOf(p)) ?? false) || failed);
  });
  // A path never asked plainly (/%zz…) compares with the unrouted path: a server that fails
  // even there fails whatever the input.
  const unrouted = provocations.find((p) => p.key === 'unrouted.json');
  const failsAnyway = unrouted !== undefined && plain.get(pathOf(unrouted)) === true;
  const out: Array<[number, string]> = [];
  provocations.forEach((p, i) => {
    const o = outcomes[i];
    if (p.clientError !== true || o?.kind !== 'response') return;
    if (o.status < 500 || o.status > 599 || o.status === 501 || o.status === 505) return;
    if (plain.get(pathOf(p)) ?? failsAnyway) return;
    out.push([i, `${o.status} ${o.reason}`.trim()]);
  });
  return out;
}

/**
 * 500 answers whose message is not exception-shaped but differs between provocations (within
 * one media type, ids and numbers aside, the request's own path taken out): a fixed friendly
 * sentence stays the same, the error's own message varies with what failed. Returns the index
 * of each such answer with its evidence.
 */
function varyingMessages(
  provocations: readonly Provocation[],
  outcomes: ReadonlyArray<Outcome | undefined>,
): Array<[number, string]> {
  const groups = new Map<string, Array<[number, string, string]>>();
  outcomes.forEach((outcome, i) => {
    if (outcome?.kind !== 'response') return;
    const message = messageOf(outcome);
    if (message === undefined || looksLikeException(message)) return;
    const target = (provocations[i] as Provocation).target.split('?')[0] ?? '';
    const shape = messageShape(target.length > 1 ? message.split(target).join('') : message);
    const type =
      outcome.headers
        .find(([n]) => n === 'content-type')?.[1]
        .split(';')[0]
        ?.trim() ?? '';
    const group = groups.get(type) ?? [];
    group.push([i, message, shape]);
    groups.set(type, group);
  });
  const out: Array<[number, string]> = [];
  for (const group of groups.values()) {
    if (new Set(group.map(([, , shape]) => shape)).size < 2) continue;
    for (const [i, message] of group)
      out.push([i, `varies with the request: ${message.slice(0, 160)}`]);
  }
  return out;
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
  const clamped: Clamp[] = [];
  const askedConcurrency = options.concurrency ?? 4;
  const concurrency = Math.max(1, Math.min(askedConcurrency, MAX_CONCURRENCY));
  if (concurrency !== askedConcurrency)
    clamped.push({ option: '--concurrency', requested: askedConcurrency, used: concurrency });
  const rate = options.rate;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
    throw new CheckUsageError(
      `--rate must be a positive number of requests per second, got ${rate}`,
    );
  const canary = newCanary();
  const planned = buildProvocations({ root: path, paths, allowUnsafe, canary });
  if (planned.length > MAX_REQUESTS)
    clamped.push({ option: 'requests', requested: planned.length, used: MAX_REQUESTS });
  const provocations = planned.slice(0, MAX_REQUESTS);
  const startedAt = new Date();
  const started = performance.now();

  // --rate: start times at least 1/rate s apart across all workers.
  let nextStart = started;
  const pace = async (): Promise<void> => {
    if (rate === undefined) return;
    const now = performance.now();
    const at = Math.max(now, nextStart);
    nextStart = at + 1000 / rate;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };

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
      const i = next++;
      await pace();
      // Paced past the bound: not started, so counted as skipped.
      if (performance.now() - started >= maxTimeMs) break;
      await exchange(i);
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
  for (const [i, evidence] of serverFaultsForClientErrors(provocations, outcomes)) {
    const list = byId.get('FL-5XX-FOR-CLIENT-ERROR') ?? [];
    list.push(occurrence(provocations[i] as Provocation, outcomes[i] as Outcome, evidence));
    byId.set('FL-5XX-FOR-CLIENT-ERROR', list);
  }
  for (const [i, evidence] of varyingMessages(provocations, outcomes)) {
    const list = byId.get('FL-500-MESSAGE') ?? [];
    const o = outcomes[i] as Outcome;
    list.push(occurrence(provocations[i] as Provocation, o, mask(evidence, canary)));
    byId.set('FL-500-MESSAGE', list);
  }

  const findings: Finding[] = [...byId].map(([id, occurrences]) => ({
    id,
    ...FINDINGS[id],
    occurrences,
  }));
  findings.sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || a.id.localeCompare(b.id),
  );
  const counts = { critical: 0, error: 0, warn: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return {
    origin,
    paths,
    allowUnsafe,
    settings: { timeoutMs, maxTimeMs, concurrency, rate: rate ?? null },
    clamped,
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
