/**
 * faultline/nestjs over both platforms, through real sockets: the global filter answers every
 * exception in house format. Decorators are applied as functions (no decorator syntax needed).
 */
import 'reflect-metadata';
import {
  BadRequestException,
  Controller,
  Get,
  HttpException,
  InternalServerErrorException,
  Module,
  UnprocessableEntityException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/nestjs.js';
import { memoryLogger } from '../support/record-logger.js';

const CANARY = 'canary-4e1b-nest-secret';

class AppController {
  boom(): never {
    throw new Error(`db down ${CANARY}`);
  }
  exposed(): never {
    throw new UnprocessableEntityException('email must be a valid address');
  }
  validation(): never {
    // What ValidationPipe throws.
    throw new BadRequestException(['email must be an email', 'age must not be less than 18']);
  }
  custom(): never {
    throw new HttpException({ reason: 'quota', limit: 10 }, 429);
  }
  internal(): never {
    throw new InternalServerErrorException(`pool exhausted ${CANARY}`);
  }
}
Controller()(AppController);
for (const route of ['boom', 'exposed', 'validation', 'custom', 'internal'] as const) {
  const descriptor = Object.getOwnPropertyDescriptor(AppController.prototype, route);
  if (descriptor) Get(route)(AppController.prototype, route, descriptor);
}
class AppModule {}
Module({ controllers: [AppController] })(AppModule);

for (const platform of ['express', 'fastify'] as const) {
  describe(`faultline/nestjs on platform-${platform}`, () => {
    const log = memoryLogger();
    let close: () => Promise<void>;
    let origin: string;
    beforeAll(async () => {
      const app = await NestFactory.create(
        AppModule,
        platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(),
        { logger: false },
      );
      const fl = faultline({ logger: log, storm: false });
      app.useGlobalFilters(fl.filter);
      await app.listen(0, '127.0.0.1');
      origin = (await app.getUrl()).replace('[::1]', '127.0.0.1');
      close = () => app.close();
    });
    afterAll(() => close?.());

    const get = async (path: string) => {
      const res = await request(`${origin}${path}`, { headers: { accept: 'application/json' } });
      const text = await res.body.text();
      expect(text).not.toContain(CANARY);
      return { status: res.statusCode, headers: res.headers, body: JSON.parse(text) };
    };

    it('answers an unknown error 500 with an incident id, logged in full', async () => {
      const res = await get('/boom');
      expect(res.status).toBe(500);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toMatchObject({ status: 500, code: 'internal_error' });
      const record = log.records.find((r) => r.obj.incident === res.body.incident);
      expect(JSON.stringify(record)).toContain(CANARY);
    });

    it('shows a 4xx HttpException message', async () => {
      expect((await get('/exposed')).body).toMatchObject({
        status: 422,
        title: 'Unprocessable Content',
        detail: 'email must be a valid address',
      });
    });

    it('carries ValidationPipe messages as errors', async () => {
      const res = await get('/validation');
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { detail: 'email must be an email' },
        { detail: 'age must not be less than 18' },
      ]);
    });

    it('carries the members of a custom response object', async () => {
      expect((await get('/custom')).body).toMatchObject({
        status: 429,
        reason: 'quota',
        limit: 10,
      });
    });

    it('keeps a 5xx HttpException message private', async () => {
      const res = await get('/internal');
      expect(res.status).toBe(500);
      expect(res.body.detail).toBeUndefined();
    });

    it("answers Nest's unknown route 404 in house format, without Nest's message", async () => {
      const res = await get('/no/such/path');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        code: 'not_found',
      });
    });
  });
}
