/** faultline/client: a fetch that copes with 5xx. Re-exports only. */

export type { ProblemDetails } from '../core/problem.js';
export { INCIDENT_HEADER, PROBLEM_JSON } from '../core/problem.js';
export type { BreakerState } from './circuit-breaker.js';
export { createClient, type FaultlineClient } from './create-client.js';
export { DEFAULTS, IDEMPOTENT_METHODS } from './defaults.js';
export {
  BodyNotReplayableError,
  CircuitOpenError,
  CLIENT_ERROR_BRAND,
  CLIENT_ERROR_CODES,
  type ClientErrorCode,
  FaultlineClientError,
  InvalidClientOptionError,
  isBodyNotReplayableError,
  isCircuitOpenError,
  isFaultlineClientError,
  isInvalidClientOptionError,
  isNetworkError,
  isProblemError,
  isResponseError,
  isRetryAfterTooLongError,
  isRetryBudgetExhaustedError,
  isTimeoutError,
  NetworkError,
  ProblemError,
  type RequestSummary,
  ResponseError,
  RetryAfterTooLongError,
  RetryBudgetExhaustedError,
  TimeoutError,
} from './errors.js';
export type {
  AttemptEvent,
  BreakerStateChangeEvent,
  CircuitBreakerOptions,
  ClientHooks,
  ClientOptions,
  FaultlineRequestInit,
  GiveUpEvent,
  ResolvedClientOptions,
  RetryBudgetOptions,
  RetryEvent,
  RetryOptions,
} from './options.js';
export type { BodyFactory } from './retry-policy.js';
export { fullJitterDelay, parseRetryAfter } from './retry-timing.js';
