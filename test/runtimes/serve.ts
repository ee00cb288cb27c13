/**
 * The conformance apps served by a Fetch-style runtime's own server (Bun.serve, Deno.serve), so
 * the scenario table runs through that runtime's HTTP stack. Usage: `<runtime> serve.ts fetch|hono`.
 * Prints `PORT <n>` once listening on 127.0.0.1.
 */
import { CONFORMANCE_OPTIONS, fetchHandler, honoApp } from '../conformance/servers.js';

declare const Bun: { serve(o: object): { port: number } } | undefined;
declare const Deno:
  | { serve(o: object, h: (r: Request) => Response | Promise<Response>): unknown }
  | undefined;

const which = process.argv[2];
const handler =
  which === 'hono' ? honoApp(CONFORMANCE_OPTIONS).fetch : fetchHandler(CONFORMANCE_OPTIONS);

if (typeof Bun !== 'undefined') {
  const server = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: handler });
  console.log(`PORT ${server.port}`);
} else if (typeof Deno !== 'undefined') {
  Deno.serve(
    {
      port: 0,
      hostname: '127.0.0.1',
      onListen: ({ port }: { port: number }) => console.log(`PORT ${port}`),
    },
    handler,
  );
} else {
  throw new Error('serve.ts runs under Bun or Deno');
}
