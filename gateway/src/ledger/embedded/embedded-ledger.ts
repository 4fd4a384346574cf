import { createHash, randomBytes } from 'node:crypto';
import { invokeTransaction } from '../../../../chaincode/src/invoke';
import { type EndorsedTransaction, type StoredEvent, type TxInput, WorldState } from '../../../../chaincode/src/worldstate';
import {
  type CallOptions,
  decodeEventPayload,
  decodeResult,
  fromChaincodeMessage,
  type Ledger,
  LedgerError,
  type LedgerEvent,
  type CallerIdentity,
  type SubmitOptions,
  type SubmitResult,
  type TransactionStatus,
} from '../ledger';
import { ConflictLanes } from '../conflict-lane';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry';
import { LevelBackend, StoreError } from './level-backend';
import { Orderer, type OrdererOptions } from './orderer';
import { type ClockLogger, EmbeddedSandboxClock } from './sandbox-clock';

export interface EmbeddedLedgerOptions extends Partial<OrdererOptions> {
  /**
   * Attempts after a read conflict (`maxAttempts`); the delays are unused
   * here: retries wait for their turn in the conflict lane, not a backoff.
   */
  retry?: RetryPolicy;
  /** Default budget of a submit when the caller gives none. */
  submitDeadlineMs?: number;
  /** Allow the operator to move the transaction clock forward (SCF_SANDBOX_CLOCK); off by default. */
  sandboxClock?: boolean;
  /** Where advances of the sandbox clock are logged. */
  logger?: ClockLogger | undefined;
  /** Bytes of committed state cached in front of LevelDB (SCF_STATE_CACHE_MB); see LevelBackend. */
  stateCacheBytes?: number;
}

const EVENT_PAGE = 200;

/** What read conflicts cost the submits of one embedded ledger since it opened (a metric of contention). */
export interface ConflictStats {
  /** Re-endorsements after an MVCC or phantom read conflict. */
  retried: number;
  /** Submits that met a conflict on their last attempt or past their deadline, and gave up (LEDGER_UNAVAILABLE). */
  exhausted: number;
}

/** Committed transactions by validation code since the ledger opened (a metric for benchmarks). */
export type CommitStats = Record<string, number>;

/** Cursor of the embedded ledger: `<blockNumber>:<txIndex>` of the last event seen; VALIDATION_FAILED when malformed. */
export function parseCursor(cursor: string): { blockNumber: number; txIndex: number } {
  const m = /^(\d{1,15}):(\d{1,9})$/.exec(cursor);
  if (!m) throw new LedgerError('VALIDATION_FAILED', `malformed event cursor: ${cursor}`);
  return { blockNumber: Number(m[1]), txIndex: Number(m[2]) };
}

/** The StoreError an error is, or was caused by (a few levels deep), if any. */
function storeErrorIn(err: unknown): StoreError | undefined {
  let e = err;
  for (let depth = 0; depth < 8 && e instanceof Error; depth++, e = e.cause) {
    if (e instanceof StoreError) return e;
  }
  return undefined;
}

/**
 * The chaincode in-process over a durable world state with Fabric's semantics
 * (chaincode/src/worldstate over LevelDB). A submit is endorse (simulate) →
 * order (the in-process orderer cuts blocks) → commit (MVCC/phantom
 * validation) → answer, and an MVCC or phantom conflict is retried as a new
 * transaction with bounded jittered backoff, as the Fabric connector does.
 */
export class EmbeddedLedger implements Ledger {
  private readonly orderer: Orderer;
  private readonly closing = new AbortController();
  private generation = 0;
  /** Simulations running now: close() lets them finish before the store closes. */
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribe: () => void;
  private readonly conflicts: ConflictStats = { retried: 0, exhausted: 0 };
  private readonly commits: CommitStats = {};
  private readonly lanes = new ConflictLanes();

  private constructor(
    readonly world: WorldState,
    private readonly backend: LevelBackend,
    private readonly options: EmbeddedLedgerOptions,
    /** Stamps every transaction: the machine's clock plus the recorded offset. */
    readonly sandboxClock: EmbeddedSandboxClock,
  ) {
    this.orderer = new Orderer(world, { batchTimeoutMs: options.batchTimeoutMs ?? 10, batchMaxTx: options.batchMaxTx ?? 100 });
    this.unsubscribe = world.onCommit(({ results }) => {
      for (const r of results) this.commits[r.validationCode] = (this.commits[r.validationCode] ?? 0) + 1;
      this.generation += 1;
      for (const wake of this.waiters) wake();
      this.waiters.clear();
    });
  }

