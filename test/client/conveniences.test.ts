/** What ky users reach for (issue 18 §4), against a real node:http server on 127.0.0.1:0. */
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, isInvalidClientOptionError } from '../../src/client/index.js';
import { invalid } from './support/invalid-options.js';
import { reply, startServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const fast = { retry: { backoffBase: 1, backoffCap: 2 } } as const;

async function failing(times: number, status = 503) {
  server = await startServer((_req, res, i) => {
    if (i < times) reply(res, status, 'busy');
    else reply(res, 200, '{"ok":true}', { 'content-type': 'application/json' });
  });
  return server;
}

describe('prefixUrl and searchParams', () => {
  it('joins a relative input to prefixUrl and replaces the query', async () => {
    const s = await failing(0);
    const api = createClient({ prefixUrl: `${s.url}/v1` });
    await api('users/7', { searchParams: { q: 'a b', n: 2, skip: undefined } });
    await api('users/8?old=1', { searchParams: [['x', '1']] });
    await api(new URL(`${s.url}/abs`));
    expect(s.seen.map((r) => r.url)).toEqual(['/v1/users/7?q=a+b&n=2', '/v1/users/8?x=1', '/abs']);
  });

  it('refuses an input starting with "/" while prefixUrl is set, naming the fix', async () => {
    const api = createClient({ prefixUrl: 'http://127.0.0.1:1/v1' });
    const error = await api('/users').catch((e: unknown) => e);
    expect(isInvalidClientOptionError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /option "input" starts with "\/".*Fix: drop the leading/,
    );
  });

  it('refuses a prefixUrl that is not an absolute URL', () => {
    expect(invalid({ prefixUrl: 'api/v1' }).option).toBe('prefixUrl');
  });
});

describe('json body shortcut', () => {
  it('sends JSON with its Content-Type, the same on a retry', async () => {
    const s = await failing(1);
    const data = await createClient(fast).json<{ ok: boolean }>(s.url, {
      method: 'PUT',
      json: { a: [1, 2] },
    });
    expect(data).toEqual({ ok: true });
    expect(s.seen.map((r) => r.body)).toEqual(['{"a":[1,2]}', '{"a":[1,2]}']);
    expect(s.seen.map((r) => r.headers['content-type'])).toEqual([
      'application/json',
      'application/json',
    ]);
  });

  it('refuses json together with body', async () => {
    const error = await createClient()('http://127.0.0.1:1/', { json: {}, body: 'x' }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'FAULTLINE_INVALID_CLIENT_OPTION', option: 'json' });
  });
});

describe('retry: n shorthand', () => {
  it('retry: 3 means limit 3 (4 attempts)', async () => {
    const s = await failing(99);
    const client = createClient({ retry: 3, ...{ random: () => 0 } });
    expect(client.options.retry.limit).toBe(3);
    await client(s.url).catch(() => {});
    expect(s.seen).toHaveLength(4);
  });

  it('refuses retry: -1 naming "retry"', () => {
    expect(invalid({ retry: -1 }).option).toBe('retry');
  });
});

describe('beforeRequest', () => {
  it('may set headers (auth) on every attempt, asynchronously', async () => {
    const s = await failing(1);
    let token = 0;
    const api = createClient({
      ...fast,
      hooks: {
        beforeRequest: async ({ headers, attempt }) => {
          await new Promise((r) => setImmediate(r));
          headers.set('authorization', `Bearer t${++token}-${attempt}`);
        },
      },
    });
    await api(s.url);
    expect(s.seen.map((r) => r.headers.authorization)).toEqual(['Bearer t1-1', 'Bearer t2-2']);
  });

  it('cannot make a POST retryable by adding an Idempotency-Key', async () => {
    const s = await failing(1);
    const api = createClient({
      ...fast,
      hooks: { beforeRequest: ({ headers }) => headers.set('idempotency-key', 'from-hook') },
    });
    await expect(api(s.url, { method: 'POST', body: 'x' })).rejects.toMatchObject({ status: 503 });
    expect(s.seen).toHaveLength(1);
  });

  it("cannot change or remove a request's own Idempotency-Key", async () => {
    const s = await failing(1);
    const api = createClient({
      ...fast,
      hooks: { beforeRequest: ({ headers }) => headers.delete('idempotency-key') },
    });
    await api(s.url, { method: 'POST', body: 'x', idempotencyKey: 'k1' });
    expect(s.seen.map((r) => r.headers['idempotency-key'])).toEqual(['k1', 'k1']);
  });

  it('what it throws rejects the request, and nothing is sent', async () => {
    const s = await failing(0);
    const boom = new Error('no token');
    const api = createClient({
      hooks: {
        beforeRequest: () => {
          throw boom;
        },
      },
    });
    await expect(api(s.url)).rejects.toBe(boom);
    expect(s.seen).toHaveLength(0);
  });
});

describe('unknown option keys', () => {
  it.each([
    [{ retires: 3 }, 'retires', 'retry', 'a faultline/client option'],
    [{ retry: { limt: 0 } }, 'retry.limt', 'limit', 'a retry option'],
    [{ budget: { ratoi: 0.1 } }, 'budget.ratoi', 'ratio', 'a budget option'],
    [{ breaker: { windw: 1000 } }, 'breaker.windw', 'window', 'a breaker option'],
    [{ hooks: { onRetyr: () => {} } }, 'hooks.onRetyr', 'onRetry', 'a hook'],
  ])('refuses %j, naming the key and the closest one', (options, key, closest, what) => {
    const e = invalid(options);
    expect(e.code).toBe('FAULTLINE_INVALID_CLIENT_OPTION');
    expect(e.option).toBe(key);
    expect(e.message).toContain(
      `faultline/client: option "${key}" is not ${what} (did you mean "${closest}"?). Fix: remove it or use one of: `,
    );
  });

  it('offers no guess when nothing is close', () => {
    expect(invalid({ zzzzzzzz: 1 }).message).not.toContain('did you mean');
  });
});
