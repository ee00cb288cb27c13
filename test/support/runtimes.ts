/**
 * Other runtimes the tests run faultline on, installed by scripts/install-runtimes.sh into
 * scripts/runtimes/node_modules (pinned there). Like system programs (programs.ts): present → the
 * tests run; missing → skipped with the reason in the test name, or a failing test under
 * FAULTLINE_REQUIRE_ALL=1 (set by .ci/run), so CI never passes by skipping.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'scripts', 'runtimes', 'node_modules', '.bin');

/** The Fetch-style runtimes with a server of their own. */
export type Runtime = 'bun' | 'deno';

/** The runtime's binary, or undefined when it is not installed. */
export function runtimeBinary(runtime: Runtime): string | undefined {
  const path = join(bin, runtime);
  return existsSync(path) ? path : undefined;
}

/** Why a runtime's tests cannot run here, or undefined when they can. */
export function runtimeMissing(runtime: Runtime): string | undefined {
  return runtimeBinary(runtime) === undefined
    ? `missing ${runtime}; run scripts/install-runtimes.sh`
    : undefined;
}

/** The repository root (a runtime resolves the app's packages from its package.json). */
export const repoRoot = root;
