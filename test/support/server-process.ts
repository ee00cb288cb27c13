/**
 * Helpers for tests that run a real server binary (nginx, apache2) as a child process: a free
 * loopback port, readiness by polling the port, and a stop that always reaps the child.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A port that was free a moment ago: listen on 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** A temp dir with files (paths relative to it); world-readable so a server dropping root can read it. */
export function tempTree(prefix: string, files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  for (const [rel, content] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, content, { mode: 0o644 });
  }
  return dir;
}

/** Waits (bounded) until no process is left in group `pgid`. */
async function groupGone(pgid: number | undefined): Promise<void> {
  if (pgid === undefined) return;
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A running server process. */
export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** The temp dir with config, logs and document root. */
  readonly dir: string;
  /** Kills the process, waits for it to exit, removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Spawns `command`, waits until `port` accepts connections (or the child exits, or `timeoutMs`),
 * and returns a handle. On failure the child is killed and the error names the log file's tail.
 */
export async function runServer(
  command: string,
  args: string[],
  opts: {
    port: number;
    dir: string;
    errorLog: string;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
  },
): Promise<RunningServer> {
  // Its own process group, so stop() also reaches the workers a server forks (Apache's children
  // would otherwise outlive a killed parent).
  const child: ChildProcess = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopped = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // ESRCH: the whole group is gone already.
    }
  };
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      signalGroup('SIGKILL');
      await exited;
      // The parent's exit is awaited; its forked workers get the same SIGKILL and die with it.
      await groupGone(child.pid);
      rmSync(opts.dir, { recursive: true, force: true });
    }
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      let log = '';
      try {
        log = readFileSync(opts.errorLog, 'utf8').slice(-2000);
      } catch {}
      const why = child.exitCode !== null ? `exited with ${child.exitCode}` : 'did not listen';
      await stop();
      throw new Error(`${command} ${why}: ${output.slice(-2000)}\n${log}`);
    }
    if (await canConnect(opts.port)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return { url: `http://127.0.0.1:${opts.port}`, port: opts.port, dir: opts.dir, stop };
}
