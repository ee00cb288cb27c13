/**
 * Errors tell the truth (issue 18 §1): every error raised after a response carries that
 * response's status, headers, problem and incident; the breaker is checked after every wait; a
 * caller's abort is never wrapped; an absurd Retry-After fails at once. Real servers on 127.0.0.1.
 */
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type BodyNotReplayableError,
  type CircuitOpenError,
  type ClientError,
  createClient,
  isCircuitOpenError,
  isFaultlineClientError,
  isResponseError,
  isRetryAfterTooLongError,
  isRetryBudgetExhaustedError,
  type ResponseError,
  type RetryAfterTooLongError,
  type RetryBudgetExhaustedError,
} from '../../src/client/index.js';
import { reply, startServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { retry: { backoffBase: 1, backoffCap: 2 } } as const;
const problem = (status: number, incident: string) =>
  JSON.stringify({ type: 'about:blank', title: 'Unavailable', status, incident });

describe('errors raised after a response expose it', () => {
  it('Retry-After too long: status, headers, problem and incident of the 429', async () => {
    server = await startServer((_r, res) =>
      reply(res, 429, problem(429, 'inc-429'), {
        'content-type': 'application/problem+json',
        'retry-after': '3600',
        'faultline-incident': 'inc-429',
      }),
    );
    const error = await createClient()(server.url).catch((e: unknown) => e);
    expect(isRetryAfterTooLongError(error)).toBe(true);
    expect(isResponseError(error)).toBe(true);
    if (!isResponseError(error)) return;
    expect(error.code).toBe('FAULTLINE_RETRY_AFTER_TOO_LONG');
    expect(error.status).toBe(429);
    expect(error.incident).toBe('inc-429');
    expect(error.headers.get('retry-after')).toBe('3600');
    expect(error.problem?.title).toBe('Unavailable');
    expect(error.message).toContain('429');
  });

  it('budget spent: status and incident of the 503', async () => {
    server = await startServer((_r, res) =>
      reply(res, 503, 'busy', { 'faultline-incident': 'inc-503' }),
    );
    const client = createClient({ ...fast, budget: { initialTokens: 0 }, breaker: false });
    const error = await client(server.url).catch((e: unknown) => e);
    expect(isRetryBudgetExhaustedError(error)).toBe(true);
    expect(isResponseError(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, incident: 'inc-503', body: 'busy' });
    expect((error as Error).message).toContain('last response 503, incident inc-503');
  });

  it('one-shot body: status of the 502 that warranted the retry', async () => {
    server = await startServer((_r, res) => reply(res, 502, 'bad gateway'));
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('x'));
        c.close();
      },
    });
    const error = await createClient(fast)(server.url, { method: 'PUT', body }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'FAULTLINE_BODY_NOT_REPLAYABLE', status: 502 });
    expect(isResponseError(error)).toBe(true);
  });

  it('breaker open before anything was sent: no status, attempts 0, not a response error', async () => {
    server = await startServer((_r, res) => reply(res, 500, 'down'));
    const client = createClient({ retry: false, breaker: { minimumRequests: 2 } });
    await client(server.url).catch(() => {});
    await client(server.url).catch(() => {});
    const error = await client(server.url).catch((e: unknown) => e);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(isResponseError(error)).toBe(false);
    expect(error).toMatchObject({ attempts: 0, status: undefined });
    expect((error as Error).message).toContain('nothing was sent');
    expect(server.seen).toHaveLength(2);
  });

  it('switch (error.code) narrows to the class', () => {
    // Type-level: checked by `npm run typecheck`.
    const narrow = (e: ClientError) => {
      switch (e.code) {
        case 'FAULTLINE_RETRY_AFTER_TOO_LONG':
          expectTypeOf(e).toEqualTypeOf<RetryAfterTooLongError>();
          expectTypeOf(e.status).toEqualTypeOf<number>();
          return e.retryAfterMs;
        case 'FAULTLINE_CIRCUIT_OPEN':
          expectTypeOf(e).toEqualTypeOf<CircuitOpenError>();
          expectTypeOf(e.status).toEqualTypeOf<number | undefined>();
          return e.attempts;
        case 'FAULTLINE_RETRY_BUDGET_EXHAUSTED':
          expectTypeOf(e).toEqualTypeOf<RetryBudgetExhaustedError>();
          return 0;
        case 'FAULTLINE_BODY_NOT_REPLAYABLE':
          expectTypeOf(e).toEqualTypeOf<BodyNotReplayableError>();
          return 0;
        case 'FAULTLINE_RESPONSE_ERROR':
          expectTypeOf(e).toEqualTypeOf<ResponseError>();
          return e.status;
        default:
          return 0;
      }
    };
    const guarded = (e: unknown) => (isFaultlineClientError(e) ? narrow(e) : -1);
    expect(guarded(new Error('x'))).toBe(-1);
    const withResponse = (e: unknown) => (isResponseError(e) ? e.status : undefined);
    expectTypeOf(withResponse).returns.toEqualTypeOf<number | undefined>();
  });
});

