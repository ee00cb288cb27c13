/**
 * `createClient`: a fetch-compatible function that retries only what is safe, within a retry
 * budget and behind a circuit breaker, bounded by per-attempt timeouts and a total deadline.
 * Policy lives in the small modules it imports; this file only sequences them.
 */

import type { Outcome } from './attempt.js';
import { attemptOnce } from './attempt.js';
import { type BreakerState, type CircuitBreaker, CircuitBreakers } from './circuit-breaker.js';
import { type LinkedSignal, linkSignal, sleep } from './deadline.js';
import {
  BodyNotReplayableError,
  CircuitOpenError,
  NetworkError,
  RetryAfterTooLongError,
  RetryBudgetExhaustedError,
  TimeoutError,
} from './errors.js';
import {
  type ClientOptions,
  type FaultlineRequestInit,
  type ResolvedClientOptions,
  resolveOptions,
} from './options.js';
import { originOf, type Plan, plan } from './request-plan.js';
import { toResponseError } from './response-error.js';
import { type RetryBudget, RetryBudgets } from './retry-budget.js';
import { isRetryableStatus } from './retry-policy.js';
import { boundRetryAfter, fullJitterDelay, parseRetryAfter } from './retry-timing.js';

/** The function `createClient` returns: call it like `fetch`. */
export interface FaultlineClient {
  (input: RequestInfo | URL, init?: FaultlineRequestInit): Promise<Response>;
  /** Fetches (with `Accept: application/json` unless set) and parses the body; `undefined` when empty. */
  json<T = unknown>(input: RequestInfo | URL, init?: FaultlineRequestInit): Promise<T>;
  /** The options in force, defaults applied. */
  readonly options: ResolvedClientOptions;
  /** Breaker state for an origin (`closed` when the breaker is disabled or never used). */
  breakerState(origin: string): BreakerState;
}

function safely<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (!hook) return;
  try {
    hook(event);
  } catch {
    // Hooks observe; they must not change the outcome of a request.
  }
}

/**
 * Creates a fetch-compatible client that copes with failing servers: typed errors for non-2xx,
 * retries only where safe (idempotent methods or an Idempotency-Key; replayable bodies only),
 * full-jitter backoff, bounded `Retry-After`, a retry budget and a circuit breaker per origin,
 * per-attempt timeouts and a total deadline.
 *
 * @example
 * ```ts
 * import { createClient, isProblemError } from 'faultline/client';
 *
 * const api = createClient({ deadline: 5_000 });
 * try {
 *   const user = await api.json<{ name: string }>('https://api.example.com/users/7');
 * } catch (error) {
 *   if (isProblemError(error)) console.error(error.status, error.title, error.incident);
 *   else throw error;
 * }
 * ```
 */
