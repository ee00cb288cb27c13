/**
 * Real clients for the conformance suite: undici over HTTP/1.1, node:http2 for h2c and h2 (TLS),
 * and the normalization that makes responses of different adapters comparable.
 */
import http2 from 'node:http2';
import { Agent, request } from 'undici';
import { ACCEPTS, QUERY, REQUEST_ID, type Scenario } from './scenarios.js';
import type { Started } from './servers.js';

/** What a client saw. */
export interface Observed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** The body did not end cleanly (connection destroyed / stream reset). */
  readonly broken: boolean;
  /** HTTP/2 only: the RST_STREAM code the stream closed with (0 = NO_ERROR). */
  readonly rstCode?: number;
}

/** Headers that must be the same across adapters. */
export const SIGNIFICANT = [
  'content-type',
  'content-length',
  'cache-control',
  'x-content-type-options',
  'content-security-policy',
  'vary',
  'retry-after',
  'allow',
  'faultline-incident',
] as const;

/** A credential the record must show redacted. */
export const AUTHORIZATION = 'Bearer conformance-credential-7f3a';

/** The headers of every request of a row. */
function requestHeaders(s: Scenario): Record<string, string> {
  const accept = ACCEPTS[s.accept];
  return {
    ...(accept === undefined ? {} : { accept }),
    'x-request-id': REQUEST_ID,
    authorization: AUTHORIZATION,
  };
}

function flat(headers: Record<string, string | string[] | number | undefined>) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined && !k.startsWith(':')) out[k.toLowerCase()] = String(v);
  }
  return out;
}

/** A client for one started server. */
export interface Client {
  send(s: Scenario): Promise<Observed>;
  close(): Promise<void>;
}

export function clientFor(server: Started): Client {
  if (server.protocol === 'fetch') return fetchClient(server);
  return server.protocol === 'h1' ? h1Client(server.origin) : h2Client(server);
}

/** Calls the handler with a `Request`, as a Fetch-style runtime does; reads the whole body. */
function fetchClient(server: Started): Client {
  const handler = server.handler;
  if (handler === undefined) throw new Error('protocol fetch needs a handler');
  return {
    async send(s) {
      const res = await handler(
        new Request(server.origin + s.path + QUERY, {
          method: s.method,
          headers: requestHeaders(s),
        }),
      );
      const headers: Record<string, string> = {};
      res.headers.forEach((value, name) => {
        headers[name] = value;
      });
      if (s.clientAborts && res.body !== null) {
        // What a runtime does when the client goes away: it cancels the body.
        const reader = res.body.getReader();
        await reader.read();
        await reader.cancel();
        return { status: res.status, headers, body: '', broken: true };
      }
      let body = '';
      let broken = false;
      try {
        body = await res.text();
      } catch {
        broken = true;
      }
      // Runtimes drop a HEAD body on the wire; the handler's Response must not have one either.
      if (s.method === 'HEAD' && res.body !== null) broken = true;
      return { status: res.status, headers, body, broken };
    },
    close: async () => {},
  };
}

function h1Client(origin: string): Client {
  const dispatcher = new Agent({ keepAliveTimeout: 1000 });
  return {
    async send(s) {
      const controller = new AbortController();
      const res = await request(origin + s.path + QUERY, {
        method: s.method,
        headers: requestHeaders(s),
        dispatcher,
        signal: controller.signal,
      });
      if (s.clientAborts) {
        // Reads the first chunk, then closes the connection.
        res.body.on('error', () => {});
        await new Promise((resolve) => res.body.once('data', resolve));
        controller.abort();
        return { status: res.statusCode, headers: flat(res.headers), body: '', broken: true };
      }
      let body = '';
      let broken = false;
      try {
        body = await res.body.text();
      } catch {
        broken = true;
      }
      return { status: res.statusCode, headers: flat(res.headers), body, broken };
    },
    close: () => dispatcher.close(),
  };
}

function h2Client(server: Started): Client {
  const session = http2.connect(server.origin, server.ca === undefined ? {} : { ca: server.ca });
  session.on('error', () => {});
  return {
    send(s) {
      return new Promise((resolve, reject) => {
        const req = session.request({
          ':method': s.method,
          ':path': s.path + QUERY,
          ...requestHeaders(s),
        });
        if (s.method === 'POST') req.end();
        let headers: Record<string, string> = {};
        let status = 0;
        let body = '';
        let errored = false;
        let ended = false;
        req.on('end', () => {
          ended = true;
        });
        req.setEncoding('utf8');
        req.on('response', (h) => {
          status = Number(h[':status']);
          headers = flat(h);
        });
        req.on('data', (chunk: string) => {
          body += chunk;
          // Reads the first chunk, then resets the stream.
          if (s.clientAborts && !req.closed) req.close(http2.constants.NGHTTP2_CANCEL);
        });
        req.on('error', () => {
          errored = true;
        });
        req.on('close', () => {
          if (status === 0) {
            reject(new Error(`h2 stream closed without a response (rst ${req.rstCode})`));
            return;
          }
          const rstCode = req.rstCode ?? 0;
          // A reset with NO_ERROR before END_STREAM still leaves the body incomplete.
          resolve({ status, headers, body, broken: errored || rstCode !== 0 || !ended, rstCode });
        });
      });
    },
    close: () =>
      new Promise<void>((done) => {
        session.close(() => done());
      }),
  };
}

/** What must be equal across adapters for one scenario. */
export interface Normalized {
  readonly status: number;
  readonly broken: boolean;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/**
 * Incident ids replaced, only significant headers kept. A broken (streamed) response is compared
 * by status and breakage only: what a framework flushed before the cut is its own business.
 */
export function normalize(o: Observed, s: Scenario): Normalized {
  if (s.broken) return { status: o.status, broken: o.broken };
  const incident = o.headers['faultline-incident'];
  const replace = (text: string) =>
    incident === undefined ? text : text.split(incident).join('<incident>');
  if (o.status < 400) return { status: o.status, broken: o.broken, body: o.body };
  const headers: Record<string, string> = {};
  for (const name of SIGNIFICANT) {
    const value = o.headers[name];
    if (value !== undefined) headers[name] = replace(value);
  }
  return { status: o.status, broken: o.broken, headers, body: replace(o.body) };
}
