// faultline benchmarks against peers, measured in the same run on the same machine; prints a
// markdown table of ratios and writes it to bench/results/latest.md (smoke runs write
// bench/results/smoke.md). `node bench/run.js [--smoke] [--only=happy,error,adoption,storm,micro]`.
// Server and load generator run in separate processes; loopback only; every run is bounded.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { HAS_WRK, load } from './lib/load.js';
import { startServer } from './lib/server.js';
import { HOSTILE_1MS, micro, errorPath as microErrorPath } from './micro.js';

const args = process.argv.slice(2);
const SMOKE = args.includes('--smoke');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const SECONDS = SMOKE ? 1 : 8;
const ROUNDS = SMOKE ? 1 : 3;
const STORM_SECONDS = SMOKE ? 3 : 60;
const CONNECTIONS = 50;
const rows = [];
const notes = [];

function want(name) {
  return only === undefined || only.includes(name);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Measures each stack ROUNDS times, interleaved, after a warm-up; median rps and p99. */
async function measure(stacks, mode) {
  const servers = {};
  for (const s of stacks) servers[s] = await startServer(s, mode);
  const samples = Object.fromEntries(stacks.map((s) => [s, []]));
  try {
    for (const s of stacks) await load(servers[s].url, { connections: CONNECTIONS, seconds: 1 });
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of stacks)
        samples[s].push(await load(servers[s].url, { connections: CONNECTIONS, seconds: SECONDS }));
    }
  } finally {
    for (const s of stacks) await servers[s].stop();
  }
  const out = {};
  for (const s of stacks) {
    out[s] = {
      rps: median(samples[s].map((x) => x.rps)),
      p99: median(samples[s].map((x) => x.p99)),
      p50: median(samples[s].map((x) => x.p50)),
    };
  }
  return out;
}

function row(scenario, faultline, peer, ratio, target, met) {
  rows.push({ scenario, faultline, peer, ratio, target, met });
}
const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fx = (n) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');

async function happy() {
  const r = await measure(['raw', 'faultline'], 'hello');
  const ratio = r.faultline.rps / r.raw.rps;
  row(
    '1. happy path rps (node:http hello)',
    `${fmt(r.faultline.rps)} rps`,
    `raw ${fmt(r.raw.rps)} rps`,
    fx(ratio),
    '≥ 0.98×',
    ratio >= 0.98,
  );
  const p99 = r.faultline.p99 / r.raw.p99;
  row(
    '1. happy path p99',
    `${r.faultline.p99.toFixed(2)} ms`,
    `raw ${r.raw.p99.toFixed(2)} ms`,
    fx(p99),
    '≤ 1.05×',
    p99 <= 1.05,
  );
  return r;
}

async function errorPath() {
  const peers = ['express', 'fastify', 'fastify-nolog', 'hono', 'koa'];
  const r = await measure(['raw', 'faultline', ...peers], 'boom');
  const limit = r.faultline.rps / r.raw.rps;
  row(
    '2. error path vs physical limit (bare try/catch 500)',
    `${fmt(r.faultline.rps)} rps`,
    `raw ${fmt(r.raw.rps)} rps`,
    fx(limit),
    '≥ 0.85×',
    limit >= 0.85,
  );
  const vsFastify = r.faultline.rps / r.fastify.rps;
  row(
    '2. error path vs Fastify 5 (logger on)',
    `${fmt(r.faultline.rps)} rps`,
    `${fmt(r.fastify.rps)} rps`,
    fx(vsFastify),
    '≥ 3×',
    vsFastify >= 3,
  );
  for (const p of peers.filter((p) => p !== 'fastify')) {
    const ratio = r.faultline.rps / r[p].rps;
    row(
      `2. error path vs ${p}`,
      `${fmt(r.faultline.rps)} rps`,
      `${fmt(r[p].rps)} rps`,
      fx(ratio),
      '> 1×',
      ratio > 1,
    );
  }
  return r;
}

async function adoption() {
  for (const fw of ['express', 'fastify', 'hono', 'koa']) {
    for (const mode of ['hello', 'boom']) {
      const r = await measure([fw, `${fw}+faultline`], mode);
      const ratio = r[`${fw}+faultline`].rps / r[fw].rps;
      const target = mode === 'hello' ? '≥ 0.97×' : '≥ 1×';
      row(
        `3. ${fw} ${mode === 'hello' ? 'happy path' : 'error path'} with faultline`,
        `${fmt(r[`${fw}+faultline`].rps)} rps`,
        `without ${fmt(r[fw].rps)} rps`,
        fx(ratio),
        target,
        mode === 'hello' ? ratio >= 0.97 : ratio >= 1,
      );
    }
  }
}

