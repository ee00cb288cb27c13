/**
 * The Fault model: one safe, normalized description of a failure, split in two channels by
 * construction. Renderers receive only `PublicFault`; the private part reaches the reporter alone.
 */

/** Where in a request's life the failure happened. */
export type Phase = 'handler' | 'stream' | 'deadline' | 'abort' | 'parse' | 'process' | 'not_found';

/** What the client may see. The only input a renderer gets. */
export interface PublicFault {
  readonly status: number;
  /** Stable machine-readable code, e.g. `internal_error`. */
  readonly code: string;
  readonly title: string;
  /** Human explanation; set only when the error was meant for the client (`expose`). */
  readonly detail: string | undefined;
  /** RFC 9457 problem type URI. */
  readonly type: string;
  /** Incident id; set for every 5xx. */
  readonly incident: string | undefined;
  /** Public response headers (lower-case names): Retry-After, Allow, WWW-Authenticate, ... */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /**
   * RFC 9457 §3.2 extension members for the problem body (e.g. a validation `errors` array);
   * only members the error or a `map` rule marked public. Never names a standard member.
   */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/** A summary of one error in a cause chain, bounded in size. */
export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** The error's own `code` property (e.g. `ECONNREFUSED`), when it had one. */
  readonly code: string | undefined;
}

/** What only the server's log may see. */
export interface PrivateFault extends ErrorSummary {
  /** `typeof`-like description of what was thrown: `Error`, `string`, `null`, `object`, ... */
  readonly thrown: string;
  /** The `cause` chain and AggregateError members, bounded in depth and count. */
  readonly causes: readonly ErrorSummary[];
  /** Public headers of the error dropped because their value is not a valid HTTP field value. */
  readonly droppedHeaders?: readonly string[] | undefined;
}

/** A normalized failure. */
export interface Fault {
  readonly public: PublicFault;
  readonly private: PrivateFault;
  readonly phase: Phase;
  /** The original thrown value. Never rendered. */
  readonly cause: unknown;
}
