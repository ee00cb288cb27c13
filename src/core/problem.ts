/**
 * RFC 9457 problem details: the JSON shape faultline's server renders and its client parses.
 * Shared by both halves so they cannot drift.
 */

/** Media type of RFC 9457 problem details. */
export const PROBLEM_JSON = 'application/problem+json';

/** Name of the response header that carries a 5xx incident id. */
export const INCIDENT_HEADER = 'Faultline-Incident';

/**
 * An RFC 9457 problem details object as faultline renders it. `incident` and `code` are
 * extension members (RFC 9457 §3.2); `instance` is `urn:faultline:incident:<id>` for 5xx.
 */
export interface ProblemDetails {
  /** A URI reference identifying the problem type; `about:blank` when the status says it all. */
  type?: string;
  /** Short, human-readable summary (the status phrase for built-in problems). */
  title?: string;
  /** The HTTP status code, repeated for convenience of consumers. */
  status?: number;
  /** Human-readable explanation of this occurrence; present only for errors meant for the client. */
  detail?: string;
  /** URI reference identifying this occurrence. */
  instance?: string;
  /** faultline extension: stable machine-readable code, e.g. `internal_error`. */
  code?: string;
  /** faultline extension: the incident id, also sent in the `Faultline-Incident` header. */
  incident?: string;
  /** Other extension members. */
  [extension: string]: unknown;
}
