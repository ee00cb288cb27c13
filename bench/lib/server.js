// Starts a benchmark server in its own process; its stdout+stderr (logs) go to a file, as a
// production deployment's would.
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('../servers/app.js', import.meta.url));

export async function startServer(stack, mode, nodeArgs = []) {
  const logFile = join(tmpdir(), `faultline-bench-${stack}-${mode}-${process.pid}.log`);
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, [...nodeArgs, APP], {
    env: { ...process.env, STACK: stack, MODE: mode, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', log],
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${stack} did not start`)), 15_000);
    child.stdout.on('data', (c) => {
      out += String(c);
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) =>
      reject(new Error(`${stack} exited ${code}: ${readFileSync(logFile, 'utf8').slice(0, 2000)}`)),
    );
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    logFile,
    /** Live heap after a full GC, in MB (servers started with --expose-gc that serve /__heap). */
    async heapMB() {
      const res = await fetch(`http://127.0.0.1:${port}/__heap`);
      return Number(await res.text()) / 2 ** 20;
    },
    rssMB() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
      } catch {
        return Number.NaN;
      }
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGKILL');
      }),
  };
}
