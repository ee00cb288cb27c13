/**
 * Runs once before the suite: installs the system programs the end-to-end tests drive
 * (curl, php + php-curl, Debian's python3-requests, and any in FAULTLINE_SYSTEM_EXTRA) when they
 * are missing and this is root with apt-get. Whatever is still missing is reported by the tests
 * that need it (skipped with the reason, or failed under FAULTLINE_REQUIRE_ALL=1).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/install-system-deps.sh', import.meta.url));
  const r = spawnSync('bash', [script], { encoding: 'utf8', timeout: 600_000 });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (out) console.log(out);
}
