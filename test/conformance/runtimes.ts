/**
 * Conformance targets on other runtimes: the fetch and Hono apps of servers.ts served by Bun's
 * and Deno's own HTTP servers (test/runtimes/serve.ts), each in a child process.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type Runtime, repoRoot, runtimeBinary } from '../support/runtimes.js';
import type { Started } from './servers.js';

const ARGS: Record<Runtime, string[]> = {
  bun: ['test/runtimes/serve.ts'],
  // Sloppy imports: the TypeScript sources import each other as `.js`, as tsc wants.
  deno: ['run', '--allow-all', '--sloppy-imports', 'test/runtimes/serve.ts'],
};

/** Starts `app` (the fetch handler or the Hono app) under `runtime`; resolves once it listens. */
export function startOn(runtime: Runtime, app: 'fetch' | 'hono'): Promise<Started> {
  const binary = runtimeBinary(runtime);
  if (binary === undefined) return Promise.reject(new Error(`${runtime} is not installed`));
  const child = spawn(binary, [...ARGS[runtime], app], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    child.once('exit', (code) =>
      reject(new Error(`${runtime} exited (${code}) before listening: ${stderr}`)),
    );
    lines.on('line', (line) => {
      const port = /^PORT (\d+)$/.exec(line)?.[1];
      if (port === undefined) return;
      resolve({
        origin: `http://127.0.0.1:${port}`,
        protocol: 'h1',
        // The runtime's records stay in its process; only its answers are compared.
        idle: async () => {},
        close: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}

/** Every runtime target, named `<app>-<runtime>`. */
export const RUNTIME_TARGETS: Record<string, { runtime: Runtime; app: 'fetch' | 'hono' }> = {
  'fetch-bun': { runtime: 'bun', app: 'fetch' },
  'hono-bun': { runtime: 'bun', app: 'hono' },
  'fetch-deno': { runtime: 'deno', app: 'fetch' },
  'hono-deno': { runtime: 'deno', app: 'hono' },
};
