/**
 * faultline/nestjs: a global exception filter for NestJS, over @nestjs/platform-express and
 * @nestjs/platform-fastify: `app.useGlobalFilters(fl.filter)`. Nest's HttpException family is
 * translated to an HttpError (its status; for a 4xx its message and the members of its response
 * object, e.g. ValidationPipe's messages as `errors`); everything else is classified by the core
 * like in every other adapter. Responses go out through faultline/node on the raw response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { copyMembers } from '../core/extensions.js';
import { HttpError, httpErrors } from '../core/http-error.js';
import type { FaultlineOptions } from '../core/options.js';
import { type NodeFaultline, faultline as nodeFaultline } from './node.js';

/** What {@link faultline} returns for NestJS. */
export interface NestFaultline {
  /** `app.useGlobalFilters(fl.filter)`: catches every exception of HTTP requests. */
  readonly filter: ExceptionFilter;
  /** The underlying instance, e.g. to attach parser errors to the server. */
  readonly faultline: NodeFaultline;
}

interface HttpExceptionLike {
  getStatus(): unknown;
  getResponse(): unknown;
  message?: unknown;
}

/** Nest's HttpException, also from a second copy of @nestjs/common: by class name in the chain. */
function isHttpException(err: unknown): err is HttpExceptionLike {
  try {
    const e = err as Partial<HttpExceptionLike> | null;
    if (typeof e?.getStatus !== 'function' || typeof e.getResponse !== 'function') return false;
    for (let p = Object.getPrototypeOf(e); p !== null; p = Object.getPrototypeOf(p)) {
      if (p.constructor?.name === 'HttpException') return true;
    }
    return false;
  } catch {
    return false;
  }
}

const NEST_MEMBERS = new Set(['statusCode', 'error', 'message']);
// Nest's router answers an unknown route with NotFoundException("Cannot GET /path").
const ROUTE_NOT_FOUND = /^Cannot [A-Z]+ \//;

/**
 * An HttpException as the core knows it: an HttpError with its status, its message exposed below
 * 500, the members of an object response carried (a `message` array becomes `errors`), the
 * exception kept as the cause for the log.
 */
function translate(err: unknown): { error: unknown; notFound: boolean } {
  if (!isHttpException(err)) return { error: err, notFound: false };
  try {
    const status = err.getStatus();
    const response = err.getResponse();
    const body = typeof response === 'object' && response !== null ? response : {};
    const inner = (body as { message?: unknown }).message;
    const message =
      typeof response === 'string' ? response : typeof inner === 'string' ? inner : err.message;
    if (status === 404 && typeof message === 'string' && ROUTE_NOT_FOUND.test(message))
      return { error: httpErrors.notFound(undefined, { cause: err }), notFound: true };
    const extensions: Record<string, unknown> = { ...copyMembers(body, NEST_MEMBERS) };
    if (Array.isArray(inner))
      extensions.errors = inner.filter((m) => typeof m === 'string').map((detail) => ({ detail }));
    return {
      error: new HttpError(status as number, typeof message === 'string' ? message : undefined, {
        cause: err,
        extensions,
      }),
      notFound: false,
    };
  } catch {
    return { error: err, notFound: false }; // A status outside 400–599: the core makes it a 500.
  }
}

interface FastifyReplyLike {
  raw: ServerResponse;
  hijack(): void;
}

/**
 * Creates faultline for NestJS. Pass options, or an instance from `faultline/node`.
 * @example
 * import { NestFactory } from '@nestjs/core';
 * import { faultline } from 'faultline/nestjs';
 * const app = await NestFactory.create(AppModule);
 * const fl = faultline();
 * app.useGlobalFilters(fl.filter);
 * fl.faultline.attach(app.getHttpServer()); // parser errors (400/431/501) in the same format
 * await app.listen(3000);
 */
export function faultline(options?: FaultlineOptions | NodeFaultline): NestFaultline {
  const fl = nodeFaultline(options);
  class FaultlineFilter implements ExceptionFilter {
    catch(exception: unknown, host: ArgumentsHost): void {
      if (host.getType() !== 'http') throw exception; // RPC and WebSocket contexts are not ours.
      const http = host.switchToHttp();
      const request = http.getRequest<IncomingMessage | { raw: IncomingMessage }>();
      const response = http.getResponse<ServerResponse | FastifyReplyLike>();
      const { error, notFound } = translate(exception);
      const ctx = notFound ? { phase: 'not_found' as const } : undefined;
      if ('hijack' in response && typeof response.hijack === 'function') {
        // Fastify: the reply is ours from here; Fastify must not answer too.
        response.hijack();
        fl.fail(error, (request as { raw: IncomingMessage }).raw, response.raw, ctx);
      } else {
        fl.fail(error, request as IncomingMessage, response as ServerResponse, ctx);
      }
    }
  }
  return { filter: new FaultlineFilter(), faultline: fl };
}
