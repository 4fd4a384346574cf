import './chaincode-logs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import pino from 'pino';
import { ConfigError, loadConfig } from './config';
import { createApp } from './http/app';
import { demoTokenTable, openRuntime } from './runtime';
import { createServices } from './services';

/**
 * `npm start`: parse the config, open the ledger (embedded by default), set
 * up the demo members on first start, listen. SIGINT/SIGTERM: stop accepting,
 * end event streams, let requests in flight finish (10 s at most), close
 * every connection as soon as it is idle, close the ledger.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel });
  const runtime = await openRuntime(config, logger);
  const shutdown = new AbortController();
  const app = createApp({
    services: createServices(runtime.ledger, { submitDeadlineMs: config.submitDeadlineMs }),
    directory: runtime.directory,
    ledgerKind: runtime.kind,
    logger,
    shutdown: shutdown.signal,
    sseHeartbeatMs: config.sseHeartbeatMs,
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Once shutting down, no connection outlives its last response: a response
  // not started yet says `Connection: close`, and every response that ends
  // closes the connections left idle. Otherwise server.close() waits for the
  // client's keep-alive connection to time out (keepAliveTimeout, 5 s); it
  // closes only the connections already idle when it is called.
  let stopping = false;
  const responses = new Set<ServerResponse>();
  const closeAfterwards = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    responses.add(res);
    if (stopping) closeAfterwards(res);
    res.once('close', () => {
      responses.delete(res);
      if (stopping) server.closeIdleConnections();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  if (runtime.firstStart) {
    process.stdout.write(
      `\nSCF Ledger: first start on the ${runtime.kind} ledger in ${config.dataDir}.\n` +
        `Demo identities (tokens are kept in ${config.dataDir}/identities.json):\n${demoTokenTable(runtime)}\n\n` +
        `  curl -H "Authorization: Bearer <token>" http://${config.host}:${port}/me\n\n`,
    );
  }
  logger.info({ port, host: config.host, ledger: runtime.kind, dataDir: config.dataDir }, 'gateway listening');
  // A machine-readable line for scripts and tests that start the gateway.
  process.stdout.write(`LISTENING ${port}\n`);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    for (const res of responses) closeAfterwards(res);
    shutdown.abort();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      // Requests still running after the grace period are cut.
      setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 10_000).unref();
    });
    await runtime.ledger.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
