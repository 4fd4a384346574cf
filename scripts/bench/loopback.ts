import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP server of the bench, listening on 127.0.0.1. */
export interface LoopbackServer {
  readonly baseUrl: string;
  /** Stops listening and drops the kept-alive connections of the load clients. */
  close(): Promise<void>;
}

/** Serves `handler` (a node:http listener or an express app) on 127.0.0.1, on a port the system picks. */
export async function serveOnLoopback(handler: RequestListener): Promise<LoopbackServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
