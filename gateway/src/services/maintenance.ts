import type { IndexedRecordKind } from '../../../chaincode/src/ledger/specs';
import type { CallContext, LedgerCalls } from './calls';

export interface IndexRepairInput {
  kind: IndexedRecordKind;
  bookmark?: string | undefined;
  pageSize?: number | undefined;
}

/** What one step of an index repair did. */
export interface IndexRepair {
  kind: IndexedRecordKind;
  /** Records looked at in this step. */
  checked: number;
  /** Index entries written, per index. */
  repaired: Record<string, number>;
  /** The records that lacked an entry: their ids (an identity binding: `mspId/identityId`). */
  repairedIds: string[];
  /** Records listed for this step and deleted before it ran (an identity unbound meanwhile): skipped. */
  gone: string[];
  /** Where the next step starts; empty when every record of the kind has been checked. */
  bookmark: string;
  /** The repair's transaction; absent when the step found no records. */
  txId?: string | undefined;
}

/**
 * Index repair after a chaincode upgrade (OPERATOR). One step reads a page
 * of record keys (an evaluate: Fabric pages range queries in read-only
 * transactions only) and repairs that page in one transaction; the caller
 * repeats with the bookmark until it comes back empty. A step can be
 * repeated (a failed one is retried with the same bookmark): a repair
 * writes only entries that are missing.
 */
export class MaintenanceService {
  constructor(private readonly calls: LedgerCalls) {}

  async repairIndexes(ctx: CallContext, input: IndexRepairInput): Promise<IndexRepair> {
    // The page is read as the caller: anyone but the operator is FORBIDDEN here, before any write.
    const page = await this.calls.read<{ keys: string[][]; bookmark: string }>(ctx, 'maintenance:RecordKeys', input);
    if (page.keys.length === 0) return { kind: input.kind, checked: 0, repaired: {}, repairedIds: [], gone: [], bookmark: page.bookmark };
    // No requestId: a repeat is harmless (it finds nothing to repair), and a
    // bookmark's page can hold other ids by then (records created meanwhile),
    // which a requestId would refuse as a different command.
    const w = await this.calls.write<Omit<IndexRepair, 'bookmark' | 'txId'>>({ principal: ctx.principal }, 'maintenance:RepairIndexes', {
      kind: input.kind,
      keys: page.keys,
    });
    return { ...w.value, bookmark: page.bookmark, txId: w.txId };
  }
}
