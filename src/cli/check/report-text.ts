/**
 * report-text: the terminal report, grouped by severity, in colour on a TTY (NO_COLOR respected).
 * Each finding shows its id, title, how many responses showed it, a few examples and the fix.
 */
import { SEVERITIES, type Severity } from './findings.js';
import type { CheckResult, Finding, Occurrence } from './run.js';

/** Options of {@link renderText}. */
export interface TextOptions {
  /** ANSI colours. @default false */
  readonly color?: boolean;
  /** Examples shown per finding. @default 2 */
  readonly examples?: number;
}

const LABEL: Record<Severity, string> = {
  critical: 'CRITICAL',
  error: 'ERROR',
  warn: 'WARN',
  info: 'INFO',
};
const COLOR: Record<Severity, string> = { critical: '35', error: '31', warn: '33', info: '36' };

function paint(on: boolean, code: string, text: string): string {
  return on ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function example(o: Occurrence): string {
  const accept =
    o.request.accept === '(none)' ? 'no Accept' : `Accept ${o.request.accept.split(',')[0]}`;
  return `${o.request.method} ${o.request.target} (${accept}) → ${o.status}: ${o.evidence}`;
}

function finding(f: Finding, color: boolean, examples: number): string[] {
  const n = f.occurrences.length;
  const lines = [
    `  ${paint(color, COLOR[f.severity], f.id.padEnd(22))} ${f.title} ${paint(color, '2', `(${n} ${n === 1 ? 'response' : 'responses'})`)}`,
  ];
  for (const o of f.occurrences.slice(0, examples)) lines.push(`      ${example(o)}`);
  if (n > examples) lines.push(paint(color, '2', `      … and ${n - examples} more`));
  lines.push(`      ${paint(color, '2', 'fix:')} ${f.remedy}`);
  return lines;
}

/**
 * The human report.
 * @example
 * process.stdout.write(renderText(result, { color: process.stdout.isTTY }));
 */
export function renderText(result: CheckResult, options: TextOptions = {}): string {
  const color = options.color ?? false;
  const examples = options.examples ?? 2;
  const r = result.requests;
  const out = [
    `${paint(color, '1', 'faultline check')} ${result.origin}  (routes: ${result.paths.join(', ')}${result.allowUnsafe ? '; --allow-unsafe' : ''})`,
    `${r.sent} requests in ${(result.durationMs / 1000).toFixed(1)} s: ${r.errorResponses} error responses, ${r.resets} resets, ${r.timeouts} timeouts${r.skipped > 0 ? `, ${r.skipped} skipped (time limit)` : ''}`,
    ...result.clamped.map((c) =>
      paint(
        color,
        '2',
        c.option === 'requests'
          ? `note: ${c.requested} requests planned, the first ${c.used} sent (the bound of a run)`
          : `note: ${c.option} ${c.requested} clamped to ${c.used}`,
      ),
    ),
    '',
  ];
  for (const severity of SEVERITIES) {
    const group = result.findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push(paint(color, `1;${COLOR[severity]}`, `${LABEL[severity]} (${group.length})`));
    for (const f of group) out.push(...finding(f, color, examples));
    out.push('');
  }
  const c = result.counts;
  out.push(
    result.findings.length === 0
      ? paint(color, '32', 'No findings: error responses leak nothing this check knows of.')
      : `${c.critical > 0 ? `${c.critical} critical, ` : ''}${c.error} error, ${c.warn} warn, ${c.info} info findings.`,
  );
  return `${out.join('\n')}\n`;
}
