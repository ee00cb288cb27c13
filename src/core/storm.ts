/**
 * storm: error-storm control. In a storm, the same fault repeats thousands of times a second and
 * logging each in full costs more than serving the requests. Identical faults (same fingerprint:
 * error type, top stack frames, route) are logged in full the first time in a window, then only
 * counted; each counted repeat learns its ordinal in the window (2, 3, ...), which the reporter
 * turns into its incident id (`<root>.<n>`), and when the window ends one summary carries the
 * exact count.
 *
 * Memory is bounded: at most `maxFingerprints` fingerprints are remembered, least recently seen
 * first out (two-generation LRU); an evicted entry emits its summary first, so counts are never
 * lost. Time comes from an injectable
 * clock and the flush timer is `unref()`ed: it never keeps a process alive.
 */
import type { Fault } from './fault.js';

/** Storm-control settings. */
export interface StormSettings {
  /** Length of a dedupe window in milliseconds. */
  readonly windowMs: number;
  /** Most fingerprints remembered at once (LRU beyond that). */
  readonly maxFingerprints: number;
}

/** Test seams and wiring of a {@link StormControl}. */
export interface StormHooks {
  /** Milliseconds clock. @default Date.now */
  readonly now?: () => number;
  /** Flush ended windows on an unref'ed timer every `windowMs`. @default true */
  readonly autoFlush?: boolean;
}

/** One window's worth of repeats of one fault, emitted when the window closes. */
export interface StormSummary<T> {
  /** 16 hex digits. */
  readonly fingerprint: string;
  /** Occurrences in the window, including the one logged in full (the last ordinal handed out). */
  readonly count: number;
  /** Occurrences only counted (`count - 1`). */
  readonly suppressed: number;
  /** When the window opened (ms, same clock as `now`). */
  readonly since: number;
  /** The last occurrence (ms). */
  readonly until: number;
  /** What the caller stored with the first occurrence (level, logger, incident id, ...). */
  readonly sample: T;
}

/** An open window as the caller sees it: the ordinal just handed out and the first's sample. */
export interface StormWindow<T> {
  /** Occurrences so far, this one included: 1 when this one opened the window. */
  readonly count: number;
  readonly sample: T;
}

interface Entry<T> {
  since: number;
  until: number;
  count: number;
  sample: T;
}

/**
 * Windowed dedupe of repeated faults with a bounded, approximately-LRU memory of fingerprints.
 * @example
 * const storm = new StormControl({ windowMs: 10_000, maxFingerprints: 10_000 }, (s) => log(s));
 * if (storm.admit(fingerprint, sample).count === 1) logInFull();
 */
