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
  counts: { error: 1, warn: 0, info: 1 },
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
    expect(renderText({ ...result, findings: [], counts: { error: 0, warn: 0, info: 0 } })).toMatch(
      /No findings: .+\n$/,
    );
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
