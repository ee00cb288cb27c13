/**
 * Keeps the server benchmark harness working: `node bench/run.js --smoke` runs every scenario for
 * about a second each (real servers in child processes, wrk or autocannon on loopback) and prints
 * the ratio table. Numbers from a smoke run are not judged here; `npm run bench` produces them.
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../support/built.js';

describe('bench/run.js --smoke', () => {
  beforeAll(() => ensureBuilt());

  it('runs every scenario against every peer and prints the table', () => {
    const r = spawnSync(process.execPath, ['bench/run.js', '--smoke'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('| scenario | faultline | peer | ratio | target | met? |');
    for (const row of [
      '1. happy path rps',
      '2. error path vs physical limit',
      '2. error path vs Fastify 5 (logger on)',
      '2. error path vs express',
      '2. error path vs hono',
      '2. error path vs koa',
      '3. express happy path with faultline',
      '3. fastify error path with faultline',
      '3. hono error path with faultline',
      '3. koa error path with faultline',
      '4. storm 3s of 100% failures: RSS growth',
      '5. toFault + render: revoked Proxy',
      '5. toFault + render: 200,000-key object',
      '5. toFault + render: self-throwing Proxy',
    ]) {
      expect(r.stdout).toContain(row);
    }
    // Every measured rate is a real number, not n/a: each server answered.
    expect(r.stdout).not.toMatch(/\| n\/a \|/);
  }, 300_000);
});
