import { afterEach, describe, expect, it, vi } from 'vitest';
import { toFault } from '../../src/core/classify.js';
import type { Fault } from '../../src/core/fault.js';
import { incidentRoot } from '../../src/core/incident.js';
import { createFaultline } from '../../src/core/pipeline.js';
import { type LoggerLike, Reporter, type RequestInfo } from '../../src/core/report.js';
import {
  faultFingerprint,
  routeKey,
  StormControl,
  type StormSummary,
} from '../../src/core/storm.js';
import { memoryLogger } from '../support/memory-logger.js';

const req: RequestInfo = {
  method: 'GET',
  url: '/api/items/17?x=1',
  headers: {},
  remoteAddress: '10.0.0.1',
  requestId: undefined,
};

/** Same throw site every time: identical top frames. */
function failure(message = 'db down'): Error {
  return new Error(message);
}

/** A logger that only counts, for runs too large to keep as JSON. */
function countingLogger(): LoggerLike & {
  full: number;
  summaries: Array<Record<string, unknown>>;
} {
  const state = {
    full: 0,
    summaries: [] as Array<Record<string, unknown>>,
    error(obj: object) {
      if ('storm' in obj) state.summaries.push(obj as Record<string, unknown>);
      else state.full++;
    },
    info() {},
    debug() {},
  };
  return state;
}

interface StormRecord {
  storm?: {
    count: number;
    suppressed: number;
    firstIncident: string;
    lastIncident: string;
    since: string;
    until: string;
  };
  incident: string;
  fingerprint: string;
  msg: string;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('StormControl', () => {
  it('admits the first occurrence of a window, counts the rest, summarizes exactly', () => {
    let now = 1_000;
    const out: Array<StormSummary<string>> = [];
    const storm = new StormControl<string>(
      { windowMs: 1_000, maxFingerprints: 10 },
      (s) => out.push(s),
      { now: () => now, autoFlush: false },
    );
    // Each occurrence learns its ordinal in the window; the first one's sample is kept.
    expect(storm.admit(7, 'sample')).toMatchObject({ count: 1, sample: 'sample' });
    now += 10;
    expect(storm.admit(7, 'ignored')).toMatchObject({ count: 2, sample: 'sample' });
    now += 10;
    expect(storm.countIfOpen(7)).toMatchObject({ count: 3, sample: 'sample' });
    expect(storm.countIfOpen(8)).toBeUndefined();
    storm.flush();
    expect(out).toHaveLength(0); // window still open
    now = 2_000;
    expect(storm.countIfOpen(7)).toBeUndefined(); // its window is over: nothing counted
    // A new window; the old one is summarized.
    expect(storm.admit(7, 'next')).toMatchObject({ count: 1, sample: 'next' });
    expect(out).toEqual([
      {
        fingerprint: '0000000000000007',
        count: 3,
        suppressed: 2,
        since: 1_000,
        until: 1_020,
        sample: 'sample',
      },
    ]);
    now = 5_000;
    storm.flush();
    expect(out).toHaveLength(1); // a window with a single occurrence needs no summary
    expect(storm.size).toBe(0);
  });

  it('keeps recently seen fingerprints; an evicted one emits its exact count first', () => {
    const out: Array<StormSummary<number>> = [];
    const storm = new StormControl<number>(
      { windowMs: 60_000, maxFingerprints: 4 },
      (s) => out.push(s),
      { now: () => 0, autoFlush: false },
    );
    // A hot fingerprint seen between every new one is never evicted: it stays counted.
    expect(storm.admit(0, 0).count).toBe(1);
    storm.admit(1, 1);
    storm.admit(1, 1);
    for (let i = 2; i < 50; i++) {
      expect(storm.admit(0, 0).count).toBe(i);
      storm.admit(i, i);
      expect(storm.size).toBeLessThanOrEqual(4);
    }
    // The cold fingerprint seen twice was evicted with its count; singles need no summary.
    expect(out.map((s) => [s.sample, s.count])).toEqual([[1, 2]]);
    storm.close();
    expect(out.at(-1)).toMatchObject({ sample: 0, count: 49, suppressed: 48 });
    expect(storm.size).toBe(0);
  });

  it('bounds memory with 100,000 distinct fingerprints', () => {
    const storm = new StormControl<null>({ windowMs: 10_000, maxFingerprints: 10_000 }, () => {}, {
      now: () => 0,
      autoFlush: false,
    });
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      storm.admit(i, null);
      if (storm.size > max) max = storm.size;
    }
    expect(max).toBeLessThanOrEqual(10_000);
    expect(max).toBeGreaterThanOrEqual(5_000);
  });

  it('flushes ended windows on an unref-ed timer', () => {
    vi.useFakeTimers();
    const out: Array<StormSummary<null>> = [];
    const storm = new StormControl<null>({ windowMs: 1_000, maxFingerprints: 10 }, (s) =>
      out.push(s),
    );
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    storm.admit(1, null);
    storm.admit(1, null);
    // An unref-ed timer does not keep the event loop alive.
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before);
    vi.advanceTimersByTime(2_100);
    expect(out.map((s) => s.count)).toEqual([2]);
    expect(storm.size).toBe(0);
    storm.close();
  });
});

