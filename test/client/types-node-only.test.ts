/**
 * The published `.d.ts` of faultline/client type-check in a Node-only project: `lib: ["es2022"]`
 * (no DOM), `types: ["node"]`, `skipLibCheck: false`, strict. Runs tsc on a consumer in a temp
 * directory against the built dist/ (`npm test` builds first; a lone run builds if it is missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from '../support/built.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONSUMER = `
import {
  createClient,
  isFaultlineClientError,
  isResponseError,
  type ClientOptions,
  type FaultlineRequestInit,
} from 'faultline/client';

const options: ClientOptions = {
  prefixUrl: 'https://api.example.com/v1',
  retry: 3,
  hooks: {
    beforeRequest: async ({ headers }) => {
      headers.set('authorization', 'Bearer t');
    },
  },
};
const api = createClient(options);
const init: FaultlineRequestInit = { json: { a: 1 }, searchParams: { q: 'x', n: 2 } };

export async function main(): Promise<number | undefined> {
  const user: { id: string } | undefined = await api.json<{ id: string }>('users/7', init);
  const text: string = await api.text(new URL('https://api.example.com/health'));
  const res: Response = await api(new Request('https://api.example.com/x'), { body: 'b', method: 'PUT' });
  void user;
  void text;
  void res;
  try {
    await api('orders');
  } catch (error) {
    if (isResponseError(error)) {
      const status: number = error.status;
      const incident: string | undefined = error.incident;
      void incident;
      return status;
    }
    if (isFaultlineClientError(error)) {
      switch (error.code) {
        case 'FAULTLINE_TIMEOUT':
          return error.timeoutMs;
        case 'FAULTLINE_CIRCUIT_OPEN':
          return error.attempts;
        default:
          return undefined;
      }
    }
  }
  return undefined;
}
`;

it('type-checks a consumer with lib es2022, types node, skipLibCheck false', () => {
  if (!existsSync(join(ROOT, 'dist/client/index.d.ts'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  mkdirSync(join(dir, 'node_modules/@types'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules/faultline'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(dir, 'node_modules/@types/node'), 'dir');
  symlinkSync(
    join(ROOT, 'node_modules/undici-types'),
    join(dir, 'node_modules/undici-types'),
    'dir',
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        lib: ['es2022'],
        types: ['node'],
        skipLibCheck: false,
        strict: true,
        exactOptionalPropertyTypes: true,
        module: 'nodenext',
        moduleResolution: 'nodenext',
        noEmit: true,
      },
      files: ['consumer.ts'],
    }),
  );
  writeFileSync(join(dir, 'consumer.ts'), CONSUMER);
  let output = '';
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], {
      encoding: 'utf8',
    });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  expect(output).toBe('');
});
