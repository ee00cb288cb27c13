import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/client/defaults.js';
import { RetryBudget, RetryBudgets } from '../../src/client/retry-budget.js';

describe('RetryBudget', () => {
  it('bounds retries in a total outage to initialTokens + ratio × requests', () => {
    const budget = new RetryBudget(DEFAULTS.budget);
    let retries = 0;
    const requests = 10_000;
    for (let i = 0; i < requests; i++) {
      budget.deposit();
      // Every request wants its two retries.
      if (budget.tryWithdraw()) retries++;
      if (budget.tryWithdraw()) retries++;
    }
    const { ratio, initialTokens } = DEFAULTS.budget;
    expect(retries).toBeLessThanOrEqual(initialTokens + ratio * requests);
    expect(retries).toBeGreaterThanOrEqual(ratio * requests - 1);
    expect(1 + retries / requests).toBeLessThanOrEqual(1.111);
  });

  it('never goes negative and refuses below one token', () => {
    const budget = new RetryBudget({ ratio: 0.5, initialTokens: 0, maxTokens: 10 });
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tokens).toBe(0);
  });

  it('caps the bucket at maxTokens', () => {
    const budget = new RetryBudget({ ratio: 1, initialTokens: 5, maxTokens: 3 });
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.tokens).toBe(3);
  });

  it('keeps one bucket per origin', () => {
    const budgets = new RetryBudgets({ ratio: 0, initialTokens: 1, maxTokens: 1 });
    expect(budgets.for('http://a').tryWithdraw()).toBe(true);
    expect(budgets.for('http://a').tryWithdraw()).toBe(false);
    expect(budgets.for('http://b').tryWithdraw()).toBe(true);
  });
});
