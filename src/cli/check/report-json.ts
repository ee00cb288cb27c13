/**
 * report-json: the machine-readable report (`--json`). Its shape is versioned by `schema`; fields
 * are only ever added.
 */
import type { Severity } from './findings.js';
import type { CheckResult } from './run.js';

/** The JSON document printed by `faultline check --json`. */
export interface JsonReport extends CheckResult {
  readonly schema: 'faultline-check/1';
  readonly failOn: Severity | 'never';
  /** True when a finding at or above `failOn` was found (the exit code is then 1). */
  readonly failed: boolean;
}

/** The JSON report, pretty-printed with a final newline. */
export function renderJson(
  result: CheckResult,
  failOn: Severity | 'never',
  failed: boolean,
): string {
  const report: JsonReport = { schema: 'faultline-check/1', ...result, failOn, failed };
  return `${JSON.stringify(report, null, 2)}\n`;
}