  static async open(dataDir: string, options: EmbeddedLedgerOptions = {}): Promise<EmbeddedLedger> {
    const backend = await LevelBackend.open(dataDir, { stateCacheBytes: options.stateCacheBytes });
    try {
      const world = new WorldState(backend);
      const clock = await EmbeddedSandboxClock.open(backend, {
        enabled: options.sandboxClock ?? false,
        height: () => world.height(),
        logger: options.logger,
      });
      return new EmbeddedLedger(world, backend, options, clock);
    } catch (err) {
      await backend.close();
      throw err;
    }
  }

  async submit(identity: CallerIdentity, name: string, command: object, opts?: SubmitOptions): Promise<SubmitResult> {
    const retry = this.options.retry ?? DEFAULT_RETRY;
    const deadline = Date.now() + (opts?.deadlineMs ?? this.options.submitDeadlineMs ?? 30_000);
    // After the first conflict, retries of this function queue in the lane
    // (conflict-lane.ts) and keep their turn until this submit is done.
    let releaseLane: (() => void) | undefined;
    try {
      for (let attempt = 1; ; attempt++) {
        const endorsed = await this.endorse(identity, name, command, opts?.transient);
        // An endorsement that writes nothing and emits nothing (an idempotent
        // replay answered from the stored first result) changes no state: it is
        // answered without ordering, so a replay never adds a transaction.
        if (endorsed.rwset.writes.length === 0 && endorsed.event === undefined) {
          return { txId: endorsed.txId, result: decodeResult(endorsed.result), blockNumber: undefined };
        }
        // A first attempt writing a key the lane's retries are fighting over
        // queues before it is ordered, and is endorsed again on its turn
        // (conflict-lane.ts, "Hot keys"), as on the Fabric connector.
        if (!releaseLane && this.lanes.hasHotKeys(name) && this.lanes.contended(name, writtenKeys(endorsed))) {
          releaseLane = await this.lanes.acquire(name, deadline);
          if (!releaseLane || Date.now() >= deadline) {
            this.conflicts.exhausted += 1;
            throw new LedgerError('LEDGER_UNAVAILABLE', 'writes a key in contention and its turn did not come within the deadline; retry');
          }
          attempt--; // never ordered: not an attempt
          continue;
        }
        const ordered = await this.withDeadline(this.orderer.order(endorsed), deadline, endorsed.txId);
        if (ordered.validationCode === 'VALID') {
          return { txId: endorsed.txId, result: decodeResult(endorsed.result), blockNumber: ordered.blockNumber };
        }
        const conflict = ordered.validationCode === 'MVCC_READ_CONFLICT' || ordered.validationCode === 'PHANTOM_READ_CONFLICT';
        if (!conflict) {
          throw new LedgerError('LEDGER_UNAVAILABLE', `transaction committed invalid (${ordered.validationCode})`, { txId: endorsed.txId });
        }
        if (releaseLane) this.lanes.markHot(name, writtenKeys(endorsed));
        else releaseLane = attempt < retry.maxAttempts ? await this.lanes.acquire(name, deadline, Date.now, writtenKeys(endorsed)) : undefined;
        if (attempt >= retry.maxAttempts || Date.now() >= deadline || !releaseLane) {
          this.conflicts.exhausted += 1;
          // Same decision as the Fabric connector: contention is transient, 503.
          throw new LedgerError(
            'LEDGER_UNAVAILABLE',
            `read conflict with concurrent transactions (${ordered.validationCode}) after ${attempt} attempts; retry`,
            { txId: endorsed.txId },
          );
        }
        // No pause: the block that invalidated this one is committed, and
        // every pause lets a fresh first attempt take the key again.
        this.conflicts.retried += 1;
      }
    } finally {
      releaseLane?.();
    }
  }

  /** Read conflicts met by submits so far: re-endorsements, and submits that gave up. */
  conflictStats(): ConflictStats {
    return { ...this.conflicts };
  }

  /** Committed transactions by validation code since the ledger opened. */
  commitStats(): CommitStats {
    return { ...this.commits };
  }

  async evaluate(identity: CallerIdentity, name: string, command: object, opts?: CallOptions): Promise<unknown> {
    return decodeResult((await this.endorse(identity, name, command, opts?.transient)).result);
  }

  async transactionStatus(txId: string): Promise<TransactionStatus> {
    const status = await this.world.getTransactionStatus(txId);
    if (!status) throw new LedgerError('NOT_FOUND', `no transaction ${txId} on this ledger`, { txId });
    return { txId, blockNumber: status.blockNumber, validationCode: status.validationCode, valid: status.validationCode === 'VALID' };
  }

