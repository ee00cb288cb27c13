/**
 * process-guard: what happens when the process itself fails (uncaughtException,
 * unhandledRejection) or is asked to stop (SIGTERM, SIGINT). The failing request, when it can be
 * attributed (AsyncLocalStorage), gets its 500 with an incident id; the servers stop accepting;
 * in-flight requests finish within a grace period; requests arriving on kept-alive sockets get
 * 503 + `Connection: close`; one line records the drain (reason, in flight, drained, lost);
 * pending storm summaries are written and the logger is flushed; the process exits — non-zero
 * after a crash, for the supervisor to restart it, zero after a signal. A second fault or signal
 * during the drain exits at once, still writing the drain line and the summaries first. The
 * exception is never swallowed to keep running in an undefined state.
 */
import type { Server } from 'node:net';
import type { NodeResponse } from '../core/deliver-node.js';
import { FaultlineConfigError } from '../core/errors.js';
import { requestContext } from './request-context.js';

/** Options of a process guard. */
export interface ProcessGuardOptions {
  /** The servers to stop accepting on shutdown (http, https, http2). */
  servers: Server | Server[];
  /** How long in-flight requests may take to finish, in milliseconds. @default 10_000 */
  graceMs?: number;
  /** Signals that start a graceful shutdown (exit code 0); `false` for none. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[] | false;
  /** Called once when draining starts (close pools, stop consumers); awaited within the grace period. */
  onShutdown?: (reason: 'crash' | NodeJS.Signals) => unknown;
  /** How to exit. @default process.exit */
  exit?: (code: number) => void;
}

/** What one drain did; logged as one line when it ends. */
export interface DrainReport {
  /** Why the process is stopping: `crash`, or the signal's name. */
  readonly reason: 'crash' | NodeJS.Signals;
  /** Requests in flight when the drain began. */
  readonly inFlight: number;
  /** Of those, finished before the exit. */
  readonly drained: number;
  /** Of those, still running at the exit (grace period over, or a second fault or signal). */
  readonly lost: number;
  /** How long the drain took, in milliseconds. */
  readonly durationMs: number;
}

/** What the guard needs from the adapter. */
export interface GuardHost {
  /** Answer (or cut) a request that was running when the process failed; never throws. */
  failRequest(err: unknown, ctx: { req: object; res: NodeResponse }): void;
  /** Record a failure that belongs to no request; never throws. */
  reportProcessFault(err: unknown): void;
  /** Log the drain's one line; never throws. */
  logDrain(report: DrainReport): void;
  /**
   * Write pending storm summaries (synchronously, before returning) and flush the logger; resolves
   * when written or after a bound.
   */
  flush(): Promise<void>;
}

/** A process guard; one per process. */
export class ProcessGuard {
  /** True once shutdown began: new requests get 503 + Connection: close. */
  draining = false;
  /** Responses in flight. */
  readonly inFlight = new Set<NodeResponse>();
  readonly #host: GuardHost;
  readonly #servers: Server[];
  readonly #graceMs: number;
  readonly #exit: (code: number) => void;
  readonly #onShutdown: ProcessGuardOptions['onShutdown'];
  readonly #listeners: Array<[string, (...args: never[]) => void]> = [];
  #exitCode = 0;
  #reason: 'crash' | NodeJS.Signals = 'crash';
  #drainStart = 0;
  #drainInFlight = 0;
  #drainLogged = false;

  constructor(host: GuardHost, options: ProcessGuardOptions) {
    const {
      servers,
      graceMs = 10_000,
      signals = ['SIGTERM', 'SIGINT'],
      exit,
      onShutdown,
    } = options ?? ({} as ProcessGuardOptions);
    const list = Array.isArray(servers) ? servers : [servers];
    if (list.length === 0 || list.some((s) => typeof (s as Server)?.close !== 'function')) {
      throw new FaultlineConfigError(
        'processGuard.servers',
        'must be a server or an array of servers',
        'pass the http.Server(s) faultline serves, e.g. { servers: server }',
      );
    }
    if (!Number.isInteger(graceMs) || graceMs < 0) {
      throw new FaultlineConfigError(
        'processGuard.graceMs',
        `must be a non-negative integer of milliseconds, got ${JSON.stringify(graceMs)}`,
        'use e.g. graceMs: 10_000 (keep it below your supervisor kill timeout)',
      );
    }
    this.#host = host;
    this.#servers = list;
    this.#graceMs = graceMs;
    this.#exit = exit ?? ((code) => process.exit(code));
    this.#onShutdown = onShutdown;
    this.#on('uncaughtException', (err: unknown) => this.#crash(err));
    this.#on('unhandledRejection', (reason: unknown) => this.#crash(reason));
    for (const signal of signals || []) this.#on(signal, () => this.#signal(signal));
  }

