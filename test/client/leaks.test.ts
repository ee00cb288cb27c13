/**
 * No leaks, bounded state (issue 18 §2). Listeners are counted on a real server (1,000 calls;
 * the 10,000-call count runs in the heap probe, where fetch is injected) with
 * events.getEventListeners; heap is measured after full GCs in a child process started with
 * --expose-gc against the built dist/ (see support/heap-probe.mjs), not by timing anything.
 */
import { spawnSync } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreakers } from '../../src/client/circuit-breaker.js';
import { DEFAULTS } from '../../src/client/defaults.js';
import { createClient } from '../../src/client/index.js';
import { ROOT } from '../support/built.js';
import { reply, startServer, type TestServer } from './support/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('abort listeners', () => {
  it('1,000 calls (20 at a time) sharing one caller signal leave 0 listeners on it, and no warning', async () => {
    server = await startServer((req, res) =>
      req.url === '/fail'
        ? reply(res, 404, 'no')
        : reply(res, 200, '{"ok":true}', { 'content-type': 'application/json' }),
    );
    const url = server.url;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const controller = new AbortController();
    const { signal } = controller;
    const client = createClient();
    let next = 0;
    const worker = async () => {
      while (next < 1_000) {
        const i = next++;
        if (i % 4 === 0) await client.json(url, { signal });
        else if (i % 4 === 1) await client.text(url, { signal });
        else if (i % 4 === 2) await (await client(url, { signal })).text();
        else await client(`${url}/fail`, { signal }).catch(() => {});
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    // A response whose body is cancelled unread also lets go.
    await (await client(url, { signal })).body?.cancel();
    process.off('warning', onWarning);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  }, 120_000);

  it("the caller's signal still cancels a 2xx body being read", async () => {
    server = await startServer((_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk'); // and never ends
    });
    const controller = new AbortController();
    const reason = new Error('stop reading');
    const res = await createClient()(server.url, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reading = res.text();
    controller.abort(reason);
    await expect(reading).rejects.toBeDefined();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('per-origin state', () => {
  it('breakerState() of an origin never used creates no entry', () => {
    const breakers = new CircuitBreakers(DEFAULTS.breaker, () => {});
    for (let i = 0; i < 1000; i++) expect(breakers.stateOf(`http://o${i}.test`)).toBe('closed');
    expect(breakers.size).toBe(0);
  });

  it('keeps at most ≈ 2 × 1024 origins, dropping idle ones first', () => {
    const breakers = new CircuitBreakers(DEFAULTS.breaker, () => {});
    const busy = breakers.for('http://busy.test');
    for (let i = 0; i < 25; i++) busy.record(false, false); // opens: must survive the sweeps
    expect(busy.state).toBe('open');
    for (let i = 0; i < 10_000; i++) breakers.for(`http://idle${i}.test`);
    expect(breakers.size).toBeLessThanOrEqual(1024);
    expect(breakers.stateOf('http://busy.test')).toBe('open');
    for (let i = 0; i < 10_000; i++) breakers.for(`http://failing${i}.test`).record(false, false);
    expect(breakers.size).toBeLessThanOrEqual(2 * 1024 + 128);
  });

  it('100,000 origins add < 5 MiB of heap after GC; 10,000 calls on one signal keep it flat', () => {
    const dist = `${ROOT}dist/client/index.js`;
    if (!existsSync(dist)) {
      spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    }
    const probe = fileURLToPath(new URL('./support/heap-probe.mjs', import.meta.url));
    const r = spawnSync(process.execPath, ['--expose-gc', probe, dist], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const m = JSON.parse(r.stdout) as Record<string, number>;
    expect(m.originsGrowth).toBeLessThan(5 * 1024 * 1024);
    expect(m.statesGrowth).toBeLessThan(1024 * 1024);
    expect(m.signalGrowth).toBeLessThan(1024 * 1024);
    expect(m.listeners).toBe(0);
  }, 300_000); // a generous bound on a busy machine: it measures memory, not time
});
