/**
 * System programs used by end-to-end tests. `needProgram` decides, once per program, whether the
 * tests that use it run: present → run; missing → skipped with the reason in the test name, or,
 * under FAULTLINE_REQUIRE_ALL=1 (set by .ci/run), a failing test so CI never passes by skipping.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';

const probes: Record<string, [string, string[]]> = {
  curl: ['curl', ['--version']],
  php: ['php', ['-r', 'exit(function_exists("curl_init") ? 0 : 1);']],
  'python3-requests': ['/usr/bin/python3', ['-c', 'import requests']],
  python3: ['/usr/bin/python3', ['-c', 'import http.server']],
  'python3-django': ['/usr/bin/python3', ['-c', 'import django']],
  'python3-flask': ['/usr/bin/python3', ['-c', 'import flask, werkzeug.debug']],
  nginx: ['/usr/sbin/nginx', ['-v']],
  apache2: ['/usr/sbin/apache2', ['-v']],
  chromium: ['/usr/bin/chromium', ['--version']],
  // util-linux's script(1): runs a command on a pseudo-terminal (Debian: bsdutils, essential).
  script: ['script', ['--version']],
};

const cache = new Map<string, boolean>();

export function hasProgram(name: string): boolean {
  let ok = cache.get(name);
  if (ok === undefined) {
    const probe = probes[name];
    ok = probe ? spawnSync(probe[0], probe[1], { stdio: 'ignore' }).status === 0 : false;
    cache.set(name, ok);
  }
  return ok;
}

/** `describe` that runs only when every named program is present (see module doc). */
export function describeWith(programs: string[], title: string, body: () => void): void {
  const missing = programs.filter((p) => !hasProgram(p));
  if (missing.length === 0) {
    describe(title, body);
  } else if (process.env.FAULTLINE_REQUIRE_ALL === '1') {
    describe(title, () => {
      it(`requires ${missing.join(', ')}`, () => {
        throw new Error(
          `missing system program(s): ${missing.join(', ')}; run scripts/install-system-deps.sh as root`,
        );
      });
    });
  } else {
    describe.skip(
      `${title} [skipped: missing ${missing.join(', ')}; run scripts/install-system-deps.sh as root]`,
      body,
    );
  }
}
