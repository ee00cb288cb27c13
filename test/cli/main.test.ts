import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt } from '../support/built.js';
import { describeWith } from '../support/programs.js';

const run = promisify(execFile);

describe('faultline CLI', () => {
  beforeAll(() => ensureBuilt());

  it('prints help', async () => {
    const { stdout } = await run(process.execPath, [CLI, '--help']);
    expect(stdout).toContain('faultline demo');
  });

  it('rejects an unknown command with exit code 2', async () => {
    const err = await run(process.execPath, [CLI, 'nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain('unknown command "nope"');
  });

  it('rejects a bad --port, echoing the value', async () => {
    for (const args of [['--port', 'abc'], ['--port=abc']]) {
      const err = await run(process.execPath, [CLI, 'demo', ...args]).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(err).toMatchObject({ code: 2 });
      expect((err as { stderr: string }).stderr).toContain(
        'faultline demo: --port must be an integer 0–65535, got "abc"',
      );
    }
  });

  it('prints its version from package.json', async () => {
    const { version } = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    for (const flag of ['--version', '-v']) {
      const { stdout } = await run(process.execPath, [CLI, flag]);
      expect(stdout.trim()).toBe(version);
    }
  });

  it('prints demo help instead of starting a server', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'demo', '--help'], { timeout: 10_000 });
    expect(stdout).toContain('Usage: faultline demo [options]');
    expect(stdout).toContain('--port N');
  });

  it('rejects unknown options and arguments clearly, suggesting the near one', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['demo', '--prot', '3130'],
        'faultline demo: unknown option "--prot" (did you mean --port?)',
      ],
      [['demo', 'extra'], 'faultline demo: unexpected argument "extra"'],
      [['demo', '--port'], 'faultline demo: option --port needs a value'],
      [['--verison'], 'faultline: unknown option "--verison" (did you mean --version?)'],
    ];
    for (const [args, message] of cases) {
      const err = await run(process.execPath, [CLI, ...args]).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(err, args.join(' ')).toMatchObject({ code: 2 });
      expect((err as { stderr: string }).stderr).toContain(message);
    }
  });

  it('serves the demo on --port=N and --port N, with JSON log lines when piped', async () => {
    for (const args of [['--port=0'], ['--port', '0']]) {
      const child = spawn(process.execPath, [CLI, 'demo', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => {
            out += d;
            const m = /faultline demo on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
            if (m) resolve(m[1] as string);
          });
          child.on('exit', (code) => reject(new Error(`demo exited ${code}`)));
        });
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          err += d;
        });
        const res = await fetch(`${url}/fail/sync`);
        const incident = res.headers.get('faultline-incident');
        expect(res.status).toBe(500);
        await new Promise<void>((resolve) => {
          const look = () => (err.includes(incident ?? '?') ? resolve() : undefined);
          child.stderr.on('data', look);
          look();
        });
        const line = err.split('\n').find((l) => l.includes(incident ?? '?')) ?? '';
        expect(JSON.parse(line)).toMatchObject({ incident, status: 500 });
      } finally {
        child.kill('SIGTERM');
      }
    }
  });
});

describe('faultline demo --config', () => {
  it('fails at startup with the key and the fix for a bad config', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
    const file = join(dir, 'faultline.config.json');
    writeFileSync(file, JSON.stringify({ errorDocuments: { '500': { file: './missing.html' } } }));
    const err = await run(process.execPath, [CLI, 'demo', '--port', '0', '--config', file]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(
      /option "errorDocuments.500.file" cannot be read .*Fix:/,
    );
  });
});

/** Runs the demo on a pseudo-terminal (script(1)); resolves the incident's output once logged. */
async function demoInTerminal(nodeArgs: string[]): Promise<{ out: string; incident: string }> {
  ensureBuilt();
  const node = [process.execPath, ...nodeArgs, CLI].map((a) => `"${a}"`).join(' ');
  const child = spawn('script', ['-qfc', `${node} demo --port 0`, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const seen = (pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const look = () => {
        const m = pattern.exec(out);
        if (m) resolve(m);
      };
      child.stdout.on('data', look);
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      look();
    });
  try {
    const [, url] = await seen(/faultline demo on (http:\/\/127\.0\.0\.1:\d+)\//);
    const res = await fetch(`${url}/fail/sync`);
    const incident = res.headers.get('faultline-incident') ?? '?';
    await seen(new RegExp(incident));
    // The whole record: pretty output spans lines, JSON ends with the message.
    await seen(/request failed: 500 internal_error/);
    return { out, incident };
  } finally {
    child.kill('SIGTERM');
  }
}

describeWith(['script'], 'faultline demo in a terminal', () => {
  it('prints the log readably (pino-pretty, a dev dependency) instead of JSON', async () => {
    const { out, incident } = await demoInTerminal([]);
    expect(out).toMatch(new RegExp(`incident\\S*: \\S*"${incident}"`));
    expect(out).toMatch(/ERROR\S*: \S*request failed: 500 internal_error/);
    expect(out).not.toContain('{"level"');
  });

  it('falls back to JSON lines where pino-pretty is not installed (the published package)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-nopretty-'));
    writeFileSync(
      join(dir, 'hooks.mjs'),
      "export async function resolve(s, c, next) { if (s === 'pino-pretty') throw new Error('not installed'); return next(s, c); }\n",
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
    const { out, incident } = await demoInTerminal(['--import', join(dir, 'register.mjs')]);
    const line = out.split(/\r?\n/).find((l) => l.includes(incident)) ?? '';
    expect(JSON.parse(line)).toMatchObject({ incident, status: 500 });
  });
});
