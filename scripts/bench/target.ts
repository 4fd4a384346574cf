import '../../gateway/src/chaincode-logs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contracts } from '../../chaincode/src';
import { createDispatcher, type Dispatcher } from '../../chaincode/src/invoke';
import { demoMember } from '../../gateway/src/demo/plan';
import { createApp } from '../../gateway/src/http/app';
import type { ConflictStats, EmbeddedLedger } from '../../gateway/src/ledger/embedded/embedded-ledger';
import type { OrdererOptions } from '../../gateway/src/ledger/embedded/orderer';
import { ThreadedLedger } from '../../gateway/src/ledger/embedded/threaded-ledger';
import type { Ledger, LedgerIdentity } from '../../gateway/src/ledger/ledger';
import { type Config, loadConfig } from '../../gateway/src/config';
import { openEmbeddedRuntime } from '../../gateway/src/runtime';
import { createServices } from '../../gateway/src/services';
import { openNotifications, readerIdentity } from '../../gateway/src/webhooks';
import { baselineChaincode } from './baseline-contract';
import { type BackendKind, EngineLedger } from './engine-ledger';
import { type LoopbackServer, serveOnLoopback } from './loopback';
import type { OutcomeCode } from './load';

/**
 * What the benchmark runs against. Scenarios talk to a Target only; the
 * embedded ledger is the one target here (the real network's benchmark,
 * scripts/bench/fabric/, drives processes instead of in-process ledgers).
 */
export type TargetKind = 'embedded';
export type ChaincodeName = 'scf' | 'baseline';

/** An X.509 identity a client signs with. */
export interface BenchIdentity {
  readonly mspId: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface SubmitOutcome {
  /** VALID or the validation code it was committed with, or REJECTED when endorsement failed. */
  code: OutcomeCode;
  txId: string;
  result?: string;
  error?: Error;
}

/** One channel with one chaincode on it, submitted to without retries (conflicts are outcomes). */
export interface BenchLedger {
  readonly description: string;
  /**
   * Endorse, order, wait for the commit; never throws for a refused or invalid
   * transaction. `transient` is the proposal's transient map (never ordered).
   */
  submit(who: BenchIdentity, name: string, args: string[], transient?: ReadonlyMap<string, Uint8Array>): Promise<SubmitOutcome>;
  /** A query; throws the chaincode's error. */
  evaluate(who: BenchIdentity, name: string, args: string[]): Promise<string>;
  setBlockCutter(cutter: OrdererOptions): Promise<void>;
  close(): Promise<void>;
}

/** The REST gateway serving on loopback, and the ledger connector it uses (for the direct path). */
export interface GatewayUnderTest {
  readonly ledger: Ledger;
  readonly baseUrl: string;
  identity(label: string): LedgerIdentity;
  token(label: string): string;
  memberId(key: string): string;
  /** Where the embedded ledger runs: its own worker thread (the default of npm start) or the gateway's thread. */
  readonly thread: LedgerThread;
  /** The ledger thread's OS id when it has its own (Linux); undefined when it runs on this thread. */
  readonly ledgerThreadId: number | undefined;
  /** Committed transactions by validation code since the last reset (connectors retry conflicts, so this is where they show). */
  committed(): Promise<Record<string, number>>;
  /** The connector's re-endorsements after read conflicts, and the submits that gave up, since the last reset. */
  conflicts(): Promise<ConflictStats>;
  /** Starts the counts of committed() and conflicts() again. */
  resetCommitted(): Promise<void>;
  /** The same app (same tokens) over another ledger, listening on loopback: to measure the HTTP code alone. */
  serveOn(ledger: Ledger): Promise<LoopbackServer>;
  close(): Promise<void>;
}

export interface Target {
  readonly kind: TargetKind;
  /** Backends this target can measure. */
  readonly backends: readonly BackendKind[];
  openLedger(options: { chaincode: ChaincodeName; backend: BackendKind; cutter: OrdererOptions }): Promise<BenchLedger>;
  openGateway(options: { cutter: OrdererOptions; thread?: LedgerThread }): Promise<GatewayUnderTest>;
}

export type LedgerThread = Config['ledgerThread'];

const scfChaincode: Dispatcher = createDispatcher(contracts);

/** The chaincode in-process on the world-state engine with Fabric's semantics. */
export class EmbeddedTarget implements Target {
  readonly kind = 'embedded' as const;
  readonly backends = ['memory', 'level'] as const;

