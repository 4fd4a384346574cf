import { expect } from 'chai';
import { confirmedReceivable, IDS, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

/**
 * One decision at a time (assertNoPendingApproval): while a bank's terms for
 * a financing, or a change of a credit line, await the checker, a second
 * request about the same financing or line is refused, naming the pending
 * approval, and writes nothing. Issuing vouchers on one receivable is not
 * one decision: several may wait side by side.
 */
describe('contracts: one pending approval per financing, credit line or pair', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
    await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.bank, threshold: yuan(1_000) });
  });

  const requested = async (label: string) => {
    const root = await rootVoucher(w, yuan(10_000), label);
    return w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: root.id }, bank: IDS.bank, requestedAmount: yuan(9_000) });
  };
  const approve = (id: string, advance: number, rate: number) => w.h.submit(w.as.bank, 'financing:Approve', { id, advanceAmount: yuan(advance), annualRateBps: rate });

  it('refuses a second set of terms for a financing while the first awaits the checker, and writes nothing', async () => {
    const fin = await requested('one-pending-a');
    const first = await approve(fin.id, 9_000, 400);
    expect(first).to.include({ docType: 'approval', status: 'PENDING' });
    const height = await w.h.ws.height();
    const err = await rejects(approve(fin.id, 8_000, 300), 'ALREADY_EXISTS');
    expect(err.message).to.contain(`already awaits approval ${first.id}`);
    expect(await w.h.ws.height()).to.equal(height);
    const pending = await w.h.evaluate<{ records: { id: string }[] }>(w.as.bankChecker, 'approval:List', { memberId: IDS.bank, status: 'PENDING' });
    expect(pending.records.map((a) => a.id)).to.deep.equal([first.id]);
  });

  it('refuses terms below the threshold too while terms above it await the checker (the pending ones could never execute after)', async () => {
    const fin = await requested('one-pending-small');
    const first = await approve(fin.id, 9_000, 400);
    const err = await rejects(approve(fin.id, 500, 400), 'ALREADY_EXISTS');
    expect(err.message).to.contain(first.id);
    expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).status).to.equal('REQUESTED');
    const decided = await w.h.submit(w.as.bankChecker, 'approval:Approve', { id: first.id });
    expect(decided.result).to.include({ status: 'APPROVED' });
  });

  it('takes new terms once the pending request is withdrawn by its maker, and the checker approves those', async () => {
    const fin = await requested('one-pending-b');
    const first = await approve(fin.id, 9_000, 400);
    await w.h.submit(w.as.bank, 'approval:Reject', { id: first.id, reason: 'terms changed' });
    const second = await approve(fin.id, 8_000, 300);
    expect(second).to.include({ docType: 'approval', status: 'PENDING' });
    const decided = await w.h.submit(w.as.bankChecker, 'approval:Approve', { id: second.id });
    expect(decided.result).to.include({ status: 'APPROVED', advanceAmount: yuan(8_000), annualRateBps: 300 });
  });

  it('keeps financings apart: terms for another financing may wait beside the first', async () => {
    const a = await requested('one-pending-c');
    const b = await requested('one-pending-d');
    expect(await approve(a.id, 9_000, 400)).to.include({ status: 'PENDING' });
    expect(await approve(b.id, 9_000, 400)).to.include({ status: 'PENDING' });
  });

  it('refuses a second change of one credit line, and a second grant for one pair, while the first awaits the checker', async () => {
    const granted = await w.h.submit(w.as.bank, 'creditLine:Grant', { kind: 'FINANCING', obligor: IDS.core, limit: yuan(500), validTo: '2026-12-31' });
    const raise = await w.h.submit(w.as.bank, 'creditLine:Adjust', { id: granted.id, limit: yuan(50_000) });
    expect(raise).to.include({ docType: 'approval', status: 'PENDING' });
    await rejects(w.h.submit(w.as.bank, 'creditLine:Adjust', { id: granted.id, limit: yuan(60_000) }), 'ALREADY_EXISTS');
    const grant = await w.h.submit(w.as.bank, 'creditLine:Grant', { kind: 'FINANCING', obligor: IDS.tier1, limit: yuan(50_000), validTo: '2026-12-31' });
    expect(grant).to.include({ docType: 'approval', status: 'PENDING' });
    await rejects(w.h.submit(w.as.bank, 'creditLine:Grant', { kind: 'FINANCING', obligor: IDS.tier1, limit: yuan(40_000), validTo: '2026-12-31' }), 'ALREADY_EXISTS');
  });

  it('lets several voucher issues on one receivable wait side by side', async () => {
    await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.core, threshold: yuan(1_000) });
    const rcv = await confirmedReceivable(w, yuan(20_000), 'one-pending-issue');
    const a = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(5_000), maturityDate: '2026-06-30' });
    const b = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(6_000), maturityDate: '2026-06-30' });
    expect([a.status, b.status]).to.deep.equal(['PENDING', 'PENDING']);
  });
});
