/**
 * `faultline check <url>`: command-line parsing, progress line, report and exit code.
 * Exit codes: 0 no finding at or above --fail-on; 1 such findings; 2 usage error or unreachable.
 */
import { parseArgs } from 'node:util';
import { atLeast, type Severity } from './findings.js';
import { renderJson } from './report-json.js';
import { renderText } from './report-text.js';
import { CheckUsageError, runCheck } from './run.js';

export const CHECK_HELP = `Usage: faultline check <base-url> [options]

Sends a bounded set of requests (≤ 200) designed to provoke errors and reports what the
4xx/5xx answers leak or get wrong (stack traces, paths, versions, SQL, echoed credentials, ...).

Options:
  --path /route        a route of the app to check in each representation (repeatable, ≤ 12)
  --json               print the report as JSON
  --fail-on LEVEL      exit 1 when a finding at LEVEL or worse exists: error (default), warn, info, never
  --allow-unsafe       also send POST requests with malformed bodies (to an unrouted path and each --path)
  --timeout MS         deadline per request (default 5000)
  --max-time MS        bound of the whole run (default 60000)
  --concurrency N      requests in flight (default 4, max 16)
  --insecure           accept any TLS certificate
Exit codes: 0 clean, 1 findings at --fail-on or worse, 2 usage error or target unreachable.`;

const FAIL_ON = new Set(['error', 'warn', 'info', 'never']);

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
      throw new CheckUsageError(`--fail-on must be error, warn, info or never, got "${failOn}"`);
    const progress = process.stderr.isTTY && !values.json;
    const result = await runCheck({
      url,
      paths: values.path ?? [],
      allowUnsafe: values['allow-unsafe'] ?? false,
      timeoutMs: positiveInt(values.timeout, '--timeout', 5000),
      maxTimeMs: positiveInt(values['max-time'], '--max-time', 60_000),
      concurrency: positiveInt(values.concurrency, '--concurrency', 4),
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
    process.stdout.write(
      values.json
        ? renderJson(result, failOn as Severity | 'never', failed)
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
