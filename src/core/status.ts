/**
 * Status phrases and default public codes for 4xx/5xx. Our own table (not node:http's) so the
 * core runs unchanged on Fetch-style runtimes.
 */

const PHRASES: Readonly<Record<number, readonly [title: string, code: string]>> = {
  400: ['Bad Request', 'bad_request'],
  401: ['Unauthorized', 'unauthorized'],
  402: ['Payment Required', 'payment_required'],
  403: ['Forbidden', 'forbidden'],
  404: ['Not Found', 'not_found'],
  405: ['Method Not Allowed', 'method_not_allowed'],
  406: ['Not Acceptable', 'not_acceptable'],
  407: ['Proxy Authentication Required', 'proxy_authentication_required'],
  408: ['Request Timeout', 'request_timeout'],
  409: ['Conflict', 'conflict'],
  410: ['Gone', 'gone'],
  411: ['Length Required', 'length_required'],
  412: ['Precondition Failed', 'precondition_failed'],
  413: ['Content Too Large', 'content_too_large'],
  414: ['URI Too Long', 'uri_too_long'],
  415: ['Unsupported Media Type', 'unsupported_media_type'],
  416: ['Range Not Satisfiable', 'range_not_satisfiable'],
  417: ['Expectation Failed', 'expectation_failed'],
  418: ["I'm a Teapot", 'teapot'],
  421: ['Misdirected Request', 'misdirected_request'],
  422: ['Unprocessable Content', 'unprocessable_content'],
  423: ['Locked', 'locked'],
  424: ['Failed Dependency', 'failed_dependency'],
  425: ['Too Early', 'too_early'],
  426: ['Upgrade Required', 'upgrade_required'],
  428: ['Precondition Required', 'precondition_required'],
  429: ['Too Many Requests', 'too_many_requests'],
  431: ['Request Header Fields Too Large', 'request_header_fields_too_large'],
  451: ['Unavailable For Legal Reasons', 'unavailable_for_legal_reasons'],
  // nginx's non-standard status for a client that went away before the answer.
  499: ['Client Closed Request', 'client_closed_request'],
  500: ['Internal Server Error', 'internal_error'],
  501: ['Not Implemented', 'not_implemented'],
  502: ['Bad Gateway', 'bad_gateway'],
  503: ['Service Unavailable', 'service_unavailable'],
  504: ['Gateway Timeout', 'gateway_timeout'],
  505: ['HTTP Version Not Supported', 'http_version_not_supported'],
  506: ['Variant Also Negotiates', 'variant_also_negotiates'],
  507: ['Insufficient Storage', 'insufficient_storage'],
  508: ['Loop Detected', 'loop_detected'],
  510: ['Not Extended', 'not_extended'],
  511: ['Network Authentication Required', 'network_authentication_required'],
};

/** True for an integer in 400–599, the only statuses an error response may carry. */
export function isErrorStatus(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599;
}

/** The reason phrase for an error status; a class phrase for unlisted codes. */
export function statusTitle(status: number): string {
  return PHRASES[status]?.[0] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

/** The default stable public code for a status, e.g. `internal_error` for 500. */
export function statusCode(status: number): string {
  return PHRASES[status]?.[1] ?? (status >= 500 ? 'server_error' : 'client_error');
}
