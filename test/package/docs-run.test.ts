/**
 * Every TypeScript/JavaScript block of README.md and docs/*.md runs as written, against the packed
 * package: `npm pack` of the built dist/, the tarball unpacked as node_modules/faultline of a fresh
 * project, the blocks type-checked together (strict) and each one run by Node. A block states what
 * it claims in an HTML comment right above it (invisible on GitHub and npm), e.g.
 * `<!-- run: GET /missing -> 404; GET / -> 500 "internal_error" -->`:
 *   `[h2|fetch] METHOD PATH [accept=TYPE] -> STATUS [BODY TEXT]`  a request and its answer
 *     (h2: HTTP/2 over TLS; fetch: call the default export's `fetch` as Bun/Deno/workers do)
 *   `stdout: TEXT` / `stderr: TEXT`  the program exits 0 and printed TEXT
 * A block that cannot run alone is marked ```ts fragment and is only counted (keep them rare).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultline } from '../../src/adapters/node.js';
import { httpErrors } from '../../src/core/http-error.js';
import { selfSigned } from '../conformance/servers.js';
import { ensureBuilt, ROOT } from '../support/built.js';

interface Check {
  readonly kind: 'http' | 'h2' | 'fetch' | 'stdout' | 'stderr';
  readonly method?: string;
  readonly path?: string;
  readonly accept?: string;
  readonly status?: number;
  readonly text?: string;
}

interface Block {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  readonly code: string;
  readonly fragment: boolean;
  readonly checks: readonly Check[];
}

const FENCE =
  /(?:<!--\s*run:([\s\S]*?)-->\s*\n)?```(typescript|javascript|ts|js)((?:[ \t][^\n]*)?)\n([\s\S]*?)```/g;
const REQUEST =
  /^(?:(h2|fetch)\s+)?([A-Z]+)\s+(\S+)(?:\s+accept=(\S+))?\s*->\s*(\d{3})(?:\s+(.+))?$/;

function parseChecks(spec: string | undefined): Check[] {
  if (spec === undefined) return [];
  return spec
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s): Check => {
      const out = /^(stdout|stderr):\s*(.+)$/.exec(s);
      if (out) return { kind: out[1] as 'stdout' | 'stderr', text: out[2] as string };
      const m = REQUEST.exec(s);
      if (!m) throw new Error(`unreadable run check: ${s}`);
      return {
        kind: (m[1] as 'h2' | 'fetch' | undefined) ?? 'http',
        method: m[2] as string,
        path: m[3] as string,
        ...(m[4] === undefined ? {} : { accept: m[4] }),
        status: Number(m[5]),
        ...(m[6] === undefined ? {} : { text: m[6] }),
      };
    });
}

function extract(): Block[] {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .sort()
      .map((f) => `docs/${f}`),
  ];
  const blocks: Block[] = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(FENCE)) {
      const line = text.slice(0, (m.index ?? 0) + m[0].indexOf('```')).split('\n').length;
      const name = `${file.replace(/\W+/g, '-')}-${line}`;
      blocks.push({
        id: `${file}:${line}`,
        file: name,
        line,
        code: m[4] as string,
        fragment: /\bfragment\b/.test(m[3] as string),
        checks: parseChecks(m[1]),
      });
    }
  }
  return blocks;
}

const BLOCKS = extract();
const RUNNABLE = BLOCKS.filter((b) => !b.fragment);

let dir: string;
let typeErrors = '';
let ca: string;
let api: http.Server;
let apiOrigin: string;

/** Unpacks the tarball as node_modules/faultline; every other package links to the repo's. */
function project(): void {
  dir = mkdtempSync(join(tmpdir(), 'faultline-docs-'));
  // dist/ as built by `npm test` (or ensureBuilt): rebuilding here (prepack) would rewrite files
  // that tests running in parallel read.
  ensureBuilt();
  const tarball = execFileSync(
    'npm',
    ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir],
    {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
    .trim()
    .split('\n')
    .pop() as string;
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  execFileSync('tar', ['-xzf', join(dir, tarball), '-C', dir]);
  renameSync(join(dir, 'package'), join(modules, 'faultline'));
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    if (name === 'faultline' || name.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', name), join(modules, name));
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        rootDir: 'snippets',
        outDir: 'out',
      },
      include: ['snippets'],
    }),
  );
  mkdirSync(join(dir, 'snippets'));
  for (const b of RUNNABLE) writeFileSync(join(dir, 'snippets', `${b.file}.ts`), b.code);
  const { key, cert } = selfSigned();
  ca = cert;
  writeFileSync(join(dir, 'key.pem'), key);
  writeFileSync(join(dir, 'cert.pem'), cert);
  try {
    execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { cwd: dir, encoding: 'utf8' });
  } catch (error) {
    typeErrors = String((error as { stdout?: string }).stdout ?? error);
  }
}

/** The example API the client snippets call (https://api.example.com is routed here). */
async function exampleApi(): Promise<void> {
  const fl = faultline({ logger: false });
  api = http.createServer(
    fl.handle((req, res) => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/orders/7') return json(200, { id: '7' });
      if (path === '/orders' && req.method === 'POST') return json(201, { id: '8' });
      if (path === '/reports/1') throw new Error('report store down');
      throw httpErrors.notFound();
    }),
  );
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiOrigin = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  project();
  await exampleApi();
}, 300_000);

