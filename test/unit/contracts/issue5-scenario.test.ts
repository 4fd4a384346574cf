import { expect } from 'chai';
import type { InvoiceDoc } from '../../../chaincode/src/domain/canonical';
import { docs, fingerprintOf, IDS, rejects, world, yuan, type World } from '../../support/ledger-harness';

/**
 * The scenario of issue 5, end to end through the contracts on the
 * Fabric-semantics world state: financing a tier-3 piece under the bank's
 * maker-checker control, repayment at maturity, and the double-financing
 * guards on pieces, invoices and warehouse receipts.
 */
describe('issue 5 scenario: tier-3 financing under dual control, repayment at maturity, no double financing', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('finances a tier-3 piece at the bank, pays the bank at maturity, and refuses every second financing', async () => {
    const { h, as } = w;
    const invoiceFields: InvoiceDoc = {
      kind: 'INVOICE',
      sellerTaxId: IDS.tier1,
      invoiceCode: '4400231130',
      invoiceNumber: '00077777',
      amount: '100000000',
      issueDate: '2026-01-02',
    };
    const invoice = fingerprintOf(invoiceFields); // sha256('invoice|<tier1>|4400231130|00077777|100000000|2026-01-02')

    // The bank requires a checker for approvals of 100,000.00 CNY or more.
    await h.submit(as.operator, 'member:SetDualControl', { id: IDS.bank, threshold: yuan(100_000) });

    // Ledger core: confirmed receivable, root voucher, passed down to tier 3.
    const rcv = await h.submit(as.tier1, 'receivable:Register', {
      debtor: IDS.core,
      amount: yuan(1_000_000),
      dueDate: '2026-06-30',
    }, docs(invoiceFields));
    await h.submit(as.core, 'receivable:Confirm', { id: rcv.id });
    const root = await h.submit(as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(1_000_000), maturityDate: '2026-06-30' });
    const t1 = await h.submit(as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(600_000) });
    const split = await h.submit(as.tier2, 'voucher:Split', { id: t1.children[0].id, amounts: [yuan(200_000), yuan(400_000)] });
    const piece = split.children[0];
    await h.submit(as.tier2, 'voucher:Transfer', { id: piece.id, to: IDS.tier3, amount: yuan(200_000) });

    // Before any request the bank cannot even see the piece.
    await rejects(h.evaluate(as.bank, 'voucher:Provenance', { id: piece.id }), 'NOT_FOUND');

    // Tier 3 asks the bank; the piece locks.
    const fin = await h.submit(as.tier3, 'financing:Request', {
      asset: { type: 'VOUCHER', id: piece.id },
      bank: IDS.bank,
      requestedAmount: yuan(190_000),
    });
    expect(fin).to.include({ status: 'REQUESTED', applicant: IDS.tier3, bank: IDS.bank, faceAmount: yuan(200_000), dueDate: '2026-06-30' });
    expect(await h.evaluate(as.tier3, 'voucher:Get', { id: piece.id })).to.include({ status: 'FINANCING_PENDING', financingId: fin.id });

    // A second request on the same piece, at any bank, is double financing.
    const second = await rejects(
      h.submit(as.tier3, 'financing:Request', { asset: { type: 'VOUCHER', id: piece.id }, bank: IDS.bank, requestedAmount: yuan(10_000) }),
      'DOUBLE_FINANCING',
    );
    expect(second.message).to.contain(fin.id);

    // The bank reads the provenance: financeable, its own request listed as the encumbrance.
    const prov = await h.evaluate(as.bank, 'voucher:Provenance', { id: piece.id });
    expect(prov.verdict).to.deep.equal({ financeable: true, reasons: [] });
    expect(prov.lineage.map((s: { id: string }) => s.id)).to.deep.equal([piece.id, t1.children[0].id, root.id]);
    expect(prov.receivable).to.include({ id: rcv.id, debtor: IDS.core, creditor: IDS.tier1 });
    expect(prov.receivable.documents).to.deep.equal([{ kind: 'INVOICE', fingerprint: invoice }]);
    expect(prov.encumbrances).to.deep.equal([
      { type: 'FINANCING', id: fin.id, status: 'REQUESTED', party: IDS.bank, txId: fin.updatedTxId, at: fin.updatedAt },
    ]);

    // The bank's maker approves at 4.5% a year: above the threshold, so it becomes an approval.
    const approval = await h.submit(as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(190_000), annualRateBps: 450 });
    expect(approval).to.include({ docType: 'approval', status: 'PENDING', transaction: 'financing:Approve', memberId: IDS.bank, amount: yuan(190_000) });
    expect((await h.evaluate(as.bank, 'financing:Get', { id: fin.id })).status).to.equal('REQUESTED');
    await rejects(h.submit(as.bank, 'approval:Approve', { id: approval.id }), 'FORBIDDEN');
    const approveTx = await h.endorse(as.bankChecker, 'approval:Approve', { id: approval.id });
    expect(approveTx.event?.name).to.equal('FinancingApproved');
    await h.commit([approveTx]);
    const approved = JSON.parse(approveTx.result).result;
    expect(approved).to.include({ status: 'APPROVED', advanceAmount: yuan(190_000), annualRateBps: 450 });

    // Disbursement: 176 days to maturity; discount 200,000.00 × 4.5% × 176/360 = 4,400.00; fee 1.8% of 190,000.00 = 3,420.00.
    const disbursed = await h.submit(as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'CNAPS-2026-0105-001' });
    expect(disbursed).to.include({ status: 'DISBURSED', days: 176, discount: yuan(4_400), fee: yuan(3_420), paymentRef: 'CNAPS-2026-0105-001' });
    const assigned = await h.evaluate(as.bank, 'voucher:Get', { id: piece.id });
    expect(assigned).to.include({ status: 'FINANCED', holder: IDS.bank, financingId: fin.id });

    // Tier 3, no longer the holder, asking again is told the piece is financed and by whom.
    const again = await rejects(
      h.submit(as.tier3, 'financing:Request', { asset: { type: 'VOUCHER', id: piece.id }, bank: IDS.bank, requestedAmount: yuan(10_000) }),
      'DOUBLE_FINANCING',
    );
    expect(again.message).to.contain(IDS.bank);

    // A new receivable carrying the invoice behind the piece's root is double financing too.
    const dup = await rejects(
      h.submit(as.tier2, 'receivable:Register', {
        debtor: IDS.core,
        amount: yuan(200_000),
        dueDate: '2026-06-30',
      }, docs(invoiceFields)),
      'DOUBLE_FINANCING',
    );
    expect(dup.message).to.contain(rcv.id);
    // ... and the backing receivable, vouchered, cannot be factored.
    await rejects(
      h.submit(as.tier1, 'financing:Request', { asset: { type: 'RECEIVABLE', id: rcv.id }, bank: IDS.bank, requestedAmount: yuan(1) }),
      'DOUBLE_FINANCING',
    );

    // At maturity the issuer pays every holder; the bank is paid for the financed piece and the financing is REPAID.
    h.today = '2026-06-30';
    const settleTx = await h.endorse(as.core, 'voucher:Settle', { id: piece.id, paymentRef: 'CORE-PAY-1' });
    expect(settleTx.event?.name).to.equal('VoucherSettled');
    await h.commit([settleTx]);
    expect(JSON.parse(settleTx.result)).to.include({ status: 'SETTLED', settledTo: IDS.bank });
    expect(await h.evaluate(as.auditor, 'financing:Get', { id: fin.id })).to.include({ status: 'REPAID', repaymentRef: 'CORE-PAY-1' });
    await h.submit(as.core, 'voucher:Settle', { id: split.children[1].id, paymentRef: 'CORE-PAY-2' });
    await h.submit(as.core, 'voucher:Settle', { id: t1.children[1].id, paymentRef: 'CORE-PAY-3' });
    expect(await h.evaluate(as.core, 'receivable:Get', { id: rcv.id })).to.include({ status: 'SETTLED', settledAmount: yuan(1_000_000) });

    const history = await h.evaluate(as.bank, 'financing:History', { id: fin.id });
    expect(history.versions.map((v: { record: { status: string } }) => v.record.status)).to.deep.equal(['REPAID', 'DISBURSED', 'APPROVED', 'REQUESTED']);
  });

  it('pledges a warehouse receipt, which then cannot be transferred, split, pledged again or delivered', async () => {
    const { h, as } = w;
    const receipt = await h.submit(as.warehouse, 'warehouse:Issue', {
      owner: IDS.tier1,
      commodity: 'Copper cathode',
      grade: 'Cu-CATH-1',
      quantity: 500,
      unit: 't',
      location: 'Qingdao bonded zone, bay 4',
      lotId: 'QD-2026-0042',
      valuation: yuan(30_000_000),
    });
    // The same goods cannot back a second receipt (the Qingdao duplicate-receipt fraud).
    const twin = await rejects(
      h.submit(as.warehouse, 'warehouse:Issue', {
        owner: IDS.tier2, commodity: 'Copper cathode', grade: 'Cu-CATH-1', quantity: 500, unit: 't', location: 'Qingdao bonded zone, bay 4', lotId: 'qd-2026-0042', valuation: yuan(30_000_000),
      }),
      'DOUBLE_FINANCING',
    );
    expect(twin.message).to.contain(receipt.id);

    const fin = await h.submit(as.tier1, 'financing:Request', {
      asset: { type: 'WAREHOUSE_RECEIPT', id: receipt.id },
      bank: IDS.bank,
      requestedAmount: yuan(21_000_000),
      dueDate: '2026-07-05',
    });
    await rejects(
      h.submit(as.bank, 'financing:Approve', { id: fin.id, advanceAmount: String(2_100_000_001), annualRateBps: 500 }),
      'BUSINESS_RULE',
    );
    await h.submit(as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(21_000_000), annualRateBps: 500 });
    const disbursed = await h.submit(as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'LOAN-1' });
    // Above 20,000,000.00 CNY the fee is 1.2%; interest 21,000,000.00 × 5% × 181/360.
    expect(disbursed).to.include({ fee: yuan(252_000), days: 181, discount: '52791667' });
    expect(await h.evaluate(as.tier1, 'warehouse:Get', { id: receipt.id })).to.include({ status: 'PLEDGED', pledgee: IDS.bank });

    const height = await h.ws.height();
    await rejects(h.submit(as.tier1, 'warehouse:Transfer', { id: receipt.id, to: IDS.tier2 }), 'INVALID_STATE');
    await rejects(h.submit(as.tier1, 'warehouse:Split', { id: receipt.id, quantities: [200, 300] }), 'INVALID_STATE');
    await rejects(
      h.submit(as.tier1, 'financing:Request', { asset: { type: 'WAREHOUSE_RECEIPT', id: receipt.id }, bank: IDS.bank, requestedAmount: yuan(1), dueDate: '2026-07-05' }),
      'DOUBLE_FINANCING',
    );
    await rejects(h.submit(as.warehouse, 'warehouse:Deliver', { id: receipt.id }), 'INVALID_STATE');
    expect(await h.ws.height(), 'nothing was written').to.equal(height);

    // Repaid: the pledge is released and the goods can be delivered; the lot is free again.
    const repaid = await h.submit(as.bank, 'financing:Repay', { id: fin.id, paymentRef: 'REPAY-1' });
    expect(repaid).to.include({ status: 'REPAID', repaymentRef: 'REPAY-1' });
    const delivered = await h.submit(as.warehouse, 'warehouse:Deliver', { id: receipt.id });
    expect(delivered).to.include({ status: 'DELIVERED', deliveredTo: IDS.tier1 });
    const check = await h.evaluate(as.bank, 'fingerprint:Check', { fingerprints: [{ kind: 'LOT', fingerprint: receipt.lotFingerprint }] });
    expect(check[0].claimed).to.equal(false);
  });
});
