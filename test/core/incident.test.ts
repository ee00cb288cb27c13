import { describe, expect, it } from 'vitest';
import {
  incidentRoot,
  incidentTime,
  newIncidentId,
  repeatIncidentId,
} from '../../src/core/incident.js';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe('incident ids', () => {
  it('are ULIDs: 26 Crockford base32 characters, URL-safe', () => {
    for (let i = 0; i < 1_000; i++) expect(newIncidentId()).toMatch(ULID);
    expect(newIncidentId(0)).toMatch(/^0{10}[0-9A-HJKMNP-TV-Z]{16}$/);
    // The largest 48-bit time still fits the first character's 3 bits.
    expect(newIncidentId(2 ** 48 - 1).slice(0, 10)).toBe('7ZZZZZZZZZ');
  });

  it('are unique over 200,000 ids made in the same millisecond', () => {
    const now = Date.now();
    const ids = new Set<string>();
    for (let i = 0; i < 200_000; i++) ids.add(newIncidentId(now));
    expect(ids.size).toBe(200_000);
  });

  it('sort by creation time across milliseconds', () => {
    const times = Array.from({ length: 2_000 }, (_, i) => 1_700_000_000_000 + i * 7919);
    const ids = times.map((t) => newIncidentId(t));
    const shuffled = [...ids].sort(() => Math.random() - 0.5);
    expect(shuffled.sort()).toEqual(ids);
    expect(newIncidentId(1_700_000_000_000) < newIncidentId(1_700_000_000_001)).toBe(true);
  });

  it('count nothing: every random character is uniform, even for ids of the same millisecond', () => {
    // A counter (or a per-process prefix) would leave most positions constant across 8,000 ids
    // of one millisecond; fresh randomness spreads each over the 32 symbols (8,000 / 32 = 250
    // expected per symbol; below 150 or above 350 is a > 6-sigma event).
    const ids = Array.from({ length: 8_000 }, () => newIncidentId(1_700_000_000_000));
    for (let pos = 10; pos < 26; pos++) {
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(id[pos] as string, (counts.get(id[pos] as string) ?? 0) + 1);
      expect(counts.size).toBe(32);
      for (const n of counts.values()) {
        expect(n).toBeGreaterThan(150);
        expect(n).toBeLessThan(350);
      }
    }
  });

  it('round-trip their time in every form, and reject non-ids', () => {
    const now = Date.now();
    const id = newIncidentId(now);
    expect(incidentTime(id)).toBe(now);
    expect(incidentTime(`4bf92f3577b34da6a3ce929d0e0e4736-${id}`)).toBe(now);
    expect(incidentTime(repeatIncidentId(id, 12))).toBe(now);
    expect(incidentTime('not-an-id')).toBeUndefined();
    expect(incidentTime(`${id}.0`)).toBeUndefined();
    expect(incidentTime(id.slice(1))).toBeUndefined();
  });

  it('a storm repeat names its root: the id up to the dot', () => {
    const root = newIncidentId();
    const repeat = repeatIncidentId(root, 42);
    expect(repeat).toBe(`${root}.42`);
    expect(incidentRoot(repeat)).toBe(root);
    expect(incidentRoot(root)).toBe(root);
    const traced = `4bf92f3577b34da6a3ce929d0e0e4736-${root}`;
    expect(incidentRoot(repeatIncidentId(traced, 2))).toBe(traced);
  });
});
