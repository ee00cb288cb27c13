/** faultline/client: a fetch that copes with 5xx. Re-exports only. */

export type { ProblemDetails } from '../core/problem.js';
export { INCIDENT_HEADER, PROBLEM_JSON } from '../core/problem.js';
export type { BreakerState } from './circuit-breaker.js';
export { createClient, type FaultlineClient } from './create-client.js';
export { DEFAULTS, IDEMPOTENT_METHODS } from './defaults.js';
export {
  AfterResponseError,
  BodyNotReplayableError,
  CircuitOpenError,
  CLIENT_ERROR_BRAND,
  CLIENT_ERROR_CODES,
  type ClientError,
  type ClientErrorCode,
  type ErrorWithResponse,
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
  type MaybeResponseDetails,
  NetworkError,
  ProblemError,
  type RequestSummary,
  type ResponseDetails,
  ResponseError,
  RetryAfterTooLongError,
  RetryBudgetExhaustedError,
  TimeoutError,
} from './errors.js';
export type {
  AttemptEvent,
  BeforeRequestEvent,
  BreakerStateChangeEvent,
  CircuitBreakerOptions,
  ClientHooks,
  ClientOptions,
  FaultlineRequestInit,
  FetchInput,
  GiveUpEvent,
  RequestBody,
  ResolvedClientOptions,
  RetryBudgetOptions,
  RetryEvent,
  RetryOptions,
  SearchParamsInit,
} from './options.js';
export type { BodyFactory } from './retry-policy.js';
export { fullJitterDelay, parseHttpDate, parseRetryAfter } from './retry-timing.js';
