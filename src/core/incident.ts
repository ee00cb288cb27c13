/**
 * Incident ids: unique across a fleet, URL-safe, time-sortable and cheap. The layout is ULID's
 * (Crockford base32, 26 characters): 10 characters of milliseconds since the epoch (48 bits), then
 * 16 characters (80 bits) of fresh randomness per id. Nothing in an id counts anything, so two ids
 * tell their holder only when they were made.
 *
 * Randomness is drawn from `crypto.getRandomValues` in 16 KiB batches (one call per 1,024 ids), so
 * the hot path is a table lookup per character, not a crypto call.
 *
 * Two derived forms keep the same core id: `<trace id>-<id>` links an incident to its trace
 * (telemetry), and `<root>.<n>` names the n-th occurrence of a fault in a storm window whose full
 * record carries `<root>` (storm control); see {@link repeatIncidentId}.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters of time and of randomness in an id. */
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
/** Random bytes drawn per `getRandomValues` call (its limit is 65,536). */
const POOL_BYTES = 16 * 1024;

const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const pool = new Uint8Array(POOL_BYTES);
let poolAt = POOL_BYTES;
let lastMs = -1;
/** Character codes of the current millisecond's 10 time characters. */
const time = new Uint8Array(TIME_CHARS);

/**
 * A new incident id, e.g. `01KB3ZT4Q8N6V2D7XK9M1RCF5H`: a valid ULID. Ids made in different
 * milliseconds sort by time; within one millisecond their order is random.
 */
export function newIncidentId(now: number = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    let v = now;
    for (let i = TIME_CHARS - 1; i >= 0; i--) {
      time[i] = CODES[v % 32] as number;
      v = Math.floor(v / 32);
    }
  }
  if (poolAt + RANDOM_CHARS > POOL_BYTES) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const p = pool;
  const i = poolAt;
  poolAt = i + RANDOM_CHARS;
  const c = CODES;
  const t = time;
  // One flat string in one call: a chain of `+` would build a rope that every later use (header,
  // body splice, JSON) has to flatten. Each random character takes a byte's low 5 bits (256 is a
  // multiple of 32, so they stay uniform).
  return String.fromCharCode(
    t[0] as number,
    t[1] as number,
    t[2] as number,
    t[3] as number,
    t[4] as number,
    t[5] as number,
    t[6] as number,
    t[7] as number,
    t[8] as number,
    t[9] as number,
    c[(p[i] as number) & 31] as number,
    c[(p[i + 1] as number) & 31] as number,
    c[(p[i + 2] as number) & 31] as number,
    c[(p[i + 3] as number) & 31] as number,
    c[(p[i + 4] as number) & 31] as number,
    c[(p[i + 5] as number) & 31] as number,
    c[(p[i + 6] as number) & 31] as number,
    c[(p[i + 7] as number) & 31] as number,
    c[(p[i + 8] as number) & 31] as number,
    c[(p[i + 9] as number) & 31] as number,
    c[(p[i + 10] as number) & 31] as number,
    c[(p[i + 11] as number) & 31] as number,
    c[(p[i + 12] as number) & 31] as number,
    c[(p[i + 13] as number) & 31] as number,
    c[(p[i + 14] as number) & 31] as number,
    c[(p[i + 15] as number) & 31] as number,
  );
}

/**
 * The id of the `n`-th occurrence (n >= 2) of a fault in a storm window whose full record was
 * logged with incident id `root`: `<root>.<n>`. Searching the log for `root` (the id up to its
 * `.`) finds that record; see {@link incidentRoot}.
 * @example
 * repeatIncidentId('01KB3ZT4Q8N6V2D7XK9M1RCF5H', 7); // '01KB3ZT4Q8N6V2D7XK9M1RCF5H.7'
 */
export function repeatIncidentId(root: string, n: number): string {
  return `${root}.${n}`;
}

/**
 * What to search the log for to find an incident's full record: the id itself, or for a storm
 * repeat (`<root>.<n>`) its root.
 * @example
 * incidentRoot('01KB3ZT4Q8N6V2D7XK9M1RCF5H.7'); // '01KB3ZT4Q8N6V2D7XK9M1RCF5H'
 */
export function incidentRoot(id: string): string {
  const dot = id.indexOf('.');
  return dot === -1 ? id : id.slice(0, dot);
}

const ID = /^(?:[0-9a-f]{32}-)?([0-7][0-9A-HJKMNP-TV-Z]{25})(?:\.[1-9][0-9]*)?$/;

/**
 * Milliseconds since the epoch encoded in an incident id (plain, trace-linked or a storm repeat),
 * or undefined when it is not one.
 */
export function incidentTime(id: string): number | undefined {
  const core = ID.exec(id)?.[1];
  if (core === undefined) return undefined;
  let ms = 0;
  for (let i = 0; i < TIME_CHARS; i++) ms = ms * 32 + ALPHABET.indexOf(core[i] as string);
  return ms;
}
