/**
 * Against real nginx (Debian package): 503 with `Retry-After: 1`; while the client waits, the
 * config is switched to 200 and reloaded (`nginx -s reload -c … -p …`); the retry gets the 200.
 * nginx runs in the foreground (`daemon off`) as our child, with everything in a temp prefix.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, isResponseError, type RetryEvent } from '../../src/client/index.js';
import { describeWith } from '../support/programs.js';
import { freePort } from '../support/server-process.js';

const NGINX = '/usr/sbin/nginx';

function config(prefix: string, port: number, location: string): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 64; }
http {
  log_format attempts '$status $http_faultline_attempt';
  access_log ${prefix}/access.log attempts;
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
    // Clear the access log lines from the readiness probe.
    const probeLines = readFileSync(join(prefix, 'access.log'), 'utf8').trim().split('\n').length;
    const retries: RetryEvent[] = [];
    const client = createClient({
      hooks: {
        onRetry: (event) => {
          retries.push(event);
          writeFileSync(conf, config(prefix, port, "return 200 'back';"));
          const r = spawnSync(NGINX, ['-c', conf, '-p', prefix, '-s', 'reload'], {
            encoding: 'utf8',
          });
          if (r.status !== 0) throw new Error(`reload failed: ${r.stderr}`);
        },
      },
    });
    const started = performance.now();
    const res = await client(`http://127.0.0.1:${port}/`);
    const elapsed = performance.now() - started;

    expect(res.status).toBe(200);
    expect(await res.text()).toBe('back');
    expect(retries).toHaveLength(1);
    const [retry] = retries;
    expect(retry?.delayMs).toBe(1000);
    expect(isResponseError(retry?.error) && retry.error.status).toBe(503);
    expect(isResponseError(retry?.error) && retry.error.retryAt).toBeInstanceOf(Date);
    expect(elapsed).toBeGreaterThanOrEqual(1000);

    const lines = readFileSync(join(prefix, 'access.log'), 'utf8').trim().split('\n');
    expect(lines.slice(probeLines)).toEqual(['503 1', '200 2']);
  });
});
