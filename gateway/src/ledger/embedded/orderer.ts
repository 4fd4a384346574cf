import { LedgerError } from '../ledger';
import type { CommitResult, EndorsedTransaction, TxCommitResult, WorldState } from '../../../../chaincode/src/worldstate';
import { StoreError } from './level-backend';

export interface OrdererOptions {
  /** Cut a block this long after its first transaction arrived. */
  batchTimeoutMs: number;
  /** Cut a block as soon as it holds this many transactions. */
  batchMaxTx: number;
}

export interface Ordered extends TxCommitResult {
  blockNumber: number;
}

interface Pending {
  tx: EndorsedTransaction;
  resolve(result: Ordered): void;
  reject(err: unknown): void;
}

/**
 * The embedded ledger's ordering service: collects endorsed transactions and
 * cuts them into blocks (by size or timeout, like Fabric's BatchSize and
 * BatchTimeout), committing one block at a time in arrival order. Concurrent
 * transactions land in the same block, so MVCC conflicts between them are
 * real, exactly as on a Fabric channel.
 *
 * A block whose commit fails is committed for none of its transactions:
 *
 * - A store read that fails before the block is written (a StoreError
 *   without writeOutcomeUnknown) wrote nothing, and the world state moves its
 *   chain tip only after a successful write, so memory and disk still agree:
 *   the block's transactions are refused LEDGER_UNAVAILABLE (not on the
 *   ledger, retry) and the next block takes the same number.
 * - A failed block write, or any other failure, leaves the outcome unknown:
 *   LevelDB may or may not replay the block when the database is reopened
 *   (see LevelBackend.applyBlock), and an unexpected error may mean the disk
 *   is ahead of the world state's tip. The block's transactions get
 *   COMMIT_TIMEOUT with their tx ids, and the orderer stops: writing the
 *   next block over a block that may be on disk would corrupt the chain
 *   (and LevelDB refuses writes after a failed sync anyway). Every later
 *   transaction is refused LEDGER_UNAVAILABLE until the gateway restarts and
 *   reads the chain back from disk, where /transactions/{txId} then tells
 *   the outcome. Reads (evaluate, status, events) keep working.
 */
export class Orderer {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  /** Set once a block's outcome is unknown: the orderer writes no more blocks. */
  private stopped: { cause: unknown } | undefined;

  constructor(
    private readonly world: WorldState,
    private readonly options: OrdererOptions,
  ) {}

  order(tx: EndorsedTransaction): Promise<Ordered> {
    if (this.closed) return Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is shutting down'));
    if (this.stopped !== undefined) return Promise.reject(this.refusal());
    return new Promise<Ordered>((resolve, reject) => {
      this.pending.push({ tx, resolve, reject });
      if (this.pending.length >= this.options.batchMaxTx) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), this.options.batchTimeoutMs);
    });
  }

  /** Cuts what is pending and waits until every block so far is committed. */
  async close(): Promise<void> {
    this.closed = true;
    this.cut();
    await this.chain;
  }

  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.chain = this.chain.then(() => this.commit(batch));
  }

  private async commit(batch: Pending[]): Promise<void> {
    if (this.stopped !== undefined) {
      for (const p of batch) p.reject(this.refusal());
      return;
    }
    let result: CommitResult;
    try {
      result = await this.world.commitBlock(batch.map((p) => p.tx));
    } catch (err) {
      if (err instanceof StoreError && !err.writeOutcomeUnknown) {
        for (const p of batch) p.reject(err);
        return;
      }
      this.stopped = { cause: err };
      for (const p of batch) {
        p.reject(
          new LedgerError(
            'COMMIT_TIMEOUT',
            'the ledger store failed while writing the block of this transaction; commit outcome unknown: ' +
              'the gateway accepts no more transactions until it restarts, then query /transactions/{txId}',
            { txId: p.tx.txId, cause: err },
          ),
        );
      }
      return;
    }
    batch.forEach((p, i) => {
      const own = result.transactions[i] as TxCommitResult;
      p.resolve({ ...own, blockNumber: result.blockNumber });
    });
  }

  /** Why the orderer accepts no transactions (shutting down, or stopped after a failed write); undefined while it does. */
  unavailable(): LedgerError | undefined {
    if (this.closed) return new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is shutting down');
    return this.stopped === undefined ? undefined : this.refusal();
  }

  private refusal(): LedgerError {
    return new LedgerError('LEDGER_UNAVAILABLE', 'the ledger store failed to write a block; no transaction is accepted until the gateway restarts', {
      cause: this.stopped?.cause,
    });
  }
}
