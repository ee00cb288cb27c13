/**
 * Keeps the storm log-volume benchmark working and its bounds checked: `bench/storm-log.js`
 * exits non-zero when the log exceeds 1 MiB, a summary count is not exact, or an incident id
 * finds no full record. A smaller run here; `node bench/storm-log.js` makes the README's numbers.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../support/built.js';

describe('bench/storm-log.js', () => {
  beforeAll(() => ensureBuilt());

  it('10,000 identical failures over 6 s: exact counts, every id findable, log far below 1 MiB', () => {
    const r = spawnSync(
      process.execPath,
      ['bench/storm-log.js', '--failures=10000', '--seconds=6', '--window=1000'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const row = r.stdout.trim().split('\n').at(-1) ?? '';
    expect(row).toContain('| 10,000 | 6 s | 1 s |');
    expect(row).toContain('| 6 | 6 | 10,000 (exact) | 10,000 / 10,000 |');
  }, 150_000);
});
