/** createClient against real node:http servers on 127.0.0.1:0 (no network mocks). */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ClientOptions,
  createClient,
  isBodyNotReplayableError,
  isCircuitOpenError,
  isNetworkError,
  isProblemError,
  isResponseError,
  isRetryAfterTooLongError,
  isRetryBudgetExhaustedError,
  isTimeoutError,
} from '../../src/client/index.js';
import { reply, startServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Fast backoff so tests do not depend on wall-clock speed. */
const fast = { retry: { backoffBase: 1, backoffCap: 2 } } satisfies ClientOptions;

async function failing(times: number, status = 503, headers: Record<string, string> = {}) {
  server = await startServer((_req, res, i) => {
    if (i < times) reply(res, status, 'busy', headers);
    else reply(res, 200, 'ok');
  });
  return server;
}

describe('retries', () => {
  it('retries a GET on 503 and sends the attempt number', async () => {
    const s = await failing(2);
    const res = await createClient(fast)(`${s.url}/a`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    expect(s.seen.map((r) => r.headers['faultline-attempt'])).toEqual(['1', '2', '3']);
  });

  it('gives up after limit + 1 attempts with the last ResponseError', async () => {
    const s = await failing(99, 500, { 'faultline-incident': 'inc-42' });
    const error = await createClient(fast)(`${s.url}/a?token=secret`).catch((e: unknown) => e);
    expect(isResponseError(error)).toBe(true);
    if (!isResponseError(error)) return;
    expect(error.status).toBe(500);
    expect(error.incident).toBe('inc-42');
    expect(error.body).toBe('busy');
    expect(error.code).toBe('FAULTLINE_RESPONSE_ERROR');
    expect(error.message).not.toContain('secret');
    expect(s.seen).toHaveLength(3);
  });

  it('does not retry statuses outside the list (404, 501)', async () => {
    for (const status of [404, 501]) {
      const s = await failing(99, status);
      await expect(createClient(fast)(s.url)).rejects.toMatchObject({ status });
      expect(s.seen).toHaveLength(1);
      await s.close();
      server = undefined;
    }
  });

  it('never retries a POST without an Idempotency-Key', async () => {
    const s = await failing(1);
    await expect(createClient(fast)(s.url, { method: 'POST', body: 'x' })).rejects.toMatchObject({
      status: 503,
    });
    expect(s.seen).toHaveLength(1);
  });

  it('retries a POST with autoIdempotencyKey, sending the same key and body on every attempt', async () => {
    const s = await failing(2);
    const client = createClient({ retry: { ...fast.retry, autoIdempotencyKey: true } });
    const res = await client(s.url, { method: 'POST', body: '{"n":1}' });
    expect(res.status).toBe(200);
    const keys = s.seen.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.seen.map((r) => r.body)).toEqual(['{"n":1}', '{"n":1}', '{"n":1}']);
  });

  it('retries a POST carrying a caller-supplied Idempotency-Key', async () => {
    const s = await failing(1);
    const res = await createClient(fast)(s.url, {
      method: 'POST',
      body: 'x',
      headers: { 'Idempotency-Key': 'abc' },
    });
    expect(res.status).toBe(200);
    expect(s.seen.map((r) => r.headers['idempotency-key'])).toEqual(['abc', 'abc']);
  });

  it('calls a body factory once per attempt', async () => {
    const s = await failing(1);
    let calls = 0;
    await createClient(fast)(s.url, {
      method: 'PUT',
      body: () => {
        calls++;
        return new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode(`part-${calls}`));
            c.close();
          },
        });
      },
    });
    expect(calls).toBe(2);
    expect(s.seen.map((r) => r.body)).toEqual(['part-1', 'part-2']);
  });

  it('refuses to replay a one-shot stream: one attempt, full body, BodyNotReplayableError', async () => {
    const s = await failing(99);
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('payload'));
        c.close();
      },
    });
    const error = await createClient(fast)(s.url, { method: 'PUT', body: stream }).catch(
      (e: unknown) => e,
    );
    expect(isBodyNotReplayableError(error)).toBe(true);
    expect((error as Error).message).toMatch(/one-shot stream/);
    expect(isResponseError((error as Error).cause)).toBe(true);
    expect(s.seen.map((r) => r.body)).toEqual(['payload']);
  });

  it('retries network errors and then throws NetworkError', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const attempts: number[] = [];
    const error = await createClient({
      ...fast,
      hooks: { onAttempt: (e) => attempts.push(e.attempt) },
    })(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(isNetworkError(error)).toBe(true);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('returns the last response when throwHttpErrors is false', async () => {
    const s = await failing(99);
    const res = await createClient({ ...fast, throwHttpErrors: false })(s.url);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('busy');
    expect(s.seen).toHaveLength(3);
  });
});

