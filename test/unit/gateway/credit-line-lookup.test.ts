import { expect } from 'chai';
import type { CreditLineView } from '../../../chaincode/src/domain/credit-lines';
import { LedgerCreditLines } from '../../../gateway/src/reports/credit-line-lookup';
import { READ_CONCURRENCY } from '../../../gateway/src/reports/portfolio';
import type { CallContext, LedgerCalls } from '../../../gateway/src/services/calls';

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));
const ctx = {} as CallContext;

const line = (id: string, granter: string, obligor: string, currency: string, status: string): CreditLineView =>
  ({ id, kind: 'FINANCING', granter, obligor, currency, status, limit: '100.00', used: '10.00', headroom: '90.00' }) as unknown as CreditLineView;

/** creditLine:List over `lines`, one page, counting the calls and how many run at once. */
function ledgerOf(lines: CreditLineView[]) {
  const seen = { calls: [] as Array<{ granter: string; obligor: string }>, inFlight: 0, most: 0 };
  const calls = {
    async list(_ctx: CallContext, name: string, q: { granter: string; obligor: string; kind: string }) {
      expect(name).to.equal('creditLine:List');
      expect(q.kind).to.equal('FINANCING');
      seen.calls.push({ granter: q.granter, obligor: q.obligor });
      seen.inFlight += 1;
      seen.most = Math.max(seen.most, seen.inFlight);
      await tick();
      seen.inFlight -= 1;
      return { records: lines.filter((l) => l.granter === q.granter && l.obligor === q.obligor), bookmark: '' };
    },
  } as unknown as LedgerCalls;
  return { calls, seen };
}

describe("the exposure report's credit lines (LedgerCreditLines)", () => {
  it('lists once per bank and obligor whatever the currencies, and picks per currency the ACTIVE line before a SUSPENDED one, never a CLOSED one', async () => {
    const { calls, seen } = ledgerOf([
      line('CL-closed', 'BANK1', 'CORE1', 'CNY', 'CLOSED'),
      line('CL-susp', 'BANK1', 'CORE1', 'CNY', 'SUSPENDED'),
      line('CL-active', 'BANK1', 'CORE1', 'CNY', 'ACTIVE'),
      line('CL-usd', 'BANK1', 'CORE1', 'USD', 'SUSPENDED'),
      line('CL-b2', 'BANK2', 'CORE1', 'CNY', 'CLOSED'),
    ]);
    const out = await new LedgerCreditLines(calls).lines(ctx, [
      { bank: 'BANK1', obligor: 'CORE1', currency: 'CNY' },
      { bank: 'BANK2', obligor: 'CORE1', currency: 'CNY' },
      { bank: 'BANK1', obligor: 'CORE1', currency: 'USD' },
      { bank: 'BANK1', obligor: 'CORE1', currency: 'EUR' },
    ]);
    expect(out.map((r) => [r.bank, r.currency, r.id])).to.deep.equal([
      ['BANK1', 'CNY', 'CL-active'],
      ['BANK1', 'USD', 'CL-usd'],
    ]);
    expect(out[0]).to.deep.equal({ bank: 'BANK1', obligor: 'CORE1', id: 'CL-active', limit: '100.00', used: '10.00', currency: 'CNY' });
    expect(seen.calls).to.have.deep.members([
      { granter: 'BANK1', obligor: 'CORE1' },
      { granter: 'BANK2', obligor: 'CORE1' },
    ]);
    expect(seen.calls).to.have.length(2);
  });

  it('reads many banks and obligors a bounded number at a time, and answers in the order asked', async () => {
    const banks = Array.from({ length: 6 }, (_, i) => `BANK${i}`);
    const obligors = Array.from({ length: 8 }, (_, i) => `CORE${i}`);
    const pairs = banks.flatMap((bank) => obligors.map((obligor) => ({ bank, obligor, currency: 'CNY' })));
    const { calls, seen } = ledgerOf(pairs.map((p) => line(`CL-${p.bank}-${p.obligor}`, p.bank, p.obligor, 'CNY', 'ACTIVE')));
    const out = await new LedgerCreditLines(calls).lines(ctx, pairs);
    expect(out.map((r) => r.id)).to.deep.equal(pairs.map((p) => `CL-${p.bank}-${p.obligor}`));
    expect(seen.calls).to.have.length(pairs.length);
    expect(seen.most).to.be.above(1).and.at.most(READ_CONCURRENCY);
    expect(seen.inFlight).to.equal(0);
  });

  it('reads nothing for no pairs', async () => {
    const { calls, seen } = ledgerOf([]);
    expect(await new LedgerCreditLines(calls).lines(ctx, [])).to.deep.equal([]);
    expect(seen.calls).to.deep.equal([]);
  });
});
