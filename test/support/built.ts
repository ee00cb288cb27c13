/** Tests that run the built CLI need dist/; `npm test` builds first, a lone vitest run builds here. */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = `${ROOT}dist/cli/main.js`;

export function ensureBuilt(): void {
  if (!existsSync(CLI))
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
}
