import type { Approval } from '../../../chaincode/src/domain/controls';
import type { CanonicalDocument } from '../../../chaincode/src/domain/canonical';
import type { DocumentVerification } from '../../../chaincode/src/domain/receivables';
import type { Receivable } from '../../../chaincode/src/domain/types';
import type { CallContext, LedgerCalls, Page, Written } from './calls';

export interface RegisterReceivableInput {
  id?: string | undefined;
  debtor: string;
  amount: string;
  currency?: string | undefined;
  dueDate: string;
  /** Canonical fields: sent in the transient map (key `documents`), never in the command. */
  documents: CanonicalDocument[];
}

export interface ReceivableFilter {
  creditor?: string | undefined;
  debtor?: string | undefined;
  assignee?: string | undefined;
  status?: string | undefined;
  pageSize?: number | undefined;
  bookmark?: string | undefined;
}

export interface History {
  id: string;
  versions: Array<{ txId: string; timestamp: string; isDelete: boolean; record: unknown }>;
}

export class ReceivableService {
  constructor(private readonly calls: LedgerCalls) {}

  register(ctx: CallContext, input: RegisterReceivableInput): Promise<Written<Receivable>> {
    const { documents, ...command } = input;
    return this.calls.write(ctx, 'receivable:Register', command, { documents });
  }
  /** Whether documents hash to fingerprints the receivable claims (its creditor and debtor only). */
  verifyDocuments(ctx: CallContext, id: string, documents: CanonicalDocument[]): Promise<DocumentVerification> {
    return this.calls.read(ctx, 'receivable:VerifyDocuments', { id }, { documents });
  }
  /** The CONFIRMED receivable, or a PENDING approval when the debtor's dual-control threshold applies. */
  confirm(ctx: CallContext, id: string, reason?: string): Promise<Written<Receivable | Approval>> {
    return this.calls.write(ctx, 'receivable:Confirm', { id, reason });
  }
  reject(ctx: CallContext, id: string, reason?: string): Promise<Written<Receivable>> {
    return this.calls.write(ctx, 'receivable:Reject', { id, reason });
  }
  cancel(ctx: CallContext, id: string): Promise<Written<Receivable>> {
    return this.calls.write(ctx, 'receivable:Cancel', { id });
  }
  get(ctx: CallContext, id: string): Promise<Receivable> {
    return this.calls.read(ctx, 'receivable:Get', { id });
  }
  list(ctx: CallContext, filter: ReceivableFilter): Promise<Page<Receivable>> {
    return this.calls.list(ctx, 'receivable:List', filter);
  }
  history(ctx: CallContext, id: string): Promise<History> {
    return this.calls.read(ctx, 'receivable:History', { id });
  }
}
