import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { linkSignal, sleep } from '../../src/client/deadline.js';

describe('deadline plumbing (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sleep resolves after its time and not before', async () => {
    let done = false;
    const p = sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it('an abort cancels a pending sleep at once and clears its timer', async () => {
    const controller = new AbortController();
    const p = sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a linked signal aborts with the timeout reason, or with the parent reason', async () => {
    const timed = linkSignal([], 500, () => 'late');
    await vi.advanceTimersByTimeAsync(500);
    expect(timed.signal.reason).toBe('late');

    const parent = new AbortController();
    const child = linkSignal([parent.signal], 500, () => 'late');
    parent.abort('caller');
    expect(child.signal.reason).toBe('caller');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('dispose and clearTimer leave no timers behind', () => {
    const parent = new AbortController();
    const a = linkSignal([parent.signal], 500);
    a.clearTimer();
    expect(vi.getTimerCount()).toBe(0);
    parent.abort('x');
    expect(a.signal.aborted).toBe(true); // parent link kept by clearTimer
    const b = linkSignal([new AbortController().signal], 500);
    b.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('one listener per parent signal', () => {
  it('many linked signals share one listener on the parent, none once disposed', () => {
    const parent = new AbortController();
    const links = Array.from({ length: 50 }, () => linkSignal([parent.signal]));
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    for (const l of links.slice(0, 49)) l.dispose();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    const last = links[49];
    parent.abort(new Error('stop'));
    expect(last?.signal.reason).toEqual(new Error('stop'));
    expect(links[0]?.signal.aborted).toBe(false); // disposed before the abort
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    const again = new AbortController();
    linkSignal([again.signal]).dispose();
    expect(getEventListeners(again.signal, 'abort')).toHaveLength(0);
  });
});
