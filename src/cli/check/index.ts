/**
 * `faultline check <url>`: command-line parsing, progress line, report and exit code.
 * Exit codes: 0 no finding at or above --fail-on; 1 such findings; 2 usage error or unreachable.
 */
import { parseArgs } from 'node:util';
import { atLeast, type Severity } from './findings.js';
import { renderJson } from './report-json.js';
import { renderSarif } from './report-sarif.js';
import { renderText } from './report-text.js';
import { CheckUsageError, runCheck } from './run.js';

export const CHECK_HELP = `Usage: faultline check <base-url> [options]

Sends a bounded set of requests (≤ 200) designed to provoke errors and reports what the
answers leak or get wrong (stack traces, paths, versions, SQL, echoed credentials, TRACE,
exposed debuggers and debug pages, ...).

Options:
  --path /route        a route of the app to check in each representation (repeatable, ≤ 12)
  --format FORMAT      text (default), json (faultline-check/1) or sarif (SARIF 2.1.0)
  --json               same as --format json
  --fail-on LEVEL      exit 1 when a finding at LEVEL or worse exists:
                       critical, error (default), warn, info, never
  --allow-unsafe       also send POST requests with malformed bodies (to an unrouted path and each --path)
  --timeout MS         deadline per request (default 5000)
  --max-time MS        bound of the whole run (default 60000)
  --concurrency N      requests in flight (default 4, max 16)
  --rate N             requests started per second, at most (default: no limit)
  --insecure           accept any TLS certificate
Exit codes: 0 clean, 1 findings at --fail-on or worse, 2 usage error or target unreachable.`;

const FAIL_ON = new Set(['critical', 'error', 'warn', 'info', 'never']);
const FORMATS = new Set(['text', 'json', 'sarif']);

function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new CheckUsageError(`${name} must be a positive number, got "${value}"`);
  return n;
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new CheckUsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

/** Runs the command; resolves to the exit code. Writes the report to stdout, problems to stderr. */
export async function checkCommand(args: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        path: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        format: { type: 'string' },
        rate: { type: 'string' },
        'fail-on': { type: 'string' },
        'allow-unsafe': { type: 'boolean' },
        timeout: { type: 'string' },
        'max-time': { type: 'string' },
        concurrency: { type: 'string' },
        insecure: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(CHECK_HELP);
      return 0;
    }
    const [url, ...extra] = positionals;
    if (url === undefined || extra.length > 0)
      throw new CheckUsageError('expected exactly one base URL');
    const failOn = values['fail-on'] ?? 'error';
    if (!FAIL_ON.has(failOn))
      throw new CheckUsageError(
        `--fail-on must be critical, error, warn, info or never, got "${failOn}"`,
      );
    const format = values.format ?? (values.json ? 'json' : 'text');
    if (!FORMATS.has(format))
      throw new CheckUsageError(`--format must be text, json or sarif, got "${format}"`);
    if (values.json && format !== 'json')
      throw new CheckUsageError(`--json contradicts --format ${format}; give one of them`);
    const rate = positiveNumber(values.rate, '--rate');
    const progress = process.stderr.isTTY && format === 'text';
    const result = await runCheck({
      url,
      paths: values.path ?? [],
      allowUnsafe: values['allow-unsafe'] ?? false,
      timeoutMs: positiveInt(values.timeout, '--timeout', 5000),
      maxTimeMs: positiveInt(values['max-time'], '--max-time', 60_000),
      concurrency: positiveInt(values.concurrency, '--concurrency', 4),
      ...(rate === undefined ? {} : { rate }),
      insecure: values.insecure ?? false,
      ...(progress
        ? {
            onProgress: (done: number, total: number) =>
              process.stderr.write(`\r  checking… ${done}/${total} requests`),
          }
        : {}),
    });
    if (progress) process.stderr.write('\r\u001b[2K');
    const failed =
      failOn !== 'never' && result.findings.some((f) => atLeast(f.severity, failOn as Severity));
    const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
    if (format !== 'text')
      for (const c of result.clamped)
        console.error(`faultline check: ${c.option} ${c.requested} clamped to ${c.used}`);
    process.stdout.write(
      format === 'json'
        ? renderJson(result, failOn as Severity | 'never', failed)
        : format === 'sarif'
          ? renderSarif(result)
          : renderText(result, { color }),
    );
    return failed ? 1 : 0;
  } catch (err) {
    const parseArgsError = (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    if (err instanceof CheckUsageError || parseArgsError) {
      const usage = parseArgsError || (err as CheckUsageError).usage;
      console.error(
        `faultline check: ${(err as Error).message}${usage ? `\n\n${CHECK_HELP}` : ''}`,
      );
      return 2;
    }
    // Anything else is a bug in the check, not a finding: exit 2 so CI does not read it as one.
    console.error(`faultline check: internal error: ${(err as Error)?.stack ?? String(err)}`);
    return 2;
  }
}