describe('the breaker is checked after every wait', () => {
  it('no retry goes out once the breaker opened during its backoff; the error says what was sent', async () => {
    server = await startServer((_r, res) =>
      reply(res, 500, 'down', { 'faultline-incident': 'inc-500' }),
    );
    const origin = server.url;
    const statesAtAttempt: string[] = [];
    let waiting = 0;
    let allWaiting: () => void = () => {};
    const inWait = new Promise<void>((resolve) => {
      allWaiting = resolve;
    });
    const client = createClient({
      // Waits of ≈ 1.5 s: the breaker is opened by other requests well within them.
      retry: { backoffBase: 1500, backoffCap: 1500 },
      random: () => 0.999,
      budget: false,
      breaker: { minimumRequests: 5 },
      hooks: {
        onAttempt: () => statesAtAttempt.push(client.breakerState(origin)),
        onRetry: () => {
          if (++waiting === 10) allWaiting();
        },
      },
    });
    const waiters = Array.from({ length: 10 }, () =>
      client(server?.url ?? '').catch((e: unknown) => e),
    );
    await inWait;
    // Five requests that may not retry fail at once and open the breaker.
    for (let i = 0; i < 5; i++) await client(origin, { retryLimit: 0 }).catch(() => {});
    expect(client.breakerState(origin)).toBe('open');
    const errors = await Promise.all(waiters);
    expect(errors.every(isCircuitOpenError)).toBe(true);
    for (const e of errors) {
      expect(e).toMatchObject({ attempts: 1, status: 500, incident: 'inc-500' });
      expect((e as Error).message).toContain('retry not sent after 1 attempt(s)');
    }
    expect(statesAtAttempt).not.toContain('open');
    expect(server.seen).toHaveLength(15); // 10 first attempts + 5, no retry
  });
});

describe("a caller's abort is never wrapped", () => {
  it('during the final error-body read, rejects with the signal’s reason', async () => {
    server = await startServer((_r, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.write('partial…'); // and never ends
    });
    const controller = new AbortController();
    const reason = new Error('user navigated away');
    const client = createClient({
      retry: false,
      // Abort once the response headers are in: the client is then reading the error body.
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        setImmediate(() => controller.abort(reason));
        return response;
      },
    });
    await expect(client(server.url, { signal: controller.signal })).rejects.toBe(reason);
  });
});

describe('an absurd Retry-After', () => {
  it('99999999999999999999 gives RetryAfterTooLongError at once, with a valid retryAt', async () => {
    server = await startServer((_r, res) =>
      reply(res, 503, 'later', { 'retry-after': '99999999999999999999' }),
    );
    const error = await createClient()(server.url).catch((e: unknown) => e);
    expect(isRetryAfterTooLongError(error)).toBe(true);
    if (!isRetryAfterTooLongError(error)) return;
    expect(server.seen).toHaveLength(1);
    expect(Number.isNaN(error.retryAt.getTime())).toBe(false);
    expect(error.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
    expect(error.status).toBe(503);
  });
});

describe('json() is typed truthfully', () => {
  it('resolves undefined for an empty body, and its type says so', async () => {
    server = await startServer((_r, res) => {
      res.writeHead(204);
      res.end();
    });
    const api = createClient();
    const value = api.json<{ id: string }>(server.url);
    expectTypeOf(value).resolves.toEqualTypeOf<{ id: string } | undefined>();
    expect(await value).toBeUndefined();
  });
});

describe('the deadline and the body', () => {
  it('json() and text() read the body within the deadline; the bare call stops at headers', async () => {
    const open = new Set<import('node:http').ServerResponse>();
    server = await startServer((_r, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"slow":'); // the rest only when the test says so
      open.add(res);
    });
    const api = createClient({ deadline: 300 });
    const error = await api.json(server.url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'FAULTLINE_TIMEOUT', scope: 'deadline' });
    const textError = await api.text(server.url).catch((e: unknown) => e);
    expect(textError).toMatchObject({ code: 'FAULTLINE_TIMEOUT', scope: 'deadline' });

    const res = await api(server.url);
    const body = res.text();
    // Timers only run late, never early: past 400 ms the deadline would have fired.
    await new Promise((r) => setTimeout(r, 400));
    for (const r of open) r.end('true}');
    expect(await body).toBe('{"slow":true}');
  });
});
