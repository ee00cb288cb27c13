/**
 * Test helpers for `faultline check`: the fixture apps as child processes (so each can have its
 * own NODE_ENV), and the built CLI run as a child process.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

/** A fixture app: the name of a file in `fixtures/` (without `.mjs`), e.g. `express`. */
export type Fixture = string;

/** A running fixture. */
export interface Running {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Starts `fixtures/<name>.mjs` on 127.0.0.1 port 0 and resolves once it printed its port.
 * `env` replaces NODE_ENV handling: pass `{ NODE_ENV: undefined }` to leave it unset.
 */
export function startFixture(
  name: Fixture,
  env: Record<string, string | undefined> = {},
): Promise<Running> {
  const file = fileURLToPath(new URL(`fixtures/${name}.mjs`, import.meta.url));
  return startAnnouncing(name, process.execPath, [file], env);
}

/**
 * Starts any program that listens on 127.0.0.1 port 0 and prints the port on its first line of
 * stdout (the fixtures' protocol; `fixtures/flask_app.py` follows it too).
 */
export function startAnnouncing(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<Running> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.NODE_ENV; // vitest sets NODE_ENV=test; the fixtures decide for themselves
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child: ChildProcess = spawn(command, args, {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start: ${stderr}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${stderr}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = /^(\d+)\n/.exec(out);
      if (!line) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: `http://127.0.0.1:${line[1]}`,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli/main.js <args>`; needs `npx tsc -p tsconfig.json` first. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json)`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The JSON report of a run (the subset tests look at). */
export interface JsonReportLike {
  readonly failed: boolean;
  readonly settings: {
    timeoutMs: number;
    maxTimeMs: number;
    concurrency: number;
    rate: number | null;
  };
  readonly clamped: ReadonlyArray<{ option: string; requested: number; used: number }>;
  readonly requests: {
    planned: number;
    sent: number;
    resets: number;
    timeouts: number;
    skipped: number;
  };
  readonly findings: ReadonlyArray<{
    id: string;
    severity: string;
    occurrences: ReadonlyArray<{
      request: { method: string; target: string };
      status: number | string;
      evidence: string;
    }>;
  }>;
}

/** Runs the check with --json and parses the report. */
export async function checkJson(
  url: string,
  extra: string[] = [],
): Promise<{ run: CliRun; report: JsonReportLike }> {
  const run = await runCli(['check', url, '--json', ...extra]);
  let report: JsonReportLike;
  try {
    report = JSON.parse(run.stdout) as JsonReportLike;
  } catch {
    throw new Error(`not JSON (exit ${run.code}): ${run.stdout}\n${run.stderr}`);
  }
  return { run, report };
}

/** The sorted finding ids of a report. */
export function ids(report: JsonReportLike): string[] {
  return report.findings.map((f) => f.id).sort();
}
