import type { Approval } from '../../../chaincode/src/domain/controls';
import type { Voucher } from '../../../chaincode/src/domain/types';
import type { CallContext, LedgerCalls, Page, Written } from './calls';
import type { History } from './receivables';

export interface IssueVoucherInput {
  receivableId: string;
  amount: string;
  maturityDate: string;
  id?: string | undefined;
}

export interface VoucherFilter {
  holder?: string | undefined;
  issuer?: string | undefined;
  status?: string | undefined;
  maturingFrom?: string | undefined;
  maturingTo?: string | undefined;
  pageSize?: number | undefined;
  bookmark?: string | undefined;
}

export interface VoucherWithChildren {
  voucher: Voucher;
  children: Voucher[];
}

export class VoucherService {
  constructor(private readonly calls: LedgerCalls) {}

  /** The root voucher, or a PENDING approval when the issuer's dual-control threshold applies. */
  issue(ctx: CallContext, input: IssueVoucherInput): Promise<Written<Voucher | Approval>> {
    return this.calls.write(ctx, 'voucher:Issue', input);
  }
  transfer(ctx: CallContext, id: string, to: string, amount: string): Promise<Written<VoucherWithChildren>> {
    return this.calls.write(ctx, 'voucher:Transfer', { id, to, amount });
  }
  split(ctx: CallContext, id: string, amounts: string[]): Promise<Written<VoucherWithChildren>> {
    return this.calls.write(ctx, 'voucher:Split', { id, amounts });
  }
  settle(ctx: CallContext, id: string, paymentRef: string): Promise<Written<Voucher>> {
    return this.calls.write(ctx, 'voucher:Settle', { id, paymentRef });
  }
  get(ctx: CallContext, id: string): Promise<Voucher> {
    return this.calls.read(ctx, 'voucher:Get', { id });
  }
  list(ctx: CallContext, filter: VoucherFilter): Promise<Page<Voucher>> {
    return this.calls.list(ctx, 'voucher:List', filter);
  }
  provenance(ctx: CallContext, id: string): Promise<unknown> {
    return this.calls.read(ctx, 'voucher:Provenance', { id });
  }
  history(ctx: CallContext, id: string): Promise<History> {
    return this.calls.read(ctx, 'voucher:History', { id });
  }
  tree(ctx: CallContext, id: string): Promise<unknown> {
    return this.calls.read(ctx, 'voucher:Tree', { id });
  }
}
