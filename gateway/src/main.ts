import './chaincode-logs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config';
import { DEMO_IDENTITIES, DEMO_MEMBERS } from './demo/plan';
import { demoSignIns } from './demo/sign-in';
import { listen, ListenError, serve } from './http/server';
import type { LedgerRuntime } from './runtime';
import { boundMember, OperatorBootstrapError } from './bootstrap';
import { DemoRefused } from './demo/setup';
import { baseUrl, explainDataDirFailure, explainOutboxFailure, isLoopback, prepareDataDir, startBanner, StartupError } from './startup';

/*
 * The ledger, the chaincode and the app are loaded only once the address is
 * held and the data folder checked (dynamic imports): a start that cannot
 * succeed says so in a second, not after loading everything.
 */

/** Opens the ledger; on the embedded ledger, data-folder failures become one line naming SCF_DATA_DIR. */
async function open(config: Config, logger: pino.Logger): Promise<LedgerRuntime> {
  if (config.ledger === 'embedded') await prepareDataDir(config.dataDir);
  const { openRuntime } = await import('./runtime');
  if (config.ledger !== 'embedded') return openRuntime(config, logger);
  // A ledger thread that stops takes the process with it, as an error in the
  // ledger on this thread would: a supervisor restarts the gateway, and the
  // ledger reopens from its data folder (nothing acknowledged is lost).
  const onLedgerFailure = (err: Error) => {
    logger.fatal({ err }, 'the ledger thread stopped; exiting');
    process.exit(1);
  };
  try {
    return await openRuntime(config, logger, onLedgerFailure);
  } catch (err) {
    throw explainDataDirFailure(err, config.dataDir) ?? err;
  }
}

/** Whether the ledger has its operator, i.e. any member at all (asked as the operator's identity). */
async function bootstrapped(runtime: LedgerRuntime): Promise<boolean> {
  const label = DEMO_IDENTITIES.find((d) => d.member === DEMO_MEMBERS[0]?.key)?.label ?? '';
  const operator = runtime.identities.get(label);
  if (!operator) return true; // not ours to say
  return (await boundMember(runtime.ledger, operator)) !== undefined;
}

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
  // The address first: a port in use stops the start before the data folder is touched.
  const server = await listen({ port: config.port, host: config.host, logger });
  let runtime: LedgerRuntime;
  try {
    runtime = await open(config, logger);
  } catch (err) {
    server.close();
    throw err;
  }
  const [{ createApp }, { createServices }, { demoTokenTable }, { openNotifications, readerIdentity }] = await Promise.all([
    import('./http/app'),
    import('./services'),
    import('./runtime'),
    import('./webhooks'),
  ]);
  const shutdown = new AbortController();
  // Webhooks and reminders (issue 17): the outbox lives in the data folder, on either ledger.
  const notifications = await openNotifications(runtime.ledger, {
    dataDir: config.dataDir,
    webhooks: config.webhooks,
    // Without the demo its auditor is nobody: your operator's identity reads for the reminders unless SCF_REMINDER_IDENTITY says otherwise.
    reminders: { intervalMs: config.reminders.intervalMs, reader: readerIdentity(runtime.identities, config.reminders.identity ?? config.operator?.identity) },
    logger,
  }).catch((err: unknown) => {
    throw explainOutboxFailure(err, config.dataDir) ?? err;
  });
  const app = createApp({
    services: createServices(runtime.ledger, { submitDeadlineMs: config.submitDeadlineMs, credentials: runtime.credentials, notifications }),
    directory: runtime.directory,
    ledgerKind: runtime.kind,
    logger,
    shutdown: shutdown.signal,
    sseHeartbeatMs: config.sseHeartbeatMs,
    // The console offers the demo identities at sign-in only when the gateway runs the demo.
    console: runtime.demo ? { demoIdentities: demoSignIns(runtime) } : {},
  });

  serve(server, app);
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

  // Whether the ledger has members matters only to what an embedded start without the demo says.
  const hasMembers = runtime.kind !== 'embedded' || runtime.demo !== undefined || runtime.operator !== undefined || (await bootstrapped(runtime));
  process.stdout.write(
    startBanner(
      { kind: runtime.kind, firstStart: runtime.firstStart, demo: runtime.demo, bootstrapped: hasMembers, operator: runtime.operator },
      runtime.kind === 'fabric' ? (config.fabricProfile ?? '') : config.dataDir,
      baseUrl(config.host, port),
      () => demoTokenTable(runtime),
    ),
  );
  process.stdout.write(`Console: ${baseUrl(config.host, port)}/   API reference: ${baseUrl(config.host, port)}/docs\n`);
  logger.info({ port, host: config.host, ledger: runtime.kind, dataDir: config.dataDir }, 'gateway listening');
  if (runtime.demo && !isLoopback(config.host)) {
    // The demo's sign-in list (GET /console/demo-identities) hands out the
    // demo identities' tokens to anyone who can reach the gateway.
    logger.warn({ host: config.host }, 'SCF_DEMO=true on an address other hosts can reach: anyone who reaches it can sign in as every demo identity (GET /console/demo-identities); set SCF_DEMO=false outside a sandbox');
  }
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
    await notifications.close();
    await runtime.ledger.close();
    // The last lastUsedAt records of credential tokens (best effort, written at most once a minute).
    await runtime.credentials?.store.flush();
    logger.info('stopped');
    process.exit(0);
  };
  // Fabric: an identity enrolled with the org's CA and added to the profile takes effect without a restart.
  process.on('SIGHUP', () => {
    if (!runtime.reload) {
      logger.info('SIGHUP: the embedded ledger has no profile to re-read (credentials are issued over HTTP)');
      return;
    }
    try {
      logger.info(runtime.reload(), 'SIGHUP: fabric profile identities re-read');
    } catch (err) {
      logger.error({ err }, 'SIGHUP: fabric profile not re-read; the identities in force stay');
    }
  });
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  // What the operator can fix is said in one line; anything else keeps its stack.
  const known = err instanceof StartupError || err instanceof ListenError || err instanceof OperatorBootstrapError || err instanceof DemoRefused;
  process.stderr.write(`gateway failed to start: ${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
