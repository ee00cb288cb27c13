#!/usr/bin/env node
/**
 * bench/client-resilience: how much extra load each client puts on a failing server, and how often
 * its callers still succeed. faultline/client with its defaults against ky@1 and got@14 with theirs.
 *
 *   npm run build && node bench/client-resilience.js           full run → bench/results/client-resilience.md
 *   node bench/client-resilience.js --smoke                     faultline only, 500 requests/scenario
 *   node bench/client-resilience.js --no-peers                  faultline only, full size → results/client-resilience-faultline.md
 *
 * The scripted server (bench/client-resilience-server.js) runs in a child process and counts every
 * attempt on the wire; failures are a seeded hash of (request id, attempt), so runs are repeatable.
 * A = attempts on the wire / logical requests; S = logical requests that succeeded / logical.
 * ky and got run with their defaults (nothing configured). Their backoff is slow (ky 0.3 s, 0.6 s;
 * got ≈1 s, 2 s), so to bound the run they get fewer logical requests: 1,000 in the outage and
 * 2,000 in the other rate scenarios. Their A does not depend on N (no budget, no breaker).
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createClient } from '../dist/client/index.js';

const smoke = process.argv.includes('--smoke');
const N = smoke ? 500 : 10_000;
const PEER_N_OUTAGE = 1_000;
const PEER_N = 2_000;
const CONCURRENCY = 100;

const child = fork(fileURLToPath(new URL('./client-resilience-server.js', import.meta.url)), {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await new Promise((resolve, reject) => {
  child.once('message', (m) => resolve(m.port));
  child.once('error', reject);
});
const base = `http://127.0.0.1:${port}`;

let runCounter = 0;
const newRun = () => `run${++runCounter}`;
const stats = async (run) => (await fetch(`${base}/stats/${run}`)).json();

async function pool(n, task) {
  let next = 0;
  let ok = 0;
  const errors = new Map();
  async function worker() {
    while (next < n) {
      const i = next++;
      try {
        await task(i);
        ok++;
      } catch (e) {
        const key = e?.code ?? e?.name ?? 'Error';
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, CONCURRENCY) }, worker));
  return { ok, errors };
}

const withTimeLimit = (promise, ms) =>
  Promise.race([
    promise.then(
      () => 'ok',
      (e) => e,
    ),
    new Promise((resolve) => setTimeout(() => resolve('still-waiting'), ms).unref()),
  ]);

const clients = {
  faultline: (options = {}) => {
    const client = createClient(options);
    return {
      get: async (url) => (await client(url)).text(),
      post: async (url, keyed) =>
        (
          await client(url, {
            method: 'POST',
            body: 'order',
            ...(keyed ? { idempotencyKey: true } : {}),
          })
        ).text(),
      putStream: async (url) =>
        (
          await client(url, {
            method: 'PUT',
            body: Readable.toWeb(Readable.from([Buffer.from('chunk-1'), Buffer.from('chunk-2')])),
          })
        ).text(),
    };
  },
  ky: async () => {
    const { default: ky } = await import('ky');
    return {
      get: (url) => ky.get(url).text(),
      post: (url, keyed) =>
        ky
          .post(url, {
            body: 'order',
            headers: keyed ? { 'idempotency-key': crypto.randomUUID() } : {},
          })
          .text(),
      putStream: (url) =>
        ky
          .put(url, {
            body: Readable.toWeb(Readable.from([Buffer.from('chunk-1'), Buffer.from('chunk-2')])),
          })
          .text(),
    };
  },
  got: async () => {
    const { default: got } = await import('got');
    return {
      get: (url) => got(url).text(),
      post: (url, keyed) =>
        got
          .post(url, {
            body: 'order',
            headers: keyed ? { 'idempotency-key': crypto.randomUUID() } : {},
          })
          .text(),
      putStream: (url) =>
        got
          .put(url, { body: Readable.from([Buffer.from('chunk-1'), Buffer.from('chunk-2')]) })
          .text(),
    };
  },
};
const clientNames =
  smoke || process.argv.includes('--no-peers') ? ['faultline'] : ['faultline', 'ky', 'got'];

const pct = (x) => `${(100 * x).toFixed(2)}%`;
const rows = [];
let unmet = 0;
// Rate targets are statistical: with --smoke's 500 requests they are shown, not enforced. So are
// the upper bounds of timing targets (`lenient` = 'timing'), which busy machines miss.
function row(
  scenario,
  client,
  logical,
  attempts,
  ok,
  target,
  met,
  notes = '',
  statistical = false,
) {
  if (client === 'faultline' && met === false && !(smoke && statistical)) unmet++;
  rows.push({
    scenario,
    client,
    logical,
    attempts,
    A: (attempts / logical).toFixed(3),
    S: pct(ok / logical),
    target: client === 'faultline' ? target : '—',
    met:
      client === 'faultline'
        ? met
          ? 'yes'
          : statistical && smoke
            ? statistical === 'timing'
              ? 'no (timing, not enforced in --smoke)'
              : 'no (N too small to judge)'
            : '**no**'
        : '—',
    notes,
  });
}
const errorNotes = (errors) =>
  [...errors].map(([k, v]) => `${k.replace(/^FAULTLINE_/, '')}: ${v}`).join(', ');

const started = performance.now();

// 1–4. Independent 500s at a fixed rate per attempt (1 = total outage).
for (const [label, p] of [
  ['total outage (100% 500)', 1],
  ['500s at 1%', 0.01],
  ['500s at 10%', 0.1],
  ['500s at 30%', 0.3],
]) {
  for (const name of clientNames) {
    const c = await clients[name]();
    const n = name === 'faultline' ? N : Math.min(N, p === 1 ? PEER_N_OUTAGE : PEER_N);
    const run = newRun();
    const { ok, errors } = await pool(n, (i) => c.get(`${base}/r/${run}/rate/${p}/${i}`));
    const { attempts } = await stats(run);
    const A = attempts / n;
    const S = ok / n;
    let target = '—';
    let met = true;
    if (p === 1) [target, met] = ['A ≤ 1.12', A <= 1.12];
    if (p === 0.01) [target, met] = ['S ≥ 99.9%', S >= 0.999];
    if (p === 0.1) [target, met] = ['S ≥ 99.5%', S >= 0.995];
    if (p === 0.3) [target, met] = ['S ≥ 95%, A ≤ 1.40', S >= 0.95 && A <= 1.4];
    row(label, name, n, attempts, ok, target, met, errorNotes(errors), p !== 1);
  }
}

// 4b–4c. Failures that retries cannot fix: the same 30% of requests fail every attempt, and an
// overload the server signals with 503 on every attempt. Retries here only add load.
for (const [label, path, peerN] of [
  ['sticky failures (same 30% fail every attempt)', 'sticky/0.3', PEER_N],
  ['overload signalled by 503 (100%)', 'overload', PEER_N_OUTAGE],
]) {
  for (const name of clientNames) {
    const c = await clients[name]();
    const n = name === 'faultline' ? N : Math.min(N, peerN);
    const run = newRun();
    const { ok, errors } = await pool(n, (i) => c.get(`${base}/r/${run}/${path}/${i}`));
    const { attempts } = await stats(run);
    row(label, name, n, attempts, ok, 'A ≤ 1.12', attempts / n <= 1.12, errorNotes(errors), true);
  }
}

// 4c'. Each safeguard alone, faultline only: the breaker without the budget (checked after every
// wait, it lets no retry out once open) and the budget without the breaker (503 = overload:
// every retry charged in full).
for (const [label, path, options] of [
  ['total outage, budget: false (breaker alone)', 'rate/1', { budget: false }],
  ['overload by 503, breaker: false (budget alone)', 'overload', { breaker: false }],
]) {
  const c = clients.faultline(options);
  const run = newRun();
  const { ok, errors } = await pool(N, (i) => c.get(`${base}/r/${run}/${path}/${i}`));
  const { attempts } = await stats(run);
  row(
    label,
    'faultline',
    N,
    attempts,
    ok,
    'A ≤ 1.12',
    attempts / N <= 1.12,
    errorNotes(errors),
    true,
  );
}

// 4d. An outage starts: the first half of the requests succeed, then every attempt fails. The
// burst is the retries sent into the failing server (its extra load) before the client adapts.
for (const name of clientNames) {
  const c = await clients[name]();
  const n = name === 'faultline' ? 2 * Math.min(N, 2000) : PEER_N;
  const at = n / 2;
  const run = newRun();
  const { ok, errors } = await pool(n, (i) => c.get(`${base}/r/${run}/start/${at}/${i}`));
  const { attempts } = await stats(run);
  row(
    'outage starts (200 → 100% 500)',
    name,
    n,
    attempts,
    ok,
    'burst ≤ maxTokens + ratio × requests',
    attempts - n <= 20 + 0.115 * n,
    `burst: ${attempts - n} retries into the outage over ${at} failing requests${errors.size ? `; ${errorNotes(errors)}` : ''}`,
  );
}

// 5–6. 503 with Retry-After.
for (const secs of [2, 3600]) {
  for (const name of clientNames) {
    const c = await clients[name]();
    const run = newRun();
    const t0 = performance.now();
    const outcome = await withTimeLimit(c.get(`${base}/r/${run}/after/${secs}/0`), 15_000);
    const ms = Math.round(performance.now() - t0);
    const { attempts } = await stats(run);
    const ok = outcome === 'ok' ? 1 : 0;
    if (secs === 2) {
      const met = ok === 1 && Math.abs(ms - 2000) <= 100;
      // The upper bound measures the machine's timers as much as the client: --smoke (run by
      // the test suite on busy machines) shows it without enforcing it; the lower bound holds.
      row(
        '503 + Retry-After: 2',
        name,
        1,
        attempts,
        ok,
        'waits 2 s ± 100 ms',
        met,
        `answered after ${ms} ms`,
        ok === 1 && ms >= 1990 && 'timing',
      );
    } else {
      const retryAt = outcome?.retryAt instanceof Date ? outcome.retryAt : undefined;
      const inSecs = retryAt ? Math.round((retryAt.getTime() - Date.now()) / 1000) : undefined;
      const met = ms < 100 && retryAt !== undefined && inSecs > 3500 && attempts === 1;
      const judgeable = retryAt !== undefined && inSecs > 3500 && attempts === 1;
      const what =
        outcome === 'still-waiting'
          ? `still waiting after ${ms} ms (abandoned)`
          : `${outcome === 'ok' ? 'succeeded' : (outcome?.code ?? outcome?.name)} after ${ms} ms${retryAt ? `, retryAt ≈ now + ${inSecs} s` : ''}`;
      row(
        '503 + Retry-After: 3600',
        name,
        1,
        attempts,
        ok,
        'gives up < 100 ms with retryAt',
        met,
        what,
        judgeable && 'timing',
      );
    }
  }
}

// 7–8. POST whose response is lost (500 after the side effect) for 10% of attempts.
for (const keyed of [false, true]) {
  for (const name of clientNames) {
    const c = await clients[name]();
    const n = name === 'faultline' ? N : Math.min(N, PEER_N);
    const run = newRun();
    const { ok, errors } = await pool(n, (i) => c.post(`${base}/r/${run}/post/0.1/${i}`, keyed));
    const { attempts, duplicates } = await stats(run);
    const notes = `retries: ${attempts - n}, duplicate side effects: ${duplicates}${errors.size ? `; ${errorNotes(errors)}` : ''}`;
    if (!keyed) {
      row(
        'POST, no Idempotency-Key, 10% 500',
        name,
        n,
        attempts,
        ok,
        '0 retries',
        attempts === n,
        notes,
      );
    } else {
      const met = attempts > n && duplicates === 0 && (smoke || ok / n >= 0.99);
      row(
        'POST + Idempotency-Key, 10% 500',
        name,
        n,
        attempts,
        ok,
        'retried, 0 duplicates, S ≥ 99%',
        met,
        notes,
      );
    }
  }
}

// 9. A one-shot ReadableStream upload meeting a 503.
for (const name of clientNames) {
  const c = await clients[name]();
  const n = 20;
  const run = newRun();
  const codes = [];
  const { ok, errors } = await pool(n, (i) =>
    withTimeLimit(c.putStream(`${base}/r/${run}/upload/${i}`), 10_000).then((o) => {
      if (o !== 'ok') {
        codes.push(o?.code ?? o?.name ?? String(o));
        throw o;
      }
    }),
  );
  const { attempts, emptyBodies } = await stats(run);
  const clear = errors.get('FAULTLINE_BODY_NOT_REPLAYABLE') === n;
  row(
    'PUT ReadableStream meets 503',
    name,
    n,
    attempts,
    ok,
    '0 empty-body retries, clear error',
    emptyBodies === 0 && attempts === n && clear,
    `empty-body attempts: ${emptyBodies}${errors.size ? `; ${errorNotes(errors)}` : ''}`,
  );
}

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const header =
  '| scenario | client | logical | attempts | A | S | target | met? | notes |\n|---|---|--:|--:|--:|--:|---|---|---|';
const table = [
  header,
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${r.client} | ${r.logical} | ${r.attempts} | ${r.A} | ${r.S} | ${r.target} | ${r.met} | ${r.notes} |`,
  ),
].join('\n');
const doc = `# bench/client-resilience${smoke ? ' (smoke)' : ''}

Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, seed ${process.env.BENCH_SEED ?? 20260101}, concurrency ${CONCURRENCY}, ${seconds} s.
faultline: ${N} logical requests per rate scenario; ky@1 and got@14 with their defaults${smoke ? ' (not run in --smoke)' : `: ${PEER_N_OUTAGE} in the outage, ${PEER_N} in the other rate and POST scenarios`}.
Server in a child process counting every attempt on the wire. A = attempts / logical requests, S = success rate.

${table}
`;
console.log(doc);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(
    smoke
      ? './results/client-resilience-smoke.md'
      : clientNames.length === 1
        ? './results/client-resilience-faultline.md' // --no-peers must not replace the full table
        : './results/client-resilience.md',
    import.meta.url,
  ),
  doc,
);
child.disconnect();
child.kill();
if (unmet > 0) console.error(`${unmet} faultline target(s) not met`);
process.exit(unmet > 0 ? 1 : 0);
