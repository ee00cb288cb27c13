/**
 * Run with `node --expose-gc heap-probe.mjs <dist/client/index.js URL>`: measures, after full GCs,
 * the heap a client keeps (1) after requests to 100,000 origins (half of them failing, so their
 * breakers hold a failure), (2) after breakerState() of 100,000 origins never used, and (3) after
 * 10,000 calls sharing one caller signal. Prints one JSON line. fetch is injected: no network can
 * offer 100,000 origins, and this measures the client's own state, not sockets.
 */
import { getEventListeners } from 'node:events';

const { createClient } = await import(process.argv[2]);

async function settledHeap() {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    globalThis.gc();
  }
  return process.memoryUsage().heapUsed;
}

const fetch = async (input) => {
  const url = typeof input === 'string' ? input : input.url;
  return new Response('body', { status: url.includes('fail') ? 500 : 200 });
};
const client = createClient({ fetch, retry: false });
// Warm up code paths so that compiled code is not counted as state.
for (let i = 0; i < 2000; i++) {
  await client(`http://warm${i % 10}.test/${i % 2 ? 'fail' : 'ok'}`).then(
    (r) => r.text(),
    () => {},
  );
}
const base = await settledHeap();
for (let i = 0; i < 100_000; i++) {
  await client(`http://o${i}.test/${i % 2 ? 'fail' : 'ok'}`).then(
    (r) => r.text(),
    () => {},
  );
}
const afterOrigins = await settledHeap();
for (let i = 0; i < 100_000; i++) client.breakerState(`http://unused${i}.test`);
const afterStates = await settledHeap();

const controller = new AbortController();
const signalClient = createClient({ fetch, retry: false });
for (let i = 0; i < 200; i++)
  await (await signalClient('http://one.test/', { signal: controller.signal })).text();
const beforeSignal = await settledHeap();
for (let i = 0; i < 10_000; i++) {
  if (i % 3 === 0)
    await signalClient.json('http://one.test/', { signal: controller.signal }).catch(() => {});
  else if (i % 3 === 1)
    await (await signalClient('http://one.test/', { signal: controller.signal })).text();
  else await signalClient('http://one.test/fail', { signal: controller.signal }).catch(() => {});
}
const afterSignal = await settledHeap();
console.log(
  JSON.stringify({
    originsGrowth: afterOrigins - base,
    statesGrowth: afterStates - afterOrigins,
    signalGrowth: afterSignal - beforeSignal,
    listeners: getEventListeners(controller.signal, 'abort').length,
  }),
);
