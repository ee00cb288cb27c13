/**
 * Retry budget: a token bucket per origin (the Finagle / gRPC retry-throttling idea), charged only
 * for retries that fail (the AWS SDK's retry quota refunds a successful retry the same way).
 *
 * Each logical request deposits `ratio` tokens. A retry *reserves* its expected cost when it
 * starts: the recent share of failed retries, at least {@link MIN_RESERVATION}; when it ends, a
 * retry that succeeded gets its reservation back and one that failed pays a whole token. So under
 * any failure pattern, failed retries stay within `ratio` × requests (+ `maxTokens`), which bounds
 * the extra load of an outage, while independent failures (a retry that usually succeeds) cost
 * next to nothing. Reserving up front keeps a burst of concurrent retries from all passing on a
 * nearly empty bucket. After 429, 503 or any `Retry-After`, the server has said it is overloaded:
 * the retry reserves a whole token and is never refunded, so overload is not answered with load.
 */
import { OriginMap } from './origin-map.js';

/** Budget settings (all required here; `options.ts` fills defaults). */
export interface RetryBudgetSettings {
  readonly ratio: number;
  readonly initialTokens: number;
  readonly maxTokens: number;
}

/** The smallest reservation a retry makes, in tokens. */
export const MIN_RESERVATION = 0.5;
/** Weight of the newest retry outcome in the failed-retry share (an EWMA over ≈ 20 retries). */
const SHARE_WEIGHT = 0.05;
/** Tolerance for float accumulation (0.1 × 10 is 0.9999999999999999). */
const EPSILON = 1e-9;

/** A retry's claim on the budget, settled once with {@link RetryBudget.settle}. */
export interface Reservation {
  readonly cost: number;
  /** The server signalled overload (429, 503, Retry-After): charged in full, never refunded. */
  readonly overload: boolean;
}

/** A token bucket for one origin. */
export class RetryBudget {
  #tokens: number;
  /** Recent share of retries that failed; starts pessimistic (every retry fails). */
  #failedShare = 1;
  #open = 0;
  readonly #settings: RetryBudgetSettings;

  constructor(settings: RetryBudgetSettings) {
    this.#settings = settings;
    this.#tokens = Math.min(settings.initialTokens, settings.maxTokens);
  }

  /** Tokens currently available (reservations already taken out; briefly negative after a debt). */
  get tokens(): number {
    return this.#tokens;
  }

  /** Recent share of retries that failed, in [0, 1]. */
  get failedShare(): number {
    return this.#failedShare;
  }

  /** True when nothing is reserved and the bucket is full: a fresh budget would decide the same. */
  get idle(): boolean {
    return this.#open === 0 && this.#tokens >= this.#settings.maxTokens - EPSILON;
  }

  /** A logical request started: deposit `ratio` tokens (up to `maxTokens`). */
  deposit(): void {
    this.#tokens = Math.min(this.#settings.maxTokens, this.#tokens + this.#settings.ratio);
  }

  /**
   * A retry wants to start: reserve its expected cost (a whole token when `overload`).
   * @returns the reservation, or `undefined` (nothing taken) when the bucket cannot cover it.
   */
  reserve(overload: boolean): Reservation | undefined {
    const cost = overload ? 1 : Math.max(MIN_RESERVATION, this.#failedShare);
    if (this.#tokens < cost - EPSILON) return undefined;
    this.#tokens -= cost;
    this.#open++;
    return { cost, overload };
  }

  /**
   * Settles a reservation. `failed`: the retry failed (charged a whole token); `false`: it
   * succeeded (refunded, unless overload); `undefined`: it was never sent (refunded in full).
   */
  settle(reservation: Reservation, failed: boolean | undefined): void {
    this.#open = Math.max(0, this.#open - 1);
    if (failed === undefined) {
      this.#refund(reservation.cost);
      return;
    }
    this.#failedShare += SHARE_WEIGHT * ((failed ? 1 : 0) - this.#failedShare);
    if (reservation.overload) return;
    // A failed retry that reserved less than a token may leave a small debt (at most the
    // reservations in flight), repaid by later deposits: every failed retry pays in full.
    if (failed) this.#tokens -= 1 - reservation.cost;
    else this.#refund(reservation.cost);
  }

  #refund(cost: number): void {
    this.#tokens = Math.min(this.#settings.maxTokens, this.#tokens + cost);
  }
}

/** Budgets keyed by origin, created on first use, bounded (see {@link OriginMap}). */
export class RetryBudgets {
  readonly #byOrigin: OriginMap<RetryBudget>;

  constructor(settings: RetryBudgetSettings, maxOrigins?: number) {
    this.#byOrigin = new OriginMap(
      () => new RetryBudget(settings),
      (budget) => budget.idle,
      maxOrigins,
    );
  }

  /** Origins currently held. */
  get size(): number {
    return this.#byOrigin.size;
  }

  for(origin: string): RetryBudget {
    return this.#byOrigin.get(origin);
  }
}