describe('fingerprints', () => {
  it('ignore the message, but not the route, the status or the throw site', () => {
    // Both thrown from the same site (same top frames), with different messages.
    const [a, b] = ['user 1 not found', 'user 2 not found'].map((m) => toFault(failure(m))) as [
      Fault,
      Fault,
    ];
    const other = toFault(new Error('elsewhere'));
    expect(faultFingerprint(a, '/x')).toBe(faultFingerprint(b, '/x'));
    expect(faultFingerprint(a, '/x')).not.toBe(faultFingerprint(a, '/y'));
    expect(faultFingerprint(a, '/x')).not.toBe(faultFingerprint(other, '/x'));
    expect(faultFingerprint(toFault('s'), '/x')).not.toBe(faultFingerprint(toFault(null), '/x'));
  });

  it('use the route template, or the path with id-like segments collapsed', () => {
    expect(routeKey('/users/:id', '/users/1')).toBe('/users/:id');
    expect(routeKey(undefined, '/users/12345/orders/0f8fad5b-d9cb-469f-a165-70867728950e')).toBe(
      '/users/:id/orders/:id',
    );
    expect(routeKey(undefined, '/files/deadbeefdeadbeef00/raw')).toBe('/files/:id/raw');
    expect(routeKey(undefined, '/a/about')).toBe('/a/about');
    expect(routeKey(undefined, `/${'x'.repeat(1000)}`).length).toBe(256);
  });
});

