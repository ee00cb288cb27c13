/**
 * End to end against real servers from Debian, each once with the weakness and once without:
 * PHP's built-in server with display_errors on and off (and a phpinfo() page), Flask/Werkzeug
 * with and without the debugger, Django with DEBUG on and off, Apache with TRACE on and off, and Python's http.server as a
 * plain server with nothing to find at the highest severities. Default flags: no route is known.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApache } from '../../support/apache.js';
import { describeWith } from '../../support/programs.js';
import { freePort, type RunningServer, runServer, tempTree } from '../../support/server-process.js';
import { checkJson, ids, type JsonReportLike, type Running, startAnnouncing } from './servers.js';

function finding(report: JsonReportLike, id: string) {
  return report.findings.find((f) => f.id === id);
}

/** The ids at the two highest severities: what a weak server shows and a sound one must not. */
function serious(report: JsonReportLike): string[] {
  return report.findings
    .filter((f) => f.severity === 'critical' || f.severity === 'error')
    .map((f) => f.id)
    .sort();
}

/** A search page of the everyday kind: a query parameter passed on unchecked. */
const SEARCH_PHP = `<?php
$q = $_GET['q'] ?? '';
echo '<p>Results for ' . htmlspecialchars($q) . '</p>';
`;

async function startPhp(displayErrors: boolean, files: Record<string, string>) {
  const port = await freePort();
  const dir = tempTree('faultline-check-php-', files);
  return runServer(
    '/usr/bin/php',
    [
      '-n', // no php.ini: only the settings given here
      '-d',
      `display_errors=${displayErrors ? 'On' : 'Off'}`,
      '-d',
      'log_errors=Off',
      '-S',
      `127.0.0.1:${port}`,
      '-t',
      join(dir, 'www'),
    ],
    { port, dir, errorLog: join(dir, 'none.log') },
  );
}

describeWith(['php'], 'faultline check: PHP built-in server (php -S)', () => {
  let on: RunningServer;
  let off: RunningServer;
  beforeAll(async () => {
    on = await startPhp(true, {
      'www/index.php': SEARCH_PHP,
      'www/info.php': '<?php phpinfo();',
    });
    off = await startPhp(false, { 'www/index.php': SEARCH_PHP });
  });
  afterAll(async () => {
    await on?.stop();
    await off?.stop();
  });

  it('display_errors=On: the fatal error in a 200 page, its file path, and phpinfo()', async () => {
    const { run, report } = await checkJson(on.url, ['--timeout', '2000']);
    const stack = finding(report, 'FL-STACK-TRACE');
    expect(stack?.occurrences.some((o) => o.status === 200)).toBe(true);
    expect(stack?.occurrences[0]?.evidence).toMatch(/Uncaught TypeError|index\.php/);
    expect(finding(report, 'FL-FILE-PATH')?.occurrences[0]?.evidence).toMatch(
      /\/faultline-check-php-\w+\/www\/index\.php/,
    );
    const info = finding(report, 'FL-PHPINFO');
    expect(info?.severity).toBe('critical');
    expect(info?.occurrences.map((o) => o.request.target)).toEqual(['/info.php']);
    expect(serious(report)).toEqual(['FL-PHPINFO', 'FL-STACK-TRACE']);
    expect(run.code).toBe(1);
  });

  it('display_errors=Off: no leak; the crash shows only as a 5xx to bad input', async () => {
    const { run, report } = await checkJson(off.url, ['--timeout', '2000']);
    expect(serious(report)).toEqual([]);
    expect(ids(report)).not.toContain('FL-FILE-PATH');
    const crash = finding(report, 'FL-5XX-FOR-CLIENT-ERROR');
    expect(crash?.occurrences.map((o) => o.request.target)).toEqual([
      expect.stringMatching(/^\/\?id=faultline/),
    ]);
    expect(run.code).toBe(0);
  });
});

const FLASK_APP = fileURLToPath(new URL('fixtures/flask_app.py', import.meta.url));

describeWith(['python3-flask'], 'faultline check: Flask on Werkzeug (Debian python3-flask)', () => {
  let debug: Running;
  let plain: Running;
  beforeAll(async () => {
    debug = await startAnnouncing('flask-debug', '/usr/bin/python3', [FLASK_APP], {
      FLASK_DEBUG: '1',
    });
    plain = await startAnnouncing('flask', '/usr/bin/python3', [FLASK_APP], {
      FLASK_DEBUG: '0',
    });
  });
  afterAll(async () => {
    await debug?.stop();
    await plain?.stop();
  });

  it('debug: the interactive console at /console and the debugger on a crash', async () => {
    const { run, report } = await checkJson(debug.url);
    const console = finding(report, 'FL-DEBUG-CONSOLE');
    expect(console?.severity).toBe('critical');
    const targets = console?.occurrences.map((o) => `${o.request.target} ${o.status}`) ?? [];
    expect(targets).toContain('/console 200');
    // The crash (int('x') on ?page=x) renders the debugger with its traceback.
    expect(targets.some((t) => /^\/\?id=.* 500$/.test(t))).toBe(true);
    expect(finding(report, 'FL-STACK-TRACE')?.occurrences[0]?.evidence).toMatch(
      /Traceback \(most recent call last\)|File "/,
    );
    expect(run.code).toBe(1);
  });

  it('no debug: no console, no stack trace; the crash is a generic 500 to bad input', async () => {
    const { run, report } = await checkJson(plain.url);
    expect(serious(report)).toEqual([]);
    expect(finding(report, 'FL-5XX-FOR-CLIENT-ERROR')?.occurrences[0]?.status).toBe(500);
    expect(ids(report)).not.toContain('FL-500-MESSAGE');
    expect(run.code).toBe(0);
  });
});

