/**
 * Runs a snippet whose default export is `{ fetch }` (the Bun/Deno/workers convention) as such a
 * runtime would: import it, call `fetch(request)`, print each answer as one JSON line.
 * Usage: node fetch-runner.mjs <module> '<json [{ method, path, accept }]>'
 */
import { pathToFileURL } from 'node:url';

const [file, requests] = process.argv.slice(2);
const mod = await import(pathToFileURL(file).href);
for (const { method, path, accept } of JSON.parse(requests)) {
  const request = new Request(`http://localhost${path}`, {
    method,
    headers: accept === undefined ? {} : { accept },
  });
  const res = await mod.default.fetch(request);
  let body = '';
  try {
    body = await res.text();
  } catch (error) {
    body = `@@broken ${error}`;
  }
  process.stdout.write(
    `${JSON.stringify({ status: res.status, type: res.headers.get('content-type'), body })}\n`,
  );
}