  events(fromCursor?: string, opts?: { signal?: AbortSignal }): AsyncIterable<LedgerEvent> {
    const start = fromCursor === undefined ? undefined : parseCursor(fromCursor);
    const signal = opts?.signal ? AbortSignal.any([opts.signal, this.closing.signal]) : this.closing.signal;
    return this.stream(start, signal);
  }

  /**
   * A cursor is on this ledger when its block is: a cursor past the height is
   * another data folder's (or a ledger folder deleted beside a kept outbox).
   */
  async checkCursor(cursor: string): Promise<void> {
    const { blockNumber } = parseCursor(cursor);
    const height = await this.world.height();
    if (blockNumber >= height) {
      throw new LedgerError('NOT_FOUND', `event cursor ${cursor} is not on this ledger: it names block ${blockNumber} and the ledger has ${height} blocks`);
    }
  }

  /** Number of blocks; tests use it to prove a request added no transaction. */
  height(): Promise<number> {
    return this.world.height();
  }

  /** Not ready while shutting down or after a failed block write (the orderer refuses transactions). */
  async ready(): Promise<number> {
    const refused = this.orderer.unavailable();
    if (refused) throw refused;
    return this.height();
  }

  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    await Promise.allSettled([...this.inflight]);
    await this.orderer.close();
    this.unsubscribe();
    await this.backend.close();
  }

  /**
   * Simulates a proposal. `transient` goes to the chaincode only: the
   * endorsed transaction the orderer gets has no transient map, as on Fabric.
   */
  private async endorse(
    identity: CallerIdentity,
    name: string,
    command: object,
    transient?: Readonly<Record<string, Uint8Array>>,
  ): Promise<EndorsedTransaction<string>> {
    if (this.closing.signal.aborted) throw new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is shutting down');
    const args = [JSON.stringify(command)];
    const nonce = randomBytes(24);
    // Fabric's tx id: SHA-256 of nonce and creator.
    const txId = createHash('sha256').update(nonce).update(identity.mspId).update(identity.certificate).digest('hex');
    const input: TxInput = {
      txId,
      timestamp: new Date(this.sandboxClock.nowMs()).toISOString(),
      creator: { mspId: identity.mspId, certificatePem: identity.certificate },
      fnName: name,
      args,
      ...(transient ? { transient: new Map(Object.entries(transient)) } : {}),
    };
    // A store read that fails before the chaincode runs (the duplicate-txId
    // check) rejects with the StoreError itself: LEDGER_UNAVAILABLE.
    const running = this.world.simulate(input, (ctx) => invokeTransaction(ctx, name, args));
    this.inflight.add(running);
    const simulation = await running.finally(() => this.inflight.delete(running));
    if (simulation.status === 'FAILED') {
      // A read the chaincode made failed in the store: the ledger is
      // unavailable, whatever the chaincode made of that error.
      const store = storeErrorIn(simulation.error);
      if (store) throw store;
      // A refused endorsement is not on the ledger: no tx id to report.
      throw fromChaincodeMessage(simulation.error.message, { cause: simulation.error });
    }
    return simulation;
  }

  private withDeadline<T>(work: Promise<T>, deadline: number, txId: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new LedgerError('COMMIT_TIMEOUT', 'transaction submitted; commit outcome unknown, query /transactions/{txId}', { txId })),
        Math.max(0, deadline - Date.now()),
      );
      work.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
      );
    });
  }

  private async *stream(start: { blockNumber: number; txIndex: number } | undefined, signal: AbortSignal): AsyncGenerator<LedgerEvent> {
    if (start) await this.checkCursor(`${start.blockNumber}:${start.txIndex}`);
    let position = start;
    while (!signal.aborted) {
      // Read the generation first: a block committed after this read wakes us.
      const seen = this.generation;
      const page: StoredEvent[] = position
        ? await this.world.eventsSince(position.blockNumber, position.txIndex, EVENT_PAGE)
        : await this.world.eventsSince(0, undefined, EVENT_PAGE);
      for (const e of page) {
        if (signal.aborted) return;
        position = { blockNumber: e.blockNumber, txIndex: e.txIndex };
        yield {
          cursor: `${e.blockNumber}:${e.txIndex}`,
          blockNumber: e.blockNumber,
          txIndex: e.txIndex,
          txId: e.txId,
          name: e.name,
          payload: decodeEventPayload(e.payload),
        };
      }
      if (page.length < EVENT_PAGE) await this.nextCommit(seen, signal);
    }
  }

  private nextCommit(seen: number, signal: AbortSignal): Promise<void> {
    if (this.generation !== seen || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

/** The keys an endorsement writes (the conflict lanes' hot keys). */
const writtenKeys = (endorsed: { rwset: { writes: ReadonlyArray<{ key: string }> } }): string[] => endorsed.rwset.writes.map((w) => w.key);