afterAll(async () => {
  await new Promise<void>((r) => (api ? api.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, DOCS_API_ORIGIN: apiOrigin, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    run.stdout += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    run.stderr += d;
  });
  return run;
}

function listening(run: Run): Promise<number> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const m = /@@listening (\d+)/.exec(run.stdout);
      if (m) resolve(Number(m[1]));
    };
    run.child.stdout?.on('data', look);
    run.exit.then((code) => reject(new Error(`exited ${code} before listening:\n${run.stderr}`)));
    look();
  });
}

async function ask(c: Check, port: number): Promise<{ status: number; body: string }> {
  const headers = c.accept === undefined ? {} : { accept: c.accept };
  if (c.kind === 'h2') {
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca });
    try {
      return await new Promise((resolve, reject) => {
        const req = session.request({ ':method': c.method, ':path': c.path, ...headers });
        let status = 0;
        let body = '';
        req.setEncoding('utf8');
        req.on('response', (h) => {
          status = Number(h[':status']);
        });
        req.on('data', (d: string) => {
          body += d;
        });
        req.on('end', () => resolve({ status, body }));
        req.on('error', reject);
        req.end();
      });
    } finally {
      session.close();
    }
  }
  const res = await request(`http://127.0.0.1:${port}${c.path}`, {
    method: c.method as 'GET',
    headers,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

function out(b: Block): string {
  return join(dir, 'out', `${b.file}.js`);
}

describe('documentation blocks', () => {
  it('are found, and fragments are rare and marked', () => {
    expect(RUNNABLE.length).toBeGreaterThanOrEqual(20);
    expect(BLOCKS.filter((b) => b.fragment).map((b) => b.id)).toEqual([]);
    // Every type error belongs to a block (a broken setup would otherwise pass unnoticed).
    const stray = typeErrors
      .split('\n')
      .filter((l) => /error TS/.test(l) && !RUNNABLE.some((b) => l.includes(`${b.file}.ts`)));
    expect(stray).toEqual([]);
  });

  it('load from CommonJS: import() always, require() where Node has require(esm)', async () => {
    writeFileSync(
      join(dir, 'consumer.cjs'),
      // require() first: an import() still loading the same module makes require() fail with
      // ERR_REQUIRE_ESM_RACE_CONDITION on Node 24+, which is about the order, not the package.
      [
        "try { console.log('require', typeof require('faultline/node').faultline); }",
        "catch (e) { console.log('require', e.code); }",
        "import('faultline/node').then((m) => console.log('import', typeof m.faultline));",
      ].join('\n'),
    );
    const run = start([join(dir, 'consumer.cjs')]);
    expect(await run.exit, run.stderr).toBe(0);
    expect(run.stdout).toContain('import function');
    // require(esm) is on by default from Node 20.19 and 22.12 (the README says so).
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const requireEsm =
      major >= 23 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
    expect(run.stdout).toContain(requireEsm ? 'require function' : 'require ERR_REQUIRE_ESM');
  });

  it('ship source maps whose sources are inside the package', () => {
    const dist = join(dir, 'node_modules/faultline/dist');
    const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.js.map'),
    );
    expect(maps.length).toBeGreaterThan(10);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(dist, map), 'utf8'));
      expect(sourcesContent?.length, map).toBe(sources.length);
    }
  });

  for (const b of RUNNABLE) {
    it(`${b.id} type-checks and does what the text claims`, async () => {
      expect(b.checks.length, 'a <!-- run: ... --> comment above the block').toBeGreaterThan(0);
      const mine = typeErrors
        .split('\n')
        .filter((l) => l.includes(`${b.file}.ts`))
        .join('\n');
      expect(mine, 'type errors').toBe('');
      const fetches = b.checks.filter((c) => c.kind === 'fetch');
      if (fetches.length > 0) {
        const run = start([
          join(import.meta.dirname, 'docs-run/fetch-runner.mjs'),
          out(b),
          JSON.stringify(fetches),
        ]);
        expect(await run.exit, run.stderr).toBe(0);
        const answers = run.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l));
        fetches.forEach((c, i) => {
          expect(answers[i]?.status, `${c.method} ${c.path}`).toBe(c.status);
          if (c.text !== undefined) expect(answers[i]?.body).toContain(c.text);
        });
        return;
      }
      const run = start(['--import', join(import.meta.dirname, 'docs-run/preload.mjs'), out(b)]);
      try {
        const requests = b.checks.filter((c) => c.kind === 'http' || c.kind === 'h2');
        if (requests.length > 0) {
          const port = await listening(run);
          for (const c of requests) {
            const answer = await ask(c, port);
            expect(answer.status, `${c.method} ${c.path}`).toBe(c.status);
            if (c.text !== undefined) expect(answer.body).toContain(c.text);
          }
        } else {
          expect(await run.exit, run.stderr).toBe(0);
        }
        for (const c of b.checks) {
          if (c.kind === 'stdout') expect(run.stdout).toContain(c.text);
          if (c.kind === 'stderr') expect(run.stderr).toContain(c.text);
        }
      } finally {
        if (run.child.exitCode === null) {
          run.child.kill('SIGTERM');
          const timer = setTimeout(() => run.child.kill('SIGKILL'), 5000);
          await run.exit;
          clearTimeout(timer);
        }
      }
    }, 60_000);
  }
});
