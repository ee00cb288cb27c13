/**
 * Frameworks are optional peers: importing `faultline` or `faultline/node` must not load any of
 * them. The built package is imported in a child node whose resolver refuses framework modules.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, 'test-output', 'optional-peers');
const FRAMEWORKS = ['express', 'express4', 'fastify', 'koa', 'hono', '@hono/node-server'];

const hooks = `
const refused = /^(express|express4|fastify|koa|hono|@hono\\/node-server)(\\/|$)/;
export async function resolve(specifier, context, next) {
  if (refused.test(specifier)) throw new Error('framework loaded: ' + specifier);
  return next(specifier, context);
}`;

function importUnderGuard(modules: string[]): { status: number | null; output: string } {
  const script = modules
    .map((m) => `await import(${JSON.stringify(join(out, 'dist', m))});`)
    .join('\n');
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      join(out, 'register.mjs'),
      '--input-type=module',
      '-e',
      `${script}\nconsole.log('loaded');`,
    ],
    { cwd: root, encoding: 'utf8', timeout: 20_000 },
  );
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('optional peer dependencies', () => {
  beforeAll(() => {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'hooks.mjs'), hooks);
    writeFileSync(
      join(out, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(`./hooks.mjs`)}, import.meta.url);\n`,
    );
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const r = spawnSync(tsc, ['-p', 'tsconfig.json', '--outDir', join(out, 'dist')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it("'faultline' and 'faultline/node' load no framework", () => {
    const r = importUnderGuard(['index.js', 'adapters/node.js']);
    expect(r.output).toContain('loaded');
    expect(r.status).toBe(0);
  });

  it('the guard works: the Hono adapter, which needs hono at run time, is refused', () => {
    const r = importUnderGuard(['adapters/hono.js']);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('framework loaded: hono');
  });

  it('the Express, Fastify, Koa and fetch adapters use their framework only for types', () => {
    const r = importUnderGuard([
      'adapters/express.js',
      'adapters/fastify.js',
      'adapters/koa.js',
      'adapters/fetch.js',
    ]);
    expect(r.output).toContain('loaded');
  });
});

describe('package.json', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, { types?: string; default?: string } | string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
    dependencies: Record<string, string>;
  };

  it('exports every adapter subpath, types first, pointing at built files', () => {
    for (const name of ['node', 'express', 'fastify', 'koa', 'hono', 'fetch']) {
      const entry = pkg.exports[`./${name}`];
      expect(typeof entry).toBe('object');
      expect(Object.keys(entry as object)).toEqual(['types', 'default']);
      expect((entry as { default: string }).default).toBe(`./dist/adapters/${name}.js`);
    }
  });

  it('declares every framework as an optional peer and never as a dependency', () => {
    for (const name of FRAMEWORKS.filter((f) => f !== 'express4')) {
      expect(pkg.peerDependencies[name]).toBeDefined();
      expect(pkg.peerDependenciesMeta[name]?.optional).toBe(true);
      expect(pkg.dependencies[name]).toBeUndefined();
    }
  });
});
