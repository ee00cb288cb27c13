/**
 * findings: the table of everything `faultline check` can report. Ids are stable: CI pipelines
 * and suppression lists refer to them, so an id is never renamed or reused.
 */

/** How bad a finding is; `--fail-on` compares against it. */
export type Severity = 'critical' | 'error' | 'warn' | 'info';

/**
 * Severities from worst to mildest. `critical`: remote code execution or wholesale secret
 * disclosure, reachable by anyone; `error`: a leak or an attack primitive; `warn`: disclosure or
 * a mistake that helps an attacker; `info`: hygiene.
 */
export const SEVERITIES: readonly Severity[] = ['critical', 'error', 'warn', 'info'];

/** One entry of the table. */
export interface FindingSpec {
  readonly severity: Severity;
  readonly title: string;
  /** What to change, in one sentence. */
  readonly remedy: string;
}

/** Every finding, by stable id. CWE-209 / OWASP ASVS V7.4 (error handling) in mind. */
export const FINDINGS = {
  'FL-DEBUG-CONSOLE': {
    severity: 'critical',
    title: 'Interactive debugger or console reachable (remote code execution)',
    remedy:
      'Never run a debugger in a reachable server (Flask/Werkzeug: debug=False and no DebuggedApplication; Laravel: APP_DEBUG=false and no Ignition in production).',
  },
  'FL-DEBUG-PAGE': {
    severity: 'critical',
    title: "A framework's debug page is served (debug mode is on)",
    remedy:
      'Turn debug mode off in every deployed environment (Django: DEBUG = False; Rails: config.consider_all_requests_local = false; Laravel: APP_DEBUG=false).',
  },
  'FL-ACTUATOR-EXPOSED': {
    severity: 'critical',
    title: 'Spring Boot actuator exposes the environment or a heap dump',
    remedy:
      'Expose only health and info (management.endpoints.web.exposure.include=health,info) and put actuator behind authentication on its own port.',
  },
  'FL-PHPINFO': {
    severity: 'critical',
    title: 'phpinfo() page is reachable',
    remedy:
      'Delete phpinfo() pages from the document root; they show configuration, paths and environment.',
  },
  'FL-TRACE-ENABLED': {
    severity: 'error',
    title: 'TRACE is enabled and echoes the request (cross-site tracing)',
    remedy:
      'Disable TRACE (Apache: TraceEnable off; nginx refuses it by default; Node: answer 405/501).',
  },
  'FL-STACK-TRACE': {
    severity: 'error',
    title: 'Stack trace in an error response',
    remedy:
      'Render errors from a fixed template; log the stack server-side with an incident id (Express: never leave NODE_ENV unset in production).',
  },
  'FL-SQL-ERROR': {
    severity: 'error',
    title: 'Database or ORM error text in an error response',
    remedy:
      'Map database errors to a generic 500 (or a specific 4xx) and log the query text only server-side.',
  },
  'FL-ECHO-CREDENTIALS': {
    severity: 'error',
    title: "The request's cookie or Authorization header is echoed back",
    remedy: 'Never include request headers in error bodies or response headers; disable TRACE.',
  },
  'FL-REFLECTED-HTML': {
    severity: 'error',
    title: 'HTML error page reflects request input unescaped',
    remedy:
      'HTML-escape everything taken from the request, or leave the request path out of error pages.',
  },
  'FL-FILE-PATH': {
    severity: 'warn',
    title: 'Absolute file path in an error response',
    remedy: 'Keep file system paths out of responses; they map your deployment for an attacker.',
  },
  'FL-INTERNAL-IP': {
    severity: 'warn',
    title: 'Internal (private) IP address in an error response',
    remedy: 'Do not pass upstream/driver error messages through to clients.',
  },
  'FL-500-MESSAGE': {
    severity: 'warn',
    title: "500 body carries the error's own message",
    remedy:
      'Answer unexpected errors with a generic title and an incident id; keep err.message for the log (Fastify: set a custom error handler).',
  },
  'FL-POWERED-BY': {
    severity: 'warn',
    title: 'X-Powered-By (or similar) header names the framework',
    remedy: "Remove the header (Express: app.disable('x-powered-by')).",
  },
  'FL-SERVER-VERSION': {
    severity: 'warn',
    title: 'Server header discloses a version',
    remedy: 'Drop the version (nginx: server_tokens off; Apache: ServerTokens Prod).',
  },
  'FL-BODY-VERSION': {
    severity: 'warn',
    title: 'Error page discloses a server or runtime version',
    remedy:
      'Use your own error pages (nginx: server_tokens off / error_page; Apache: ServerSignature Off).',
  },
  'FL-NO-STORE-5XX': {
    severity: 'warn',
    title: '5xx response without Cache-Control: no-store',
    remedy:
      'Send Cache-Control: no-store on 5xx so caches and CDNs never keep a failure (RFC 9111 §5.2.2.5).',
  },
  'FL-NO-NOSNIFF': {
    severity: 'warn',
    title: 'Error body without X-Content-Type-Options: nosniff',
    remedy:
      'Send X-Content-Type-Options: nosniff so browsers never sniff an error body into HTML or script.',
  },
  'FL-HTML-FOR-JSON': {
    severity: 'warn',
    title: 'HTML error sent to a client that asked for JSON',
    remedy:
      'Negotiate the error format from Accept: API clients should get application/problem+json.',
  },
  'FL-5XX-FOR-CLIENT-ERROR': {
    severity: 'warn',
    title: 'Malformed client input answered with a 5xx',
    remedy:
      'Validate input before use and answer bad input with a 4xx: a 5xx blames the server, pages on-call and hides the crash path from review.',
  },
  'FL-ACCEPTS-MALFORMED': {
    severity: 'warn',
    title: 'Malformed request answered with 2xx',
    remedy:
      'Reject malformed bodies, framing and methods with 400/415/501 instead of processing them.',
  },
  'FL-CONNECTION-RESET': {
    severity: 'warn',
    title: 'Connection closed or reset instead of an answer',
    remedy: 'Answer protocol errors with a status (400, 431, 501) before closing the connection.',
  },
  'FL-TIMEOUT': {
    severity: 'warn',
    title: 'No answer within the time limit',
    remedy: 'Bound request handling with a deadline that answers 503/504.',
  },
  'FL-JSON-NOT-PROBLEM': {
    severity: 'info',
    title: 'JSON error without the problem+json media type',
    remedy:
      'Send errors as application/problem+json (RFC 9457) so clients can parse them generically.',
  },
  'FL-NO-CORRELATION-ID': {
    severity: 'info',
    title: '5xx response without an id the user could quote',
    remedy:
      'Put an incident or request id in the 5xx body and a header, and in the matching log line.',
  },
} as const satisfies Record<string, FindingSpec>;

/** A stable finding id. */
export type FindingId = keyof typeof FINDINGS;

/** True when `severity` is at least as bad as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
