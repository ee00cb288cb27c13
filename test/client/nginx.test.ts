/**
 * Against real nginx (Debian package): 503 with `Retry-After: 1`; while the client waits, the
 * config is switched to 200 and reloaded (`nginx -s reload -c … -p …`); the retry gets the 200.
 * nginx runs in the foreground (`daemon off`) as our child, with everything in a temp prefix.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, isResponseError, type RetryEvent } from '../../src/client/index.js';
import { describeWith } from '../support/programs.js';
import { freePort } from '../support/server-process.js';

const NGINX = '/usr/sbin/nginx';

/**
 * nginx writes an access-log line in its log phase, after the response has gone out, so a client
 * can hold the whole response before the line exists. Wait for the lines (file events, plus a slow
 * re-check in case an event is coalesced), bounded: fail with what the log holds, never retry.
 */
function waitForLines(
  file: string,
  select: (line: string) => boolean,
  count: number,
  timeoutMs = 10_000,
): Promise<string[]> {
  const read = (): string[] =>
    existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(select) : [];
  return new Promise((resolve, reject) => {
    const watcher = watch(file, () => check());
    const poll = setInterval(() => check(), 100);
    const timer = setTimeout(() => {
      done();
      reject(new Error(`expected ${count} line(s) in ${file}, have: ${JSON.stringify(read())}`));
    }, timeoutMs);
    function done(): void {
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
    }
    function check(): void {
      const lines = read();
      if (lines.length >= count) {
        done();
        resolve(lines);
      }
    }
    check();
  });
}

function config(prefix: string, port: number, location: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log notice;
events { worker_connections 64; }
http {
  log_format attempts '$uri $status $http_faultline_attempt';
  access_log ${prefix}/access.log attempts;
  # No keep-alive: the retry must not reuse a socket of a worker the reload is shutting down.
  keepalive_timeout 0;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / { ${location} }
  }
}
`;
}

function countIn(file: string, text: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split(text).length - 1 : 0;
}

/** Blocks (bounded, 10 s) until `ready()`; for use inside a synchronous hook only. */
function waitSync(ready: () => boolean): void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; !ready(); waited += 10) {
    if (waited >= 10_000) throw new Error('nginx reload did not complete in 10 s');
    Atomics.wait(cell, 0, 0, 10);
  }
}

describeWith(['nginx'], 'faultline/client against nginx', () => {
  let prefix = '';
  let conf = '';
  let port = 0;
  let nginx: ChildProcess | undefined;

  beforeAll(async () => {
    prefix = mkdtempSync(join(tmpdir(), 'faultline-nginx-'));
    conf = join(prefix, 'nginx.conf');
    port = await freePort();
    writeFileSync(
      conf,
      config(prefix, port, "add_header Retry-After 1 always; return 503 'down for a second';"),
    );
    nginx = spawn(NGINX, ['-c', conf, '-p', prefix, '-e', join(prefix, 'error.log')], {
      stdio: 'ignore',
    });
    // Wait until it listens.
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/`).then(
        (r) => r.body?.cancel().then(() => true),
        () => false,
      );
      if (up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nginx did not start: ${readFileSync(join(prefix, 'error.log'), 'utf8')}`);
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx?.once('exit', r));
      nginx.kill('SIGQUIT'); // graceful shutdown of master and workers
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (nginx.exitCode === null) nginx.kill('SIGKILL');
    }
    rmSync(prefix, { recursive: true, force: true });
  });

  it('honours Retry-After: 1 from nginx and gets the 200 after a reload', async () => {
    // Only this test's path is counted: the readiness probes' lines may land at any time.
    const path = '/reload-test';
    const retries: RetryEvent[] = [];
    const hookErrors: unknown[] = []; // hooks cannot throw into the client: collect and assert
    const client = createClient({
      hooks: {
        onRetry: (event) => {
          retries.push(event);
          try {
            writeFileSync(conf, config(prefix, port, "return 200 'back';"));
            const r = spawnSync(NGINX, ['-c', conf, '-p', prefix, '-s', 'reload'], {
              encoding: 'utf8',
            });
            if (r.status !== 0) throw new Error(`reload failed: ${r.stderr}`);
            // The reload is asynchronous: block this (synchronous) hook until the old worker has
            // stopped accepting, so the retry meets the new config whatever the machine's load.
            waitSync(() => countIn(join(prefix, 'error.log'), 'gracefully shutting down') >= 1);
          } catch (error) {
            hookErrors.push(error);
          }
        },
      },
    });
    const started = performance.now();
    const res = await client(`http://127.0.0.1:${port}${path}`);
    const elapsed = performance.now() - started;

    expect(hookErrors).toEqual([]);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('back');
    expect(retries).toHaveLength(1);
    const [retry] = retries;
    expect(retry?.delayMs).toBe(1000);
    expect(isResponseError(retry?.error) && retry.error.status).toBe(503);
    expect(isResponseError(retry?.error) && retry.error.retryAt).toBeInstanceOf(Date);
    expect(elapsed).toBeGreaterThanOrEqual(1000);

    const lines = await waitForLines(
      join(prefix, 'access.log'),
      (line) => line.startsWith(`${path} `),
      2,
    );
    expect(lines).toEqual([`${path} 503 1`, `${path} 200 2`]);
  });
});
