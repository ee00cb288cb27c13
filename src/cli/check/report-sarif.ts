/**
 * report-sarif: the report as SARIF 2.1.0 (`--format sarif`), the format CI systems and
 * code-scanning dashboards read. One rule per finding id (all of them, so a dashboard knows a
 * rule that found nothing this time), one result per occurrence, located at the request's URL.
 */
import { readFileSync } from 'node:fs';
import { FINDINGS, type FindingId, type Severity } from './findings.js';
import type { CheckResult } from './run.js';

/** SARIF result levels per severity (SARIF 2.1.0 §3.27.10). */
const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  error: 'error',
  warn: 'warning',
  info: 'note',
};

/** GitHub code scanning's `security-severity` (a CVSS-like 0.0–10.0 score) per severity. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  error: '7.5',
  warn: '5.0',
  info: '2.0',
};

const INFORMATION_URI = 'https://www.npmjs.com/package/faultline';

/**
 * The request's URL as a valid URI reference: the provocations hold broken percent-encoding and
 * brackets on purpose, which SARIF consumers would refuse, so those are escaped here.
 */
function locationUri(origin: string, target: string): string {
  if (!target.startsWith('/')) return `${origin}/`; // OPTIONS *
  const path = target
    .replace(/….*$/, '') // the report cuts over-long targets
    .replace(/%(?![0-9A-Fa-f]{2})/g, '%25')
    .replace(/[^A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/g, (c) => encodeURIComponent(c));
  return `${origin}${path}`;
}

function toolVersion(): string {
  try {
    // dist/cli/check/ and src/cli/check/ are both three levels below the package root.
    const pkg = JSON.parse(
      readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
    ) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/**
 * The SARIF log, pretty-printed with a final newline.
 * @example
 * process.stdout.write(renderSarif(await runCheck({ url: 'http://127.0.0.1:3000' })));
 */
export function renderSarif(result: CheckResult): string {
  const ids = Object.keys(FINDINGS) as FindingId[];
  const rules = ids.map((id) => {
    const spec = FINDINGS[id];
    return {
      id,
      name: id
        .replace(/^FL-/, '')
        .toLowerCase()
        .replace(/(?:^|-)([a-z0-9])/g, (_m, c: string) => c.toUpperCase()),
      shortDescription: { text: spec.title },
      fullDescription: { text: `${spec.title}. ${spec.remedy}` },
      help: { text: spec.remedy, markdown: `**Fix:** ${spec.remedy}` },
      helpUri: `${INFORMATION_URI}#faultline-check`,
      defaultConfiguration: { level: LEVEL[spec.severity] },
      properties: {
        tags: ['security', 'faultline-check'],
        severity: spec.severity,
        'security-severity': SECURITY_SEVERITY[spec.severity],
      },
    };
  });
  const results = result.findings.flatMap((f) =>
    f.occurrences.map((o) => ({
      ruleId: f.id,
      ruleIndex: ids.indexOf(f.id),
      level: LEVEL[f.severity],
      message: {
        text: `${f.title}: ${o.request.method} ${o.request.target} (Accept ${o.request.accept}) answered ${o.status}: ${o.evidence}`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: locationUri(result.origin, o.request.target) },
          },
        },
      ],
      partialFingerprints: {
        'faultlineCheck/v1': `${f.id}:${o.request.method}:${o.what}`,
      },
      properties: { status: o.status, request: o.request.method, what: o.what },
    })),
  );
  const endMs = Date.parse(result.startedAt) + result.durationMs;
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'faultline check',
            semanticVersion: toolVersion(),
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: result.startedAt,
            endTimeUtc: new Date(endMs).toISOString(),
          },
        ],
        results,
        properties: { origin: result.origin, requests: result.requests, clamped: result.clamped },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
