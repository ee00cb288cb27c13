/** Starts a server on 127.0.0.1 port 0 and returns its origin (`url`, `origin`), port and a closer. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function listen(
  server: Server,
): Promise<{ url: string; origin: string; port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
