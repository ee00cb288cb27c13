import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/client/defaults.js';
import { MIN_RESERVATION, RetryBudget, RetryBudgets } from '../../src/client/retry-budget.js';
import { seeded } from './support/prng.js';

/** Drives a budget as the retry loop does: deposit, then up to `limit` retries while they fail. */
function simulate(
  budget: RetryBudget,
  requests: number,
  fails: (request: number, attempt: number) => boolean,
  { limit = 2, overload = false } = {},
) {
  let attempts = 0;
  let ok = 0;
  for (let i = 0; i < requests; i++) {
    budget.deposit();
    attempts++;
    let failed = fails(i, 1);
    for (let attempt = 2; failed && attempt <= limit + 1; attempt++) {
      const reservation = budget.reserve(overload);
      if (!reservation) break;
      attempts++;
      failed = fails(i, attempt);
      budget.settle(reservation, failed);
    }
    if (!failed) ok++;
  }
  return { A: attempts / requests, S: ok / requests };
}

describe('RetryBudget', () => {
  it('bounds retries in a total outage to maxTokens + ratio × requests', () => {
    const budget = new RetryBudget(DEFAULTS.budget);
    const requests = 10_000;
    const { A } = simulate(budget, requests, () => true);
    const { ratio, maxTokens } = DEFAULTS.budget;
    expect((A - 1) * requests).toBeLessThanOrEqual(maxTokens + ratio * requests + 1);
    expect(A).toBeLessThanOrEqual(1.12);
  });

  it('bounds sticky failures (the same 30% of requests fail every attempt) the same way', () => {
    const budget = new RetryBudget(DEFAULTS.budget);
    const { A } = simulate(budget, 10_000, (i) => i % 10 < 3);
    expect(A).toBeLessThanOrEqual(1.12);
  });

  it('charges only failed retries: at 30% independent failures nearly every request succeeds', () => {
    const random = seeded(7);
    const budget = new RetryBudget(DEFAULTS.budget);
    const { A, S } = simulate(budget, 10_000, () => random() < 0.3);
    expect(S).toBeGreaterThanOrEqual(0.95);
    expect(A).toBeLessThanOrEqual(1.4);
    // The old budget (every retry costs a token) ends near S = 78% here: the refund is the fix.
  });

  it('after overload signals (429/503/Retry-After) charges a whole token, never refunded', () => {
    const budget = new RetryBudget({ ratio: 0, initialTokens: 3, maxTokens: 3 });
    const r = budget.reserve(true);
    expect(r?.cost).toBe(1);
    if (r) budget.settle(r, false); // even a retry that succeeded
    expect(budget.tokens).toBe(2);
    const { A } = simulate(new RetryBudget(DEFAULTS.budget), 10_000, () => true, {
      overload: true,
    });
    expect(A).toBeLessThanOrEqual(1.12);
  });

  it('reserves the recent failed share (at least 0.5) and refunds a retry never sent', () => {
    const budget = new RetryBudget({ ratio: 0, initialTokens: 10, maxTokens: 10 });
    expect(budget.failedShare).toBe(1);
    const first = budget.reserve(false);
    expect(first?.cost).toBe(1);
    expect(budget.tokens).toBe(9);
    if (first) budget.settle(first, undefined);
    expect(budget.tokens).toBe(10);
    for (let i = 0; i < 200; i++) {
      const r = budget.reserve(false);
      if (r) budget.settle(r, false);
    }
    expect(budget.failedShare).toBeLessThan(0.01);
    expect(budget.reserve(false)?.cost).toBe(MIN_RESERVATION);
  });

  it('refuses a reservation it cannot cover, taking nothing', () => {
    const budget = new RetryBudget({ ratio: 0.5, initialTokens: 0, maxTokens: 10 });
    expect(budget.reserve(false)).toBeUndefined();
    budget.deposit();
    expect(budget.reserve(false)).toBeUndefined(); // 0.5 < 1 (pessimistic start)
    budget.deposit();
    expect(budget.reserve(false)).toBeDefined();
    expect(budget.tokens).toBe(0);
  });

  it('caps the bucket at maxTokens', () => {
    const budget = new RetryBudget({ ratio: 1, initialTokens: 5, maxTokens: 3 });
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.tokens).toBe(3);
  });

  it('keeps one bucket per origin', () => {
    const budgets = new RetryBudgets({ ratio: 0, initialTokens: 1, maxTokens: 1 });
    expect(budgets.for('http://a').reserve(true)).toBeDefined();
    expect(budgets.for('http://a').reserve(true)).toBeUndefined();
    expect(budgets.for('http://b').reserve(true)).toBeDefined();
  });
});
