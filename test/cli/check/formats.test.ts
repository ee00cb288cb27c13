/**
 * Reports that tools read: the faultline-check/1 JSON report validated by ajv against the
 * published schema (schema/faultline-check.schema.json), the SARIF log validated against the
 * OASIS SARIF 2.1.0 schema that @microsoft/jest-sarif ships, and --rate / clamping reported.
 * The built CLI runs against servers in this process on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { FINDINGS } from '../../../src/cli/check/findings.js';
import { checkJson, ROOT, runCli } from './servers.js';

// ajv-formats is CommonJS: its default export arrives as the module object or the function.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as (ajv: Ajv | Ajv2020) => void;

const checkSchema = JSON.parse(
  readFileSync(`${ROOT}schema/faultline-check.schema.json`, 'utf8'),
) as Record<string, unknown>;

/** The SARIF 2.1.0 schema (draft-04 text; no draft-04-only keywords, so ajv's draft-07 reads it). */
function sarifValidator() {
  const raw = JSON.parse(
    readFileSync(
      `${ROOT}node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json`,
      'utf8',
    ),
  ) as Record<string, unknown>;
  const { $schema: _draft, id, ...rest } = raw;
  // One of its patterns ("…]?$") is valid only without the u flag.
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile({ $id: String(id), ...rest });
}

const open: http.Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: http.RequestListener): Promise<{ url: string; count: () => number }> {
  // Connections, not requests: Node's parser refuses the malformed ones before the handler.
  let n = 0;
  const server = http.createServer(handler);
  server.on('connection', () => {
    n++;
  });
  open.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, count: () => n };
}

/** A server with findings at every severity: a Werkzeug-like console, stack traces, versions. */
const leaky: http.RequestListener = (req, res) => {
  req.resume();
  if (req.url === '/console') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<script>var CONSOLE_MODE = true, EVALEX = true;</script><h1>Interactive Console</h1>');
    return;
  }
  res.writeHead(500, { 'content-type': 'application/json', server: 'Leaky/1.2.3' });
  res.end(
    JSON.stringify({ message: 'TypeError: x is undefined', stack: 'at h (/srv/app.js:1:2)' }),
  );
};

describe('faultline check --format json: the faultline-check/1 schema', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(checkSchema);

  it('pins the finding ids of the schema to the finding table', () => {
    const defs = checkSchema.$defs as { finding: { properties: { id: { enum: string[] } } } };
    expect(defs.finding.properties.id.enum).toEqual(Object.keys(FINDINGS));
  });

  it('validates a report with findings at every severity, and a clean one', async () => {
    const { url } = await serve(leaky);
    const { run, report } = await checkJson(url, ['--fail-on', 'critical']);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
    const severities = new Set(report.findings.map((f) => f.severity));
    expect([...severities].sort()).toEqual(['critical', 'error', 'info', 'warn']);
    expect(run.code).toBe(1);

    const clean = await serve((req, res) => {
      req.resume();
      res.writeHead(404, {
        'content-type': 'application/problem+json',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      res.end('{"title":"Not Found","status":404}');
    });
    const ok = await runCli(['check', clean.url, '--format', 'json']);
    const doc = JSON.parse(ok.stdout) as { findings: unknown[] };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.findings).toEqual([]);
    expect(ok.code).toBe(0);
  });

  it('rejects what the schema forbids (the test could fail)', async () => {
    const { url } = await serve(leaky);
    const { report } = await checkJson(url);
    expect(validate({ ...report, schema: 'faultline-check/2' })).toBe(false);
    expect(validate({ ...report, counts: { error: 1 } })).toBe(false);
  });
});

describe('faultline check --format sarif', () => {
  const validate = sarifValidator();

  it('is a valid SARIF 2.1.0 log with one rule per finding id and one result per occurrence', async () => {
    const { url } = await serve(leaky);
    const run = await runCli(['check', url, '--format', 'sarif', '--fail-on', 'never']);
    expect(run.code).toBe(0);
    const log = JSON.parse(run.stdout) as {
      version: string;
      runs: Array<{
        tool: { driver: { name: string; rules: Array<{ id: string }> } };
        results: Array<{
          ruleId: string;
          ruleIndex: number;
          level: string;
          message: { text: string };
          locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }>;
        }>;
      }>;
    };
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.version).toBe('2.1.0');
    const [sarifRun] = log.runs;
    const rules = sarifRun?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(Object.keys(FINDINGS));
    const results = sarifRun?.results ?? [];
    const json = await checkJson(url, ['--fail-on', 'never']);
    const occurrences = json.report.findings.reduce((n, f) => n + f.occurrences.length, 0);
    expect(results.length).toBe(occurrences);
    for (const r of results) {
      expect(rules[r.ruleIndex]?.id).toBe(r.ruleId);
      expect(r.locations[0]?.physicalLocation.artifactLocation.uri.startsWith(`${url}/`)).toBe(
        true,
      );
    }
    const consoleResult = results.find((r) => r.ruleId === 'FL-DEBUG-CONSOLE');
    expect(consoleResult?.level).toBe('error');
    expect(consoleResult?.locations[0]?.physicalLocation.artifactLocation.uri).toBe(
      `${url}/console`,
    );
    expect(results.find((r) => r.ruleId === 'FL-NO-CORRELATION-ID')?.level).toBe('note');
  });

  it('the validator refuses a log that breaks the SARIF schema', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
  });

  it('refuses --json with another --format', async () => {
    const run = await runCli(['check', 'http://127.0.0.1:1', '--json', '--format', 'sarif']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--json contradicts --format sarif/);
  });
});

describe('faultline check --rate and clamped values', () => {
  it('--rate spaces request starts, and the settings say so', async () => {
    const { url, count } = await serve((req, res) => {
      req.resume();
      res.writeHead(404, { 'x-content-type-options': 'nosniff' });
      res.end();
    });
    // 41 requests at 100/s take at least 400 ms; without --rate they take far less.
    const started = performance.now();
    const { report } = await checkJson(url, ['--rate', '100', '--concurrency', '8']);
    const elapsed = performance.now() - started;
    expect(report.requests.sent).toBe(count());
    expect(elapsed).toBeGreaterThanOrEqual(((report.requests.sent - 1) / 100) * 1000);
    expect(report.settings.rate).toBe(100);
    for (const bad of ['0', '-1', 'fast', '', 'Infinity']) {
      const run = await runCli(['check', url, `--rate=${bad}`]);
      expect(run.code, bad).toBe(2);
      expect(run.stderr).toMatch(/--rate must be a positive number/);
    }
  });

  it('reports a clamped --concurrency and the cut request list instead of clamping silently', async () => {
    const { url, count } = await serve((req, res) => {
      req.resume();
      res.writeHead(404, { 'x-content-type-options': 'nosniff' });
      res.end();
    });
    const paths = Array.from({ length: 12 }, (_, i) => ['--path', `/r${i}`]).flat();
    const { run, report } = await checkJson(url, [
      ...paths,
      '--allow-unsafe',
      '--concurrency',
      '50',
    ]);
    const r = report;
    expect(r.settings.concurrency).toBe(16);
    expect(r.clamped).toContainEqual({ option: '--concurrency', requested: 50, used: 16 });
    const cut = r.clamped.find((c) => c.option === 'requests');
    expect(cut?.used).toBe(200);
    expect(cut?.requested).toBeGreaterThan(200);
    expect(report.requests.sent).toBe(200);
    expect(count()).toBe(200);
    expect(run.stderr).toMatch(/--concurrency 50 clamped to 16/);
  });
});
