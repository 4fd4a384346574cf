import type { Financing } from '../../../chaincode/src/domain/financing';
import type { CanonicalDocument } from '../../../chaincode/src/domain/canonical';
import type { ReceiptStatus, WarehouseReceipt } from '../../../chaincode/src/domain/warehouse';
import type { CallContext, LedgerCalls, Page, Written } from './calls';
import type { History } from './receivables';

export interface IssueReceiptInput {
  owner: string;
  commodity: string;
  grade: string;
  quantity: number;
  unit: string;
  location: string;
  lotId: string;
  valuation: string;
  currency?: string | undefined;
  /** Canonical fields of supporting documents; the ledger records their fingerprints. */
  documents?: CanonicalDocument[] | undefined;
  id?: string | undefined;
}

export interface ReceiptFilter {
  owner?: string | undefined;
  warehouse?: string | undefined;
  status?: ReceiptStatus | undefined;
  pageSize?: number | undefined;
  bookmark?: string | undefined;
}

export interface ReceiptWithChildren {
  receipt: WarehouseReceipt;
  children: WarehouseReceipt[];
}

export interface ReceiptWithFinancing {
  receipt: WarehouseReceipt;
  financing: Financing;
}

/** Warehouse receipts (仓单, DESIGN.md section 2.3). Pledges are requested through financing. */
export class WarehouseReceiptService {
  constructor(private readonly calls: LedgerCalls) {}

  /** Supporting documents go as canonical fields in the transient map (key `documents`), never in the command. */
  issue(ctx: CallContext, input: IssueReceiptInput): Promise<Written<WarehouseReceipt>> {
    const { documents, ...command } = input;
    return this.calls.write(ctx, 'warehouse:Issue', command, documents === undefined ? undefined : { documents });
  }
  transfer(ctx: CallContext, id: string, to: string): Promise<Written<WarehouseReceipt>> {
    return this.calls.write(ctx, 'warehouse:Transfer', { id, to });
  }
  split(ctx: CallContext, id: string, quantities: number[]): Promise<Written<ReceiptWithChildren>> {
    return this.calls.write(ctx, 'warehouse:Split', { id, quantities });
  }
  deliver(ctx: CallContext, id: string): Promise<Written<WarehouseReceipt>> {
    return this.calls.write(ctx, 'warehouse:Deliver', { id });
  }
  release(ctx: CallContext, id: string, paymentRef?: string): Promise<Written<ReceiptWithFinancing>> {
    return this.calls.write(ctx, 'warehouse:Release', { id, paymentRef });
  }
  enforce(ctx: CallContext, id: string): Promise<Written<ReceiptWithFinancing>> {
    return this.calls.write(ctx, 'warehouse:Enforce', { id });
  }
  get(ctx: CallContext, id: string): Promise<WarehouseReceipt> {
    return this.calls.read(ctx, 'warehouse:Get', { id });
  }
  list(ctx: CallContext, filter: ReceiptFilter): Promise<Page<WarehouseReceipt>> {
    return this.calls.list(ctx, 'warehouse:List', filter);
  }
  history(ctx: CallContext, id: string): Promise<History> {
    return this.calls.read(ctx, 'warehouse:History', { id });
  }
}
