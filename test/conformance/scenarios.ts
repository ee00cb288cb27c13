/**
 * The one conformance table: failure kind × Accept × method. Every adapter runs every row; for a
 * row, every adapter must answer like the node:http adapter (the reference), except where a
 * deviation below names the adapter, the row and the reason.
 */

/** Must appear in no response of any adapter: it is in every private message the app throws. */
export const CANARY = 'canary-9c41e7-postgres-password';

/** The failure kinds: one route each in every server of servers.ts. */
export const KINDS = {
  sync: '/sync',
  async: '/async',
  'non-error': '/non-error',
  exposed: '/exposed',
  'unexposed-4xx': '/unexposed-4xx',
  unavailable: '/unavailable',
  secret: '/secret',
  stream: '/stream',
  abort: '/abort',
  'method-only': '/method-only',
  'not-found': '/no/such/path',
  mapped: '/mapped',
  extensions: '/extensions',
  zod: '/zod',
  valibot: '/valibot',
} as const;

export type Kind = keyof typeof KINDS;

export const ACCEPTS = {
  json: 'application/json',
  problem: 'application/problem+json',
  html: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  text: 'text/plain',
  any: '*/*',
  none: undefined,
} as const;

export type AcceptName = keyof typeof ACCEPTS;

export interface Scenario {
  readonly id: string;
  readonly kind: Kind;
  readonly path: string;
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly accept: AcceptName;
  /** The status every adapter must answer with (before deviations). */
  readonly status: number;
  /** The response is cut after the headers: the client must see a broken body. */
  readonly broken?: boolean;
  /** The client reads the first chunk, then closes the connection (resets the stream). */
  readonly clientAborts?: boolean;
  /**
   * The one log record every adapter must write for the row (status, phase); undefined: none.
   * One failure, one record: never a second (a false 499 after a cut, a 500 after a 499).
   */
  readonly record: ExpectedRecord | undefined;
}

/** What the one record of a row says. */
export interface ExpectedRecord {
  readonly status: number;
  readonly phase: string;
}

/** Sent with every request: the record keeps the query keys, the request id, the headers. */
export const QUERY = '?page=2&token=t0k3n-value';
export const REQUEST_ID = 'conformance-req-1';

const STATUS: Record<Kind, number> = {
  sync: 500,
  async: 500,
  'non-error': 500,
  exposed: 422,
  'unexposed-4xx': 400,
  unavailable: 503,
  secret: 500,
  stream: 200,
  abort: 200,
  'method-only': 405,
  'not-found': 404,
  // A `map` rule (CONFORMANCE_OPTIONS): the app's own PaymentDeclined error -> 402 with members.
  mapped: 402,
  // http-errors' createError(409, msg, { errors }): the exposed `errors` member is carried.
  extensions: 409,
  // Schema validation errors, recognized by shape: 400 with an `errors` array of JSON Pointers.
  zod: 400,
  valibot: 400,
};

const RECORD: Record<Kind, ExpectedRecord> = {
  sync: { status: 500, phase: 'handler' },
  async: { status: 500, phase: 'handler' },
  'non-error': { status: 500, phase: 'handler' },
  exposed: { status: 422, phase: 'handler' },
  'unexposed-4xx': { status: 400, phase: 'handler' },
  unavailable: { status: 503, phase: 'handler' },
  secret: { status: 500, phase: 'handler' },
  stream: { status: 500, phase: 'stream' },
  abort: { status: 499, phase: 'abort' },
  'method-only': { status: 405, phase: 'handler' },
  'not-found': { status: 404, phase: 'not_found' },
  mapped: { status: 402, phase: 'handler' },
  extensions: { status: 409, phase: 'handler' },
  zod: { status: 400, phase: 'handler' },
  valibot: { status: 400, phase: 'handler' },
};

/** Kinds also run as HEAD (the stream kind has no meaningful HEAD: headers go out first). */
const HEAD_KINDS: readonly Kind[] = ['sync', 'exposed', 'unavailable', 'not-found', 'method-only'];

function build(): Scenario[] {
  const out: Scenario[] = [];
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const methods: Array<'GET' | 'HEAD'> = HEAD_KINDS.includes(kind) ? ['GET', 'HEAD'] : ['GET'];
    // The client leaves mid-stream: what it asks for does not matter, once is enough.
    const accepts = kind === 'abort' ? ['any' as const] : (Object.keys(ACCEPTS) as AcceptName[]);
    for (const method of methods) {
      for (const accept of accepts) {
        out.push({
          id: `${kind} ${method} accept=${accept}`,
          kind,
          path: KINDS[kind],
          method,
          accept,
          status: STATUS[kind],
          record: RECORD[kind],
          ...(kind === 'stream' || kind === 'abort' ? { broken: true } : {}),
          ...(kind === 'abort' ? { clientAborts: true } : {}),
        });
      }
    }
  }
  // The allowed method of the POST-only route answers normally everywhere (a control row).
  out.push({
    id: 'method-only POST accept=any',
    kind: 'method-only',
    path: KINDS['method-only'],
    method: 'POST',
    accept: 'any',
    status: 200,
    record: undefined,
  });
  return out;
}

export const SCENARIOS: readonly Scenario[] = build();

/** A row an adapter cannot match, with the reason; the suite asserts the deviation itself. */
export interface Deviation {
  readonly adapters: readonly string[];
  readonly applies: (s: Scenario) => boolean;
  /** What the adapter answers instead. */
  readonly status: number;
  /** The record it writes instead. */
  readonly record: ExpectedRecord;
  readonly reason: string;
}

export const DEVIATIONS: readonly Deviation[] = [
  {
    adapters: [
      'express5',
      'express4',
      'fastify',
      'fastify-h2c',
      'hono',
      'hono-fetch-runtime',
      'hono-bun',
      'hono-deno',
      'nest-express',
      'nest-fastify',
    ],
    applies: (s) => s.kind === 'method-only' && s.method !== 'POST',
    status: 404,
    record: { status: 404, phase: 'not_found' },
    reason:
      "the router does not know 405: a path that exists for another method falls through to the not-found handler, which cannot see the path's methods (node, Koa and fetch apps route by hand and answer 405 with Allow)",
  },
];

export function deviationFor(adapter: string, s: Scenario): Deviation | undefined {
  return DEVIATIONS.find((d) => d.adapters.includes(adapter) && d.applies(s));
}
