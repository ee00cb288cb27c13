/**
 * inspect: one outcome -> the findings it shows. Pure. Every answer's body is searched for leaks
 * (stack traces, paths, SQL) and debug signatures, whatever its status: PHP with display_errors
 * sends its fatal errors in a 200 page. The header and format rules apply to 4xx/5xx answers; a
 * 2xx matters besides when the request was malformed or was TRACE. Resets and timeouts are
 * findings of their own. Evidence is a short excerpt with the run's canaries and anything that
 * looks like a secret masked.
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
  /(?:^|[\s"'(=[>,:])(\/(?:home|root|usr|var|srv|opt|app|apps|etc|tmp|work|workspace|Users|mnt|data|code|build|src|private|run|proc|sys|nix|snap|lib|lib64|boot|media|Library|Applications|System|builds|runner|github)\/[^\s"'<>()&]+)/,
  // Windows drive paths, either separator: C:\inetpub\wwwroot\x.aspx, D:/a/app/src/x.ts
  /(?:^|[\s"'(=[>,])([A-Za-z]:[\\/](?:[^\\/\s"'<>:]+[\\/])+[^\\/\s"'<>]*)/,
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

/**
 * Text that is an error leak even in a 2xx page: a PHP error with file and line, as PHP prints it
 * with display_errors (the other languages' shapes are in {@link STACK}).
 */
const PHP_ERROR =
  /\b(?:Fatal error|Parse error|Warning|Notice|Deprecated|Catchable fatal error)\b:\s[^\n]{0,400}?\bin\s+\S+\s+on\s+line\s+\d+/;

/** One debug signature: what to look for, and which finding it is. */
interface DebugSignature {
  readonly id: 'FL-DEBUG-CONSOLE' | 'FL-DEBUG-PAGE' | 'FL-ACTUATOR-EXPOSED' | 'FL-PHPINFO';
  /** Only the first matching signature of a product counts (its console outranks its page). */
  readonly product: string;
  readonly name: string;
  /** Matched against the raw body (HTML as sent). */
  readonly pattern: RegExp;
}

/**
 * Debug consoles and pages, by signatures their products always emit (after nuclei's
 * debug-exposure templates and ZAP rule 10023). Matched on the raw body, any status; worst first.
 */