describe('errors', () => {
  it('parses problem+json into a ProblemError with typed fields', async () => {
    server = await startServer((_r, res) =>
      reply(
        res,
        422,
        JSON.stringify({
          type: 'https://e.x/bad',
          title: 'Bad',
          status: 422,
          detail: 'no',
          incident: 'i1',
        }),
        { 'content-type': 'application/problem+json; charset=utf-8' },
      ),
    );
    const error = await createClient()(server.url).catch((e: unknown) => e);
    expect(isProblemError(error)).toBe(true);
    if (!isProblemError(error)) return;
    expect(error.name).toBe('ProblemError');
    expect([error.type, error.title, error.detail, error.incident]).toEqual([
      'https://e.x/bad',
      'Bad',
      'no',
      'i1',
    ]);
    expect(error.problem.status).toBe(422);
  });

  it('keeps at most maxErrorBodyBytes of an error body', async () => {
    server = await startServer((_r, res) => reply(res, 400, 'x'.repeat(100_000)));
    const error = await createClient({ maxErrorBodyBytes: 1000 })(server.url).catch(
      (e: unknown) => e,
    );
    if (!isResponseError(error)) throw error;
    expect(error.body).toHaveLength(1000);
    expect(error.bodyTruncated).toBe(true);
  });
});

