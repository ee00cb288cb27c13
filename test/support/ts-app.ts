/**
 * A small TypeScript app compiled with the project's tsc (source maps on) into a temp dir that
 * resolves `faultline` to this checkout's built package, run as a real child process: what a
 * developer's own app looks like to the debug page (compiled `.js` in the stack, `.ts` on disk).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './built.js';
import { tempTree } from './server-process.js';

/** The app: an order lookup whose database call fails, wrapped twice, with an AggregateError. */
export const ORDERS_TS = `import http from 'node:http';
import { faultline } from 'faultline/node';

interface Order {
  id: string;
  total: number;
}

class DatabaseError extends Error {
  override name = 'DatabaseError';
}

async function query(sql: string): Promise<Order[]> {
  // The driver's message carries the connection string, as real ones do.
  const attempts = [
    new Error('connect ECONNREFUSED 10.0.0.5:5432'),
    new Error('connect ETIMEDOUT 10.0.0.6:5432'),
  ];
  throw new AggregateError(attempts, \`postgres://app:\${process.env.CANARY}@db.internal/orders: \${sql}\`);
}

async function loadOrder(id: string): Promise<Order> {
  try {
    const [order] = await query(\`select * from orders where id = \${id}\`);
    if (!order) throw new Error('not found');
    return order;
  } catch (err) {
    throw new DatabaseError(\`could not load order \${id}\`, { cause: err });
  }
}

const fl = faultline({ debug: true, logger: false });
const server = fl.attach(
  http.createServer(
    fl.handle(async (req, res) => {
      const id = (req.url ?? '/').split('/').pop() ?? '';
      const order = await loadOrder(decodeURIComponent(id));
      res.end(JSON.stringify(order));
    }),
  ),
);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(\`listening \${typeof address === 'object' && address ? address.port : 0}\`);
});
`;

/** Compiles `files` (paths under src/) with tsc; returns the app directory. */
export function compileTs(
  files: Record<string, string>,
  compilerOptions: Record<string, unknown> = { sourceMap: true },
): string {
  ensureBuilt();
  const sources: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) sources[`src/${name}`] = text;
  const dir = tempTree('faultline-ts-app-', {
    ...sources,
    'package.json': '{ "type": "module" }\n',
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        rootDir: 'src',
        outDir: 'dist',
        skipLibCheck: true,
        typeRoots: [join(ROOT, 'node_modules/@types')],
        types: ['node'],
        ...compilerOptions,
      },
    }),
  });
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'faultline'), 'dir');
  const r = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc failed: ${r.stdout}${r.stderr}`);
  return dir;
}

/** A running compiled app. */
export interface TsApp {
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

/** Compiles and starts {@link ORDERS_TS}; `env` reaches the child (CANARY, NODE_ENV). */
export async function startOrdersApp(env: Record<string, string> = {}): Promise<TsApp> {
  const dir = compileTs({ 'orders.ts': ORDERS_TS });
  // --preserve-symlinks: faultline's frames then sit under node_modules, as in a real install.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--preserve-symlinks', join(dir, 'dist/orders.js')],
    {
      cwd: dir,
      env: { ...process.env, NODE_ENV: 'development', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (c) => {
    output += String(c);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`app did not start: ${output}`));
    }, 10_000);
    child.stdout?.on('data', (c) => {
      output += String(c);
      const m = /listening (\d+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`app exited ${code}: ${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGKILL');
      }),
  };
}
