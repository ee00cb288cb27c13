/**
 * send: one raw HTTP/1.1 exchange over a fresh `node:net` (or `node:tls`) socket. Raw because the
 * provocations are malformed on purpose (bad percent-encoding, invalid Content-Length, unknown
 * methods, oversized headers) and an HTTP client library would refuse or repair them.
 *
 * Bounded: one deadline per exchange, a cap on the bytes read; a reset, a close without an answer
 * and a deadline without an answer are outcomes, not exceptions. Never follows redirects.
 */
import net from 'node:net';
import tls from 'node:tls';

/** Where to connect. */
export interface Endpoint {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: number;
  /** Accept any TLS certificate (self-signed development servers). @default false */
  readonly insecure?: boolean;
}

/** A parsed response. Header names are lower-case, in arrival order. */
export interface RawResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** The body was cut at the byte cap, or the connection ended before it was complete. */
  readonly truncated: boolean;
  readonly elapsedMs: number;
}

/** What one exchange came to. */
export type Outcome =
  | RawResponse
  /**
   * The connection was reset or closed before a complete response head arrived, or what came
   * was no HTTP/1.x response (an HTTP/0.9-style bare body): `preview` then holds its first bytes.
   */
  | {
      readonly kind: 'reset';
      readonly code: string;
      readonly elapsedMs: number;
      readonly preview?: { readonly bytes: number; readonly text: string };
    }
  /** No response head within the deadline. */
  | { readonly kind: 'timeout'; readonly elapsedMs: number }
  /** Could not connect at all. */
  | { readonly kind: 'unreachable'; readonly code: string; readonly elapsedMs: number };

/** Limits of one exchange. */
export interface SendLimits {
  /** Deadline for the whole exchange, in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** Bytes of response kept (head + body); the rest is not read. @default 262144 */
  readonly maxBytes?: number;
  /** The request was HEAD: the response has no body whatever its headers say. @default false */
  readonly head?: boolean;
}

type Parsed =
  | { readonly state: 'incomplete' }
  | { readonly state: 'head'; readonly response: Omit<RawResponse, 'elapsedMs'> }
  | { readonly state: 'complete'; readonly response: Omit<RawResponse, 'elapsedMs'> };

const CRLF2 = Buffer.from('\r\n\r\n');

/** Bytes of a non-HTTP reply kept as its preview. */
const PREVIEW_BYTES = 120;

/** The first bytes of a reply, as latin1 text (the evidence masks control characters). */
function preview(buf: Buffer): { bytes: number; text: string } {
  return { bytes: buf.length, text: buf.subarray(0, PREVIEW_BYTES).toString('latin1') };
}

/** Decodes a chunked body as far as it goes; `done` once the last chunk was seen. */
function dechunk(buf: Buffer): { body: Buffer; done: boolean } {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol === -1) return { body: Buffer.concat(parts), done: false };
    const size = Number.parseInt(buf.subarray(at, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size < 0) return { body: Buffer.concat(parts), done: true };
    if (size === 0) return { body: Buffer.concat(parts), done: true };
    const start = eol + 2;
    const end = start + size;
    parts.push(buf.subarray(start, Math.min(end, buf.length)));
    if (end + 2 > buf.length) return { body: Buffer.concat(parts), done: false };
    at = end + 2;
  }
}

/**
 * Parses what has arrived so far. Interim 1xx responses are skipped (RFC 9110 §15.2). Exported for
 * tests.
 */
