// Load generation on loopback, bounded in time: wrk when installed (C, lighter on a 2-core box),
// else autocannon. Returns requests/s and latency percentiles in milliseconds.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const HAS_WRK = spawnSync('wrk', ['--version']).error === undefined;

function ms(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

export async function load(url, { connections = 50, seconds = 5 } = {}) {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error('load tests target 127.0.0.1 only');
  if (HAS_WRK) {
    const { stdout } = await run(
      'wrk',
      ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url],
      {
        timeout: (seconds + 30) * 1000,
      },
    );
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
    const p50 = ms(/\s50%\s+(\S+)/.exec(stdout)?.[1] ?? '');
    const p99 = ms(/\s99%\s+(\S+)/.exec(stdout)?.[1] ?? '');
    const errors = Number(/Socket errors: .*?(\d+) timeout/.exec(stdout)?.[1] ?? 0);
    return { rps, p50, p99, errors, tool: 'wrk' };
  }
  const { default: autocannon } = await import('autocannon');
  const r = await autocannon({ url, connections, duration: seconds });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    tool: 'autocannon',
  };
}
