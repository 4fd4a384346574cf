import { expect } from 'chai';
import { confirmedReceivable, IDS, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

/**
 * Only ACTIVE members take part in transactions (PRODUCT 1.3). A member
 * suspended after it asked for credit, or before a voucher reaches it, gets
 * nothing new: the bank can neither approve nor disburse its financing, a
 * core enterprise cannot issue it a voucher. What it is owed is still paid,
 * and the bank can still turn the request down.
 */
describe('contracts: nothing new reaches a suspended member', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  const suspend = (id: string) => w.h.submit(w.as.operator, 'member:Suspend', { id, reason: 'KYC expired' });
  const reinstate = (id: string) => w.h.submit(w.as.operator, 'member:Reinstate', { id });

  it('refuses the approval of a suspended applicant’s financing, writes nothing, and lets the bank reject it', async () => {
    const root = await rootVoucher(w, yuan(10_000), 'suspended-approve');
    const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: root.id }, bank: IDS.bank, requestedAmount: yuan(9_000) });
    await suspend(IDS.tier1);
    const height = await w.h.ws.height();
    const err = await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(9_000), annualRateBps: 400 }), 'BUSINESS_RULE');
    expect(err.message).to.contain(`applicant ${IDS.tier1} is SUSPENDED`);
    expect(await w.h.ws.height()).to.equal(height);
    expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).status).to.equal('REQUESTED');
    const rejected = await w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id, reason: 'applicant suspended' });
    expect(rejected.status).to.equal('REJECTED');
    expect((await w.h.evaluate(w.as.operator, 'voucher:Get', { id: root.id })).status).to.equal('ACTIVE');
  });

  it('refuses the disbursement once the applicant is suspended after approval, and disburses after reinstatement', async () => {
    const root = await rootVoucher(w, yuan(10_000), 'suspended-disburse');
    const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: root.id }, bank: IDS.bank, requestedAmount: yuan(9_000) });
    await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(9_000), annualRateBps: 400 });
    await suspend(IDS.tier1);
    const height = await w.h.ws.height();
    await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'CNAPS-1' }), 'BUSINESS_RULE');
    expect(await w.h.ws.height()).to.equal(height);
    const piece = await w.h.evaluate(w.as.operator, 'voucher:Get', { id: root.id });
    expect(piece).to.include({ holder: IDS.tier1, status: 'FINANCING_PENDING' });
    await reinstate(IDS.tier1);
    const disbursed = await w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'CNAPS-1' });
    expect(disbursed.status).to.equal('DISBURSED');
  });

  it('refuses a checker’s approval executed after the applicant was suspended (dual control runs the check at execution)', async () => {
    await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.bank, threshold: yuan(1_000) });
    const root = await rootVoucher(w, yuan(10_000), 'suspended-dual');
    const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: root.id }, bank: IDS.bank, requestedAmount: yuan(9_000) });
    const approval = await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(9_000), annualRateBps: 400 });
    expect(approval).to.include({ docType: 'approval', status: 'PENDING' });
    await suspend(IDS.tier1);
    await rejects(w.h.submit(w.as.bankChecker, 'approval:Approve', { id: approval.id }), 'BUSINESS_RULE');
    expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).status).to.equal('REQUESTED');
  });

  it('refuses a voucher issued to a suspended creditor, leaves the receivable as it was, and issues after reinstatement', async () => {
    const rcv = await confirmedReceivable(w, yuan(10_000), 'suspended-issue');
    await suspend(IDS.tier1);
    const height = await w.h.ws.height();
    const err = await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(10_000), maturityDate: '2026-06-30' }), 'BUSINESS_RULE');
    expect(err.message).to.contain(`creditor ${IDS.tier1} is SUSPENDED`);
    expect(await w.h.ws.height()).to.equal(height);
    expect(await w.h.evaluate(w.as.core, 'receivable:Get', { id: rcv.id })).to.include({ status: 'CONFIRMED', voucheredAmount: '0' });
    await reinstate(IDS.tier1);
    const v = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(10_000), maturityDate: '2026-06-30' });
    expect(v).to.include({ holder: IDS.tier1, status: 'ACTIVE' });
  });

  it('still pays a suspended holder at maturity', async () => {
    const root = await rootVoucher(w, yuan(10_000), 'suspended-settle');
    await suspend(IDS.tier1);
    w.h.today = '2026-06-30';
    const settled = await w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'CNAPS-PAY' });
    expect(settled).to.include({ status: 'SETTLED', settledTo: IDS.tier1 });
  });
});
