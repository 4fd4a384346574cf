import type { CreditLineView } from '../../../chaincode/src/domain/credit-lines';
import type { CallContext, LedgerCalls } from '../services/calls';
import type { CreditLineLookup } from '../services/reports';
import type { CreditLineFigures } from './compute';
import { listAll } from './portfolio';

/**
 * The exposure report's credit lines, read on chain (issue 16) as the
 * caller: for each (bank, obligor, currency) the bank's FINANCING line to
 * the obligor, the ACTIVE one before a SUSPENDED one; closed lines and lines
 * the caller may not read are left out (the row then has no line).
 */
export class LedgerCreditLines implements CreditLineLookup {
  constructor(private readonly calls: LedgerCalls) {}

  async lines(
    ctx: CallContext,
    pairs: ReadonlyArray<{ bank: string; obligor: string; currency: string }>,
  ): Promise<Array<CreditLineFigures & { bank: string; obligor: string }>> {
    const out: Array<CreditLineFigures & { bank: string; obligor: string }> = [];
    for (const p of pairs) {
      const lines = await listAll<CreditLineView>(this.calls, ctx, 'creditLine:List', { granter: p.bank, obligor: p.obligor, kind: 'FINANCING' });
      const rank = (l: CreditLineView) => (l.status === 'ACTIVE' ? 0 : l.status === 'SUSPENDED' ? 1 : 2);
      const line = lines.filter((l) => l.currency === p.currency && l.status !== 'CLOSED').sort((a, b) => rank(a) - rank(b))[0];
      if (line) out.push({ bank: p.bank, obligor: p.obligor, id: line.id, limit: line.limit, used: line.used, currency: line.currency });
    }
    return out;
  }
}
