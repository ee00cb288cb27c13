// Log volume of an error storm: 100,000 identical failures spread over one minute, through the
// whole pipeline (classify, report, render) with default options and a real pino logger writing
// to a file. Prints the bytes written, the records, whether the summaries' counts are exact, and
// whether every incident id a client received finds a full record by the README's search (the id
// up to its first dot). The clock is simulated so the minute takes as long as the CPU needs.
// `node bench/storm-log.js [--failures=N] [--seconds=S] [--window=MS]` (storm.windowMs; by
// default the default 10 s, then 1 s and the smallest allowed, 100 ms); the default run writes
// bench/results/storm-log.md.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';

const arg = (name, fallback) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const FAILURES = arg('failures', 100_000);
const SECONDS = arg('seconds', 60);
const WINDOWS = process.argv.some((a) => a.startsWith('--window='))
  ? [arg('window', 10_000)]
  : [10_000, 1_000, 100];
const BUDGET = 1024 * 1024;

// Simulated time: storm control and pino read Date.now; set before faultline captures it.
const start = Date.UTC(2026, 0, 1);
let now = start;
Date.now = () => now;

const { createFaultline } = await import('../dist/core/pipeline.js');

function handler(orderId) {
  // The same throw site each time, with a per-request message, as a failing database call.
  throw new Error(`insert failed for order ${orderId}: connect ECONNREFUSED 10.0.0.5:5432`);
}

async function run(windowMs) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-storm-log-'));
  const file = join(dir, 'app.log');
  const dest = pino.destination({ dest: file, sync: true });
  const fl = createFaultline({
    logger: pino({}, dest),
    telemetry: false,
    storm: { windowMs, maxFingerprints: 10_000 },
  });
  const ids = [];
  for (let i = 0; i < FAILURES; i++) {
    now = start + Math.floor((i * SECONDS * 1000) / FAILURES);
    let thrown;
    try {
      handler(i);
    } catch (err) {
      thrown = err;
    }
    const req = {
      method: 'POST',
      url: `/orders/${i}?token=abc`,
      headers: { 'user-agent': 'bench', authorization: 'Bearer secret' },
      remoteAddress: '10.0.0.9',
      requestId: undefined,
    };
    ids.push(fl.respond(thrown, req).fault.public.incident);
  }
  now = start + SECONDS * 1000;
  await fl.flush();
  dest.flushSync();
  const bytes = statSync(file).size;
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l));
  rmSync(dir, { recursive: true, force: true });
  const full = lines.filter((r) => r.storm === undefined);
  const summaries = lines.filter((r) => r.storm !== undefined);
  const counted = full.length + summaries.reduce((n, r) => n + r.storm.suppressed, 0);
  const roots = new Set(full.map((r) => r.incident));
  const findable = ids.filter((id) => roots.has(id.split('.')[0])).length;
  const n = (x) => x.toLocaleString('en-US');
  const row = `| ${n(FAILURES)} | ${SECONDS} s | ${windowMs / 1000} s | ${n(bytes)} (${((bytes / BUDGET) * 100).toFixed(2)}% of 1 MiB) | ${full.length} | ${summaries.length} | ${n(counted)} (${counted === FAILURES ? 'exact' : 'NOT EXACT'}) | ${n(findable)} / ${n(ids.length)} |`;
  return { row, ok: bytes <= BUDGET && counted === FAILURES && findable === ids.length };
}

const rows = [
  '| failures | over | storm window | log bytes (budget 1 MiB) | full records | summaries | counted | ids findable |',
  '| -------- | ---- | ------------ | ------------------------ | ------------ | --------- | ------- | ------------ |',
];
let ok = true;
for (const windowMs of WINDOWS) {
  const r = await run(windowMs);
  rows.push(r.row);
  console.log(r.row);
  ok &&= r.ok;
}
const table = rows.join('\n');
if (FAILURES === 100_000 && SECONDS === 60 && WINDOWS.length > 1) {
  writeFileSync(
    new URL('./results/storm-log.md', import.meta.url),
    `Storm log volume (\`node bench/storm-log.js\`, pino to a file, Node ${process.version}):\n\n${table}\n`,
  );
}
if (!ok) {
  console.error('storm-log: a bound does not hold');
  process.exitCode = 1;
}