const DJANGO_APP = fileURLToPath(new URL('fixtures/django_app.py', import.meta.url));

describeWith(['python3-django'], 'faultline check: Django (Debian python3-django)', () => {
  let debug: Running;
  let plain: Running;
  beforeAll(async () => {
    debug = await startAnnouncing('django-debug', '/usr/bin/python3', [DJANGO_APP], {
      DJANGO_DEBUG: '1',
    });
    plain = await startAnnouncing('django', '/usr/bin/python3', [DJANGO_APP], {
      DJANGO_DEBUG: '0',
    });
  });
  afterAll(async () => {
    await debug?.stop();
    await plain?.stop();
  });

  it('DEBUG = True: the debug page on every 404, the traceback on a crash', async () => {
    const { run, report } = await checkJson(debug.url);
    const page = finding(report, 'FL-DEBUG-PAGE');
    expect(page?.severity).toBe('critical');
    expect(page?.occurrences.some((o) => o.status === 404)).toBe(true);
    expect(page?.occurrences[0]?.evidence).toMatch(/^Django debug page: /);
    expect(finding(report, 'FL-STACK-TRACE')?.occurrences.some((o) => o.status === 500)).toBe(true);
    expect(run.code).toBe(1);
  });

  it('DEBUG = False: no debug page, no stack trace', async () => {
    const { report } = await checkJson(plain.url);
    expect(serious(report)).toEqual([]);
    expect(finding(report, 'FL-5XX-FOR-CLIENT-ERROR')?.occurrences[0]?.status).toBe(500);
  });
});

describeWith(['apache2'], 'faultline check: Apache TRACE', () => {
  let traceOn: RunningServer;
  let traceOff: RunningServer;
  beforeAll(async () => {
    const files = { 'www/index.html': '<!doctype html><title>ok</title>ok\n' };
    // Apache's compiled-in default is TraceEnable on; Debian's packaged config turns it off.
    traceOn = await startApache('TraceEnable on', files);
    traceOff = await startApache('TraceEnable off', files);
  });
  afterAll(async () => {
    await traceOn?.stop();
    await traceOff?.stop();
  });

  it('TraceEnable on: FL-TRACE-ENABLED, with the echoed credentials masked', async () => {
    const { run, report } = await checkJson(traceOn.url);
    const trace = finding(report, 'FL-TRACE-ENABLED');
    expect(trace?.severity).toBe('error');
    expect(trace?.occurrences).toHaveLength(1);
    expect(trace?.occurrences[0]?.status).toBe(200);
    expect(trace?.occurrences[0]?.evidence).toMatch(/^200 message\/http: TRACE \/ HTTP\/1\.1/);
    expect(trace?.occurrences[0]?.evidence).toMatch(/echoes the Cookie and Authorization/);
    expect(run.stdout).not.toMatch(/fl[cb][0-9a-f]{18,}/);
    expect(run.code).toBe(1);
  });

  it('TraceEnable off: no TRACE finding', async () => {
    const { report } = await checkJson(traceOff.url);
    expect(ids(report)).not.toContain('FL-TRACE-ENABLED');
    expect(serious(report)).toEqual([]);
  });
});

describeWith(['python3'], 'faultline check: Python http.server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const port = await freePort();
    const dir = tempTree('faultline-check-pyhttp-', { 'www/index.html': 'ok\n' });
    server = await runServer(
      '/usr/bin/python3',
      ['-m', 'http.server', '--bind', '127.0.0.1', '--directory', join(dir, 'www'), String(port)],
      { port, dir, errorLog: join(dir, 'none.log') },
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('no debugger, no TRACE echo, no stack trace: only its version disclosure', async () => {
    const { report } = await checkJson(server.url);
    expect(serious(report)).toEqual([]);
    expect(finding(report, 'FL-SERVER-VERSION')?.occurrences[0]?.evidence).toMatch(
      /^server: SimpleHTTP\/[\d.]+ Python\/[\d.]+$/,
    );
  });
});
