/**
 * The conformance app on NestJS (platform-express and platform-fastify), behind faultline/nestjs:
 * the routes of scenarios.ts, failing the same way, with Nest's own exceptions where Nest users
 * would throw them. Decorators are applied as functions.
 */
import 'reflect-metadata';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  HttpException,
  Module,
  Post,
  Req,
  Res,
  UnprocessableEntityException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { faultline, type NestFaultline } from '../../src/adapters/nestjs.js';
import {
  abortingReadable,
  brokenReadable,
  type Factory,
  failures,
  openResponses,
} from './servers.js';

const TEXT = 'text/plain; charset=utf-8';
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let current: NestFaultline | undefined;

class ConformanceController {
  sync(): never {
    throw failures.sync();
  }
  async async(): Promise<never> {
    await delay(2);
    throw failures.async();
  }
  nonError(): never {
    throw failures.nonError();
  }
  exposed(): never {
    // Nest's own way.
    throw new UnprocessableEntityException(failures.exposedMessage);
  }
  unexposed(): never {
    throw failures.unexposed();
  }
  unavailable(): never {
    throw failures.unavailable();
  }
  secret(): never {
    throw failures.secret();
  }
  mapped(): never {
    throw failures.mapped();
  }
  extensions(): never {
    // Nest's own way: an HttpException with a response object.
    throw new HttpException(
      { message: failures.conflictMessage, errors: failures.conflictErrors },
      409,
    );
  }
  zod(): never {
    throw failures.zod();
  }
  valibot(): never {
    throw failures.valibot();
  }
  stream(req: IncomingMessage | { raw: IncomingMessage }, res: unknown): void {
    const raw = (res as { raw?: ServerResponse }).raw ?? (res as ServerResponse);
    const rawReq = (req as { raw?: IncomingMessage }).raw ?? (req as IncomingMessage);
    (res as { hijack?: () => void }).hijack?.();
    raw.writeHead(200, { 'content-type': TEXT });
    const source = brokenReadable();
    source.on('error', (err) => current?.faultline.fail(err, rawReq, raw));
    source.pipe(raw);
  }
  abort(req: IncomingMessage | { raw: IncomingMessage }, res: unknown): void {
    const raw = (res as { raw?: ServerResponse }).raw ?? (res as ServerResponse);
    const rawReq = (req as { raw?: IncomingMessage }).raw ?? (req as IncomingMessage);
    (res as { hijack?: () => void }).hijack?.();
    raw.writeHead(200, { 'content-type': TEXT });
    // The upstream call stops when the client leaves, as one made with abortSignal(req) does.
    const left = new AbortController();
    raw.once('close', () => left.abort());
    const source = abortingReadable(left.signal);
    source.on('error', (err) => current?.faultline.fail(err, rawReq, raw));
    source.pipe(raw);
  }
  posted(): string {
    return 'posted';
  }
}

const ROUTES: Array<[method: keyof ConformanceController, path: string, verb: 'get' | 'post']> = [
  ['sync', 'sync', 'get'],
  ['async', 'async', 'get'],
  ['nonError', 'non-error', 'get'],
  ['exposed', 'exposed', 'get'],
  ['unexposed', 'unexposed-4xx', 'get'],
  ['unavailable', 'unavailable', 'get'],
  ['secret', 'secret', 'get'],
  ['mapped', 'mapped', 'get'],
  ['extensions', 'extensions', 'get'],
  ['zod', 'zod', 'get'],
  ['valibot', 'valibot', 'get'],
  ['stream', 'stream', 'get'],
  ['abort', 'abort', 'get'],
  ['posted', 'method-only', 'post'],
];
Controller()(ConformanceController);
for (const [method, path, verb] of ROUTES) {
  const proto = ConformanceController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(proto, method);
  if (descriptor === undefined) throw new Error(`no method ${method}`);
  (verb === 'get' ? Get(path) : Post(path))(proto, method, descriptor);
}
for (const method of ['stream', 'abort'] as const) {
  Req()(ConformanceController.prototype, method, 0);
  Res()(ConformanceController.prototype, method, 1);
}
// Nest answers POST with 201 unless told otherwise; the reference answers 200.
Reflect.defineMetadata('__httpCode__', 200, ConformanceController.prototype.posted);
class ConformanceModule {}
Module({ controllers: [ConformanceController] })(ConformanceModule);

function nestFactory(platform: 'express' | 'fastify'): Factory {
  return async (options) => {
    const app = await NestFactory.create(
      ConformanceModule,
      platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
      { logger: false },
    );
    const fl = faultline(options);
    current = fl;
    app.useGlobalFilters(fl.filter);
    await app.listen(0, '127.0.0.1');
    const url = new URL(await app.getUrl());
    return {
      origin: `http://127.0.0.1:${url.port}`,
      protocol: 'h1',
      idle: openResponses(app.getHttpServer()),
      close: () => app.close(),
    };
  };
}

export const nestExpress: Factory = nestFactory('express');
export const nestFastify: Factory = nestFactory('fastify');
