/**
 * The command itself (built CLI as a child process, servers in this process on 127.0.0.1):
 * usage errors, exit codes per --fail-on, the text report, and safety — only the given origin,
 * no bodies with unsafe methods unless --allow-unsafe, redirects never followed, time bounded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkJson, ids, runCli } from './servers.js';

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  readonly bodyBytes: number;
}

const open: http.Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

interface Served {
  readonly url: string;
  /** Requests that reached the handler (Node's parser rejects the malformed ones before). */
  readonly seen: Seen[];
  /** TCP connections accepted: one per request the check sent. */
  readonly connections: () => number;
}

async function serve(handler: http.RequestListener): Promise<Served> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (d: Buffer) => {
      bodyBytes += d.length;
    });
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        host: req.headers.host,
        bodyBytes,
      });
    });
    handler(req, res);
  });
  server.on('connection', () => {
    connections++;
  });
  open.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, connections: () => connections };
}

/** 404 as text/plain without nosniff: a warn-level finding only. */
const warnOnly: http.RequestListener = (req, res) => {
  req.resume();
  res.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
  res.end('Not Found');
};

describe('faultline check: usage', () => {
  it('exits 2 with the usage for a bad command line', async () => {
    for (const args of [
      ['check'],
      ['check', 'ftp://127.0.0.1/'],
      ['check', 'http://user:pw@127.0.0.1/'],
      ['check', 'http://127.0.0.1:1', '--fail-on', 'sometimes'],
      ['check', 'http://127.0.0.1:1', '--path', 'no-slash'],
      ['check', 'http://127.0.0.1:1', '--frobnicate'],
    ]) {
      const run = await runCli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^faultline check: .+\n\nUsage: faultline check/);
    }
  });

  it('exits 2 without the usage when the target is unreachable', async () => {
    const run = await runCli(['check', 'http://127.0.0.1:1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'faultline check: cannot connect to http://127.0.0.1:1 (ECONNREFUSED)\n',
    );
  });

  it('prints its help', async () => {
    const run = await runCli(['check', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--fail-on LEVEL/);
    expect((await runCli(['--help'])).stdout).toMatch(/faultline check <url>/);
  });
});

describe('faultline check: exit code follows --fail-on', () => {
  it('warn-level findings fail only --fail-on warn and info', async () => {
    const { url } = await serve(warnOnly);
    const expected: Array<[string[], number]> = [
      [[], 0],
      [['--fail-on', 'error'], 0],
      [['--fail-on', 'warn'], 1],
      [['--fail-on', 'info'], 1],
      [['--fail-on', 'never'], 0],
    ];
    for (const [args, code] of expected) {
      const { run, report } = await checkJson(url, args);
      expect(ids(report)).toEqual(['FL-NO-NOSNIFF']);
      expect(run.code, args.join(' ')).toBe(code);
      expect(report.failed).toBe(code === 1);
    }
  });

  it('an error-level finding fails the default', async () => {
    const { url } = await serve((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' });
      res.end('TypeError: x is undefined\n    at handler (/srv/app/routes.js:12:7)\n');
    });
    const { run, report } = await checkJson(url);
    expect(ids(report)).toEqual([
      'FL-500-MESSAGE',
      'FL-FILE-PATH',
      'FL-NO-CORRELATION-ID',
      'FL-NO-STORE-5XX',
      'FL-STACK-TRACE',
    ]);
    expect(run.code).toBe(1);
  });
});

describe('faultline check: text report', () => {
  it('groups by severity, shows examples and fixes, no colour when not a TTY', async () => {
    const { url } = await serve((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/html', 'x-powered-by': 'PHP/8.2.7' });
      res.end('<b>Fatal error</b>: Uncaught Exception in /var/www/html/index.php on line 7');
    });
    const run = await runCli(['check', url]);
    expect(run.code).toBe(1);
    expect(run.stdout.includes(String.fromCharCode(27))).toBe(false);
    expect(run.stdout).toMatch(
      /^faultline check http:\/\/127\.0\.0\.1:\d+ {2}\(routes: \/\)\n\d+ requests in/,
    );
    const order = ['ERROR (', 'WARN (', 'INFO ('].map((h) => run.stdout.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.stdout).toMatch(
      / {2}FL-STACK-TRACE +Stack trace in an error response \(\d+ responses\)/,
    );
    expect(run.stdout).toMatch(/fix: Render errors from a fixed template/);
    expect(run.stdout).toMatch(/x-powered-by: PHP\/8\.2\.7/);
    expect(run.stdout).toMatch(/\d+ error, \d+ warn, \d+ info findings\.\n$/);
  });
});

describe('faultline check: safe by construction', () => {
  it('sends no body-carrying unsafe method without --allow-unsafe, and a bounded number', async () => {
    const { url, seen, connections } = await serve(warnOnly);
    const { report } = await checkJson(url, ['--path', '/api/orders']);
    expect(connections()).toBe(report.requests.sent);
    expect(report.requests.sent).toBeLessThanOrEqual(200);
    for (const s of seen) expect(['POST', 'PUT', 'PATCH', 'DELETE']).not.toContain(s.method);
    // The only bodies: one malformed JSON document on GET to the root and to the route.
    const withBody = seen.filter((s) => s.bodyBytes > 0);
    expect(withBody.map((s) => `${s.method} ${s.url}`).sort()).toEqual([
      'GET /',
      'GET /api/orders',
    ]);
  });

  it('with --allow-unsafe sends POST only to an unrouted path and the named routes', async () => {
    const { url, seen } = await serve(warnOnly);
    await checkJson(url, ['--path', '/api/orders', '--allow-unsafe']);
    const posts = seen.filter((s) => s.method === 'POST');
    expect(posts.length).toBe(8);
    for (const p of posts) expect(p.url).toMatch(/^\/(faultline-check-[0-9a-f]{8}|api\/orders)$/);
    expect(seen.some((s) => ['PUT', 'PATCH', 'DELETE'].includes(s.method))).toBe(false);
  });

  it('never follows a redirect, to another origin or its own', async () => {
    const elsewhere = await serve(warnOnly);
    const { url, seen, connections } = await serve((req, res) => {
      req.resume();
      res.writeHead(302, { location: `${elsewhere.url}/stolen` });
      res.end();
    });
    const { report } = await checkJson(url);
    expect(elsewhere.connections()).toBe(0);
    expect(connections()).toBe(report.requests.sent);
    for (const s of seen) if (s.host !== undefined) expect(`http://${s.host}`).toBe(url);
  });

  it('reports timeouts and resets, and bounds the whole run', async () => {
    const { url } = await serve((req, res) => {
      req.resume();
      if (req.url === '/slow') return; // never answers
      if (req.url === '/reset') {
        req.socket.destroy();
        return;
      }
      warnOnly(req, res);
    });
    const { report } = await checkJson(url, [
      '--path',
      '/slow',
      '--path',
      '/reset',
      '--timeout',
      '300',
    ]);
    expect(ids(report)).toEqual(['FL-CONNECTION-RESET', 'FL-NO-NOSNIFF', 'FL-TIMEOUT']);
    expect(report.requests.timeouts).toBeGreaterThan(0);

    const hang = await serve((req) => req.resume());
    const started = Date.now();
    const bounded = await checkJson(hang.url, ['--timeout', '200', '--max-time', '600']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(bounded.report.requests.skipped).toBeGreaterThan(0);
    expect(bounded.report.requests.sent).toBeLessThan(bounded.report.requests.planned);
  });
});

describe('faultline check: a server that dies during the run', () => {
  it('reports the refused connections after the crash as FL-CONNECTION-RESET', async () => {
    const served = await serve((req, res) => {
      req.resume();
      if (req.url?.startsWith('/%00')) {
        // "Crashes": stops listening and drops every connection.
        const server = open[open.length - 1] as http.Server;
        server.close();
        server.closeAllConnections();
        return;
      }
      warnOnly(req, res);
    });
    const { report } = await checkJson(served.url, ['--concurrency', '1']);
    const reset = report.findings.find((f) => f.id === 'FL-CONNECTION-RESET');
    expect(reset?.occurrences.some((o) => /could not connect any more/.test(o.evidence))).toBe(
      true,
    );
  });
});
