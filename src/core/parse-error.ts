/**
 * parse-error: answers Node's HTTP parser errors (`'clientError'`) in faultline's format, on the
 * raw socket: 400 for malformed requests, 431 for oversized headers, 501 for unknown methods, 408
 * for request timeouts. The Accept header is read from the bytes Node could not parse.
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
  HPE_INVALID_METHOD: 501,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/** Answers `err` on `socket`; never throws. A socket that cannot be answered is destroyed. */
export function answerParseError(fl: Faultline, err: ClientError, socket: ClientSocket): void {
  try {
    const busy = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || busy?.headersSent) {
      socket.destroy();
      return;
    }
    const status = PARSE_STATUS[err.code ?? ''] ?? 400;
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
    socket.end(head + response.body);
  } catch {
    socket.destroy();
  }
}

/** Reads the Accept header from the raw bytes of a request Node could not parse. */
function acceptFromRaw(raw: unknown): string | undefined {
  if (!Buffer.isBuffer(raw)) return undefined;
  const text = raw.subarray(0, 8192).toString('latin1');
  const m = /\r\naccept:[ \t]*([^\r\n]{0,512})/i.exec(text);
  return m?.[1]?.trim();
}
