/**
 * The incident trail through the real `faultline demo` process: N clicks on the same failing
 * route, then Ctrl-C. Every page's incident id leads, by the README's plain-text search, to the
 * full record of its fault; one summary carries the exact count; the drain logs its line.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDemo } from '../support/demo-process.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-trail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's search, run by a real shell: `grep -F "${ID%%.*}" app.log`. */
function search(id: string, log: string): string[] {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not JS
  const out = execFileSync('sh', ['-c', 'grep -F -- "${ID%%.*}" "$LOG" || true'], {
    env: { ...process.env, ID: id, LOG: log },
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.length > 0);
}

describe('the incident trail in the demo', () => {
  it('N clicks on /fail/sync, then Ctrl-C: every page id finds its full record; one summary counts all', async () => {
    const demo = await startDemo();
    const N = 25;
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const res = await fetch(`${demo.url}/fail/sync`, { headers: { accept: 'text/html' } });
      const page = await res.text();
      expect(res.status).toBe(500);
      const id = res.headers.get('faultline-incident') as string;
      expect(page).toContain(id);
      ids.push(id);
    }
    expect(new Set(ids).size).toBe(N);
    expect(await demo.stop('SIGINT')).toBe(0);

    const logFile = join(dir, 'app.log');
    writeFileSync(logFile, demo.log());
    for (const id of ids) {
      const found = search(id, logFile).map((l) => JSON.parse(l) as Record<string, unknown>);
      const full = found.find((r) => r.storm === undefined && r.error !== undefined);
      expect(full, `no full record for ${id}`).toMatchObject({
        status: 500,
        phase: 'handler',
        error: { name: 'Error', message: 'synchronous failure in /fail/sync' },
        request: { method: 'GET', path: '/fail/sync' },
      });
      expect(String((full?.error as { stack?: string } | undefined)?.stack)).toContain('at ');
    }

    // Log volume: one full record per storm window (one window unless the clicks spanned more
    // than its 10 s), one summary per window with repeats, exact counts, the drain line.
    const lines = demo
      .log()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const perRoot = new Map<string, number>();
    for (const id of ids) {
      const root = id.split('.')[0] as string;
      perRoot.set(root, (perRoot.get(root) ?? 0) + 1);
    }
    expect(ids[0]).not.toContain('.');
    const full = lines.filter((r) => r.error !== undefined && r.storm === undefined);
    expect(full.map((r) => r.incident)).toEqual([...perRoot.keys()]);
    const summaries = lines.filter((r) => r.storm !== undefined);
    const repeated = [...perRoot].filter(([, n]) => n > 1);
    expect(summaries.map((r) => [r.incident, (r.storm as { count: number }).count])).toEqual(
      repeated,
    );
    expect(summaries.reduce((n, r) => n + (r.storm as { suppressed: number }).suppressed, 0)).toBe(
      N - perRoot.size,
    );
    const drains = lines.filter((r) => r.shutdown !== undefined);
    expect(drains).toEqual([
      expect.objectContaining({
        shutdown: expect.objectContaining({ reason: 'SIGINT', inFlight: 0, drained: 0, lost: 0 }),
      }),
    ]);
    expect(lines).toHaveLength(full.length + summaries.length + 1);
  });
});