export class StormControl<T> {
  readonly #settings: StormSettings;
  readonly #now: () => number;
  readonly #autoFlush: boolean;
  readonly #emit: (summary: StormSummary<T>) => void;
  readonly #half: number;
  // Two generations approximate an LRU at O(1) per call (the `hashlru` scheme): hits are served
  // from either map, a hit in the old one moves the entry to the new one, and when the new map is
  // half the budget the old one is dropped whole (its counts emitted first). Recently seen
  // fingerprints survive; the total never exceeds `maxFingerprints`. A single Map re-ordered on
  // every hit would be an exact LRU, but evicting from its front is O(holes) in V8.
  #young = new Map<number, Entry<T>>();
  #old = new Map<number, Entry<T>>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    settings: StormSettings,
    emit: (summary: StormSummary<T>) => void,
    hooks: StormHooks = {},
  ) {
    this.#settings = settings;
    this.#emit = emit;
    this.#now = hooks.now ?? Date.now;
    this.#autoFlush = hooks.autoFlush ?? true;
    // Young stays below `half` and old holds at most `half`: 2 * half - 1 <= maxFingerprints.
    this.#half = Math.ceil(settings.maxFingerprints / 2);
  }

  /** Fingerprints currently remembered (never more than `maxFingerprints`). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /**
   * Counts one more occurrence of `fingerprint` if its window is open and returns that window
   * (its `count` is this occurrence's ordinal, >= 2); undefined (and nothing recorded) otherwise.
   * Lets a caller that already knows the fingerprint skip computing it. No allocation.
   */
  countIfOpen(fingerprint: number): StormWindow<T> | undefined {
    const entry = this.#young.get(fingerprint) ?? this.#old.get(fingerprint);
    if (entry === undefined) return undefined;
    const now = this.#now();
    if (now - entry.since >= this.#settings.windowMs) return undefined;
    entry.until = now;
    entry.count++;
    return entry;
  }

  /**
   * Records one occurrence and returns its window: `count === 1` when this occurrence opened it
   * and should be logged in full, `count` >= 2 (its ordinal) when it was only counted. `sample`
   * is kept for the summary (only the first one of a window).
   */
  admit(fingerprint: number, sample: T): StormWindow<T> {
    const now = this.#now();
    let entry = this.#young.get(fingerprint);
    if (entry === undefined) {
      entry = this.#old.get(fingerprint);
      if (entry !== undefined) {
        this.#old.delete(fingerprint);
        this.#insert(fingerprint, entry);
      }
    }
    if (entry !== undefined) {
      if (now - entry.since < this.#settings.windowMs) {
        entry.until = now;
        entry.count++;
        return entry;
      }
      // The window is over: summarize it and open a new one in place.
      this.#summarize(fingerprint, entry);
      entry.since = now;
      entry.until = now;
      entry.count = 1;
      entry.sample = sample;
      return entry;
    }
    const fresh: Entry<T> = { since: now, until: now, count: 1, sample };
    this.#insert(fingerprint, fresh);
    this.#arm();
    return fresh;
  }

  #insert(fingerprint: number, entry: Entry<T>): void {
    this.#young.set(fingerprint, entry);
    if (this.#young.size >= this.#half) {
      // Drop the old generation; its counts are emitted, not lost.
      for (const [key, dropped] of this.#old) this.#summarize(key, dropped);
      this.#old = this.#young;
      this.#young = new Map();
    }
  }

  /**
   * Emits the summaries of windows that have ended and forgets them; with `all`, of every open
   * window (at shutdown).
   */
  flush(all = false): void {
    const now = this.#now();
    for (const map of [this.#old, this.#young]) {
      for (const [key, entry] of map) {
        if (all || now - entry.since >= this.#settings.windowMs) {
          map.delete(key);
          this.#summarize(key, entry);
        }
      }
    }
    if (this.size === 0) this.#disarm();
  }

  /** Stops the timer; pending summaries are emitted. */
  close(): void {
    this.flush(true);
    this.#disarm();
  }

  #summarize(key: number, entry: Entry<T>): void {
    if (entry.count < 2) return;
    try {
      this.#emit({
        fingerprint: fingerprintHex(key),
        count: entry.count,
        suppressed: entry.count - 1,
        since: entry.since,
        until: entry.until,
        sample: entry.sample,
      });
    } catch {
      // A failing sink loses one summary line, never the caller's request.
    }
  }

  #arm(): void {
    if (!this.#autoFlush || this.#timer !== undefined) return;
    const timer = setInterval(() => this.flush(), this.#settings.windowMs);
    // Never keep the process alive for a summary line.
    timer.unref?.();
    this.#timer = timer;
  }

  #disarm(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** A fingerprint as 16 lower-case hex digits (53 significant bits). */
export function fingerprintHex(fp: number): string {
  return fp.toString(16).padStart(16, '0');
}

/**
 * cyrb53: a fast, well-mixed 53-bit string hash. Collisions among 10,000 live fingerprints are
 * about one in 10^8, and a collision only merges two faults' counts.
 */
function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const FRAMES = 3;

/** The first `FRAMES` `at ...` lines of a V8 stack (the message line varies; frames don't). */
function topFrames(stack: string | undefined): string {
  if (stack === undefined) return '';
  let pos = stack.indexOf('\n    at ');
  if (pos === -1) return '';
  let end = pos;
  for (let i = 0; i < FRAMES && end !== -1; i++) {
    end = stack.indexOf('\n', end + 1);
  }
  if (end === -1) end = stack.length;
  pos += 1;
  return stack.slice(pos, end);
}

const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,})$/i;

/**
 * The route part of a fingerprint: the framework's route template when the adapter knows it,
 * else the path with id-like segments (numbers, UUIDs, long hex, long mixed tokens) as `:id` so
 * `/users/1` and `/users/2` storm together. Bounded to 256 characters.
 */
export function routeKey(route: string | undefined, path: string): string {
  if (route !== undefined) return route.length > 256 ? route.slice(0, 256) : route;
  const p = path.length > 256 ? path.slice(0, 256) : path;
  const segments = p.split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    if (s.length > 0 && (ID_SEGMENT.test(s) || (s.length >= 24 && /\d/.test(s)))) {
      segments[i] = ':id';
    }
  }
  return segments.join('/');
}

const DIGITS = /[0-9]+/g;

/**
 * A cheap key that needs no stack: status, code, phase, error type and code, route and the first
 * 120 characters of the message with digits folded. Reading `stack` makes V8 format it (several
 * microseconds); in an error storm the reporter maps this key to the full fingerprint of the
 * fault it last counted and, while that window is open, counts repeats without formatting.
 */
export function quickKey(fault: Fault, route: string): string {
  const p = fault.private;
  const message = p.message.length > 120 ? p.message.slice(0, 120) : p.message;
  return `${fault.public.status}|${fault.public.code}|${fault.phase}|${p.thrown}|${p.name}|${p.code ?? ''}|${route}|${message.replace(DIGITS, '#')}`;
}

/**
 * The fingerprint of a fault: status, phase, error type and code, the top stack frames and the
 * route. The message is left out on purpose: it often carries ids that differ per request.
 */
export function faultFingerprint(fault: Fault, route: string): number {
  const p = fault.private;
  return hash53(
    `${fault.public.status}|${fault.public.code}|${fault.phase}|${p.thrown}|${p.name}|${p.code ?? ''}|${route}|${topFrames(p.stack)}`,
  );
}