async function storm(happyP50, happyP99) {
  const server = await startServer('faultline', 'boom', ['--expose-gc']);
  try {
    // Warm-up under the same storm, so JIT and heap sizing are done before the first sample.
    await load(server.url, { connections: CONNECTIONS, seconds: SMOKE ? 1 : 10 });
    const heapStart = await server.heapMB();
    const rssStart = server.rssMB();
    const res = await load(server.url, { connections: CONNECTIONS, seconds: STORM_SECONDS });
    const rssEnd = server.rssMB();
    const heapEnd = await server.heapMB();
    const growth = rssEnd - rssStart;
    row(
      `4. storm ${STORM_SECONDS}s of 100% failures: RSS growth`,
      `${growth.toFixed(1)} MB (${rssStart.toFixed(0)} → ${rssEnd.toFixed(0)} MB)`,
      '',
      '',
      '< 10 MB',
      growth < 10,
    );
    const heapGrowth = heapEnd - heapStart;
    row(
      '4. storm: live heap growth after full GC',
      `${heapGrowth.toFixed(2)} MB (${heapStart.toFixed(1)} → ${heapEnd.toFixed(1)} MB)`,
      '',
      '',
      '< 1 MB',
      heapGrowth < 1,
    );
    if (happyP50 !== undefined) {
      row(
        '4. storm latency p50 / p99 vs happy path',
        `${res.p50.toFixed(2)} / ${res.p99.toFixed(2)} ms`,
        `${happyP50.toFixed(2)} / ${happyP99.toFixed(2)} ms`,
        fx(res.p99 / happyP99),
        'reported',
        true,
      );
    }
    const { size } = await import('node:fs').then((fs) => fs.statSync(server.logFile));
    notes.push(
      `Storm: ${fmt(res.rps * STORM_SECONDS)} failures wrote ${(size / 1024).toFixed(0)} KiB of log.`,
    );
  } finally {
    await server.stop();
  }
}

function microRows() {
  for (const { name, ns } of micro({ iterations: SMOKE ? 5_000 : 100_000 })) {
    // Hostile values (revoked proxies, circular objects) throw inside classification by design;
    // they are rare, so their bound is looser: bounded, not fast.
    const hostile = name === 'revoked Proxy' || name === 'circular object';
    const target =
      name === '10 MB message' || hostile ? 50_000 : HOSTILE_1MS.has(name) ? 1_000_000 : 5_000;
    row(
      `5. toFault + render: ${name}`,
      `${fmt(ns)} ns/op`,
      '',
      '',
      `≤ ${fmt(target)} ns`,
      ns <= target,
    );
  }
  for (const { name, ns } of microErrorPath({ iterations: SMOKE ? 5_000 : 100_000 })) {
    const target = name === 'new incident id' ? 500 : 5_000;
    row(`5. ${name}`, `${fmt(ns)} ns/op`, '', '', `≤ ${fmt(target)} ns`, ns <= target);
  }
}

const started = Date.now();
let happyResult;
if (want('happy')) happyResult = await happy();
if (want('error')) await errorPath();
if (want('adoption')) await adoption();
if (want('storm')) await storm(happyResult?.faultline.p50, happyResult?.faultline.p99);
if (want('micro')) microRows();

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = `Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load generator ${HAS_WRK ? 'wrk' : 'autocannon'} (-c${CONNECTIONS}, ${SECONDS}s × ${ROUNDS} rounds, median), ${new Date().toISOString().slice(0, 10)}${SMOKE ? ' — SMOKE RUN: numbers are not meaningful' : ''}.`;
const table = [
  '| scenario | faultline | peer | ratio | target | met? |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.faultline} | ${r.peer} | ${r.ratio} | ${r.target} | ${r.met ? 'yes' : '**no**'} |`,
  ),
].join('\n');
const md = `${header}\n\n${table}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
console.log(md);
console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
writeFileSync(new URL(`./results/${SMOKE ? 'server-smoke' : 'latest'}.md`, import.meta.url), md);
