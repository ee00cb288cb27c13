/**
 * Retry budget: a token bucket per origin (the Finagle / gRPC retry-throttling idea). Each logical
 * request deposits `ratio` tokens, each retry withdraws one. Over any long run retries therefore
 * add at most `ratio` extra load (plus `initialTokens`), however badly the server fails; when the
 * bucket is empty, requests fail fast instead of piling retries onto a struggling server.
 */

/** Budget settings (all required here; `options.ts` fills defaults). */
export interface RetryBudgetSettings {
  readonly ratio: number;
  readonly initialTokens: number;
  readonly maxTokens: number;
}

/** A token bucket for one origin. */
export class RetryBudget {
  #tokens: number;
  readonly #settings: RetryBudgetSettings;

  constructor(settings: RetryBudgetSettings) {
    this.#settings = settings;
    this.#tokens = Math.min(settings.initialTokens, settings.maxTokens);
  }

  /** Tokens currently available. */
  get tokens(): number {
    return this.#tokens;
  }

  /** A logical request started: deposit `ratio` tokens (up to `maxTokens`). */
  deposit(): void {
    this.#tokens = Math.min(this.#settings.maxTokens, this.#tokens + this.#settings.ratio);
  }

  /** Take one token for a retry; false (and nothing taken) when fewer than one is left. */
  tryWithdraw(): boolean {
    // Tolerance for float accumulation (0.1 × 10 is 0.9999999999999999).
    if (this.#tokens < 1 - 1e-9) return false;
    this.#tokens = Math.max(0, this.#tokens - 1);
    return true;
  }
}

/** Budgets keyed by origin, created on first use. */
export class RetryBudgets {
  readonly #byOrigin = new Map<string, RetryBudget>();
  readonly #settings: RetryBudgetSettings;

  constructor(settings: RetryBudgetSettings) {
    this.#settings = settings;
  }

  for(origin: string): RetryBudget {
    let budget = this.#byOrigin.get(origin);
    if (!budget) {
      budget = new RetryBudget(this.#settings);
      this.#byOrigin.set(origin, budget);
    }
    return budget;
  }
}
