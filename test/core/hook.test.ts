import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { toFault } from '../../src/core/classify.js';
import type { Fault } from '../../src/core/fault.js';
import type { FaultContext } from '../../src/core/hook.js';
import { HookRunner } from '../../src/core/hook.js';
import { createFaultline, type ErrorResponse, type FaultRequest } from '../../src/core/pipeline.js';
import { Scrubber } from '../../src/core/scrub.js';
import { memoryLogger } from '../support/memory-logger.js';

const req: FaultRequest = {
  method: 'GET',
  url: '/a',
  headers: { authorization: 'Bearer abcdefghijklmnop' },
  remoteAddress: '127.0.0.1',
  requestId: 'r1',
};

describe('onFault', () => {
  it('runs after the response path, with the fault, the request and whether it was logged', async () => {
    const calls: Array<[Fault, FaultContext]> = [];
    const fl = createFaultline({
      logger: memoryLogger().logger,
      telemetry: false,
      onFault: (fault, ctx) => {
        calls.push([fault, ctx]);
      },
    });
    // Thrown from one site, so both have the same fingerprint.
    const [first, second] = [1, 2].map(() =>
      fl.respond(new Error('boom password=hunter2'), req),
    ) as [ErrorResponse, ErrorResponse];
    // Deferred: nothing has run while respond() was on the stack.
    expect(calls).toHaveLength(0);
    await tick();
    expect(calls).toHaveLength(2);
    const [[fault1, ctx1], [, ctx2]] = calls as [[Fault, FaultContext], [Fault, FaultContext]];
    expect(fault1).toBe(first.fault);
    expect(fault1.cause).toBeInstanceOf(Error);
    expect(ctx1.request).toBe(req);
    expect(ctx1.logged).toBe(true);
    expect(ctx2.logged).toBe(false); // the repeat was counted by storm control, not logged
    expect(ctx1.scrub(fault1.private.message)).toBe('boom password=[redacted]');
    expect(second.status).toBe(500);
  });

  it('a hook that throws or rejects never affects the response; the failure is logged, rate-limited', async () => {
    const { logger, records } = memoryLogger();
    let n = 0;
    const fl = createFaultline({
      logger,
      storm: false,
      telemetry: false,
      onFault: () => {
        n++;
        if (n % 2 === 0) return Promise.reject(new Error('sentry down token=CANARYhook'));
        throw new TypeError('hook bug');
      },
    });
    for (let i = 0; i < 10; i++) {
      const res = fl.respond(new Error('boom'), req);
      expect(res.status).toBe(500);
      expect(res.body).toContain('"status":500');
    }
    await tick();
    await tick();
    expect(n).toBe(10);
    const hookRecords = records().filter((r) => r.hook === 'onFault');
    expect(hookRecords).toHaveLength(1);
    expect(hookRecords[0]).toMatchObject({
      level: 50,
      msg: 'onFault hook failed',
      failures: 1,
      error: { name: 'TypeError', message: 'hook bug' },
    });
    expect(JSON.stringify(records())).not.toContain('CANARYhook');
  });

  it('a hook that hangs is never awaited, and unsettled calls are capped', async () => {
    let calls = 0;
    const runner = new HookRunner(
      () => {
        calls++;
        return new Promise(() => {});
      },
      undefined,
      new Scrubber(),
    );
    const fault = toFault(new Error('x'));
    for (let i = 0; i < 1500; i++) runner.run(fault, undefined, true);
    await tick();
    expect(calls).toBe(1000);
    expect(runner.pending).toBe(1000);
    // Once the pending ones are stuck, new faults are dropped without calling the hook.
    runner.run(fault, undefined, true);
    await tick();
    expect(calls).toBe(1000);
  });

  it('the failure log carries counts of failures and drops since the last one', async () => {
    const { logger, records } = memoryLogger();
    let now = 0;
    const runner = new HookRunner(
      () => {
        throw new Error('nope');
      },
      logger,
      new Scrubber(),
      1_000,
      () => now,
    );
    const fault = toFault(new Error('x'));
    runner.run(fault, undefined, true);
    await tick();
    for (let i = 0; i < 5; i++) runner.run(fault, undefined, true);
    await tick();
    now = 1_000;
    runner.run(fault, undefined, true);
    await tick();
    expect(records().map((r) => r.failures)).toEqual([1, 6]);
  });

  it('must be a function', () => {
    expect(() => createFaultline({ logger: false, onFault: 'x' as never })).toThrow(
      /option "onFault" must be a function, got "x"/,
    );
  });
});
