/**
 * `@opentelemetry/api` is an optional peer: faultline must load and work where it is not
 * installed. The package is built into a directory whose node_modules holds only faultline's
 * real dependencies, and used from a child process.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-no-otel-'));
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.json'),
      '--outDir',
      join(dir, 'dist'),
    ],
    { stdio: 'pipe' },
  );
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  mkdirSync(join(dir, 'node_modules'));
  for (const dep of ['pino', 'negotiator']) {
    symlinkSync(join(root, 'node_modules', dep), join(dir, 'node_modules', dep), 'dir');
  }
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('without @opentelemetry/api installed', () => {
  it('imports, responds, logs, and rejects telemetry: true with a clear message', () => {
    const script = `
      import { createFaultline } from './dist/index.js';
      const out = {};
      try { await import('@opentelemetry/api'); out.apiPresent = true; } catch { out.apiPresent = false; }
      const lines = [];
      const logger = { error: (o) => lines.push(o), info() {}, debug() {} };
      const fl = createFaultline({ logger });
      out.telemetry = fl.options.telemetry ?? null;
      const res = fl.respond(new Error('x'), { method: 'GET', url: '/', headers: {}, remoteAddress: undefined, requestId: undefined });
      out.status = res.status;
      out.incident = res.fault.public.incident;
      out.logged = lines.length;
      try { createFaultline({ logger: false, telemetry: true }); out.strict = 'no error'; }
      catch (e) { out.strict = e.message; }
      console.log(JSON.stringify(out));
    `;
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
    });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.apiPresent).toBe(false);
    expect(out.telemetry).toBeNull();
    expect(out.status).toBe(500);
    expect(out.incident).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(out.logged).toBe(1);
    expect(out.strict).toBe(
      'faultline: option "telemetry" is on, but @opentelemetry/api cannot be loaded. Fix: install it (npm install @opentelemetry/api) or leave telemetry unset to use it when present',
    );
  });
});
