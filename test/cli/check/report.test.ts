import { describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/cli/check/report-json.js';
import { renderText } from '../../../src/cli/check/report-text.js';
import type { CheckResult } from '../../../src/cli/check/run.js';

const occurrence = (n: number) => ({
  request: { method: 'GET', target: `/r${n}`, accept: 'application/json' },
  what: 'GET a route',
  status: 500,
  evidence: `evidence ${n}`,
});

const result: CheckResult = {
  origin: 'http://127.0.0.1:1234',
  paths: ['/'],
  allowUnsafe: false,
  settings: { timeoutMs: 5000, maxTimeMs: 60000, concurrency: 4, rate: null },
  clamped: [],
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  requests: {
    planned: 31,
    sent: 31,
    responses: 31,
    errorResponses: 30,
    resets: 0,
    timeouts: 0,
    skipped: 0,
  },
  findings: [
    {
      id: 'FL-STACK-TRACE',
      severity: 'error',
      title: 'Stack trace in an error response',
      remedy: 'Render errors from a fixed template.',
      occurrences: [occurrence(1), occurrence(2), occurrence(3)],
    },
    {
      id: 'FL-NO-CORRELATION-ID',
      severity: 'info',
      title: '5xx response without an id the user could quote',
      remedy: 'Add an id.',
      occurrences: [occurrence(4)],
    },
  ],
  counts: { critical: 0, error: 1, warn: 0, info: 1 },
};

describe('renderText', () => {
  it('groups by severity with examples, a count of the rest and the fix', () => {
    const text = renderText(result);
    expect(text).toBe(
      [
        'faultline check http://127.0.0.1:1234  (routes: /)',
        '31 requests in 1.2 s: 30 error responses, 0 resets, 0 timeouts',
        '',
        'ERROR (1)',
        '  FL-STACK-TRACE         Stack trace in an error response (3 responses)',
        '      GET /r1 (Accept application/json) → 500: evidence 1',
        '      GET /r2 (Accept application/json) → 500: evidence 2',
        '      … and 1 more',
        '      fix: Render errors from a fixed template.',
        '',
        'INFO (1)',
        '  FL-NO-CORRELATION-ID   5xx response without an id the user could quote (1 response)',
        '      GET /r4 (Accept application/json) → 500: evidence 4',
        '      fix: Add an id.',
        '',
        '1 error, 0 warn, 1 info findings.',
        '',
      ].join('\n'),
    );
  });

  it('colours only when asked', () => {
    expect(renderText(result, { color: true })).toContain('\u001b[31mFL-STACK-TRACE');
    expect(
      renderText({ ...result, findings: [], counts: { critical: 0, error: 0, warn: 0, info: 0 } }),
    ).toMatch(/No findings: .+\n$/);
  });
});

describe('renderText: critical findings and clamped settings', () => {
  it('puts CRITICAL first, counts it, and notes every clamped value', () => {
    const text = renderText({
      ...result,
      clamped: [
        { option: '--concurrency', requested: 50, used: 16 },
        { option: 'requests', requested: 205, used: 200 },
      ],
      findings: [
        {
          id: 'FL-DEBUG-CONSOLE',
          severity: 'critical',
          title: 'Interactive debugger',
          remedy: 'Turn it off.',
          occurrences: [occurrence(9)],
        },
        ...result.findings,
      ],
      counts: { critical: 1, error: 1, warn: 0, info: 1 },
    });
    const lines = text.split('\n');
    expect(lines[2]).toBe('note: --concurrency 50 clamped to 16');
    expect(lines[3]).toBe('note: 205 requests planned, the first 200 sent (the bound of a run)');
    expect(lines[5]).toBe('CRITICAL (1)');
    expect(text.indexOf('CRITICAL (1)')).toBeLessThan(text.indexOf('ERROR (1)'));
    expect(text).toMatch(/\n1 critical, 1 error, 0 warn, 1 info findings\.\n$/);
  });
});

describe('renderJson', () => {
  it('adds the schema, the threshold and the verdict to the result', () => {
    const doc = JSON.parse(renderJson(result, 'warn', true));
    expect(doc.schema).toBe('faultline-check/1');
    expect(doc.failOn).toBe('warn');
    expect(doc.failed).toBe(true);
    expect(doc.findings[0].occurrences).toHaveLength(3);
    expect(doc.origin).toBe('http://127.0.0.1:1234');
  });
});