describe('backoff', () => {
  it('waits the full-jitter delay: uniform(0, base·2^(n−1))', async () => {
    const s = await failing(2);
    const delays: number[] = [];
    await createClient({
      retry: { backoffBase: 20, backoffCap: 1000 },
      random: () => 0.5,
      hooks: { onRetry: (e) => delays.push(e.delayMs) },
    })(s.url);
    expect(delays).toEqual([10, 20]);
  });

  it('does not start a retry whose wait would run past the deadline: fails at once instead', async () => {
    const s = await failing(99);
    const started = Date.now();
    const error = await createClient({
      retry: { backoffBase: 5000, backoffCap: 5000 },
      random: () => 0.99,
      deadline: 1000,
    })(s.url).catch((e: unknown) => e);
    expect(isResponseError(error)).toBe(true);
    expect(s.seen).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe('Retry-After', () => {
  it('gives up at once with retryAt when Retry-After is above the cap', async () => {
    const s = await failing(99, 503, { 'retry-after': '3600' });
    const started = Date.now();
    const error = await createClient()(s.url).catch((e: unknown) => e);
    expect(isRetryAfterTooLongError(error)).toBe(true);
    if (!isRetryAfterTooLongError(error)) return;
    expect(error.retryAt.getTime() - started).toBeGreaterThanOrEqual(3_599_000);
    expect(error.code).toBe('FAULTLINE_RETRY_AFTER_TOO_LONG');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(s.seen).toHaveLength(1);
  });

  it('gives up at once when Retry-After reaches past the deadline', async () => {
    const s = await failing(99, 429, { 'retry-after': '5' });
    const error = await createClient({ deadline: 3000 })(s.url).catch((e: unknown) => e);
    expect(isRetryAfterTooLongError(error)).toBe(true);
    expect(s.seen).toHaveLength(1);
  });

  it('waits the 2 s of Retry-After: 2 (the wait is asked of the timer, never less)', async () => {
    const s = await failing(1, 503, { 'retry-after': '2' });
    const delays: number[] = [];
    const started = performance.now();
    const res = await createClient({ hooks: { onRetry: (e) => delays.push(e.delayMs) } })(s.url);
    const waited = performance.now() - started;
    expect(res.status).toBe(200);
    expect(delays).toEqual([2000]);
    // Only a lower bound: an upper one measures the machine's load, not the client.
    expect(waited).toBeGreaterThanOrEqual(1990);
  });
});

describe('timeouts, deadline and cancellation', () => {
  it('times out a hanging attempt, retries, then throws TimeoutError(attempt)', async () => {
    server = await startServer(() => {
      /* never answers */
    });
    // Attempts are counted on the client: an attempt aborted at 50 ms may be reset before a
    // loaded server has parsed it, so the server's count is not a deterministic witness.
    const attempts: number[] = [];
    const error = await createClient({
      ...fast,
      timeout: 50,
      hooks: { onAttempt: (e) => attempts.push(e.attempt) },
    })(server.url).catch((e: unknown) => e);
    expect(isTimeoutError(error)).toBe(true);
    expect(error).toMatchObject({ scope: 'attempt', code: 'FAULTLINE_TIMEOUT' });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('stops at the total deadline without starting attempts that cannot finish', async () => {
    server = await startServer(() => {});
    const error = await createClient({ ...fast, timeout: 5000, deadline: 200 })(server.url).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ name: 'TimeoutError', scope: 'deadline' });
    expect(server.seen).toHaveLength(1);
  });

  it("the caller's signal cancels a pending backoff sleep at once", async () => {
    const s = await failing(99);
    const controller = new AbortController();
    const client = createClient({
      retry: { backoffBase: 60_000, backoffCap: 60_000 },
      random: () => 0.99,
      deadline: 120_000,
      hooks: { onRetry: () => setTimeout(() => controller.abort(new Error('user left')), 20) },
    });
    const started = Date.now();
    await expect(client(s.url, { signal: controller.signal })).rejects.toThrow('user left');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(s.seen).toHaveLength(1);
  });
});

describe('budget and breaker', () => {
  it('fails fast with RetryBudgetExhaustedError when the budget is spent', async () => {
    const s = await failing(99);
    const client = createClient({
      ...fast,
      budget: { ratio: 0, initialTokens: 2 },
      breaker: false,
    });
    await expect(client(s.url)).rejects.toMatchObject({ status: 503 }); // spends both tokens
    const error = await client(s.url).catch((e: unknown) => e);
    expect(isRetryBudgetExhaustedError(error)).toBe(true);
    expect(isResponseError((error as Error).cause)).toBe(true);
    expect(s.seen).toHaveLength(4);
  });

  it('opens the breaker per origin and stops sending; reports state changes', async () => {
    const s = await failing(999, 500);
    const changes: string[] = [];
    const client = createClient({
      retry: false,
      breaker: { minimumRequests: 5 },
      hooks: { onBreakerStateChange: (e) => changes.push(`${e.from}->${e.to}`) },
    });
    for (let i = 0; i < 5; i++) await client(s.url).catch(() => {});
    const error = await client(s.url).catch((e: unknown) => e);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(s.seen).toHaveLength(5);
    expect(changes).toEqual(['closed->open']);
    expect(client.breakerState(s.url)).toBe('open');
  });
});

describe('helpers', () => {
  it('is assignable to typeof fetch (drop-in)', () => {
    const f: typeof fetch = createClient();
    expect(typeof f).toBe('function');
  });

  it('json() sends Accept and parses the body', async () => {
    server = await startServer((req, res) =>
      reply(res, 200, JSON.stringify({ accept: req.headers.accept }), {
        'content-type': 'application/json',
      }),
    );
    const data = await createClient().json<{ accept: string }>(server.url);
    expect(data).toEqual({ accept: 'application/json' });
  });

  it('accepts a Request and merges its headers', async () => {
    const s = await failing(1);
    const res = await createClient(fast)(new Request(s.url, { headers: { 'x-a': '1' } }));
    expect(res.status).toBe(200);
    expect(s.seen.map((r) => r.headers['x-a'])).toEqual(['1', '1']);
  });

  it('omits the attempt header when disabled, uses a custom name otherwise', async () => {
    const s = await failing(0);
    await createClient({ attemptHeader: false })(s.url);
    await createClient({ attemptHeader: 'X-Try' })(s.url);
    expect(s.seen[0]?.headers['faultline-attempt']).toBeUndefined();
    expect(s.seen[1]?.headers['x-try']).toBe('1');
  });

  it('hooks see attempts, retries and the give-up, and cannot break a request', async () => {
    const s = await failing(99);
    const log: string[] = [];
    const client = createClient({
      ...fast,
      hooks: {
        onAttempt: (e) => {
          log.push(`attempt ${e.attempt}`);
          throw new Error('hook bug');
        },
        onRetry: (e) => log.push(`retry ${e.attempt}`),
        onGiveUp: (e) => log.push(`give-up ${e.attempts}`),
      },
    });
    await expect(client(s.url)).rejects.toMatchObject({ status: 503 });
    expect(log).toEqual(['attempt 1', 'retry 2', 'attempt 2', 'retry 3', 'attempt 3', 'give-up 3']);
  });
});

describe('body factory errors', () => {
  it('rejects with the error the factory threw, sending nothing', async () => {
    const s = await failing(0);
    const boom = new Error('cannot open file');
    await expect(
      createClient()(s.url, {
        method: 'PUT',
        body: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
    expect(s.seen).toHaveLength(0);
  });
});
