import type { Approval } from '../../../chaincode/src/domain/controls';
import type { CreditLineKind, CreditLineView } from '../../../chaincode/src/domain/credit-lines';
import type { CallContext, LedgerCalls, Page, Written } from './calls';
import type { History } from './receivables';

export interface GrantCreditLineInput {
  kind: CreditLineKind;
  obligor: string;
  limit: string;
  validTo: string;
  granter?: string | undefined;
  validFrom?: string | undefined;
  currency?: string | undefined;
  id?: string | undefined;
}

export interface AdjustCreditLineInput {
  limit?: string | undefined;
  validTo?: string | undefined;
}

export interface CreditLineFilter {
  granter?: string | undefined;
  obligor?: string | undefined;
  kind?: CreditLineKind | undefined;
  pageSize?: number | undefined;
  bookmark?: string | undefined;
}

/**
 * Credit lines (授信, DESIGN.md section 8): the operator's issuance lines of
 * core enterprises and banks' financing lines to obligors. Granting and
 * adjusting are under the granter's dual control; issuing and approving use
 * the lines in the chaincode, in the same transaction.
 */
export class CreditLineService {
  constructor(private readonly calls: LedgerCalls) {}

  /** The ACTIVE line, or a PENDING approval when the granter's dual-control threshold applies. */
  grant(ctx: CallContext, input: GrantCreditLineInput): Promise<Written<CreditLineView | Approval>> {
    return this.calls.write(ctx, 'creditLine:Grant', input);
  }
  adjust(ctx: CallContext, id: string, input: AdjustCreditLineInput): Promise<Written<CreditLineView | Approval>> {
    return this.calls.write(ctx, 'creditLine:Adjust', { id, ...input });
  }
  /** Suspend, reinstate or close: single-step changes of the line's status by its granter. */
  change(ctx: CallContext, id: string, action: 'Suspend' | 'Reinstate' | 'Close', reason?: string): Promise<Written<CreditLineView>> {
    return this.calls.write(ctx, `creditLine:${action}`, reason === undefined ? { id } : { id, reason });
  }
  get(ctx: CallContext, id: string): Promise<CreditLineView> {
    return this.calls.read(ctx, 'creditLine:Get', { id });
  }
  list(ctx: CallContext, filter: CreditLineFilter): Promise<Page<CreditLineView>> {
    return this.calls.list(ctx, 'creditLine:List', filter);
  }
  history(ctx: CallContext, id: string): Promise<History> {
    return this.calls.read(ctx, 'creditLine:History', { id });
  }
}
