import type { Freeze, FreezeStatus, FreezeTarget } from '../../../chaincode/src/domain/controls';
import type { CallContext, LedgerCalls, Page, Written } from './calls';
import type { History } from './receivables';

export interface FreezeInput {
  target: FreezeTarget;
  reason: string;
  id?: string | undefined;
}

export interface FreezeFilter {
  target?: FreezeTarget | undefined;
  status?: FreezeStatus | undefined;
  pageSize?: number | undefined;
  bookmark?: string | undefined;
}

/** Judicial freezes (司法冻结) of members and assets, ordered and lifted by the OPERATOR. */
export class FreezeService {
  constructor(private readonly calls: LedgerCalls) {}

  freeze(ctx: CallContext, input: FreezeInput): Promise<Written<Freeze>> {
    return this.calls.write(ctx, 'freeze:Freeze', input);
  }
  lift(ctx: CallContext, id: string, reason?: string): Promise<Written<Freeze>> {
    return this.calls.write(ctx, 'freeze:Unfreeze', { id, reason });
  }
  get(ctx: CallContext, id: string): Promise<Freeze> {
    return this.calls.read(ctx, 'freeze:Get', { id });
  }
  history(ctx: CallContext, id: string): Promise<History> {
    return this.calls.read(ctx, 'freeze:History', { id });
  }
  list(ctx: CallContext, filter: FreezeFilter): Promise<Page<Freeze>> {
    return this.calls.list(ctx, 'freeze:List', filter);
  }
}