export function createClient(options: ClientOptions = {}): FaultlineClient {
  const opts = resolveOptions(options);
  const { hooks } = opts;
  const budgets = opts.budget ? new RetryBudgets(opts.budget) : undefined;
  const breakers = opts.breaker
    ? new CircuitBreakers(
        opts.breaker,
        (origin, from, to) => safely(hooks.onBreakerStateChange, { origin, from, to }),
        opts.random,
      )
    : undefined;

  async function run(p: Plan): Promise<Response> {
    const breaker: CircuitBreaker | undefined = breakers?.for(p.origin);
    const budget: RetryBudget | undefined = budgets?.for(p.origin);
    const giveUp = (attempts: number, error: unknown): unknown => {
      safely(hooks.onGiveUp, { request: p.summary, origin: p.origin, attempts, error });
      return error;
    };
    const admission = breaker?.admit() ?? { allowed: true, probe: false };
    if (!admission.allowed) {
      throw giveUp(0, new CircuitOpenError(p.origin, new Date(admission.retryAt)));
    }
    const probe = admission.probe;
    budget?.deposit();
    const requestSignal = linkSignal(
      [p.callerSignal],
      p.deadline === false ? undefined : p.deadlineAt - Date.now(),
      () => new TimeoutError(p.summary, 'deadline', p.deadline === false ? 0 : p.deadline),
    );
    let settled = false;
    let attempts = 0;
    const settle = (success: boolean): void => {
      settled = true;
      breaker?.record(success, probe);
    };
    try {
      for (let attempt = 1; ; attempt++) {
        attempts = attempt;
        safely(hooks.onAttempt, { request: p.summary, origin: p.origin, attempt });
        const { outcome, signal } = await attemptOnce(opts, p, attempt, requestSignal.signal);
        const response = outcome.kind === 'response' ? outcome.response : undefined;
        if (
          response &&
          (response.ok || !isRetryableStatus(response.status, opts.retry.statusCodes))
        ) {
          // 2xx, or a status that says nothing about the server's health (e.g. 404): done.
          settle(true);
          if (response.ok || !opts.throwHttpErrors) {
            signal.clearTimer();
            requestSignal.clearTimer();
            return response;
          }
          const error = await toResponseError(
            response,
            p.summary,
            opts.maxErrorBodyBytes,
            Date.now(),
          );
          signal.dispose();
          throw giveUp(attempt, error);
        }
        // A failure: decide whether another attempt is allowed, and how long to wait first.
        const retryable = response ? true : outcome.kind === 'error' && outcome.retryable;
        const stop = (wrap?: (cause: Error) => Error): Promise<never> =>
          finish(attempt, response, outcome, signal, wrap);
        if (!retryable || !p.mayRetry || attempt > p.limit) return await stop();
        if (p.bodyReplay === 'one-shot') {
          return await stop((cause) => new BodyNotReplayableError(p.summary, { cause }));
        }
        const now = Date.now();
        const remaining = p.deadlineAt - now;
        let delayMs: number;
        const retryAfterMs =
          response && opts.retry.afterStatusCodes.includes(response.status)
            ? parseRetryAfter(response.headers.get('retry-after'), now)
            : undefined;
        if (retryAfterMs !== undefined) {
          const bound = boundRetryAfter(
            retryAfterMs,
            opts.retry.maxRetryAfter,
            remaining,
            opts.minAttemptTime,
          );
          if (!bound.wait) {
            return await stop(
              (cause) =>
                new RetryAfterTooLongError(
                  new Date(now + retryAfterMs),
                  retryAfterMs,
                  bound.limitMs,
                  {
                    cause,
                  },
                ),
            );
          }
          delayMs = bound.delayMs;
        } else {
          delayMs = fullJitterDelay(
            attempt,
            opts.retry.backoffBase,
            opts.retry.backoffCap,
            opts.random,
          );
          // No attempt starts that cannot finish before the deadline.
          if (remaining - delayMs < opts.minAttemptTime) return await stop();
        }
        if (breaker && breaker.state === 'open') {
          return await stop(
            (cause) => new CircuitOpenError(p.origin, new Date(breaker.openUntil), { cause }),
          );
        }
        if (budget && !budget.tryWithdraw()) {
          return await stop((cause) => new RetryBudgetExhaustedError(p.origin, { cause }));
        }
        const reason =
          outcome.kind === 'error'
            ? outcome.error
            : await toResponseError(outcome.response, p.summary, opts.maxErrorBodyBytes, now);
        signal.dispose();
        safely(hooks.onRetry, {
          request: p.summary,
          origin: p.origin,
          attempt: attempt + 1,
          delayMs,
          error: reason,
        });
        await sleep(delayMs, requestSignal.signal);
      }
    } catch (error) {
      if (p.callerSignal?.aborted && error === p.callerSignal.reason) {
        breaker?.release(probe);
        settled = true;
        throw giveUp(attempts, error);
      }
      if (!settled) {
        // A deadline passing mid-wait is a failure; anything else (a body factory throwing…) says
        // nothing about the server: give the probe slot back without a verdict.
        if (error instanceof TimeoutError || error instanceof NetworkError) settle(false);
        else breaker?.release(probe);
      }
      throw error;
    } finally {
      requestSignal.clearTimer();
    }

    async function finish(
      attempt: number,
      response: Response | undefined,
      outcome: Outcome,
      signal: LinkedSignal,
      wrap?: (cause: Error) => Error,
    ): Promise<never> {
      settle(false);
      if (response && !opts.throwHttpErrors) {
        signal.clearTimer();
        // fetch semantics on request: hand back the last response untouched.
        throw new ReturnResponse(response);
      }
      const cause =
        outcome.kind === 'error'
          ? outcome.error
          : await toResponseError(outcome.response, p.summary, opts.maxErrorBodyBytes, Date.now());
      signal.dispose();
      throw giveUp(attempt, wrap ? wrap(cause) : cause);
    }
  }

  const client = (async (input: RequestInfo | URL, init: FaultlineRequestInit = {}) => {
    const p = plan(opts, input, init);
    try {
      return await run(p);
    } catch (error) {
      if (error instanceof ReturnResponse) return error.response;
      throw error;
    }
  }) as FaultlineClient;

  Object.defineProperties(client, {
    options: { value: opts, enumerable: true },
    json: {
      value: async (input: RequestInfo | URL, init: FaultlineRequestInit = {}) => {
        const headers = new Headers(init.headers);
        if (!headers.has('accept')) headers.set('accept', 'application/json');
        const response = await client(input, { ...init, headers });
        const text = await response.text();
        return text === '' ? undefined : JSON.parse(text);
      },
    },
    breakerState: {
      value: (origin: string): BreakerState =>
        breakers ? breakers.for(originOf(origin)).state : 'closed',
    },
  });
  return client;
}

/** Internal: carries a final non-2xx response out of the retry loop when throwHttpErrors is off. */
class ReturnResponse {
  constructor(readonly response: Response) {}
}
