/**
 * End to end: the built CLI against each framework's default setup on 127.0.0.1 (child processes)
 * and against faultline-protected versions of the same apps, which must come out clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkJson, type Fixture, ids, type Running, startFixture } from './servers.js';

/** Every app has GET / (200), GET /boom (throws a knex/pg-style error), POST /items (parses JSON). */
const ARGS = ['--path', '/boom', '--path', '/items', '--allow-unsafe', '--fail-on', 'warn'];

interface Case {
  readonly title: string;
  readonly fixture: Fixture;
  readonly env?: Record<string, string | undefined>;
  /** Exactly the finding ids the run must produce. */
  readonly expected: readonly string[];
}

/** The no-store / nosniff / correlation trio every unprotected default setup lacks on 5xx. */
const BARE_5XX = ['FL-NO-CORRELATION-ID', 'FL-NO-STORE-5XX'];

const UNPROTECTED: readonly Case[] = [
  {
    title: 'Express 5, NODE_ENV unset (finalhandler development mode)',
    fixture: 'express',
    env: { NODE_ENV: undefined },
    expected: [
      ...BARE_5XX,
      'FL-500-MESSAGE',
      'FL-FILE-PATH',
      'FL-HTML-FOR-JSON',
      'FL-INTERNAL-IP',
      'FL-POWERED-BY',
      'FL-SQL-ERROR',
      'FL-STACK-TRACE',
    ],
  },
  {
    title: 'Express 5, NODE_ENV=production',
    fixture: 'express',
    env: { NODE_ENV: 'production' },
    expected: [...BARE_5XX, 'FL-HTML-FOR-JSON', 'FL-POWERED-BY'],
  },
  {
    title: 'Fastify 5 default (500 body echoes the message)',
    fixture: 'fastify',
    expected: [
      ...BARE_5XX,
      'FL-500-MESSAGE',
      'FL-INTERNAL-IP',
      'FL-JSON-NOT-PROBLEM',
      'FL-NO-NOSNIFF',
      'FL-SQL-ERROR',
    ],
  },
  {
    title: 'Koa 3 default (malformed JSON parsed by hand: a 500)',
    fixture: 'koa',
    expected: [...BARE_5XX, 'FL-5XX-FOR-CLIENT-ERROR', 'FL-NO-NOSNIFF'],
  },
  {
    title: 'Hono 4 on @hono/node-server (c.req.json() on malformed JSON: a 500)',
    fixture: 'hono',
    expected: [...BARE_5XX, 'FL-5XX-FOR-CLIENT-ERROR', 'FL-NO-NOSNIFF'],
  },
  {
    title: 'raw node:http server that echoes errors',
    fixture: 'raw-echo',
    expected: [
      ...BARE_5XX,
      'FL-500-MESSAGE',
      'FL-5XX-FOR-CLIENT-ERROR',
      'FL-ECHO-CREDENTIALS',
      'FL-FILE-PATH',
      'FL-HTML-FOR-JSON',
      'FL-INTERNAL-IP',
      'FL-NO-NOSNIFF',
      'FL-REFLECTED-HTML',
      'FL-SQL-ERROR',
      'FL-STACK-TRACE',
    ],
  },
];

/**
 * faultline-protected versions: the same routes, wired as docs/adapters.md shows, and no finding
 * at all (not even info).
 */
const PROTECTED: readonly Case[] = [
  { title: 'raw node:http + faultline/node', fixture: 'node-faultline', expected: [] },
  {
    title: 'Express 5 + faultline/express, NODE_ENV unset',
    fixture: 'express-faultline',
    env: { NODE_ENV: undefined },
    expected: [],
  },
  {
    title: 'Express 5 + faultline/express, NODE_ENV=production',
    fixture: 'express-faultline',
    env: { NODE_ENV: 'production' },
    expected: [],
  },
  { title: 'Fastify 5 + faultline/fastify', fixture: 'fastify-faultline', expected: [] },
  { title: 'Koa 3 + faultline/koa', fixture: 'koa-faultline', expected: [] },
  { title: 'Hono 4 + faultline/hono', fixture: 'hono-faultline', expected: [] },
];

for (const c of [...UNPROTECTED, ...PROTECTED]) {
  describe(`faultline check: ${c.title}`, () => {
    let server: Running;
    beforeAll(async () => {
      server = await startFixture(c.fixture, c.env);
    });
    afterAll(async () => {
      await server?.stop();
    });

    it(`finds exactly ${c.expected.length === 0 ? 'nothing' : c.expected.join(', ')}`, async () => {
      const { run, report } = await checkJson(server.url, ARGS);
      expect(ids(report)).toEqual([...c.expected].sort());
      expect(report.requests.skipped).toBe(0);
      expect(report.requests.timeouts).toBe(0);
      expect(run.code).toBe(c.expected.length === 0 ? 0 : 1);
      expect(report.failed).toBe(c.expected.length > 0);
      // The canaries never appear in the report, masked or not.
      expect(run.stdout).not.toMatch(/fl[cb][0-9a-f]{18,}/);
    });
  });
}

/**
 * No route known, default flags (no --path, no --allow-unsafe): the generic provocations (a
 * malformed JSON body on GET, type-confused query keys) still reach Express's error path in
 * development, and the protected app still answers them cleanly.
 */
describe('faultline check: no route known, default flags', () => {
  it('Express 5 with NODE_ENV unset shows its stack trace to GET / with a malformed JSON body', async () => {
    const server = await startFixture('express', { NODE_ENV: undefined });
    try {
      const { run, report } = await checkJson(server.url);
      const stack = report.findings.find((f) => f.id === 'FL-STACK-TRACE');
      expect(stack?.occurrences.map((o) => `${o.request.method} ${o.request.target}`)).toContain(
        'GET /',
      );
      expect(stack?.occurrences.every((o) => o.status === 400)).toBe(true);
      expect(run.code).toBe(1);
    } finally {
      await server.stop();
    }
  });

  it('the same app with faultline/express: no finding', async () => {
    const server = await startFixture('express-faultline', { NODE_ENV: undefined });
    try {
      const { run, report } = await checkJson(server.url, ['--fail-on', 'info']);
      expect(ids(report)).toEqual([]);
      expect(run.code).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
