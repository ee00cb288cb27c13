/**
 * Loaded with `node --import` before a documentation snippet runs: whatever port the snippet
 * listens on (3000 in the docs) becomes an ephemeral port on 127.0.0.1, reported on stdout as
 * `@@listening <port>`; and when DOCS_API_ORIGIN is set, fetches to https://api.example.com (the
 * docs' example API) go to that real local server instead.
 */
import { writeSync } from 'node:fs';
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function docsListen(...args) {
  const [first] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    args[0] = 0;
    if (typeof args[1] === 'string') args[1] = '127.0.0.1';
    else args.splice(1, 0, '127.0.0.1');
  } else if (
    typeof first === 'object' &&
    first !== null &&
    !('fd' in first) &&
    !('path' in first)
  ) {
    args[0] = { ...first, port: 0, host: '127.0.0.1' };
  }
  this.once('listening', () => {
    const address = this.address();
    if (typeof address === 'object' && address !== null)
      writeSync(1, `@@listening ${address.port}\n`);
  });
  return listen.apply(this, args);
};

const api = process.env.DOCS_API_ORIGIN;
if (api !== undefined) {
  const realFetch = globalThis.fetch;
  const EXAMPLE = 'https://api.example.com';
  globalThis.fetch = function docsFetch(input, init) {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(EXAMPLE)) return realFetch(input, init);
    const local = api + url.slice(EXAMPLE.length);
    return realFetch(input instanceof Request ? new Request(local, input) : local, init);
  };
}
