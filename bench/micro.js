// Micro benchmark: the cost of classify (toFault) + render for common and hostile values, in
// ns/op, in this process. Errors are created once: this measures faultline, not V8's stack capture.
import { toFault } from '../dist/core/classify.js';
import { HttpError } from '../dist/core/http-error.js';
import { newIncidentId } from '../dist/core/incident.js';
import { createFaultline } from '../dist/core/pipeline.js';
import { Renderer } from '../dist/core/render.js';

function hostile() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}
const circular = { message: 'loop' };
circular.self = circular;
function selfThrowing() {
  let p;
  p = new Proxy(
    {},
    new Proxy(
      {},
      {
        get: () => () => {
          throw p;
        },
      },
    ),
  );
  return p;
}
function manyKeys(n, seed) {
  const o = { ...seed };
  for (let i = 0; i < n; i++) o[`k${i}`] = i;
  return o;
}
const forged = httpErrorWith(new HttpError(400, 'x'), { status: 200 });
function httpErrorWith(e, props) {
  return Object.assign(e, props);
}

export const VALUES = {
  'Error (500)': new Error('boom'),
  'HttpError 404': new HttpError(404),
  'HttpError 422 exposed': new HttpError(422, 'email is invalid'),
  'thrown string': 'something broke',
  null: null,
  'revoked Proxy': hostile(),
  'circular object': circular,
  '10 MB message': new Error('x'.repeat(10 * 1024 * 1024)),
  // Issue 16: each of these must cost at most 1 ms (bench/run.js checks it).
  'self-throwing Proxy': selfThrowing(),
  'mutated status 200': forged,
  'forged brand 302': { [Symbol.for('faultline.http-error')]: true, status: 302 },
  'non-Latin-1 header': { status: 503, headers: { 'Retry-After': '€', Allow: 'GET' } },
  '200,000-key object': manyKeys(200_000, { message: 'many keys' }),
  '200,000-key headers': { status: 503, headers: manyKeys(200_000, { 'retry-after': '5' }) },
  '1,000,000-item array': new Array(1_000_000).fill('item'),
};

/** Values measured with fewer iterations: each one is large. */
export const LARGE = new Set([
  '10 MB message',
  '200,000-key object',
  '200,000-key headers',
  '1,000,000-item array',
]);
/** Hostile values of issue 16, bounded at 1 ms each. */
export const HOSTILE_1MS = new Set([
  'self-throwing Proxy',
  'mutated status 200',
  'forged brand 302',
  'non-Latin-1 header',
  '200,000-key object',
  '200,000-key headers',
  '1,000,000-item array',
]);

export function micro({ iterations = 50_000 } = {}) {
  const renderer = new Renderer();
  const rows = [];
  for (const [name, value] of Object.entries(VALUES)) {
    const n = LARGE.has(name) ? Math.max(200, iterations / 100) : iterations;
    for (let i = 0; i < 1000; i++) renderer.render(toFault(value).public, 'json');
    const t0 = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < n; i++) sink += renderer.render(toFault(value).public, 'json').body.length;
    const ns = Number(process.hrtime.bigint() - t0) / n;
    if (sink === 0) throw new Error('unreachable');
    rows.push({ name, ns });
  }
  return rows;
}

function time(n, fn) {
  for (let i = 0; i < 1000; i++) fn();
  const t0 = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < n; i++) sink += fn();
  if (sink === 0) throw new Error('unreachable');
  return Number(process.hrtime.bigint() - t0) / n;
}

/**
 * The rest of the error path: a new incident id alone, and the whole pipeline (classify, report,
 * render) for a repeat that storm control only counts — the cost of each failure in an error storm.
 */
export function errorPath({ iterations = 50_000 } = {}) {
  const quiet = { error() {}, info() {}, debug() {} };
  const fl = createFaultline({ logger: quiet, telemetry: false });
  const err = new Error('db down');
  const req = { method: 'GET', url: '/orders/1', headers: {}, remoteAddress: '10.0.0.1' };
  return [
    { name: 'new incident id', ns: time(iterations * 4, () => newIncidentId().length) },
    {
      name: 'respond, storm repeat',
      ns: time(iterations, () => fl.respond(err, req).body.length),
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { name, ns } of [...micro(), ...errorPath()])
    console.log(`${name.padEnd(24)} ${ns.toFixed(0).padStart(8)} ns/op`);
}