  openLedger(options: { chaincode: ChaincodeName; backend: BackendKind; cutter: OrdererOptions }): Promise<BenchLedger> {
    return EngineLedger.open({
      backend: options.backend,
      chaincode: options.chaincode === 'scf' ? scfChaincode : baselineChaincode,
      cutter: options.cutter,
      label: `${options.chaincode} chaincode`,
    });
  }

  /**
   * The gateway as `npm start` builds it (embedded connector over LevelDB,
   * demo members, and the webhook outbox and reminder scanner reading the
   * ledger's events with npm start's default settings), listening on
   * 127.0.0.1, port 0; the ledger on a worker thread (npm start's default)
   * or on this thread.
   */
  async openGateway(options: { cutter: OrdererOptions; thread?: LedgerThread }): Promise<GatewayUnderTest> {
    const thread = options.thread ?? 'worker';
    const dataDir = await mkdtemp(join(tmpdir(), 'scf-bench-gw-'));
    const runtime = await openEmbeddedRuntime({
      dataDir,
      batchTimeoutMs: options.cutter.batchTimeoutMs,
      batchMaxTx: options.cutter.batchMaxTx,
      submitDeadlineMs: 120_000,
      demo: true,
      ledgerThread: thread,
    });
    // npm start's defaults: no environment variables set.
    const defaults = loadConfig({});
    const notifications = await openNotifications(runtime.ledger, {
      dataDir,
      webhooks: defaults.webhooks,
      reminders: { intervalMs: defaults.reminders.intervalMs, reader: readerIdentity(runtime.identities, undefined) },
    }).catch(async (err: unknown) => {
      await runtime.ledger.close();
      throw err;
    });
    const embedded = runtime.ledger as EmbeddedLedger | ThreadedLedger;
    const stats = async () => ({ commits: await embedded.commitStats(), conflicts: await embedded.conflictStats() });
    let atReset = await stats();
    const shutdown = new AbortController();
    // The HTTP-alone phases serve a ledger that answers at once and has no events: no notifications there.
    const appOn = (ledger: Ledger) =>
      createApp({
        services: createServices(ledger, { submitDeadlineMs: 120_000, notifications: ledger === runtime.ledger ? notifications : undefined }),
        directory: runtime.directory,
        ledgerKind: runtime.kind,
        shutdown: shutdown.signal,
      });
    const server = await serveOnLoopback(appOn(runtime.ledger));
    return {
      ledger: runtime.ledger,
      baseUrl: server.baseUrl,
      identity(label) {
        const found = runtime.identities.get(label);
        if (!found) throw new Error(`no demo identity ${label}`);
        return found;
      },
      token(label) {
        const found = runtime.tokens.get(label);
        if (!found) throw new Error(`no token for ${label}`);
        return found;
      },
      memberId: (key) => demoMember(key).id,
      thread,
      ledgerThreadId: embedded instanceof ThreadedLedger ? embedded.osThreadId : undefined,
      async committed() {
        const now = await embedded.commitStats();
        return Object.fromEntries(
          Object.entries(now)
            .map(([code, n]) => [code, n - (atReset.commits[code] ?? 0)] as const)
            .filter(([, n]) => n > 0),
        );
      },
      async conflicts() {
        const now = await embedded.conflictStats();
        return { retried: now.retried - atReset.conflicts.retried, exhausted: now.exhausted - atReset.conflicts.exhausted };
      },
      async resetCommitted() {
        atReset = await stats();
      },
      serveOn: (ledger) => serveOnLoopback(appOn(ledger)),
      async close() {
        shutdown.abort();
        await server.close();
        await notifications.close();
        await runtime.ledger.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
}

/** The target named on the command line. The real network has its own benchmark (`npm run bench:fabric`, scripts/bench/fabric/). */
export function openTarget(kind: string): Target {
  if (kind === 'embedded') return new EmbeddedTarget();
  throw new RangeError(`unknown target ${JSON.stringify(kind)}: this harness measures the embedded ledger; the real network has npm run bench:fabric`);
}
