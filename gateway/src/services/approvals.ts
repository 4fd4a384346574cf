import type { Approval, ApprovalStatus } from '../../../chaincode/src/domain/controls';
import type { Member } from '../../../chaincode/src/domain/types';
import type { CallContext, LedgerCalls, Page, Written } from './calls';

export interface ApprovalFilter {
  status?: ApprovalStatus | undefined;
  /** Another member's approvals: AUDITOR and OPERATOR only (others get an empty page). */
  memberId?: string | undefined;
  pageSize?: number | undefined;
  bookmark?: string | undefined;
}

/** Approving executes the stored operation; `result` is that operation's own result. */
export interface ApprovalDecision {
  approval: Approval;
  result?: unknown;
}

/** Dual control (双人授权): deciding approvals, and the threshold that creates them. */
export class ApprovalService {
  constructor(private readonly calls: LedgerCalls) {}

  list(ctx: CallContext, filter: ApprovalFilter): Promise<Page<Approval>> {
    return this.calls.list(ctx, 'approval:List', filter);
  }
  get(ctx: CallContext, id: string): Promise<Approval> {
    return this.calls.read(ctx, 'approval:Get', { id });
  }
  approve(ctx: CallContext, id: string, reason?: string): Promise<Written<ApprovalDecision>> {
    return this.calls.write(ctx, 'approval:Approve', { id, reason });
  }
  reject(ctx: CallContext, id: string, reason?: string): Promise<Written<ApprovalDecision>> {
    return this.calls.write(ctx, 'approval:Reject', { id, reason });
  }
  /** Sets the member's threshold (minor units), or with null switches dual control off. */
  setThreshold(ctx: CallContext, memberId: string, threshold: string | null): Promise<Written<Member>> {
    return this.calls.write(ctx, 'member:SetDualControl', { id: memberId, threshold });
  }
}
