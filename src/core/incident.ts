/**
 * Incident ids: unique, URL-safe, time-sortable and cheap. Layout (Crockford base32, 18 chars):
 * 9 chars of milliseconds since the epoch, 4 chars of per-process randomness (drawn once), 5 chars
 * of a per-process counter. No per-request crypto; ids sort by creation time.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(value: number, width: number): string {
  let out = '';
  let v = value;
  for (let i = 0; i < width; i++) {
    out = ALPHABET[v % 32] + out;
    v = Math.floor(v / 32);
  }
  return out;
}

function processPrefix(): string {
  const bytes = new Uint8Array(4);
  globalThis.crypto.getRandomValues(bytes);
  return base32(((bytes[0] ?? 0) << 12) | ((bytes[1] ?? 0) << 4) | ((bytes[2] ?? 0) & 0xf), 4);
}

const PREFIX = processPrefix();
const COUNTER_SPACE = 32 ** 5;
let counter = Math.floor(Math.random() * COUNTER_SPACE);
let lastMs = -1;
let lastTime = '';

/** A new incident id, e.g. `01KAZ3J9QF7M2A0004Z`. */
export function newIncidentId(now: number = Date.now()): string {
  if (now !== lastMs) {
    lastMs = now;
    lastTime = base32(now, 9);
  }
  counter = (counter + 1) % COUNTER_SPACE;
  return lastTime + PREFIX + base32(counter, 5);
}

/** Milliseconds since the epoch encoded in an incident id, or undefined when it is not one. */
export function incidentTime(id: string): number | undefined {
  if (!/^[0-9A-HJKMNP-TV-Z]{18}$/.test(id)) return undefined;
  let ms = 0;
  for (let i = 0; i < 9; i++) ms = ms * 32 + ALPHABET.indexOf(id[i] as string);
  return ms;
}
