/** Runs `faultline demo` as a real child process on a free port and collects its stderr log. */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI, ensureBuilt } from './built.js';

export interface DemoProcess {
  url: string;
  log: () => string;
  /** Sends `signal` (default SIGTERM; SIGINT is Ctrl-C) and resolves with the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export async function startDemo(env: Record<string, string> = {}): Promise<DemoProcess> {
  ensureBuilt();
  const child: ChildProcess = spawn(process.execPath, [CLI, 'demo', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c) => {
    stderr += String(c);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`demo did not start: ${out}${stderr}`)),
      10_000,
    );
    child.stdout?.on('data', (c) => {
      out += String(c);
      const m = /faultline demo on (http:\/\/[^\s]+?)\/\s/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`demo exited ${code}: ${stderr}`)));
  });
  return {
    url,
    log: () => stderr,
    stop: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
