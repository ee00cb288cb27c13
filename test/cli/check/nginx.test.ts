/**
 * End to end: the built CLI against Debian's nginx with its default `server_tokens on`, started
 * from a temporary prefix on 127.0.0.1. Version disclosure must be found.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWith } from '../../support/programs.js';
import { checkJson, ids } from './servers.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeWith(['nginx'], 'faultline check: nginx (Debian package, server_tokens on)', () => {
  let dir: string;
  let nginx: ChildProcess;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-check-nginx-'));
    await mkdir(join(dir, 'html'));
    writeFileSync(join(dir, 'html', 'index.html'), '<!doctype html><title>ok</title>ok\n');
    const port = await freePort();
    const t = (name: string): string => join(dir, name);
    writeFileSync(
      t('nginx.conf'),
      `daemon off;
master_process off;
worker_processes 1;
pid ${t('nginx.pid')};
error_log ${t('error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  server_tokens on;
  client_body_temp_path ${t('body')};
  proxy_temp_path ${t('proxy')};
  fastcgi_temp_path ${t('fastcgi')};
  uwsgi_temp_path ${t('uwsgi')};
  scgi_temp_path ${t('scgi')};
  server {
    listen 127.0.0.1:${port};
    root ${t('html')};
  }
}
`,
    );
    nginx = spawn('/usr/sbin/nginx', ['-p', dir, '-c', t('nginx.conf')], { stdio: 'ignore' });
    await waitForPort(port, 10_000);
    url = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      await new Promise<void>((done) => {
        nginx.once('exit', () => done());
        nginx.kill('SIGQUIT');
      });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the version in the Server header and on the error pages', async () => {
    const { run, report } = await checkJson(url, ['--allow-unsafe']);
    expect(ids(report)).toEqual([
      'FL-BODY-VERSION',
      'FL-HTML-FOR-JSON',
      'FL-NO-CORRELATION-ID',
      'FL-NO-NOSNIFF',
      'FL-NO-STORE-5XX',
      'FL-SERVER-VERSION',
    ]);
    const server = report.findings.find((f) => f.id === 'FL-SERVER-VERSION');
    expect(server?.occurrences[0]?.evidence).toMatch(/^server: nginx\/\d+\.\d+\.\d+$/);
    const body = report.findings.find((f) => f.id === 'FL-BODY-VERSION');
    expect(body?.occurrences[0]?.evidence).toMatch(/nginx\/\d+\.\d+\.\d+/);
    // Only warnings (no leak of the error class): the default --fail-on error passes, warn fails.
    expect(report.findings.every((f) => f.severity !== 'error')).toBe(true);
    expect(run.code).toBe(0);
    const strict = await checkJson(url, ['--fail-on', 'warn']);
    expect(strict.run.code).toBe(1);
    expect(strict.report.failed).toBe(true);
  });
});
