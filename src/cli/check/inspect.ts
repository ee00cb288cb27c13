/**
 * inspect: one outcome -> the findings it shows. Pure. Every 4xx/5xx answer is inspected; a 2xx
 * only matters when the request was malformed; resets and timeouts are findings of their own.
 * Evidence is a short excerpt with the run's canaries and anything that looks like a secret masked.
 */
import type { FindingId } from './findings.js';
import { type Canary, type Provocation, reflectionMarker } from './provocations.js';
import type { Outcome, RawResponse } from './send.js';

/** One finding in one response. */
export interface Hit {
  readonly id: FindingId;
  /** Short excerpt showing the problem; secrets masked. */
  readonly evidence: string;
}

/** What inspection needs to know about the run. */
export interface InspectContext {
  readonly canary: Canary;
  /** Per-request deadline, for the timeout evidence. */
  readonly timeoutMs: number;
  /**
   * The target's own host name: a server echoing the address it was reached at (Apache's
   * "Server at 10.0.0.5 Port 80") discloses nothing the client did not know.
   */
  readonly targetHost?: string;
}

const STACK: readonly RegExp[] = [
  // JavaScript (V8): "at fn (/srv/app.js:10:5)", "at /srv/app.js:10:5", "at node:internal/x:1:2"
  /\bat\s+(?:async\s+)?(?:new\s+)?(?:[^\s()]+(?:\s\[as [^\]]+\])?\s+)?\(?(?:file:\/\/|node:|\/|[A-Za-z]:[\\/])[^\s()]*:\d+:\d+\)?/,
  /\bat\s+(?:async\s+)?[\w$.<>]+\s+\(<anonymous>\)/,
  // Python
  /Traceback \(most recent call last\)/,
  /\bFile "[^"]+", line \d+/,
  // Java / Kotlin / Scala, .NET
  /\bat\s+[\w$]+(?:\.[\w$<>]+)+\([\w$]+\.(?:java|kt|scala):\d+\)/,
  /\bat\s+[\w.`<>]+\(.*\)\s+in\s+\S+\.cs:line\s+\d+/,
  // PHP
  /#\d+\s+\S+\.php\(\d+\):/,
  /\bin\s+\S+\.php(?::|\s+on\s+line\s+)\d+/,
  // Go, Ruby
  /\bgoroutine\s+\d+\s+\[running\]/,
  /\S+\.rb:\d+:in\s+[`'][^'`]+'/,
];

const FILE_PATH: readonly RegExp[] = [
  /(?:^|[\s"'(=[>,])(\/(?:home|root|usr|var|srv|opt|app|etc|tmp|work|workspace|Users|mnt|data|code|build|src|private)\/[^\s"'<>()&]+)/,
  /(?:^|[\s"'(=[>,])([A-Za-z]:\\(?:[^\\\s"'<>]+\\)+[^\\\s"'<>]*)/,
  /\bnode_modules\/[^\s"'<>()]+/,
  /\bfile:\/\/(\/[^\s"'<>()]+)/,
];

const SQL: readonly RegExp[] = [
  /\bSQLSTATE\b/,
  /syntax error at or near/i,
  /\brelation "[^"]+" does not exist/,
  /\bduplicate key value violates/,
  /You have an error in your SQL syntax/,
  /\bER_[A-Z_]{4,}\b/,
  /\bSQLITE_[A-Z]+\b/,
  /\bORA-\d{5}\b/,
  /\b(?:SequelizeDatabaseError|QueryFailedError|PrismaClient\w*Error|MongoServerError|PG::\w+Error|ActiveRecord::\w+)\b/,
  // A column list, FROM a table, then SQL syntax: not the English "select a plan from the list".
  /\bselect\s+(?:\*|[\w."`[\]]+(?:\s*,\s*[\w."`[\]]+)*)\s+from\s+[\w."`[\]]+(?:\s+(?:where|join|inner|left|order|group|limit)\b|\s*;|["`\]])/i,
  /\b(?:insert\s+into|delete\s+from)\s+["`[]?\w+/i,
  /\bupdate\s+["`[]?\w+["`\]]?\s+set\b/i,
];

const PRIVATE_IP =
  /(?<![\d.])(?:10\.\d{1,3}\.\d{1,3}\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}\.\d{1,3}|169\.254\.\d{1,3}\.\d{1,3})(?![\d]|\.\d)/;

const PRODUCT_VERSION =
  /\b(?:nginx|openresty|Apache(?: Tomcat)?|PHP|Express|Werkzeug|gunicorn|uvicorn|Jetty|Kestrel|Microsoft-IIS|Node\.js|Python|Ruby|Rails|Django|Flask|Caddy|LiteSpeed|Tengine|Phusion[ _]Passenger|WildFly|Undertow|GlassFish|Fastify|Koa|Hono|Tornado|Puma|Unicorn|Envoy)[/ ]v?\d+(?:\.\d+)+/i;

const POWERED_BY = ['x-powered-by', 'x-aspnet-version', 'x-aspnetmvc-version', 'x-generator'];

const CORRELATION_HEADERS = new Set([
  'faultline-incident',
  'x-request-id',
  'request-id',
  'x-correlation-id',
  'correlation-id',
  'x-trace-id',
  'traceresponse',
  'x-amzn-requestid',
  'x-amz-request-id',
  'x-amz-cf-id',
  'cf-ray',
  'x-cloud-trace-context',
  'x-b3-traceid',
  'x-vercel-id',
  'x-github-request-id',
  'x-ms-request-id',
  'x-azure-ref',
  'fly-request-id',
  'x-incident-id',
  'x-error-id',
]);
const CORRELATION_BODY =
  /\b(?:incident|request[ _-]?id|requestId|trace[ _-]?id|traceId|correlation[ _-]?id|correlationId|error[ _-]?id|errorId|reference)\b["']?\s*[:=#]?\s*["']?[A-Za-z0-9][A-Za-z0-9_-]{7,}/i;

const GENERIC_500 =
  /^\s*(?:internal(?: server)? error|server error|error|unknown error|something went wrong|an? (?:unexpected |internal )?error(?: has)? occurred|internal_error|internal_server_error)[.!]?\s*$/i;

/** The first private address in `text` other than the target's own. */
function privateIp(text: string, own: string | undefined): RegExpExecArray | undefined {
  const re = new RegExp(PRIVATE_IP.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) if (m[0] !== own) return m;
  return undefined;
}

/**
 * Masks the run's canaries and common secret shapes in a piece of evidence, and neutralizes
 * control characters: the evidence is the server's text, printed to a terminal (no escape
 * sequences from a hostile server).
 */
export function mask(text: string, canary: Canary): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  let out = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
  for (const secret of [canary.cookieValue, canary.bearer]) out = out.split(secret).join('****');
  return out
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@"']+:)[^@\s"']+@/gi, '$1****@')
    .replace(/\b(Bearer|Basic)\s+(?!\*{4})[A-Za-z0-9._~+/=-]{6,}/gi, '$1 ****')
    .replace(
      /\b(password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|session(?:id)?)(["']?\s*[:=]\s*["']?)(?!\*{4})[^\s"'&,;}]{3,}/gi,
      '$1$2****',
    );
}

/** Every string in a JSON document (keys and values), one per line. */
function jsonStrings(body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  const out: string[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'string') out.push(v);
    else if (v !== null && typeof v === 'object' && depth < 20) {
      for (const [k, child] of Object.entries(v)) {
        if (!Array.isArray(v)) out.push(k);
        walk(child, depth + 1);
      }
    }
  };
  walk(value, 0);
  return out.join('\n');
}

/**
 * Text good enough for pattern matching: HTML with tags out and entities decoded; JSON as its
 * strings (so escaped quotes and newlines read as they would to a person).
 */
function textOf(body: string, html: boolean, json: boolean): string {
  if (json) return jsonStrings(body) ?? body;
  if (!html) return body;
  return body
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}

/** A one-line excerpt of `text` around `index`. */
function excerpt(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 40);
  const end = Math.min(text.length, index + length + 60);
  const cut = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${cut}${end < text.length ? '…' : ''}`;
}

function firstMatch(text: string, patterns: readonly RegExp[]): RegExpExecArray | undefined {
  let best: RegExpExecArray | undefined;
  for (const re of patterns) {
    const m = re.exec(text);
    if (m && (best === undefined || m.index < best.index)) best = m;
  }
  return best;
}

function header(r: RawResponse, name: string): string | undefined {
  return r.headers.find(([n]) => n === name)?.[1];
}

function mediaType(r: RawResponse): string {
  return (header(r, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** Message-like members of a JSON 500 body that are more than a generic phrase. */
function specificMessage(body: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (const key of ['message', 'error', 'exception', 'errorMessage', 'error_message', 'detail']) {
    const v = record[key];
    if (typeof v === 'string' && v.trim() !== '' && !GENERIC_500.test(v))
      return `"${key}":${JSON.stringify(v)}`;
    if (v !== null && typeof v === 'object') {
      const nested = (v as Record<string, unknown>).message;
      if (typeof nested === 'string' && !GENERIC_500.test(nested))
        return `"${key}.message":${JSON.stringify(nested)}`;
    }
  }
  return undefined;
}

function inspectResponse(p: Provocation, r: RawResponse, ctx: InspectContext): Hit[] {
  const hits: Hit[] = [];
  const add = (id: FindingId, evidence: string): void => {
    hits.push({ id, evidence: mask(evidence, ctx.canary) });
  };
  const type = mediaType(r);
  const rawBody = r.body.toString('utf8');
  const html = type === 'text/html' || type === 'application/xhtml+xml';
  const text = textOf(rawBody, html, isJsonType(type));
  const headerText = r.headers.map(([n, v]) => `${n}: ${v}`).join('\n');

  const found = (id: FindingId, patterns: readonly RegExp[]): void => {
    const m = firstMatch(text, patterns);
    if (m) add(id, excerpt(text, m.index, m[0].length));
  };
  found('FL-STACK-TRACE', STACK);
  found('FL-FILE-PATH', FILE_PATH);
  found('FL-SQL-ERROR', SQL);
  const ip = privateIp(text, ctx.targetHost) ?? privateIp(headerText, ctx.targetHost);
  if (ip) add('FL-INTERNAL-IP', excerpt(ip.input, ip.index, ip[0].length));

  for (const secret of [ctx.canary.cookieValue, ctx.canary.bearer]) {
    const inBody = rawBody.indexOf(secret);
    const inHead = headerText.indexOf(secret);
    if (inBody !== -1 || inHead !== -1) {
      add(
        'FL-ECHO-CREDENTIALS',
        inBody !== -1
          ? excerpt(rawBody, inBody, secret.length)
          : excerpt(headerText, inHead, secret.length),
      );
      break;
    }
  }

  // Unescaped reflection matters where a browser renders HTML: declared HTML, or no type at all
  // without nosniff (a browser may sniff it as HTML).
  const sniffable = type === '' && !/nosniff/i.test(header(r, 'x-content-type-options') ?? '');
  const marker = reflectionMarker(ctx.canary);
  const at = rawBody.toLowerCase().indexOf(marker.toLowerCase());
  if ((html || sniffable) && at !== -1)
    add('FL-REFLECTED-HTML', excerpt(rawBody, at, marker.length));

  for (const name of POWERED_BY) {
    const v = header(r, name);
    if (v !== undefined) {
      add('FL-POWERED-BY', `${name}: ${v}`);
      break;
    }
  }
  const server = header(r, 'server');
  if (server !== undefined && /\/\s*v?\d|\b\d+\.\d+/.test(server))
    add('FL-SERVER-VERSION', `server: ${server}`);
  const version = PRODUCT_VERSION.exec(text);
  if (version) add('FL-BODY-VERSION', excerpt(text, version.index, version[0].length));

  if (r.status >= 500) {
    if (!/\bno-store\b/i.test(header(r, 'cache-control') ?? '')) {
      add('FL-NO-STORE-5XX', `cache-control: ${header(r, 'cache-control') ?? '(absent)'}`);
    }
    const hasIdHeader = r.headers.some(([n, v]) => CORRELATION_HEADERS.has(n) && v.trim() !== '');
    if (!hasIdHeader && !CORRELATION_BODY.test(text)) {
      add('FL-NO-CORRELATION-ID', 'no id header (e.g. X-Request-Id) and no id in the body');
    }
  }
  if (r.status === 500 && isJsonType(type)) {
    const message = specificMessage(rawBody);
    if (message !== undefined) add('FL-500-MESSAGE', excerpt(message, 0, message.length));
  }
  if (r.body.length > 0 && !/nosniff/i.test(header(r, 'x-content-type-options') ?? '')) {
    add(
      'FL-NO-NOSNIFF',
      `content-type: ${header(r, 'content-type') ?? '(absent)'}; no x-content-type-options`,
    );
  }
  if ((p.accept === 'json' || p.accept === 'problem') && html) {
    add(
      'FL-HTML-FOR-JSON',
      `accept: application/${p.accept === 'json' ? 'json' : 'problem+json'} → content-type: ${header(r, 'content-type')}`,
    );
  }
  if (isJsonType(type) && type !== 'application/problem+json') {
    add('FL-JSON-NOT-PROBLEM', `content-type: ${header(r, 'content-type')}`);
  }
  return hits;
}

/**
 * The findings one outcome shows.
 * @example
 * inspect(provocation, await send(endpoint, bytes), { canary, timeoutMs: 5000 });
 */
export function inspect(p: Provocation, outcome: Outcome, ctx: InspectContext): Hit[] {
  switch (outcome.kind) {
    case 'reset':
      return [
        {
          id: 'FL-CONNECTION-RESET',
          evidence: `no response; connection ended after ${outcome.elapsedMs} ms (${outcome.code})`,
        },
      ];
    case 'timeout':
      return [{ id: 'FL-TIMEOUT', evidence: `no response within ${ctx.timeoutMs} ms` }];
    case 'unreachable':
      // The first request connected (run.ts checks), so the server stopped accepting: likely a
      // crash caused by an earlier provocation.
      return [
        {
          id: 'FL-CONNECTION-RESET',
          evidence: `could not connect any more (${outcome.code}): did an earlier request crash the server?`,
        },
      ];
    case 'response':
      if (outcome.status >= 400 && outcome.status <= 599) return inspectResponse(p, outcome, ctx);
      if (p.malformed && outcome.status >= 200 && outcome.status < 300) {
        return [
          { id: 'FL-ACCEPTS-MALFORMED', evidence: `${outcome.status} ${outcome.reason}`.trim() },
        ];
      }
      return [];
  }
}
