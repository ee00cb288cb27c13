/**
 * Cancellation plumbing: signals linked to a parent with their own timer, and an abortable sleep.
 * Uses setTimeout (not AbortSignal.timeout) so fake timers drive it in tests, and cleans up every
 * listener and timer so nothing keeps the process alive.
 */

interface Fanout {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

/**
 * One listener per parent signal, however many requests share it: a caller passing one signal to
 * many concurrent requests sees at most one listener (no MaxListenersExceededWarning), and none
 * once they have all settled.
 */
const fanouts = new WeakMap<AbortSignal, Fanout>();

/** Calls `callback` when `signal` aborts; returns the function that unsubscribes. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let fanout = fanouts.get(signal);
  if (!fanout) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      fanouts.delete(signal);
      for (const c of [...callbacks]) c();
      callbacks.clear();
    };
    fanout = { callbacks, listener };
    fanouts.set(signal, fanout);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = fanout;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    signal.removeEventListener('abort', listener);
    if (fanouts.get(signal)?.callbacks === callbacks) fanouts.delete(signal);
  };
}

/** A signal that aborts when any parent aborts or, optionally, after `timeoutMs`. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Clears the timer and parent listeners. Idempotent. */
  dispose(): void;
  /** Clears only the timer: parents can still abort (e.g. a body still being read). */
  clearTimer(): void;
}

/**
 * Links a new signal to `parents`. When `timeoutMs` is given, the signal aborts with
 * `onTimeout()` as its reason once that time has passed.
 */
export function linkSignal(
  parents: ReadonlyArray<AbortSignal | undefined | null>,
  timeoutMs?: number,
  onTimeout?: () => unknown,
): LinkedSignal {
  const controller = new AbortController();
  const cleanups: Array<() => void> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const clearTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const dispose = (): void => {
    clearTimer();
    for (const c of cleanups.splice(0)) c();
  };
  for (const parent of parents) {
    if (!parent) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      return { signal: controller.signal, dispose, clearTimer };
    }
    cleanups.push(
      onAbort(parent, () => {
        controller.abort(parent.reason);
        dispose();
      }),
    );
  }
  if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
    timer = setTimeout(
      () => {
        timer = undefined;
        controller.abort(onTimeout ? onTimeout() : undefined);
        dispose();
      },
      Math.max(0, timeoutMs),
    );
  }
  return { signal: controller.signal, dispose, clearTimer };
}

/** Waits `ms`; rejects with `signal.reason` as soon as `signal` aborts (the timer is cleared). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
