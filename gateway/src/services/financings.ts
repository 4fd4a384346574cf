import type { Approval } from '../../../chaincode/src/domain/controls';
import type { Financing, FinancingAssetRef, FinancingStatus } from '../../../chaincode/src/domain/financing';
import type { Receivable } from '../../../chaincode/src/domain/types';
import type { CallContext, LedgerCalls, Page, Written } from './calls';
import type { History } from './receivables';

export interface RequestFinancingInput {
  asset: FinancingAssetRef;
  bank: string;
  requestedAmount: string;
  dueDate?: string | undefined;
  id?: string | undefined;
}

export interface ApproveFinancingInput {
  advanceAmount: string;
  annualRateBps: number;
}

export interface FinancingFilter {
  applicant?: string | undefined;
  bank?: string | undefined;
  status?: FinancingStatus | undefined;
  pageSize?: number | undefined;
  bookmark?: string | undefined;
}

/**
 * Financing (DESIGN.md section 2.4): a holder asks a bank and may withdraw
 * the request until the bank approves it; the bank approves (under its dual
 * control at or above its threshold), rejects, disburses and, for pledges,
 * records repayment. A discounted voucher or factored receivable
 * is repaid by its debtor's settlement, which is why the settlement of a
 * factored receivable lives here too.
 */
export class FinancingService {
  constructor(private readonly calls: LedgerCalls) {}

  request(ctx: CallContext, input: RequestFinancingInput): Promise<Written<Financing>> {
    return this.calls.write(ctx, 'financing:Request', input);
  }
  /** The APPROVED financing, or a PENDING approval when the bank's dual-control threshold applies. */
  approve(ctx: CallContext, id: string, input: ApproveFinancingInput): Promise<Written<Financing | Approval>> {
    return this.calls.write(ctx, 'financing:Approve', { id, ...input });
  }
  reject(ctx: CallContext, id: string, reason: string): Promise<Written<Financing>> {
    return this.calls.write(ctx, 'financing:Reject', { id, reason });
  }
  /** The applicant withdraws its request before the bank approves it; the asset unlocks. */
  withdraw(ctx: CallContext, id: string, reason?: string): Promise<Written<Financing>> {
    return this.calls.write(ctx, 'financing:Withdraw', reason === undefined ? { id } : { id, reason });
  }
  disburse(ctx: CallContext, id: string, paymentRef: string): Promise<Written<Financing>> {
    return this.calls.write(ctx, 'financing:Disburse', { id, paymentRef });
  }
  repay(ctx: CallContext, id: string, paymentRef: string): Promise<Written<Financing>> {
    return this.calls.write(ctx, 'financing:Repay', { id, paymentRef });
  }
  get(ctx: CallContext, id: string): Promise<Financing> {
    return this.calls.read(ctx, 'financing:Get', { id });
  }
  list(ctx: CallContext, filter: FinancingFilter): Promise<Page<Financing>> {
    return this.calls.list(ctx, 'financing:List', filter);
  }
  history(ctx: CallContext, id: string): Promise<History> {
    return this.calls.read(ctx, 'financing:History', { id });
  }
  /** The debtor pays a factored receivable at its due date: the assignee bank is paid and the financing REPAID. */
  settleReceivable(ctx: CallContext, id: string, paymentRef: string): Promise<Written<Receivable>> {
    return this.calls.write(ctx, 'receivable:Settle', { id, paymentRef });
  }
}
