import { describe, expect, it } from 'vitest';
import {
  boundRetryAfter,
  fullJitterDelay,
  parseHttpDate,
  parseRetryAfter,
} from '../../src/client/retry-timing.js';

describe('fullJitterDelay', () => {
  it('is uniform in [0, min(cap, base·2^(n−1)))', () => {
    expect(fullJitterDelay(1, 100, 5000, () => 0)).toBe(0);
    expect(fullJitterDelay(1, 100, 5000, () => 0.999)).toBe(99);
    expect(fullJitterDelay(2, 100, 5000, () => 0.5)).toBe(100);
    expect(fullJitterDelay(3, 100, 5000, () => 0.999)).toBe(399);
  });

  it('never exceeds the cap, however many retries', () => {
    for (let n = 1; n < 40; n++) {
      expect(fullJitterDelay(n, 100, 1000, () => 0.9999)).toBeLessThan(1000);
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('3600', now)).toBe(3_600_000);
  });

  it('reads an HTTP-date relative to now, past dates as 0', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  });

  it('rejects malformed values', () => {
    for (const v of [null, undefined, '', '-1', '1.5', 'soon', '2 s', '1e3']) {
      expect(parseRetryAfter(v, now)).toBeUndefined();
    }
  });

  it('treats delay-seconds too large to represent as infinite, not as absent', () => {
    expect(parseRetryAfter('99999999999999999999', now)).toBe(Number.POSITIVE_INFINITY);
    expect(parseRetryAfter('9007199254741', now)).toBe(Number.POSITIVE_INFINITY);
    expect(parseRetryAfter('9007199254', now)).toBe(9_007_199_254_000);
  });

  it('reads the three HTTP-date forms of RFC 9110 §5.6.7', () => {
    const at = Date.parse('2026-01-01T00:00:05Z') - now;
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(at);
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:05 GMT', now)).toBe(at);
    expect(parseRetryAfter('Thu Jan  1 00:00:05 2026', now)).toBe(at);
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')).toBe(Date.UTC(1994, 10, 6, 8, 49, 37));
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(
      Date.UTC(1994, 10, 6, 8, 49, 37),
    );
    expect(parseHttpDate('Sun Nov 16 08:49:37 1994')).toBe(Date.UTC(1994, 10, 16, 8, 49, 37));
  });

  it('refuses what Date.parse would guess at: other forms, zones and impossible dates', () => {
    for (const v of [
      '2026-01-01T00:00:05Z', // ISO 8601
      'Thu, 01 Jan 2026 00:00:05 +0000', // zone other than GMT
      'Thu, 01 Jan 2026 00:00:05', // no zone
      'thu, 01 jan 2026 00:00:05 GMT', // case matters
      'Thu, 1 Jan 2026 00:00:05 GMT', // two-digit day
      'Thu, 31 Feb 2026 00:00:05 GMT', // no such day
      'Thu, 01 Jan 2026 24:00:05 GMT',
      'January 1, 2026',
      'Thu Jan 1 00:00:05 2026', // asctime pads the day with a space
      'next tuesday',
    ]) {
      expect(parseHttpDate(v), v).toBeUndefined();
      expect(parseRetryAfter(v, now), v).toBeUndefined();
    }
  });
});

describe('boundRetryAfter', () => {
  it('waits when under the cap and within the deadline', () => {
    expect(boundRetryAfter(2000, 10_000, 30_000, 100)).toEqual({ wait: true, delayMs: 2000 });
  });

  it('refuses above the cap, reporting the limit', () => {
    expect(boundRetryAfter(3_600_000, 10_000, 30_000, 100)).toEqual({
      wait: false,
      limitMs: 10_000,
    });
  });

  it('refuses a wait that leaves no time for the attempt before the deadline', () => {
    expect(boundRetryAfter(2000, 10_000, 2050, 100)).toEqual({ wait: false, limitMs: 1950 });
  });
});
