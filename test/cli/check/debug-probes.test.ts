/**
 * The debug-endpoint probes end to end for the products no Debian package runs here (Spring Boot,
 * Laravel, Rails): a server in this process answers each well-known path with the shape the
 * product sends (as nuclei's exposure templates match it), another answers 404 everywhere. The
 * real-product tests (Werkzeug, Django, phpinfo) are in real-servers.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkJson } from './servers.js';

const open: http.Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(routes: Record<string, [string, string | Buffer]>): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    const route = routes[(req.url ?? '').split('?')[0] ?? ''];
    const headers = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
    if (route) {
      res.writeHead(200, { ...headers, 'content-type': route[0] });
      res.end(route[1]);
    } else {
      res.writeHead(404, { ...headers, 'content-type': 'application/problem+json' });
      res.end('{"title":"Not Found","status":404}');
    }
  });
  open.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Shapes of what the products answer on their debug endpoints. */
const EXPOSED: Record<string, [string, string | Buffer]> = {
  '/actuator/env': [
    'application/vnd.spring-boot.actuator.v3+json',
    JSON.stringify({
      activeProfiles: ['prod'],
      propertySources: [{ name: 'systemEnvironment', properties: { HOME: { value: '/root' } } }],
    }),
  ],
  '/actuator/heapdump': [
    'application/octet-stream',
    Buffer.concat([Buffer.from('JAVA PROFILE 1.0.2\0', 'latin1'), Buffer.alloc(64)]),
  ],
  '/_ignition/health-check': ['application/json', '{"can_execute_commands":true}'],
  '/rails/info/properties': [
    'text/html',
    '<table><tr><td class="name">Rails version</td><td class="value">7.1.3</td></tr></table>',
  ],
};

describe('faultline check: debug endpoints of Spring Boot, Laravel and Rails', () => {
  it('finds each exposed endpoint at its path, at the critical severity', async () => {
    const url = await serve(EXPOSED);
    const { run, report } = await checkJson(url);
    const at = (id: string): string[] =>
      report.findings
        .find((f) => f.id === id)
        ?.occurrences.map((o) => o.request.target)
        .sort() ?? [];
    expect(at('FL-ACTUATOR-EXPOSED')).toEqual(['/actuator/env', '/actuator/heapdump']);
    expect(at('FL-DEBUG-CONSOLE')).toEqual(['/_ignition/health-check']);
    expect(at('FL-DEBUG-PAGE')).toEqual(['/rails/info/properties']);
    for (const f of report.findings) expect(f.severity, f.id).toBe('critical');
    expect(run.code).toBe(1);
  });

  it('finds nothing where every debug path answers 404', async () => {
    const url = await serve({});
    const { run, report } = await checkJson(url, ['--fail-on', 'info']);
    expect(report.findings).toEqual([]);
    expect(run.code).toBe(0);
  });
});
