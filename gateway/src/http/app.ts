import express, { type Express } from 'express';
import pino, { type Logger } from 'pino';
import type { TokenDirectory } from '../credentials';
import type { Services } from '../services';
import { accessLog } from './access-log';
import { authenticate } from './auth';
import { consoleRouter, type ConsoleOptions } from './console';
import { openApiDocument } from './openapi';
import { errorHandler, notFoundHandler } from './problem';
import { mount, type RouteSpec } from './route';
import { approvalRoutes } from './routes/approvals';
import { credentialRoutes } from './routes/credentials';
import { creditLineRoutes } from './routes/credit-lines';
import { financingRoutes } from './routes/financings';
import { fingerprintRoutes } from './routes/fingerprints';
import { freezeRoutes } from './routes/freezes';
import { memberRoutes } from './routes/members';
import { receivableRoutes } from './routes/receivables';
import { reportRoutes } from './routes/reports';
import { maintenanceRoutes } from './routes/maintenance';
import { sandboxRoutes } from './routes/sandbox';
import { transactionRoutes } from './routes/transactions';
import { voucherRoutes } from './routes/vouchers';
import { warehouseReceiptRoutes } from './routes/warehouse-receipts';
import { webhookRoutes } from './routes/webhooks';
import { eventsHandler } from './sse';

export interface AppDeps {
  services: Services;
  directory: TokenDirectory;
  /** `embedded` or `fabric`, reported by /health. */
  ledgerKind: string;
  logger?: Logger;
  /** Aborted on shutdown: open event streams end. */
  shutdown?: AbortSignal;
  sseHeartbeatMs?: number;
  /** The web console at `/` and the API reference at `/docs` (demo identities only in demo mode). */
  console?: ConsoleOptions;
}

/** Every route of the API, as declarations (also the source of /openapi.json). */
export function routeSpecs(services: Services): RouteSpec[] {
  return [
    ...memberRoutes(services),
    ...credentialRoutes(services),
    ...fingerprintRoutes(services),
    ...receivableRoutes(services),
    ...voucherRoutes(services),
    ...approvalRoutes(services),
    ...freezeRoutes(services),
    ...financingRoutes(services),
    ...warehouseReceiptRoutes(services),
    ...creditLineRoutes(services),
    ...transactionRoutes(services),
    ...sandboxRoutes(services),
    ...webhookRoutes(services),
    ...reportRoutes(services),
    ...maintenanceRoutes(services),
  ];
}

/** The express app, not listening: main.ts listens, tests use port 0 or supertest. */
export function createApp(deps: AppDeps): Express {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const specs = routeSpecs(deps.services);
  const openapi = openApiDocument(specs);
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(accessLog(logger));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', ledger: deps.ledgerKind });
  });
  // Readiness: the ledger answers and takes transactions (the embedded store
  // reads and its orderer has not stopped, or a peer of the service identity's
  // org answers qscc). /health stays a liveness probe that
  // never touches the ledger, so an orchestrator restarts the process only when
  // the process itself is stuck, and stops routing to it while the ledger is not
  // reachable.
  app.get('/ready', async (_req, res) => {
    const height = await deps.services.ledger.ready();
    res.json({ status: 'ready', ledger: deps.ledgerKind, height, sandboxClock: deps.services.sandboxClock.state() });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.get(
    '/events',
    authenticate(deps.directory),
    eventsHandler(deps.services.ledger, deps.services.members, {
      notifications: deps.services.notifications?.hub,
      heartbeatMs: deps.sseHeartbeatMs ?? 15_000,
      shutdown: deps.shutdown ?? new AbortController().signal,
      logger,
      directory: deps.directory,
    }),
  );
  const router = express.Router();
  mount(router, specs, deps.directory);
  app.use(router);
  // The console and /docs after the API: their paths never overlap, and an API
  // request then never walks the console's router (one router fewer per call).
  app.use(consoleRouter(deps.console));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
