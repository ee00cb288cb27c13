/**
 * Per-origin state with a bound. A client that talks to many origins (a crawler, a webhook
 * sender) must not keep one budget and one breaker per origin forever: entries are kept in
 * least-recently-used order, and past `max` the oldest *idle* ones are dropped (an idle entry is
 * one whose state equals a fresh one's, so dropping it changes no decision). Only when more than
 * `2 × max` entries are busy does the oldest go regardless, so memory stays bounded whatever the
 * traffic.
 */

/** Default number of origins kept per client (≈ 1 KiB each, budget + breaker). */
export const MAX_ORIGINS = 1024;

/** A map from origin to state, bounded as described in the module header. */
export class OriginMap<V> {
  readonly #entries = new Map<string, V>();
  readonly #create: (origin: string) => V;
  readonly #idle: (value: V) => boolean;
  readonly #max: number;
  /** Size at which the next sweep runs: sweeps that free little are not repeated per insert. */
  #sweepAt: number;

  constructor(create: (origin: string) => V, idle: (value: V) => boolean, max = MAX_ORIGINS) {
    this.#create = create;
    this.#idle = idle;
    this.#max = max;
    this.#sweepAt = max + 1;
  }

  /** Entries currently held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry for `origin`, without creating one (reading state must not allocate state). */
  peek(origin: string): V | undefined {
    return this.#entries.get(origin);
  }

  /** The entry for `origin`, created on first use and marked most recently used. */
  get(origin: string): V {
    const entries = this.#entries;
    let value = entries.get(origin);
    if (value === undefined) {
      value = this.#create(origin);
      entries.set(origin, value);
      if (entries.size >= this.#sweepAt) this.#sweep(origin);
    } else if (entries.size > 1) {
      // Move to the back: Map keeps insertion order, so the front is the least recently used.
      entries.delete(origin);
      entries.set(origin, value);
    }
    return value;
  }

  #sweep(keep: string): void {
    const entries = this.#entries;
    const max = this.#max;
    // Free a batch (down to 7/8 of max), so the next sweep is max/8 inserts away.
    const low = max - Math.floor(max / 8);
    for (const [origin, value] of entries) {
      if (entries.size <= low) break;
      if (origin !== keep && this.#idle(value)) entries.delete(origin);
    }
    for (const origin of entries.keys()) {
      if (entries.size <= 2 * max) break;
      if (origin !== keep) entries.delete(origin);
    }
    // Busy entries left over max: look again only after another eighth of max has arrived.
    this.#sweepAt = entries.size <= max ? max + 1 : entries.size + Math.ceil(max / 8);
  }
}