describe('storm control in the pipeline', () => {
  it('10,000 identical failures: one full record, one summary with the exact count and id range; every repeat id names its root', () => {
    const { logger, records } = memoryLogger('debug');
    const fl = createFaultline({ logger, telemetry: false });
    const incidents: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const res = fl.respond(failure(`db down ${i}`), req);
      expect(res.status).toBe(500);
      incidents.push(res.fault?.public.incident as string);
    }
    expect(new Set(incidents).size).toBe(10_000);
    void fl.flush();
    const recs = records() as unknown as StormRecord[];
    const full = recs.filter((r) => r.storm === undefined);
    const summaries = recs.filter((r) => r.storm !== undefined);
    expect(full).toHaveLength(1);
    const root = incidents[0] as string;
    expect(full[0]?.incident).toBe(root);
    // The n-th occurrence's id is `<root>.<n>`: the id up to its dot finds the full record.
    for (let i = 1; i < 10_000; i++) {
      expect(incidents[i]).toBe(`${root}.${i + 1}`);
      expect(incidentRoot(incidents[i] as string)).toBe(root);
    }
    expect(summaries).toHaveLength(1);
    const summary = summaries[0] as StormRecord;
    expect(summary.storm).toMatchObject({
      count: 10_000,
      suppressed: 9_999,
      firstIncident: incidents[1],
      lastIncident: incidents[9_999],
    });
    expect(summary.incident).toBe(incidents[0]);
    expect(summary.fingerprint).toBe(full[0]?.fingerprint);
    expect(summary.msg).toBe('repeated fault: 500 internal_error 9999 more times');
    expect(summary).toMatchObject({ status: 500, code: 'internal_error', level: 50 });
  });

  it('across windows: one full record per window, summaries add up to the exact total', () => {
    let now = 0;
    const logger = countingLogger();
    const reporter = new Reporter(logger, {
      storm: { windowMs: 1_000, maxFingerprints: 100 },
      now: () => now,
      autoFlush: false,
    });
    const roots: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      now = i; // 10 s of failures, one per millisecond
      const fault = toFault(failure());
      const own = fault.public.incident as string;
      if (reporter.report(fault, req)) roots.push(own);
      else expect(fault.public.incident).toBe(`${roots.at(-1)}.${(i % 1_000) + 1}`);
    }
    reporter.flush();
    expect(logger.full).toBe(10);
    expect(new Set(roots).size).toBe(10);
    const counts = logger.summaries.map((s) => (s.storm as { count: number }).count);
    expect(counts).toEqual(Array(10).fill(1_000));
  });

  it('a frozen fault cannot take a derived id: it keeps its own and is logged in full', () => {
    const logger = countingLogger();
    const reporter = new Reporter(logger, { storm: { windowMs: 10_000, maxFingerprints: 10 } });
    reporter.report(toFault(failure()), req);
    const frozen = toFault(failure());
    Object.freeze(frozen.public);
    const own = frozen.public.incident;
    expect(reporter.report(frozen, req)).toBe(true);
    expect(frozen.public.incident).toBe(own);
    expect(logger.full).toBe(2);
    reporter.flush();
  });

  // Each distinct fault formats a full record; 10× the bound proves the bound at a fifth of the
  // cost (the bare StormControl test above runs 100,000).
  it('20,000 distinct faults (10× the bound): every one logged in full, fingerprint memory stays at the bound', () => {
    const logger = countingLogger();
    const reporter = new Reporter(logger, {
      storm: { windowMs: 10_000, maxFingerprints: 2_000 },
      now: () => 0,
      autoFlush: false,
    });
    let max = 0;
    for (let i = 0; i < 20_000; i++) {
      reporter.report(toFault(failure()), { ...req, route: `/r/${i}` });
      max = Math.max(max, reporter.fingerprints);
    }
    expect(logger.full).toBe(20_000);
    expect(max).toBeLessThanOrEqual(2_000);
    expect(max).toBeGreaterThanOrEqual(1_000);
    expect(logger.summaries).toHaveLength(0);
  });

  it('storm: false logs every failure', () => {
    const logger = countingLogger();
    const fl = createFaultline({ logger, storm: false, telemetry: false });
    for (let i = 0; i < 100; i++) fl.respond(failure(), req);
    expect(logger.full).toBe(100);
  });

  it('validates its options at startup', () => {
    expect(() => createFaultline({ logger: false, storm: { windowMs: 5 } })).toThrow(
      /option "storm.windowMs" must be an integer number of milliseconds from 100 to 86400000, got 5/,
    );
    expect(() => createFaultline({ logger: false, storm: { maxFingerprints: 0 } })).toThrow(
      /option "storm.maxFingerprints"/,
    );
    expect(() => createFaultline({ logger: false, storm: true as never })).toThrow(
      /option "storm" must be an object or false/,
    );
    expect(() => createFaultline({ logger: false, storm: { window: 1 } as never })).toThrow(
      /option "storm.window" is not a known setting/,
    );
    expect(createFaultline({ logger: false }).options.storm).toEqual({
      windowMs: 10_000,
      maxFingerprints: 10_000,
    });
  });
});
