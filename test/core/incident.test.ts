import { describe, expect, it } from 'vitest';
import { incidentTime, newIncidentId } from '../../src/core/incident.js';

describe('incident ids', () => {
  it('are unique, URL-safe and time-sortable', () => {
    const ids = Array.from({ length: 50_000 }, () => newIncidentId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{18}$/);
    const early = newIncidentId(1_700_000_000_000);
    const late = newIncidentId(1_700_000_000_001);
    expect(early < late).toBe(true);
    expect(incidentTime(late)).toBe(1_700_000_000_001);
  });

  it('round-trips time and rejects non-ids', () => {
    const now = Date.now();
    expect(incidentTime(newIncidentId(now))).toBe(now);
    expect(incidentTime('not-an-id')).toBeUndefined();
  });
});