export function parseResponse(buf: Buffer, isHead: boolean): Parsed {
  let offset = 0;
  for (;;) {
    const end = buf.indexOf(CRLF2, offset);
    if (end === -1) return { state: 'incomplete' };
    const lines = buf.subarray(offset, end).toString('latin1').split('\r\n');
    const statusLine = /^HTTP\/\d(?:\.\d)? (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    const status = statusLine ? Number(statusLine[1]) : 0;
    const headers: Array<readonly [string, string]> = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0)
        headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
    const rest = buf.subarray(end + 4);
    if (status >= 100 && status < 200 && status !== 101) {
      offset = end + 4;
      continue;
    }
    const base = { kind: 'response' as const, status, reason: statusLine?.[2] ?? '', headers };
    const header = (name: string): string | undefined => headers.find(([n]) => n === name)?.[1];
    if (isHead || status === 204 || status === 304) {
      return { state: 'complete', response: { ...base, body: Buffer.alloc(0), truncated: false } };
    }
    if (/chunked/i.test(header('transfer-encoding') ?? '')) {
      const { body, done } = dechunk(rest);
      return { state: done ? 'complete' : 'head', response: { ...base, body, truncated: !done } };
    }
    const length = header('content-length');
    if (length !== undefined && /^\d+$/.test(length)) {
      const n = Number(length);
      const body = rest.subarray(0, n);
      return {
        state: body.length >= n ? 'complete' : 'head',
        response: { ...base, body, truncated: body.length < n },
      };
    }
    // No framing: the body runs to the end of the connection (RFC 9112 §6.3).
    return { state: 'head', response: { ...base, body: rest, truncated: false } };
  }
}

/**
 * Sends `request` (exact bytes) and reads one response. Never rejects.
 * @example
 * const outcome = await send({ protocol: 'http:', hostname: '127.0.0.1', port: 8080 }, bytes);
 */
export function send(
  endpoint: Endpoint,
  request: Buffer,
  limits: SendLimits = {},
): Promise<Outcome> {
  const timeoutMs = limits.timeoutMs ?? 5000;
  const maxBytes = limits.maxBytes ?? 262_144;
  const isHead = limits.head ?? false;
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);

  return new Promise<Outcome>((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let connected = false;
    let settled = false;
    const socket =
      endpoint.protocol === 'https:'
        ? tls.connect({
            host: endpoint.hostname,
            port: endpoint.port,
            servername: net.isIP(endpoint.hostname) ? undefined : endpoint.hostname,
            rejectUnauthorized: !(endpoint.insecure ?? false),
          })
        : net.connect({ host: endpoint.hostname, port: endpoint.port });

    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const current = (): Parsed => parseResponse(Buffer.concat(chunks), isHead);
    const fromParsed = (parsed: Parsed, truncatedAnyway: boolean): Outcome | undefined => {
      if (parsed.state === 'incomplete') return undefined;
      const r = parsed.response;
      if (r.status === 0) return bare();
      return { ...r, truncated: r.truncated || truncatedAnyway, elapsedMs: elapsed() };
    };
    // An HTTP/0.9-style reply: a body without a status line. Reported with what came.
    const bare = (): Outcome => ({
      kind: 'reset',
      code: 'EBADRESPONSE',
      elapsedMs: elapsed(),
      preview: preview(Buffer.concat(chunks)),
    });

    const timer = setTimeout(() => {
      finish(fromParsed(current(), true) ?? { kind: 'timeout', elapsedMs: elapsed() });
    }, timeoutMs);

    socket.once(endpoint.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      const parsed = current();
      if (parsed.state === 'complete') finish(fromParsed(parsed, false) as Outcome);
      else if (received >= maxBytes)
        finish(
          fromParsed(parsed, true) ?? {
            kind: 'reset',
            code: 'EHEADTOOLARGE',
            elapsedMs: elapsed(),
          },
        );
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'ERROR';
      if (!connected) {
        finish({ kind: 'unreachable', code, elapsedMs: elapsed() });
        return;
      }
      // A server may answer and reset at once (e.g. while we still write an oversized header):
      // what arrived before the reset is still the answer.
      finish(fromParsed(current(), true) ?? { kind: 'reset', code, elapsedMs: elapsed() });
    });
    socket.on('close', () => {
      // A response without framing ends here; a framed one cut short is marked truncated.
      finish(
        fromParsed(current(), false) ??
          (received === 0 ? { kind: 'reset', code: 'ECLOSED', elapsedMs: elapsed() } : bare()),
      );
    });
  });
}
