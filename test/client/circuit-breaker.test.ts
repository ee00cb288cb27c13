import { describe, expect, it } from 'vitest';
import { type BreakerState, CircuitBreaker } from '../../src/client/circuit-breaker.js';
import { DEFAULTS } from '../../src/client/defaults.js';
import { seeded } from './support/prng.js';

function harness(settings = DEFAULTS.breaker, random: () => number = () => 0.5) {
  let now = 1_000_000;
  const changes: Array<[BreakerState, BreakerState]> = [];
  const breaker = new CircuitBreaker(
    settings,
    (f, t) => changes.push([f, t]),
    () => now,
    random,
  );
  return {
    breaker,
    changes,
    advance(ms: number) {
      now += ms;
    },
    run(success: boolean) {
      const a = breaker.admit();
      if (a.allowed) breaker.record(success, a.probe);
      return a;
    },
  };
}

describe('CircuitBreaker', () => {
  it('stays closed below the minimum volume, even at 100% failures', () => {
    const h = harness();
    for (let i = 0; i < 19; i++) h.run(false);
    expect(h.breaker.state).toBe('closed');
    h.run(false);
    expect(h.breaker.state).toBe('open');
  });

  it('opens at the failure threshold over the window, not below it', () => {
    const h = harness();
    for (let i = 0; i < 11; i++) h.run(true);
    for (let i = 0; i < 10; i++) h.run(false); // 10/21 < 50%
    expect(h.breaker.state).toBe('closed');
    h.run(false); // 11/22 = 50%
    expect(h.breaker.state).toBe('open');
    expect(h.changes).toEqual([['closed', 'open']]);
  });

  it('forgets outcomes older than the window', () => {
    const h = harness();
    for (let i = 0; i < 15; i++) h.run(false);
    h.advance(DEFAULTS.breaker.window + 1);
    for (let i = 0; i < 10; i++) h.run(false);
    expect(h.breaker.state).toBe('closed');
  });

  it('rejects while open, then lets one jittered probe through half-open', () => {
    const h = harness(DEFAULTS.breaker, () => 0); // jitter → 1 − 0.2: 4 s
    for (let i = 0; i < 20; i++) h.run(false);
    const rejected = h.breaker.admit();
    expect(rejected).toEqual({ allowed: false, retryAt: expect.any(Number) });
    h.advance(3_999);
    expect(h.breaker.admit().allowed).toBe(false);
    h.advance(1);
    expect(h.breaker.state).toBe('half-open');
    const probe = h.breaker.admit();
    expect(probe).toEqual({ allowed: true, probe: true });
    expect(h.breaker.admit().allowed).toBe(false); // only one probe at a time
    h.breaker.record(true, true);
    expect(h.breaker.state).toBe('closed');
    expect(h.changes.map(([, to]) => to)).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the probe fails, and frees the slot when a probe is released', () => {
    const h = harness();
    for (let i = 0; i < 20; i++) h.run(false);
    h.advance(6_000);
    const p1 = h.breaker.admit();
    expect(p1.allowed).toBe(true);
    h.breaker.release(true);
    const p2 = h.breaker.admit();
    expect(p2.allowed).toBe(true);
    h.breaker.record(false, true);
    expect(h.breaker.state).toBe('open');
  });

  it('spreads the open period by ±jitter', () => {
    const low = harness(DEFAULTS.breaker, () => 0);
    const high = harness(DEFAULTS.breaker, () => 0.9999);
    for (let i = 0; i < 20; i++) {
      low.run(false);
      high.run(false);
    }
    expect(low.breaker.openUntil - 1_000_000).toBe(4_000);
    expect(high.breaker.openUntil - 1_000_000).toBeGreaterThan(5_990);
  });

  it('with defaults, never trips at 20% independent failures (10 min at 10–100 req/s)', () => {
    for (const rate of [10, 100]) {
      const h = harness(DEFAULTS.breaker, seeded(rate));
      const fail = seeded(42 + rate);
      for (let i = 0; i < rate * 600; i++) {
        h.advance(1000 / rate);
        h.run(fail() >= 0.2);
      }
      expect(h.changes).toEqual([]);
    }
  });

  it('with defaults, trips quickly in an outage', () => {
    const h = harness();
    let sent = 0;
    for (let i = 0; i < 1000; i++) {
      h.advance(10);
      if (h.run(false).allowed) sent++;
    }
    expect(sent).toBeLessThan(30);
  });
});
