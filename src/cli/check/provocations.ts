/**
 * provocations: the bounded list of requests `faultline check` sends to make a server answer with
 * errors, and their exact wire bytes. Pure: no I/O, so the list is reviewable and unit-tested.
 *
 * Safety: every request goes to the one origin given. Requests that carry a body with an unsafe
 * method (POST) are built only with `allowUnsafe`; without it the list holds GET, HEAD, OPTIONS,
 * TRACE and an unknown method. The only bodies sent without it ride on GET (a malformed JSON
 * document, which frameworks that parse bodies for any method refuse before a handler runs).
 */

/** The representations each route is asked for (RFC 9110 §12.5.1 Accept). */
export type Representation = 'html' | 'json' | 'problem' | 'text' | 'none';

/** Accept header per representation; `none` sends no Accept at all. */
export const ACCEPT: Readonly<Record<Representation, string | undefined>> = {
  html: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  json: 'application/json',
  problem: 'application/problem+json',
  text: 'text/plain',
  none: undefined,
};

const REPRESENTATIONS: readonly Representation[] = ['html', 'json', 'problem', 'text', 'none'];

/** One request of the check. */
export interface Provocation {
  /** Stable key, e.g. `unrouted.json` or `route:/boom.html`. */
  readonly key: string;
  /** What it tries, for the report. */
  readonly title: string;
  readonly method: string;
  /** The request-target exactly as sent (origin-form, or `*`). */
  readonly target: string;
  /** Headers besides Host, Connection, User-Agent, Accept and the canaries. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
  readonly accept: Representation;
  /** Input a correct server must refuse: a 2xx answer to it is a finding. */
  readonly malformed: boolean;
  /** Sends a body with an unsafe method; built only with `allowUnsafe`. */
  readonly unsafe: boolean;
  /** Leave out the Host header (HTTP/1.1 requires it; RFC 9112 §3.2). */
  readonly omitHost?: boolean;
  /** Protocol version in the request line. @default 'HTTP/1.1' */
  readonly version?: string;
  /** Appended to the canary cookie (a malformed cookie pair). */
  readonly cookie?: string;
  /**
   * Input that is the client's fault: the right answer is a 4xx, so a 5xx (other than 501 and
   * 505, which name what the server does not implement) is a finding.
   */
  readonly clientError?: boolean;
  /**
   * A well-known debug endpoint rather than a page of the app: never a baseline for what the
   * app's own paths answer. (Every answer is searched for debug signatures, probe or not.)
   */
  readonly probe?: boolean;
}

/** Per-run secrets sent with every request to detect echo; random per run. */
export interface Canary {
  readonly cookieName: string;
  readonly cookieValue: string;
  readonly bearer: string;
  /** Nonce for unrouted paths and the HTML reflection marker. */
  readonly nonce: string;
}

/** Options of {@link buildProvocations}. */
export interface ProvocationOptions {
  /** Path of the base URL: target of the origin-wide provocations. @default '/' */
  readonly root?: string;
  /** Routes of the app to ask in each representation; each starts with `/`. */
  readonly paths: readonly string[];
  /** Also send POST requests with (malformed) bodies. @default false */
  readonly allowUnsafe: boolean;
  readonly canary: Canary;
}

/** Most routes the check takes; more would exceed the request bound. */
export const MAX_PATHS = 12;
/** Upper bound of requests in one run. */
export const MAX_REQUESTS = 200;

/**
 * Well-known debug endpoints, relative to the base path: each is one GET. A correct server
 * answers 404 (or 401/403); a debug signature in the answer is a finding at the highest severity.
 */
export const DEBUG_PROBES: ReadonlyArray<
  readonly [key: string, path: string, accept: Representation]
> = [
  ['werkzeug-console', 'console', 'html'],
  ['actuator-env', 'actuator/env', 'json'],
  // Spring generates the dump on request; the check reads at most its first bytes.
  ['actuator-heapdump', 'actuator/heapdump', 'none'],
  ['ignition-health', '_ignition/health-check', 'json'],
  ['rails-info', 'rails/info/properties', 'html'],
  ['phpinfo', 'phpinfo.php', 'html'],
  ['info-php', 'info.php', 'html'],
];

/**
 * Query keys common in handlers, sent as a scalar of the wrong kind and then as an array: a
 * handler that converts or string-calls them without validation takes its error path
 * (PHP: an array where a string is expected; Express/qs: an array; Flask: `int('x')`).
 */
const TYPE_CONFUSION =
  'id=faultline%27&page=x&limit=-1x&q=%C0&name=x&id[]=1&page[]=1&q[]=1&name[]=1&sort[]=1';
/** A JSON document cut short; sent with GET, which frameworks parse for any method. */
const BROKEN_JSON = '{"faultline": [';
/** Cookie pairs a strict parser refuses: truncated UTF-8 percent-encoding, an open quote. */
const BAD_COOKIE = 'fl_bad=%E0%A4%A; fl_quote="unterminated; =novalue';

