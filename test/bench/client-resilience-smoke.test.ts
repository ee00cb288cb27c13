/** Runs `node bench/client-resilience.js --smoke` (building dist first if needed) and checks its table. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('bench/client-resilience --smoke', () => {
  beforeAll(() => {
    if (!existsSync(`${root}dist/client/index.js`)) {
      const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
      if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
    }
  });

  it('exits 0 and prints the table with every scenario', () => {
    const r = spawnSync(process.execPath, ['bench/client-resilience.js', '--smoke'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      '| scenario | client | logical | attempts | A | S | target | met? |',
    );
    for (const scenario of [
      'total outage (100% 500)',
      '500s at 1%',
      '500s at 10%',
      '500s at 30%',
      'sticky failures (same 30% fail every attempt)',
      'overload signalled by 503 (100%)',
      'outage starts (200 → 100% 500)',
      '503 + Retry-After: 2',
      '503 + Retry-After: 3600',
      'POST, no Idempotency-Key',
      'POST + Idempotency-Key',
      'PUT ReadableStream meets 503',
    ]) {
      expect(r.stdout).toContain(`| ${scenario}`);
    }
    expect(r.stdout).not.toContain('**no**');
  }, 180_000);
});
