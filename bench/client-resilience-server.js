/**
 * Scripted HTTP server for bench/client-resilience.js, run as a child process (its own event loop,
 * so the clients under test cannot starve it). It counts every attempt that reaches the wire.
 *
 * Failures are decided by a hash of (seed, request id, attempt number at the server), so a run is
 * reproducible whatever the interleaving of concurrent requests.
 *
 *   GET  /r/<run>/rate/<p>/<id>      500 with probability p per attempt (p = 1: total outage)
 *   GET  /r/<run>/sticky/<p>/<id>    the same share p of request ids fail (500) on every attempt
 *   GET  /r/<run>/overload/<id>      503 on every attempt (the server says it is overloaded)
 *   GET  /r/<run>/start/<at>/<id>    200 for ids below <at>, 500 from then on (an outage starts)
 *   GET  /r/<run>/after/<secs>/<id>  first attempt 503 + Retry-After: <secs>, then 200
 *   POST /r/<run>/post/<p>/<id>      performs a side effect, then fails with probability p
 *                                    ("lost response"); dedupes by Idempotency-Key
 *   PUT  /r/<run>/upload/<id>        first attempt 503, then 200; records body sizes
 *   GET  /stats/<run>                counters of a run (not counted as an attempt)
 */
import { createServer } from 'node:http';

const SEED = Number(process.env.BENCH_SEED ?? 20260101);

function unit(...parts) {
  // murmur3-style mixing of the parts into a uniform number in [0, 1).
  let h = SEED >>> 0;
  for (const p of parts) {
    let k = Math.imul(p >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

const runs = new Map();
function run(id) {
  let r = runs.get(id);
  if (!r) {
    r = {
      attempts: 0,
      perId: new Map(),
      effects: new Map(),
      keys: new Set(),
      emptyBodies: 0,
      bodies: [],
    };
    runs.set(id, r);
  }
  return r;
}

const server = createServer((req, res) => {
  const parts = (req.url ?? '/').split('?')[0].split('/').filter(Boolean);
  if (parts[0] === 'stats') {
    const r = run(parts[1]);
    let duplicates = 0;
    let sideEffects = 0;
    for (const n of r.effects.values()) {
      sideEffects += n;
      duplicates += Math.max(0, n - 1);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ attempts: r.attempts, sideEffects, duplicates, emptyBodies: r.emptyBodies }),
    );
    return;
  }
  const [, runId, kind, arg, idText] = parts;
  const r = run(runId);
  const id = Number(idText ?? arg);
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('error', () => {});
  req.on('end', () => {
    r.attempts++;
    const key = `${kind}/${arg}/${idText}`;
    const k = (r.perId.get(key) ?? 0) + 1;
    r.perId.set(key, k);
    const send = (status, headers = {}) => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(status < 300 ? 'ok' : 'failed');
    };
    if (kind === 'rate') {
      const p = Number(arg);
      send(p >= 1 || unit(id, k) < p ? 500 : 200);
    } else if (kind === 'sticky') {
      send(unit(id, 0, 11) < Number(arg) ? 500 : 200);
    } else if (kind === 'overload') {
      send(503);
    } else if (kind === 'start') {
      send(id < Number(arg) ? 200 : 500);
    } else if (kind === 'after') {
      if (k === 1) send(503, { 'retry-after': arg });
      else send(200);
    } else if (kind === 'post') {
      const ikey = req.headers['idempotency-key'];
      if (typeof ikey === 'string' && r.keys.has(ikey)) {
        send(200); // already done: replay the outcome, no second side effect
        return;
      }
      r.effects.set(id, (r.effects.get(id) ?? 0) + 1);
      if (typeof ikey === 'string') r.keys.add(ikey);
      send(unit(id, k, 7) < Number(arg) ? 500 : 200); // committed, but the response is a 500
    } else if (kind === 'upload') {
      const size = chunks.reduce((n, c) => n + c.length, 0);
      if (size === 0) r.emptyBodies++;
      send(k === 1 ? 503 : 200);
    } else {
      send(404);
    }
  });
});

server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('disconnect', () => process.exit(0));