  #on(event: string, fn: (...args: never[]) => void): void {
    process.on(event, fn as (...args: unknown[]) => void);
    this.#listeners.push([event, fn]);
  }

  /** Removes the process listeners (tests, hot reload). */
  uninstall(): void {
    for (const [event, fn] of this.#listeners)
      process.off(event, fn as (...args: unknown[]) => void);
    this.#listeners.length = 0;
  }

  #crash(err: unknown): void {
    const ctx = requestContext.getStore();
    if (this.draining) {
      // A second fault while draining: the process state is no longer trustworthy. Its own
      // request still gets its 500 (one synchronous write), then the process exits at once.
      if (ctx) this.#host.failRequest(err, ctx);
      else this.#host.reportProcessFault(err);
      this.#logDrain();
      void this.#host.flush().finally(() => this.#exit(1));
      setTimeout(() => this.#exit(1), 200).unref();
      return;
    }
    if (ctx) this.#host.failRequest(err, ctx);
    else this.#host.reportProcessFault(err);
    this.shutdown('crash');
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.draining) {
      // Asked twice: exit now, but the drain line and the storm summaries are written first
      // (synchronously; a buffering logger gets no time to flush).
      this.#logDrain();
      void this.#host.flush();
      this.#exit(this.#exitCode || 130);
      return;
    }
    this.shutdown(signal);
  }

  /** Starts draining: stop accepting, finish in-flight requests within the grace period, flush, exit. */
  shutdown(reason: 'crash' | NodeJS.Signals): void {
    if (this.draining) return;
    this.draining = true;
    this.#exitCode = reason === 'crash' ? 1 : 0;
    this.#reason = reason;
    this.#drainStart = Date.now();
    this.#drainInFlight = this.inFlight.size;
    for (const server of this.#servers) {
      server.close();
      (server as Server & { closeIdleConnections?: () => void }).closeIdleConnections?.();
    }
    // Responses still being produced must not keep their sockets open for more requests. With
    // pipelining, requests queued behind an in-flight one on the same connection already ran:
    // only the last of them may close the connection, or the earlier `Connection: close` would
    // end the socket before the later ones are answered (and the drain would wait for nothing).
    const lastOnConnection = new Map<unknown, NodeResponse>();
    for (const res of this.inFlight) {
      lastOnConnection.set((res as { req?: { socket?: unknown } }).req?.socket ?? res, res);
    }
    for (const res of lastOnConnection.values()) {
      if (!res.headersSent && 'shouldKeepAlive' in res)
        (res as { shouldKeepAlive: boolean }).shouldKeepAlive = false;
    }
    const deadline = Date.now() + this.#graceMs;
    const hook = Promise.resolve()
      .then(() => this.#onShutdown?.(reason))
      .catch((err: unknown) => this.#host.reportProcessFault(err));
    const finish = (): void => {
      this.#logDrain();
      void this.#host.flush().finally(() => this.#exit(this.#exitCode));
    };
    const poll = (): void => {
      if ((this.inFlight.size === 0 && settled) || Date.now() >= deadline) finish();
      else setTimeout(poll, 20);
    };
    let settled = false;
    void hook.finally(() => {
      settled = true;
    });
    poll();
  }

  /** The drain's one line, written once, whichever way the drain ends. */
  #logDrain(): void {
    if (this.#drainLogged) return;
    this.#drainLogged = true;
    const lost = Math.min(this.inFlight.size, this.#drainInFlight);
    try {
      this.#host.logDrain({
        reason: this.#reason,
        inFlight: this.#drainInFlight,
        drained: this.#drainInFlight - lost,
        lost,
        durationMs: Date.now() - this.#drainStart,
      });
    } catch {
      // The exit goes on without its line.
    }
  }
}
