/**
 * debug-gate: the one decision whether a request may see debug detail. Pure: adapters supply the
 * peer (the socket's remote address, or what a Fetch runtime's hook says), the core decides.
 *
 * Debug detail reaches only the developer's own machine, so every condition must hold:
 * - debug is explicitly enabled;
 * - the peer address is loopback (127.0.0.0/8, ::1, ::ffff:127.x.y.z);
 * - the request carries no header a proxy, load balancer or CDN adds (`Forwarded`,
 *   `X-Forwarded-*`, `X-Real-IP`, `Via`, `CF-Connecting-IP`, ...): a proxy on the same host makes
 *   every stranger's request arrive from 127.0.0.1;
 * - the Host (or HTTP/2 `:authority`) names `localhost`, a loopback IP, or `[::1]` — a stranger
 *   who reaches the app through a proxy that copies Host sends the public name;
 * - when the transport tells: the request is not HTTP/1.0 (nginx's `proxy_pass` speaks 1.0 and
 *   rewrites Host to the upstream, which is loopback; browsers and curl speak 1.1 or 2), and a
 *   port in Host matches the port the connection arrived on (a proxy that copies Host does not
 *   listen on the app's port).
 * Anything missing or malformed answers "no": the gate fails closed.
 */

/** Headers that proxies, load balancers and CDNs add. Lower-case. */
export const FORWARDING_HEADERS: ReadonlySet<string> = new Set([
  'forwarded',
  'forwarded-for',
  'via',
  'x-real-ip',
  'x-client-ip',
  'client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'cf-ray',
  'cf-visitor',
  'fastly-client-ip',
  'x-cluster-client-ip',
  'x-original-forwarded-for',
  'x-proxyuser-ip',
  'x-appengine-user-ip',
  'x-azure-clientip',
  'x-azure-socketip',
  'x-original-host',
  'x-original-url',
  'x-host',
  'x-proxy-id',
  'cdn-loop',
  'akamai-origin-hop',
]);

/** Prefixes of forwarding header families (`x-forwarded-for`, `-host`, `-proto`, `-port`, ...). */
const FORWARDING_PREFIXES = ['x-forwarded', 'x-envoy-', 'x-amzn-', 'x-arr-'] as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isLoopbackV4(address: string): boolean {
  const m = IPV4.exec(address);
  if (m === null) return false;
  for (let i = 1; i <= 4; i++) if (Number(m[i]) > 255) return false;
  return m[1] === '127';
}

/**
 * True for loopback peers: 127.0.0.0/8, `::1` (any spelling Node or a runtime reports) and the
 * IPv4-mapped `::ffff:127.x.y.z`. Anything else, including a host name, is false.
 */
export function isLoopback(address: string | undefined): boolean {
  if (typeof address !== 'string' || address.length > 45) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  if (a.startsWith('::ffff:')) return isLoopbackV4(a.slice(7));
  return isLoopbackV4(a);
}

/** True when a header name is one a proxy adds. `name` must be lower-case. */
export function isForwardingHeader(name: string): boolean {
  if (FORWARDING_HEADERS.has(name)) return true;
  for (const prefix of FORWARDING_PREFIXES) if (name.startsWith(prefix)) return true;
  return false;
}

/**
 * Splits a Host value into host and port: `localhost:3000`, `127.0.0.1`, `[::1]:8080`.
 * Undefined when malformed.
 */
function splitHost(value: string): { host: string; port: number | undefined } | undefined {
  if (value.length === 0 || value.length > 300) return undefined;
  let host: string;
  let rest: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close === -1) return undefined;
    host = value.slice(1, close);
    rest = value.slice(close + 1);
  } else {
    const colon = value.indexOf(':');
    host = colon === -1 ? value : value.slice(0, colon);
    rest = colon === -1 ? '' : value.slice(colon);
  }
  if (rest === '') return { host, port: undefined };
  if (!/^:\d{1,5}$/.test(rest)) return undefined;
  const port = Number(rest.slice(1));
  return port > 0 && port <= 65535 ? { host, port } : undefined;
}

/**
 * True when a Host header value names this machine: `localhost` (and `*.localhost`, RFC 6761),
 * a loopback IPv4 address or `[::1]`, with an optional port. When `localPort` is known, a port in
 * Host must equal it (no port means 80 or 443).
 */
export function isLoopbackHost(value: string | undefined, localPort?: number): boolean {
  if (typeof value !== 'string') return false;
  const parts = splitHost(value.trim().toLowerCase());
  if (parts === undefined) return false;
  const { host, port } = parts;
  const named = host === 'localhost' || host === 'localhost.' || host.endsWith('.localhost');
  if (!named && !isLoopback(host)) return false;
  if (localPort === undefined) return true;
  return port === undefined ? localPort === 80 || localPort === 443 : port === localPort;
}

/** What the gate looks at; every field but `enabled` comes from the request. */
export interface DebugGateInput {
  /** `debug` option. */
  readonly enabled: boolean;
  /** The connection's remote address; undefined when the runtime does not tell. */
  readonly remoteAddress: string | undefined;
  /** Request headers, lower-case names (Node's `req.headers`, or a copy of a Fetch `Headers`). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The port the connection arrived on, when known. */
  readonly localPort?: number | undefined;
  /** `'1.0'`, `'1.1'`, `'2.0'`, when known. */
  readonly httpVersion?: string | undefined;
}

/**
 * The debug gate: true only when debug is on and the request comes straight from this machine
 * (see the module comment for each condition). Never throws; any doubt answers false.
 * @example
 * debugAllowed({ enabled: true, remoteAddress: '127.0.0.1', headers: { host: 'localhost:3000' } }); // true
 * debugAllowed({ enabled: true, remoteAddress: '127.0.0.1', headers: { host: 'localhost', 'x-forwarded-for': '203.0.113.9' } }); // false
 */
export function debugAllowed(input: DebugGateInput): boolean {
  try {
    if (input.enabled !== true) return false;
    if (!isLoopback(input.remoteAddress)) return false;
    if (input.httpVersion === '1.0' || input.httpVersion === '0.9') return false;
    const { headers } = input;
    let host: string | string[] | undefined;
    let authority: string | string[] | undefined;
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      if (headers[name] === undefined) continue;
      if (isForwardingHeader(lower)) return false;
      if (lower === 'host') {
        if (host !== undefined) return false; // two Host headers: malformed
        host = headers[name];
      } else if (lower === ':authority') authority = headers[name];
    }
    const value = host ?? authority;
    if (typeof value !== 'string') return false;
    // HTTP/2 sends both only when they agree (RFC 9113 §8.3.1); a mismatch is a forgery.
    if (host !== undefined && typeof authority === 'string' && authority !== host) return false;
    return isLoopbackHost(value, input.localPort);
  } catch {
    return false;
  }
}
