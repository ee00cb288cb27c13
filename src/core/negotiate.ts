/**
 * negotiate: which representation an error gets, from the Accept header (negotiator does the
 * RFC 9110 §12.5.1 parsing). Results are memoized per Accept value, bounded, since clients send
 * few distinct values and this runs on every error.
 */
import Negotiator from 'negotiator';

/** The representations faultline renders. */
export type Format = 'json' | 'html' | 'text';

// Order breaks ties: `*/*` or no Accept gets problem+json (API clients), `text/*` gets plain text.
const OFFERS = ['application/problem+json', 'application/json', 'text/plain', 'text/html'];
const FORMAT_OF: Record<string, Format> = {
  'application/problem+json': 'json',
  'application/json': 'json',
  'text/plain': 'text',
  'text/html': 'html',
};
const MAX_MEMO = 256;
const memo = new Map<string, Format>();

/** The format for an Accept header value; text when nothing offered is acceptable. */
export function negotiateFormat(accept: string | undefined): Format {
  if (accept === undefined || accept === '' || accept === '*/*') return 'json';
  const hit = memo.get(accept);
  if (hit !== undefined) return hit;
  let format: Format = 'text';
  try {
    const best = new Negotiator({ headers: { accept } }).mediaType(OFFERS);
    if (best !== undefined) format = FORMAT_OF[best] ?? 'text';
  } catch {
    format = 'text';
  }
  if (accept.length <= 512) {
    if (memo.size >= MAX_MEMO) memo.clear();
    memo.set(accept, format);
  }
  return format;
}
