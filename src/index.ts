/**
 * faultline core: classify any failure, report it, render a safe response.
 * Framework integrations live in subpaths (`faultline/node`, ...).
 */
export type { ClassifyContext } from './core/classify.js';
export { toFault } from './core/classify.js';
export {
  type DebugGateInput,
  debugAllowed,
  FORWARDING_HEADERS,
  isLoopback,
} from './core/debug-gate.js';
export type { DebugError, DebugFrame, DebugReport } from './core/debug-report.js';
export {
  compileMap,
  type ErrorMap,
  type ErrorMapRule,
  type ErrorMatch,
  type FromError,
  type ProblemView,
} from './core/error-map.js';
export {
  FAULTLINE_ERROR_CODES,
  FaultlineConfigError,
  FaultlineError,
  type FaultlineErrorCode,
  isFaultlineError,
} from './core/errors.js';
export type { Extensions } from './core/extensions.js';
export type { ErrorSummary, Fault, Phase, PrivateFault, PublicFault } from './core/fault.js';
export type { FaultContext, FaultHook } from './core/hook.js';
export { HttpError, type HttpErrorOptions, httpErrors, isHttpError } from './core/http-error.js';
export { incidentRoot, incidentTime, newIncidentId } from './core/incident.js';
export { type Format, negotiateFormat } from './core/negotiate.js';
export type { FaultlineOptions } from './core/options.js';
export {
  createFaultline,
  type ErrorResponse,
  Faultline,
  type FaultRequest,
} from './core/pipeline.js';
export type { ProblemDetails } from './core/problem.js';
export { INCIDENT_HEADER, PROBLEM_JSON } from './core/problem.js';
export type { LoggerLike, LogLevel, LogLevels, RequestInfo } from './core/report.js';
export {
  REDACTED,
  Scrubber,
  type ScrubOptions,
  SENSITIVE_HEADERS,
  SENSITIVE_KEYS,
  scrubString,
} from './core/scrub.js';
export { FAULT_COUNTER, incidentTraceId } from './core/telemetry.js';
export type { ValidationIssue } from './core/validation.js';
