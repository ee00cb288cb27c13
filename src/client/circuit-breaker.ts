/**
 * Circuit breaker per origin, counting logical requests (one outcome per request, however many
 * attempts it took), never attempts, so retries cannot trip it on their own.
 *
 * closed → open: failed / total over a sliding time window reaches `failureThreshold` with at least
 * `minimumRequests` in it. open → half-open: after `openDuration` ± `jitter`. half-open: up to
 * `halfOpenProbes` requests go through; a success closes the breaker, a failure re-opens it.
 */
import { OriginMap } from './origin-map.js';

/** Breaker state. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Breaker settings (all required here; `options.ts` fills defaults). */
export interface CircuitBreakerSettings {
  readonly failureThreshold: number;
  readonly minimumRequests: number;
  readonly window: number;
  readonly openDuration: number;
  readonly jitter: number;
  readonly halfOpenProbes: number;
}

/** Admission decision for one logical request. */
export type Admission =
  | { readonly allowed: true; readonly probe: boolean }
  | { readonly allowed: false; readonly retryAt: number };

const BUCKETS = 10;

interface Bucket {
  start: number;
  ok: number;
  failed: number;
}

/** Breaker for one origin. `now` and `random` are injectable for tests. */
export class CircuitBreaker {
  #state: BreakerState = 'closed';
  #openUntil = 0;
  #probes = 0;
  readonly #buckets: Bucket[] = [];
  readonly #settings: CircuitBreakerSettings;
  readonly #onChange: (from: BreakerState, to: BreakerState) => void;
  readonly #now: () => number;
  readonly #random: () => number;

  constructor(
    settings: CircuitBreakerSettings,
    onChange: (from: BreakerState, to: BreakerState) => void = () => {},
    now: () => number = Date.now,
    random: () => number = Math.random,
  ) {
    this.#settings = settings;
    this.#onChange = onChange;
    this.#now = now;
    this.#random = random;
  }

  /** Current state (moves open → half-open when the open period is over). */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#now() >= this.#openUntil) this.#move('half-open');
    return this.#state;
  }

  /** When an open breaker lets the next probe through (epoch ms); 0 unless open. */
  get openUntil(): number {
    return this.#state === 'open' ? this.#openUntil : 0;
  }

  /**
   * True when a fresh breaker would decide the same: closed, no probe out, no failure in the
   * window (recorded successes only make opening harder, so forgetting them errs on caution).
   */
  get idle(): boolean {
    if (this.#state !== 'closed' || this.#probes > 0) return false;
    const since = this.#now() - this.#settings.window;
    return this.#buckets.every((b) => b.failed === 0 || b.start <= since);
  }

  /**
   * May an attempt go out now? For a retry of a request admitted earlier: only while closed, or
   * while half-open for the probe itself. Never while open.
   */
  mayRetry(probe: boolean): boolean {
    const state = this.state;
    return state === 'closed' || (state === 'half-open' && probe);
  }

  /** Asks to send a logical request. A granted probe must be settled with `record` or `release`. */
  admit(): Admission {
    const state = this.state;
    if (state === 'closed') return { allowed: true, probe: false };
    if (state === 'half-open' && this.#probes < this.#settings.halfOpenProbes) {
      this.#probes++;
      return { allowed: true, probe: true };
    }
    return { allowed: false, retryAt: state === 'open' ? this.#openUntil : this.#now() };
  }

  /** Records the outcome of a logical request admitted by `admit`. */
  record(success: boolean, probe: boolean): void {
    if (probe) {
      this.#probes = Math.max(0, this.#probes - 1);
      if (this.#state !== 'half-open') return;
      if (success) {
        this.#buckets.length = 0;
        this.#move('closed');
      } else {
        this.#open();
      }
      return;
    }
    if (this.#state !== 'closed') return; // late results of requests admitted before opening
    const bucket = this.#current();
    if (success) bucket.ok++;
    else bucket.failed++;
    if (!success) this.#evaluate();
  }

  /** Gives back a probe slot without an outcome (the caller aborted). */
  release(probe: boolean): void {
    if (probe) this.#probes = Math.max(0, this.#probes - 1);
  }

  #evaluate(): void {
    let ok = 0;
    let failed = 0;
    const since = this.#now() - this.#settings.window;
    for (const b of this.#buckets) {
      if (b.start > since) {
        ok += b.ok;
        failed += b.failed;
      }
    }
    const total = ok + failed;
    if (
      total >= this.#settings.minimumRequests &&
      failed / total >= this.#settings.failureThreshold
    ) {
      this.#open();
    }
  }

  #current(): Bucket {
    const now = this.#now();
    const width = this.#settings.window / BUCKETS;
    const start = Math.floor(now / width) * width;
    const last = this.#buckets[this.#buckets.length - 1];
    if (last && last.start === start) return last;
    const bucket = { start, ok: 0, failed: 0 };
    this.#buckets.push(bucket);
    const since = now - this.#settings.window;
    while (this.#buckets.length > 0 && (this.#buckets[0]?.start ?? 0) <= since)
      this.#buckets.shift();
    return bucket;
  }

  #open(): void {
    const { openDuration, jitter } = this.#settings;
    const spread = 1 + jitter * (2 * this.#random() - 1);
    this.#openUntil = this.#now() + Math.max(0, openDuration * spread);
    this.#buckets.length = 0;
    this.#move('open');
  }

  #move(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    if (to !== 'half-open') this.#probes = 0;
    this.#onChange(from, to);
  }
}

/** Breakers keyed by origin, created on first use, bounded (see {@link OriginMap}). */
export class CircuitBreakers {
  readonly #byOrigin: OriginMap<CircuitBreaker>;

  constructor(
    settings: CircuitBreakerSettings,
    onChange: (origin: string, from: BreakerState, to: BreakerState) => void,
    random: () => number = Math.random,
    maxOrigins?: number,
  ) {
    this.#byOrigin = new OriginMap(
      (origin) =>
        new CircuitBreaker(
          settings,
          (from, to) => onChange(origin, from, to),
          () => Date.now(),
          random,
        ),
      (breaker) => breaker.idle,
      maxOrigins,
    );
  }

  /** Origins currently held. */
  get size(): number {
    return this.#byOrigin.size;
  }

  for(origin: string): CircuitBreaker {
    return this.#byOrigin.get(origin);
  }

  /** State for `origin` without creating an entry (`closed` when none is held). */
  stateOf(origin: string): BreakerState {
    return this.#byOrigin.peek(origin)?.state ?? 'closed';
  }
}