/** Lengths chosen above common limits: Node 16 KiB of headers, nginx 8 KiB per header line. */
const LONG = 20_000;

/** The HTML reflection marker: a tag no server would emit unless it copied our input. */
export function reflectionMarker(canary: Canary): string {
  return `<flx${canary.nonce}>`;
}

function get(
  key: string,
  title: string,
  target: string,
  accept: Representation,
  extra: Partial<Provocation> = {},
): Provocation {
  return {
    key,
    title,
    method: 'GET',
    target,
    headers: [],
    accept,
    malformed: false,
    unsafe: false,
    ...extra,
  };
}

function joinQuery(path: string, query: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

/** Requests aimed at one of the user's routes. */
function routeProvocations(path: string, allowUnsafe: boolean): Provocation[] {
  const out: Provocation[] = REPRESENTATIONS.map((rep) =>
    get(`route:${path}.${rep}`, `GET ${path}, Accept ${ACCEPT[rep] ?? '(none)'}`, path, rep),
  );
  out.push(
    get(`route:${path}.head`, `HEAD ${path}`, path, 'json', { method: 'HEAD' }),
    get(`route:${path}.options`, `OPTIONS ${path}`, path, 'json', { method: 'OPTIONS' }),
    get(
      `route:${path}.bad-query`,
      `GET ${path} with invalid percent-encoding in the query`,
      joinQuery(path, 'q=%zz&id=%E0%A4%A'),
      'json',
      { clientError: true },
    ),
    ...genericProvocations(`route:${path}`, path),
  );
  if (allowUnsafe) out.push(...bodyProvocations(`route:${path}`, path));
  return out;
}

/**
 * Safe provocations that make common frameworks take their error path without knowing a route:
 * GET only, nothing a correct server could store.
 */
function genericProvocations(prefix: string, path: string): Provocation[] {
  return [
    get(
      `${prefix}.query-types`,
      `GET ${path} with common query keys as junk scalars and as arrays`,
      joinQuery(path, TYPE_CONFUSION),
      'html',
      { clientError: true },
    ),
    get(`${prefix}.json-get`, `GET ${path} with a malformed JSON body`, path, 'json', {
      headers: [['content-type', 'application/json']],
      body: BROKEN_JSON,
      clientError: true,
    }),
  ];
}

/** POST requests with bodies a correct server refuses; only with allowUnsafe. */
function bodyProvocations(prefix: string, path: string): Provocation[] {
  const post = (
    key: string,
    title: string,
    contentType: string,
    body: string,
    accept: Representation,
  ): Provocation => ({
    key: `${prefix}.${key}`,
    title: `POST ${path} ${title}`,
    method: 'POST',
    target: path,
    headers: [['content-type', contentType]],
    body,
    accept,
    malformed: true,
    unsafe: true,
  });
  return [
    {
      ...post('malformed-json', 'with malformed JSON', 'application/json', '{"name": "x",', 'json'),
      clientError: true,
    },
    {
      ...post(
        'malformed-json-html',
        'with malformed JSON, Accept text/html',
        'application/json',
        '{"name": ',
        'html',
      ),
      clientError: true,
    },
    // Not malformed as such (a server may accept text), so a 2xx is no finding; errors are inspected.
    {
      ...post(
        'wrong-type',
        'with JSON labelled text/plain',
        'text/plain;charset=utf-8',
        '{"name":"x"}',
        'json',
      ),
      malformed: false,
    },
    post(
      'unknown-type',
      'with an unknown content type',
      'application/x-faultline-unknown',
      'faultline',
      'json',
    ),
  ];
}

/**
 * The full request list for a run, in the order it is sent. The caller cuts it to
 * {@link MAX_REQUESTS} and reports the cut.
 * @example
 * buildProvocations({ paths: ['/api/items'], allowUnsafe: false, canary }).length; // ~40
 */
export function buildProvocations(options: ProvocationOptions): Provocation[] {
  const { nonce } = options.canary;
  const root = options.root ?? '/';
  const unrouted = `/faultline-check-${nonce}`;
  const marker = encodeURIComponent(reflectionMarker(options.canary));
  const out: Provocation[] = REPRESENTATIONS.map((rep) =>
    get(
      `unrouted.${rep}`,
      `GET an unrouted path, Accept ${ACCEPT[rep] ?? '(none)'}`,
      unrouted,
      rep,
    ),
  );
  out.push(
    get('unrouted.php', 'GET an unrouted .php path', `${unrouted}.php`, 'html'),
    get('unrouted.head', 'HEAD an unrouted path', unrouted, 'json', { method: 'HEAD' }),
    get('nul', 'GET a path with an encoded NUL byte', `/%00${nonce}`, 'json', {
      clientError: true,
    }),
    get('bad-percent', 'GET a path with invalid percent-encoding', `/%zz${nonce}`, 'json', {
      clientError: true,
    }),
    get('bad-utf8', 'GET a path with truncated UTF-8 percent-encoding', '/%E0%A4%A', 'html', {
      clientError: true,
    }),
    get('bad-cookie', 'GET with a malformed cookie', root, 'html', {
      cookie: BAD_COOKIE,
      clientError: true,
    }),
    get('reflect.path', 'GET a path holding an HTML tag', `/${marker}`, 'html'),
    get(
      'reflect.query',
      'GET an unrouted path with an HTML tag in the query',
      `${unrouted}?q=${marker}`,
      'html',
    ),
    get('long-path', `GET a ${LONG}-character path`, `/${'a'.repeat(LONG)}`, 'json'),
    get(
      'long-query',
      `GET a ${LONG}-character query string`,
      joinQuery(root, `q=${'a'.repeat(LONG)}`),
      'json',
    ),
    get(
      'nested-query',
      'GET with a query key nested 200 levels deep',
      joinQuery(root, `a${'[a]'.repeat(200)}=1`),
      'json',
    ),
    get('big-header', `GET with a ${LONG}-byte header`, root, 'json', {
      headers: [['x-faultline-padding', 'a'.repeat(LONG)]],
    }),
    get('unknown-method', 'an unknown method', root, 'json', {
      method: 'FAULTLINECHECK',
      malformed: true,
    }),
    get('trace', 'TRACE (echoes the request where enabled)', root, 'none', { method: 'TRACE' }),
    get('options-star', 'OPTIONS *', '*', 'json', { method: 'OPTIONS' }),
    get('bad-content-length', 'GET with an invalid Content-Length', root, 'json', {
      headers: [['content-length', '12abc']],
      malformed: true,
      clientError: true,
    }),
    get('dup-content-length', 'GET with two different Content-Length values', root, 'json', {
      headers: [
        ['content-length', '0'],
        ['content-length', '5'],
      ],
      malformed: true,
      clientError: true,
    }),
    get('no-host', 'GET without the Host header HTTP/1.1 requires', root, 'json', {
      omitHost: true,
      malformed: true,
      clientError: true,
    }),
    get('bad-version', 'GET with protocol version HTTP/9.9', root, 'json', {
      version: 'HTTP/9.9',
      malformed: true,
    }),
  );
  const base = basePath(root);
  for (const [key, rel, accept] of DEBUG_PROBES) {
    out.push(
      get(
        `debug.${key}`,
        `GET ${base}${rel} (a well-known debug endpoint)`,
        `${base}${rel}`,
        accept,
        { probe: true },
      ),
    );
  }
  // Without a route of its own the root still gets the generic provocations.
  if (!options.paths.includes(root)) out.push(...genericProvocations('root', root));
  if (options.allowUnsafe) out.push(...bodyProvocations('unrouted', unrouted));
  for (const path of options.paths.slice(0, MAX_PATHS)) {
    out.push(...routeProvocations(path, options.allowUnsafe));
  }
  return out;
}

/** The directory of the base path, with a trailing slash: `/app/x?y` → `/app/`. */
function basePath(root: string): string {
  const path = root.split('?')[0] ?? '/';
  return path.slice(0, path.lastIndexOf('/') + 1) || '/';
}

/** Context for {@link encodeRequest}. */
export interface EncodeContext {
  /** Value of the Host header: the origin's host[:port]. */
  readonly host: string;
  readonly canary: Canary;
  readonly userAgent: string;
}

/**
 * The exact bytes of a provocation: request line, headers (with `Connection: close` and the
 * canary cookie and Authorization), then the body. Nothing is normalized, so malformed requests
 * stay malformed.
 */
export function encodeRequest(p: Provocation, ctx: EncodeContext): Buffer {
  const lines = [`${p.method} ${p.target} ${p.version ?? 'HTTP/1.1'}`];
  if (!p.omitHost) lines.push(`Host: ${ctx.host}`);
  lines.push(`User-Agent: ${ctx.userAgent}`);
  const accept = ACCEPT[p.accept];
  if (accept !== undefined) lines.push(`Accept: ${accept}`);
  lines.push(
    `Cookie: ${ctx.canary.cookieName}=${ctx.canary.cookieValue}${p.cookie === undefined ? '' : `; ${p.cookie}`}`,
  );
  lines.push(`Authorization: Bearer ${ctx.canary.bearer}`);
  for (const [name, value] of p.headers) lines.push(`${name}: ${value}`);
  const body = p.body === undefined ? undefined : Buffer.from(p.body, 'utf8');
  if (body !== undefined) lines.push(`Content-Length: ${body.length}`);
  lines.push('Connection: close');
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body === undefined ? head : Buffer.concat([head, body]);
}
