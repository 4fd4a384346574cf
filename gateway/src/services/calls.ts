import type { Ledger } from '../ledger/ledger';
import type { Principal } from '../credentials';

/** The outcome of a write: the chaincode's result and the transaction that produced it. */
export interface Written<T> {
  value: T;
  /** Absent when the request was an idempotent replay answered from the first result. */
  txId: string | undefined;
  replayed: boolean;
}

export interface Page<T> {
  records: T[];
  bookmark: string;
}

export interface CallContext {
  principal: Principal;
  /** From the Idempotency-Key header: the chaincode's exactly-once key. */
  requestId?: string | undefined;
}

/** Removes undefined fields: the chaincode's command schemas are strict. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export class LedgerCalls {
  constructor(
    private readonly ledger: Ledger,
    private readonly submitDeadlineMs?: number,
  ) {}

  async write<T>(ctx: CallContext, name: string, command: object): Promise<Written<T>> {
    const full = defined({ ...command, requestId: ctx.requestId });
    const r = await this.ledger.submit(ctx.principal.identity, name, full, { deadlineMs: this.submitDeadlineMs });
    const replayed = r.blockNumber === undefined;
    return { value: r.result as T, txId: replayed ? undefined : r.txId, replayed };
  }

  async read<T>(ctx: CallContext, name: string, command: object): Promise<T> {
    return (await this.ledger.evaluate(ctx.principal.identity, name, defined(command))) as T;
  }

  async list<T>(ctx: CallContext, name: string, query: object): Promise<Page<T>> {
    const r = await this.read<{ records: T[]; bookmark: string }>(ctx, name, query);
    return { records: r.records, bookmark: r.bookmark };
  }
}
