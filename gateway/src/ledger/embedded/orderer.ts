import { LedgerError } from '../ledger';
import type { CommitResult, EndorsedTransaction, TxCommitResult, WorldState } from '../../../../chaincode/src/worldstate';

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
 */
export class Orderer {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly world: WorldState,
    private readonly options: OrdererOptions,
  ) {}

  order(tx: EndorsedTransaction): Promise<Ordered> {
    if (this.closed) return Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'the ledger is shutting down'));
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
    let result: CommitResult;
    try {
      result = await this.world.commitBlock(batch.map((p) => p.tx));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => {
      const own = result.transactions[i] as TxCommitResult;
      p.resolve({ ...own, blockNumber: result.blockNumber });
    });
  }
}
