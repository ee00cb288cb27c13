/** The fetch adapter on @hono/node-server with the documented `peer` hook, failing with `failure`. */
import type http from 'node:http';
import { serve } from '@hono/node-server';
import { faultline as fetchFaultline, nodeServerPeer } from '../../src/adapters/fetch.js';
import type { FaultlineOptions } from '../../src/core/options.js';
import type { Started } from '../conformance/servers.js';

export function fetchWithPeer(
  options: FaultlineOptions,
  failure: (request: Request) => unknown,
): Promise<Started> {
  const fl = fetchFaultline(options);
  const handler = fl.handle(
    (request: Request) => {
      throw failure(request);
    },
    { peer: nodeServerPeer },
  );
  return new Promise((resolve) => {
    const server = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, (info) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        protocol: 'h1',
        // The debug tests read answers only; no log records to wait for.
        idle: async () => {},
        close: () =>
          new Promise<void>((done) => {
            (server as http.Server).closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
