/**
 * Turns a non-2xx Response into a ResponseError (or ProblemError for RFC 9457 bodies): reads the
 * body once, at most `maxBytes` of it, and cancels the rest so the connection is freed.
 */
import { INCIDENT_HEADER, PROBLEM_JSON, type ProblemDetails } from '../core/problem.js';
import {
  MAX_DATE_MS,
  ProblemError,
  type RequestSummary,
  ResponseError,
  type ResponseErrorInit,
} from './errors.js';
import { parseRetryAfter } from './retry-timing.js';

/** Reads at most `maxBytes` of a body as UTF-8 text; the rest is cancelled, never buffered. */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!body) return { text: '', truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      if (value.byteLength > room) {
        chunks.push(value.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off mid-way: keep what arrived; the status is what matters.
    truncated = true;
  } finally {
    if (truncated) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return { text: new TextDecoder().decode(bytes), truncated };
}

function isProblemJson(contentType: string | null): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]?.trim().toLowerCase() === PROBLEM_JSON;
}

function parseProblem(text: string): ProblemDetails | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return value as ProblemDetails;
  } catch {
    return undefined;
  }
}

/** Builds the error for a non-2xx response, consuming (a bounded part of) its body. */
export async function toResponseError(
  response: Response,
  request: RequestSummary,
  maxBytes: number,
  nowMs: number,
): Promise<ResponseError> {
  const { text, truncated } = await readBounded(response.body, maxBytes);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), nowMs);
  const problem =
    !truncated && isProblemJson(response.headers.get('content-type'))
      ? parseProblem(text)
      : undefined;
  const headerIncident = response.headers.get(INCIDENT_HEADER) ?? undefined;
  const incident =
    headerIncident ?? (typeof problem?.incident === 'string' ? problem.incident : undefined);
  const init: ResponseErrorInit = {
    request,
    response,
    body: text,
    bodyTruncated: truncated,
    incident,
    retryAt: retryAfterMs === undefined ? undefined : retryDate(nowMs, retryAfterMs),
  };
  return problem ? new ProblemError(init, problem) : new ResponseError(init);
}

/** `now + ms` as a Date, capped at the largest Date (an absurd Retry-After gives year 275760). */
export function retryDate(nowMs: number, ms: number): Date {
  return new Date(Math.min(nowMs + ms, MAX_DATE_MS));
}
