/** The finding table is public API: pinned against docs/check.md so docs and code cannot drift. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { atLeast, FINDINGS } from '../../../src/cli/check/findings.js';

const doc = readFileSync(new URL('../../../docs/check.md', import.meta.url), 'utf8');

describe('finding table', () => {
  it('matches the table in docs/check.md row for row: id, severity, title and fix', () => {
    const rows = [
      ...doc.matchAll(
        /^\| `(FL-[A-Z0-9-]+)` +\| (critical|error|warn|info) +\| (.+?) +\| (.+?) +\|$/gm,
      ),
    ].map((m) => [m[1], m[2], m[3], m[4]]);
    expect(rows).toEqual(
      Object.entries(FINDINGS).map(([id, f]) => [id, f.severity, f.title, f.remedy]),
    );
  });

  it('has well-formed ids and a remedy for each', () => {
    for (const [id, f] of Object.entries(FINDINGS)) {
      expect(id).toMatch(/^FL-[A-Z0-9]+(?:-[A-Z0-9]+)*$/);
      expect(f.remedy.length).toBeGreaterThan(20);
    }
  });

  it('orders severities for --fail-on', () => {
    expect(atLeast('critical', 'error')).toBe(true);
    expect(atLeast('error', 'critical')).toBe(false);
    expect(atLeast('error', 'warn')).toBe(true);
    expect(atLeast('warn', 'warn')).toBe(true);
    expect(atLeast('info', 'warn')).toBe(false);
    expect(atLeast('warn', 'error')).toBe(false);
  });
});
