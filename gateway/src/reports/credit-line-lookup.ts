import type { CreditLineView } from '../../../chaincode/src/domain/credit-lines';
import type { CallContext, LedgerCalls } from '../services/calls';
import type { CreditLineLookup } from '../services/reports';
import type { CreditLineFigures } from './compute';
import { listAll, mapBounded, READ_CONCURRENCY } from './portfolio';

type Pair = { bank: string; obligor: string; currency: string };

const rank = (l: CreditLineView) => (l.status === 'ACTIVE' ? 0 : l.status === 'SUSPENDED' ? 1 : 2);

/** The line that stands beside a pair's exposure: in its currency, not CLOSED, ACTIVE before SUSPENDED. */
function lineFor(lines: readonly CreditLineView[], currency: string): CreditLineView | undefined {
  return lines.filter((l) => l.currency === currency && l.status !== 'CLOSED').sort((a, b) => rank(a) - rank(b))[0];
}

/**
 * The exposure report's credit lines, read on chain (issue 16) as the
 * caller: for each (bank, obligor, currency) the bank's FINANCING line to
 * the obligor, the ACTIVE one before a SUSPENDED one; closed lines and lines
 * the caller may not read are left out (the row then has no line).
 *
 * One list per (bank, obligor), whatever the currencies asked for, and
 * READ_CONCURRENCY of them at a time: a reader's exposure report names
 * every bank and obligor on the ledger, and one list after another made it
 * wait for each peer round trip in turn.
 */
export class LedgerCreditLines implements CreditLineLookup {
  constructor(private readonly calls: LedgerCalls) {}

  async lines(ctx: CallContext, pairs: ReadonlyArray<Pair>): Promise<Array<CreditLineFigures & { bank: string; obligor: string }>> {
    const keyOf = (p: { bank: string; obligor: string }) => JSON.stringify([p.bank, p.obligor]);
    const parties = [...new Map(pairs.map((p) => [keyOf(p), { bank: p.bank, obligor: p.obligor }])).values()];
    const listed = await mapBounded(parties, READ_CONCURRENCY, (p) =>
      listAll<CreditLineView>(this.calls, ctx, 'creditLine:List', { granter: p.bank, obligor: p.obligor, kind: 'FINANCING' }),
    );
    const linesOf = new Map(parties.map((p, i) => [keyOf(p), listed[i] as CreditLineView[]]));
    const out: Array<CreditLineFigures & { bank: string; obligor: string }> = [];
    for (const p of pairs) {
      const line = lineFor(linesOf.get(keyOf(p)) ?? [], p.currency);
      if (line) out.push({ bank: p.bank, obligor: p.obligor, id: line.id, limit: line.limit, used: line.used, currency: line.currency });
    }
    return out;
  }
}
