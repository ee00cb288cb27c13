/**
 * parse-error: answers Node's HTTP parser errors (`'clientError'`) in faultline's format, on the
 * raw socket: 400 for malformed requests, 431 for oversized headers, 501 for unknown methods, 408
 * for request timeouts. The Accept header is read from the bytes Node could not parse.
 *
 * Node's parser reports every line it cannot start as an invalid method. As Apache does (and
 * nginx for what it calls malformed), only a well-formed request line with a method we do not
 * know (`BREW / HTTP/1.1`) is 501 Not Implemented (RFC 9110 §9.1); a line without a target or a
 * version (`GARBAGE`) is 400 Bad Request.
 */
import type { Duplex } from 'node:stream';
import { HttpError } from './http-error.js';
import type { Faultline, FaultRequest } from './pipeline.js';

/**
 * The error of a server's `'clientError'` event: the parser's code and the bytes it could not
 * parse (a Buffer from node:http; typed loosely, as frameworks declare it differently).
 */
export type ClientError = Error & { code?: string; rawPacket?: unknown };

/** The socket of a `'clientError'` event (a `net.Socket`; typed `Duplex` by node:http). */
export type ClientSocket = Duplex & { readonly remoteAddress?: string | undefined };

/** Node's parser error codes and the status each answers with. */
const PARSE_STATUS: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * A complete request line: method token (RFC 9110 §5.6.2 tchar), one space, a target without
 * whitespace, one space, HTTP/x.y, end of line.
 */
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP\/\d\.\d\r?\n/;

/**
 * The status for a parser error: 501 only for an unknown method on a well-formed request line.
 * Without the raw bytes (a framework may pass them in another shape) the parser's verdict stands.
 */
export function parseErrorStatus(err: ClientError): number {
  if (err.code === 'HPE_INVALID_METHOD') {
    const raw = rawBytes(err.rawPacket);
    if (raw === undefined || raw.length === 0) return 501;
    return REQUEST_LINE.test(raw.subarray(0, 8192).toString('latin1')) ? 501 : 400;
  }
  return PARSE_STATUS[err.code ?? ''] ?? 400;
}

/** The raw packet as a Buffer: node:http passes one, some frameworks its JSON form. */
function rawBytes(raw: unknown): Buffer | undefined {
  if (Buffer.isBuffer(raw)) return raw;
  const data = (raw as { type?: unknown; data?: unknown } | null)?.data;
  if ((raw as { type?: unknown } | null)?.type === 'Buffer' && Array.isArray(data))
    return Buffer.from(data.slice(0, 8192) as number[]);
  return undefined;
}

/** Answers `err` on `socket`; never throws. A socket that cannot be answered is destroyed. */
export function answerParseError(fl: Faultline, err: ClientError, socket: ClientSocket): void {
  try {
    const busy = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || busy?.headersSent) {
      socket.destroy();
      return;
    }
    const status = parseErrorStatus(err);
    const info: FaultRequest = {
      method: '-',
      url: '-',
      headers: { accept: acceptFromRaw(err.rawPacket) },
      remoteAddress: socket.remoteAddress,
      requestId: undefined,
    };
    const cause = new HttpError(status, undefined, { cause: err, expose: false });
    const response = fl.respond(cause, info, { phase: 'parse' });
    let head = `HTTP/1.1 ${response.status} ${response.fault?.public.title ?? 'Error'}\r\nconnection: close\r\n`;
    for (const [name, value] of response.headers) head += `${name}: ${value}\r\n`;
    head += `vary: Accept\r\ncontent-length: ${Buffer.byteLength(response.body)}\r\n\r\n`;
    socket.end(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(response.body)]));
  } catch {
    socket.destroy();
  }
}

/** Reads the Accept header from the raw bytes of a request Node could not parse. */
function acceptFromRaw(raw: unknown): string | undefined {
  const bytes = rawBytes(raw);
  if (bytes === undefined) return undefined;
  const text = bytes.subarray(0, 8192).toString('latin1');
  const m = /\r\naccept:[ \t]*([^\r\n]{0,512})/i.exec(text);
  return m?.[1]?.trim();
}