const DEBUG_SIGNATURES: readonly DebugSignature[] = [
  {
    id: 'FL-DEBUG-CONSOLE',
    product: 'werkzeug',
    name: 'Werkzeug interactive debugger',
    pattern: /EVALEX\s*=\s*true|>Interactive Console</,
  },
  {
    id: 'FL-DEBUG-PAGE',
    product: 'werkzeug',
    name: 'Werkzeug debugger traceback',
    pattern: /__debugger__|The debugger caught an exception|Werkzeug Debugger/,
  },
  {
    id: 'FL-DEBUG-CONSOLE',
    product: 'laravel',
    name: 'Laravel Ignition with command execution',
    pattern: /"can_execute_commands"\s*:\s*true/,
  },
  {
    id: 'FL-DEBUG-PAGE',
    product: 'laravel',
    name: 'Laravel Ignition / Whoops error page',
    pattern:
      /window\.ignite\b|ignition-(?:app|container)|<title>Whoops! There was an error\.<\/title>|\bwhoops-container\b|Illuminate\\\\?(?:Foundation|Database|Routing)\\/,
  },
  {
    id: 'FL-DEBUG-PAGE',
    product: 'django',
    name: 'Django debug page',
    pattern:
      /You(?:'|&#x27;|&#39;|’)re seeing this error because you have <code>DEBUG = True<\/code>/,
  },
  {
    id: 'FL-DEBUG-PAGE',
    product: 'rails',
    name: 'Rails debug page',
    pattern:
      /<title>Action Controller: Exception caught<\/title>|<h1>Routing Error<\/h1>[\s\S]{0,2000}Rails\.root|Rails version<\/td>/,
  },
  {
    id: 'FL-DEBUG-PAGE',
    product: 'symfony',
    name: 'Symfony debug page',
    pattern: /<div class="exception-summary|sf-toolbar|Symfony\\\\?Component\\\\?ErrorHandler/,
  },
  {
    id: 'FL-ACTUATOR-EXPOSED',
    product: 'spring-env',
    name: 'Spring Boot actuator env',
    pattern: /"activeProfiles"\s*:\s*\[[\s\S]{0,4000}"propertySources"\s*:/,
  },
  {
    id: 'FL-ACTUATOR-EXPOSED',
    product: 'spring-heapdump',
    name: 'Spring Boot actuator heap dump',
    pattern: /^JAVA PROFILE 1\.0\.[12]\0/,
  },
  {
    id: 'FL-PHPINFO',
    product: 'php',
    name: 'phpinfo()',
    pattern: /<title>(?:PHP \d[\d.]*\s*-\s*)?phpinfo\(\)<\/title>|<h1 class="p">PHP Version \d/,
  },
];

/**
 * Text shaped like an exception rather than a sentence written for users: an exception class
 * (other than the HTTP status names), `Error: ...`, errno codes, runtime phrasings.
 */
const EXCEPTION_LIKE =
  /\b(?!(?:InternalServer|BadRequest|NotFound|ServiceUnavailable|BadGateway|GatewayTimeout|Http|HTTP|Server|Unknown|Internal)(?:Error|Exception)\b)[A-Z][A-Za-z0-9_]*(?:Error|Exception)\b|(?:^|[\s"'>])(?:Error|Exception):\s+\S|\bE(?:CONNREFUSED|CONNRESET|TIMEDOUT|NOTFOUND|ADDRINUSE|ACCES|NOENT|PIPE|HOSTUNREACH|AI_AGAIN)\b|\bis not (?:a function|defined|iterable)\b|\bCannot read propert(?:y|ies) of\b|\b(?:of|is) (?:undefined|null|None|nil)\b|\bundefined (?:method|local variable)\b|'NoneType' object|\bnull ?pointer\b|\bUncaught\b|\bUnexpected token\b|\bat position \d+|\bdivision by zero\b|\bsegmentation fault\b/;

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
  return (
    body
      .replace(/<br\s*\/?>/gi, '\n')
      // Comments stay as text: debug detail hidden in a comment still reaches every client.
      .replace(/<!--|-->/g, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(
        /&#(\d{1,7});|&#x([0-9a-f]{1,6});/gi,
        (all, dec: string | undefined, hex: string | undefined) => {
          const code = dec !== undefined ? Number(dec) : Number.parseInt(hex ?? '', 16);
          return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : all;
        },
      )
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
  );
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

/** Message-like members of a JSON body that are more than a generic phrase. */
function jsonMessage(body: string): string | undefined {
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
      if (typeof nested === 'string' && nested.trim() !== '' && !GENERIC_500.test(nested))
        return `"${key}.message":${JSON.stringify(nested)}`;
    }
  }
  return undefined;
}

/**
 * The message a 500 answer carries beyond a generic phrase: a JSON body's message-like member,
 * or the text of an HTML or plain body. `undefined` for other statuses and generic bodies. The
 * run compares these across provocations: a message that varies with the request is the
 * error's own, even when it does not look like an exception.
 */
export function messageOf(outcome: Outcome): string | undefined {
  if (outcome.kind !== 'response' || outcome.status !== 500) return undefined;
  const type = mediaType(outcome);
  const raw = outcome.body.toString('utf8');
  if (isJsonType(type)) return jsonMessage(raw);
  const text = textOf(raw, type === 'text/html' || type === 'application/xhtml+xml', false)
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' || GENERIC_500.test(text) || /^500\b[^a-z]*internal server error\b/i.test(text)
    ? undefined
    : text.slice(0, 300);
}

/** Shape-free comparison of two messages: ids, numbers and hex runs do not make them differ. */
export function messageShape(message: string): string {
  return message.replace(/[0-9a-f]{6,}|[0-9a-f-]{16,}|\d+/gi, '#');
}

/** `text` with the request's own path taken out, so a 404 that echoes the URL is no path leak. */
function withoutEcho(text: string, target: string): string {
  const path = target.split('?')[0] ?? '';
  if (path.length < 2) return text;
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {}
  let out = text;
  for (const echo of new Set([path, decoded])) out = out.split(echo).join(' ');
  return out;
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
  const isError = r.status >= 400 && r.status <= 599;

  const seen = new Set<string>();
  for (const sig of DEBUG_SIGNATURES) {
    if (seen.has(sig.product)) continue;
    const m = sig.pattern.exec(rawBody);
    if (m) {
      seen.add(sig.product);
      add(sig.id, `${sig.name}: ${excerpt(rawBody, m.index, m[0].length)}`);
    }
  }

  if (p.method === 'TRACE' && r.status >= 200 && r.status < 300) {
    // The echo of our own request line and credentials is what makes TRACE a tracing oracle.
    const at = rawBody.search(/^TRACE \S+ HTTP\/1\.[01]\r?$/m);
    const cred = [ctx.canary.cookieValue, ctx.canary.bearer].some((c) => rawBody.includes(c));
    if (at !== -1 || cred)
      add(
        'FL-TRACE-ENABLED',
        `${r.status} ${type || '(no content-type)'}: ${excerpt(rawBody, Math.max(0, at), 60)}${cred ? ' (echoes the Cookie and Authorization sent)' : ''}`,
      );
    return hits;
  }

  // Leaks: in error answers always; in any other answer once it shows an error (PHP's
  // display_errors in a 200 page), so an ordinary page that mentions /etc is no finding.
  const leakText = withoutEcho(text, p.target);
  const stack = firstMatch(leakText, STACK);
  const showsError = isError || stack !== undefined || PHP_ERROR.test(leakText);
  if (showsError) {
    if (stack) add('FL-STACK-TRACE', excerpt(leakText, stack.index, stack[0].length));
    const found = (id: FindingId, patterns: readonly RegExp[]): void => {
      const m = firstMatch(leakText, patterns);
      if (m) add(id, excerpt(leakText, m.index, m[0].length));
    };
    found('FL-FILE-PATH', FILE_PATH);
    found('FL-SQL-ERROR', SQL);
  }
  if (!isError) {
    if (p.malformed && r.status >= 200 && r.status < 300)
      add('FL-ACCEPTS-MALFORMED', `${r.status} ${r.reason}`.trim());
    return hits;
  }

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
  const message = messageOf(r);
  if (message !== undefined) {
    const m = EXCEPTION_LIKE.exec(message);
    if (m) add('FL-500-MESSAGE', excerpt(message, m.index, m[0].length));
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

/** True when `message` (from {@link messageOf}) looks like an exception's own text. */
export function looksLikeException(message: string): boolean {
  return EXCEPTION_LIKE.test(message);
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
          evidence:
            outcome.preview === undefined
              ? `no response; connection ended after ${outcome.elapsedMs} ms (${outcome.code})`
              : mask(
                  `no HTTP/1.x status line (an HTTP/0.9-style reply): ${outcome.preview.bytes} bytes, starting ${JSON.stringify(outcome.preview.text.slice(0, 80))}`,
                  ctx.canary,
                ),
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
      return inspectResponse(p, outcome, ctx);
  }
}
