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

function transientMap(transient: Record<string, unknown> | undefined): Record<string, Uint8Array> | undefined {
  if (transient === undefined) return undefined;
  return Object.fromEntries(Object.entries(transient).map(([k, v]) => [k, Buffer.from(JSON.stringify(v), 'utf8')]));
}

export class LedgerCalls {
  constructor(
    private readonly ledger: Ledger,
    private readonly submitDeadlineMs?: number,
  ) {}

  /**
   * `transient` is the proposal's transient map, each value sent as JSON: for
   * the chaincode at endorsement, never ordered, never stored (the documents'
   * canonical fields travel there).
   */
  async write<T>(ctx: CallContext, name: string, command: object, transient?: Record<string, unknown>): Promise<Written<T>> {
    const full = defined({ ...command, requestId: ctx.requestId });
    const r = await this.ledger.submit(ctx.principal.identity, name, full, { deadlineMs: this.submitDeadlineMs, transient: transientMap(transient) });
    const replayed = r.blockNumber === undefined;
    return { value: r.result as T, txId: replayed ? undefined : r.txId, replayed };
  }

  async read<T>(ctx: CallContext, name: string, command: object, transient?: Record<string, unknown>): Promise<T> {
    return (await this.ledger.evaluate(ctx.principal.identity, name, defined(command), { transient: transientMap(transient) })) as T;
  }

  async list<T>(ctx: CallContext, name: string, query: object): Promise<Page<T>> {
    const r = await this.read<{ records: T[]; bookmark: string }>(ctx, name, query);
    return { records: r.records, bookmark: r.bookmark };
  }
}
