import { describe, expect, it } from 'vitest';
import { createClient, DEFAULTS } from '../../src/client/index.js';
import { invalid } from './support/invalid-options.js';

describe('createClient options', () => {
  it('applies documented defaults', () => {
    const { options } = createClient();
    expect(options.timeout).toBe(10_000);
    expect(options.deadline).toBe(30_000);
    expect(options.retry.limit).toBe(2);
    expect(options.retry.statusCodes).toEqual([408, 429, 500, 502, 503, 504]);
    expect(options.retry.methods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
    expect(options.budget).toEqual(DEFAULTS.budget);
    expect(options.breaker).toEqual(DEFAULTS.breaker);
    expect(options.attemptHeader).toBe('Faultline-Attempt');
  });

  it('rejects a breaker threshold below the budget ratio, naming key, value and fix', () => {
    const e = invalid({ breaker: { failureThreshold: 0.05 } });
    expect(e.code).toBe('FAULTLINE_INVALID_CLIENT_OPTION');
    expect(e.option).toBe('breaker.failureThreshold');
    expect(e.value).toBe(0.05);
    expect(e.message).toContain('breaker.failureThreshold');
    expect(e.message).toContain('0.05');
    expect(e.message).toContain('budget.ratio (0.115)');
    // …fine when the budget is off, or lowered to match.
    expect(() =>
      createClient({ breaker: { failureThreshold: 0.05 }, budget: false }),
    ).not.toThrow();
    expect(() =>
      createClient({ breaker: { failureThreshold: 0.05 }, budget: { ratio: 0.05 } }),
    ).not.toThrow();
  });

  it.each([
    [{ retry: { limit: -1 } }, 'retry.limit'],
    [{ retry: { limit: 1.5 } }, 'retry.limit'],
    [{ timeout: 0 }, 'timeout'],
    [{ deadline: Number.NaN }, 'deadline'],
    [{ budget: { ratio: 2 } }, 'budget.ratio'],
    [{ breaker: { minimumRequests: 0 } }, 'breaker.minimumRequests'],
    [{ retry: { statusCodes: [700] } }, 'retry.statusCodes'],
    [{ retry: { methods: ['G ET'] } }, 'retry.methods'],
    [{ attemptHeader: 'bad header' }, 'attemptHeader'],
    [{ retry: { backoffBase: 1000, backoffCap: 10 } }, 'retry.backoffCap'],
    [{ hooks: { onRetry: 'log' } }, 'hooks.onRetry'],
    [{ breaker: 'on' }, 'breaker'],
  ])('rejects %j at creation (%s)', (options, key) => {
    const e = invalid(options);
    expect(e.option).toBe(key);
    expect(e.message).toContain(`option "${key}"`);
  });

  it('retry: false means no retries', () => {
    expect(createClient({ retry: false }).options.retry.limit).toBe(0);
  });
});
