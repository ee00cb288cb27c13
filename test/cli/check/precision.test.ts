/**
 * Precision, end to end: the built CLI against servers in this process on 127.0.0.1, each pair
 * differing only in the weakness: an exception message in an HTML 500 vs a fixed friendly one, a
 * message that varies with the request, a 404 that echoes the path vs one that leaks a secret's
 * path, numeric HTML entities, and an HTTP/0.9-style reply.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ids as allIds, checkJson, type JsonReportLike } from './servers.js';

/** The ids but FL-HTML-FOR-JSON: these servers answer HTML to every client on purpose. */
function ids(report: JsonReportLike): string[] {
  return allIds(report).filter((id) => id !== 'FL-HTML-FOR-JSON');
}

const open: Array<http.Server | net.Server> = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    if (s instanceof http.Server) s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(server: http.Server | net.Server): Promise<string> {
  open.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** Headers that keep every other rule quiet, so only the behaviour under test shows. */
const TIDY = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-request-id': 'req-0123456789',
};

/** A server whose root answers 500 with `body(req)` as HTML, and 404 elsewhere. */
function html500(body: (req: http.IncomingMessage) => string): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    const root = (req.url ?? '/').split('?')[0] === '/';
    res.writeHead(root ? 500 : 404, { ...TIDY, 'content-type': 'text/html; charset=utf-8' });
    res.end(root ? body(req) : '<h1>Not Found</h1>');
  });
}

describe('FL-500-MESSAGE, end to end', () => {
  it("flags an exception's message in an HTML 500", async () => {
    const url = await listen(
      html500(() => '<h1>Error</h1><p>TypeError: Cannot read properties of undefined</p>'),
    );
    const { report } = await checkJson(url);
    expect(ids(report)).toEqual(['FL-500-MESSAGE']);
  });

  it('leaves a fixed, friendly detail alone', async () => {
    const url = await listen(
      html500(
        () =>
          '<h1>Sorry</h1><p>We could not complete your request. Please try again in a minute.</p>',
      ),
    );
    const { report } = await checkJson(url);
    expect(ids(report)).toEqual([]);
  });

  it('flags a message that varies with the request even when it reads like a sentence', async () => {
    const url = await listen(
      html500((req) => {
        const query = (req.url ?? '').split('?')[1] ?? '';
        return `<p>Could not handle ${query.length > 0 ? 'the given search terms' : 'the start page'}</p>`;
      }),
    );
    const { report } = await checkJson(url);
    expect(ids(report)).toEqual(['FL-500-MESSAGE']);
    const evidence =
      report.findings.find((f) => f.id === 'FL-500-MESSAGE')?.occurrences.map((o) => o.evidence) ??
      [];
    expect(evidence.every((e) => e.startsWith('varies with the request: '))).toBe(true);
  });
});

describe('FL-FILE-PATH, end to end', () => {
  const notFound = (leak: string): http.Server =>
    http.createServer((req, res) => {
      req.resume();
      res.writeHead(404, { ...TIDY, 'content-type': 'text/html' });
      // Escaped, as a careful 404 page would; the path itself is what the client sent.
      const path = (req.url ?? '/').split('?')[0]?.replace(/[<>&"']/g, '') ?? '';
      res.end(`<p>Cannot GET ${path}</p>${leak}`);
    });

  it('a 404 that echoes the requested path (/app/orders) is no finding', async () => {
    const url = await listen(notFound(''));
    const { report } = await checkJson(url, ['--path', '/app/orders']);
    expect(ids(report)).toEqual([]);
  });

  it('a secret file path in the page is, numeric entities decoded first', async () => {
    const url = await listen(notFound('<!-- open &#47;run&#x2F;secrets/db_password failed -->'));
    const { report } = await checkJson(url, ['--path', '/app/orders']);
    expect(ids(report)).toEqual(['FL-FILE-PATH']);
    expect(
      report.findings.find((f) => f.id === 'FL-FILE-PATH')?.occurrences[0]?.evidence,
    ).toContain('/run/secrets/db_password');
  });
});

describe('an HTTP/0.9-style reply, end to end', () => {
  it('the evidence says what came instead of a status line', async () => {
    const url = await listen(
      net.createServer((socket) => {
        socket.once('data', () => socket.end('<html>hello from 1991</html>'));
        socket.on('error', () => {});
      }),
    );
    const { report } = await checkJson(url, ['--fail-on', 'never']);
    const reset = report.findings.find((f) => f.id === 'FL-CONNECTION-RESET');
    expect(reset?.occurrences[0]?.evidence).toBe(
      'no HTTP/1.x status line (an HTTP/0.9-style reply): 28 bytes, starting "<html>hello from 1991</html>"',
    );
    expect(reset?.occurrences.length).toBe(report.requests.sent);
  });
});
