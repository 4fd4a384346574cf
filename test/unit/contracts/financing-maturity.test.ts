import { expect } from 'chai';
import { confirmedReceivable, IDS, receiptCommand, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

/**
 * Financing and the asset's due date, through the contracts: the bank can
 * neither approve nor disburse on or after it (every asset type), and a
 * voucher whose financing was never disbursed is settled at maturity by its
 * issuer, closing the financing as EXPIRED.
 */
/** Per asset type: the financing's due date, the day before, the asset's locked and unlocked statuses, an advance within the caps. */
const DUE_CASES = [
  { type: 'VOUCHER', due: '2026-06-30', eve: '2026-06-29', pending: 'FINANCING_PENDING', unlocked: 'ACTIVE', advance: yuan(900) },
  { type: 'RECEIVABLE', due: '2026-06-30', eve: '2026-06-29', pending: 'FINANCING_PENDING', unlocked: 'CONFIRMED', advance: yuan(900) },
  { type: 'WAREHOUSE_RECEIPT', due: '2026-03-31', eve: '2026-03-30', pending: 'PLEDGE_PENDING', unlocked: 'ACTIVE', advance: yuan(700) },
] as const;

describe('financing at the due date', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  const status = async (id: string) => (await w.h.evaluate(w.as.auditor, 'financing:Get', { id })).status as string;
  const approve = (id: string, advance = yuan(900)) => w.h.submit(w.as.bank, 'financing:Approve', { id, advanceAmount: advance, annualRateBps: 365 });
  const disburse = (id: string) => w.h.submit(w.as.bank, 'financing:Disburse', { id, paymentRef: `PAY-${id}` });

  let lot = 0;
  /** A fresh asset of the type held by tier1 and its REQUESTED financing at the bank; the asset's financing dueDate is `due`. */
  async function requested(type: 'VOUCHER' | 'RECEIVABLE' | 'WAREHOUSE_RECEIPT', due: string) {
    lot += 1;
    if (type === 'WAREHOUSE_RECEIPT') {
      const receipt = await w.h.submit(w.as.warehouse, 'warehouse:Issue', receiptCommand(`DUE-LOT-${lot}`, { valuation: yuan(1000) }));
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type, id: receipt.id }, bank: IDS.bank, requestedAmount: yuan(700), dueDate: due });
      return { assetId: receipt.id as string, fin };
    }
    const asset = type === 'VOUCHER' ? await rootVoucher(w, yuan(1000), `due-${lot}`, due) : await confirmedReceivable(w, yuan(1000), `due-${lot}`, due);
    const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type, id: asset.id }, bank: IDS.bank, requestedAmount: yuan(900) });
    return { assetId: asset.id as string, fin };
  }
  const getAsset = (type: string, id: string) =>
    w.h.evaluate(w.as.auditor, type === 'VOUCHER' ? 'voucher:Get' : type === 'RECEIVABLE' ? 'receivable:Get' : 'warehouse:Get', { id });

  describe('approval and disbursement stop at the due date', () => {
    for (const c of DUE_CASES) {
      it(`approves and disburses a ${c.type} financing the day before its due date, and refuses both on it, writing nothing`, async () => {
        const early = await requested(c.type, c.due);
        const late = await requested(c.type, c.due);
        const never = await requested(c.type, c.due);
        w.h.today = c.eve;
        expect(await approve(early.fin.id, c.advance)).to.include({ status: 'APPROVED', days: 1 });
        expect(await disburse(early.fin.id)).to.include({ status: 'DISBURSED', days: 1 });
        await approve(late.fin.id, c.advance);

        w.h.today = c.due;
        const height = await w.h.ws.height();
        const refusedDisbursement = await rejects(disburse(late.fin.id), 'BUSINESS_RULE');
        expect(refusedDisbursement.message).to.contain(`too late to disburse it on ${c.due}`);
        const refusedApproval = await rejects(approve(never.fin.id, c.advance), 'BUSINESS_RULE');
        expect(refusedApproval.message).to.contain(`too late to approve it on ${c.due}`);
        w.h.today = '2026-12-31';
        await rejects(disburse(late.fin.id), 'BUSINESS_RULE');
        await rejects(approve(never.fin.id, c.advance), 'BUSINESS_RULE');
        expect(await w.h.ws.height()).to.equal(height);
        expect([await status(late.fin.id), await status(never.fin.id)]).to.deep.equal(['APPROVED', 'REQUESTED']);
        expect((await getAsset(c.type, late.assetId)).status).to.equal(c.pending);

        // The bank may still reject what it approved: the asset goes back to its holder.
        await w.h.submit(w.as.bank, 'financing:Reject', { id: late.fin.id, reason: 'due date passed' });
        expect(await getAsset(c.type, late.assetId)).to.include({ status: c.unlocked }).and.not.to.have.property('financingId');
      });
    }

    it("refuses a checker's approval executed on the due date, though the maker asked the day before", async () => {
      await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.bank, threshold: yuan(500) });
      const { fin } = await requested('VOUCHER', '2026-06-30');
      w.h.today = '2026-06-29';
      const approval = await approve(fin.id);
      expect(approval).to.include({ docType: 'approval', status: 'PENDING' });
      w.h.today = '2026-06-30';
      expect((await rejects(w.h.submit(w.as.bankChecker, 'approval:Approve', { id: approval.id }), 'BUSINESS_RULE')).message).to.contain('too late to approve');
      expect(await status(fin.id)).to.equal('REQUESTED');
    });

    it('refuses the pledge seizure: a token advance approved before the loan falls due is neither disbursed after it nor enforced', async () => {
      const { assetId, fin } = await requested('WAREHOUSE_RECEIPT', '2026-03-31');
      w.h.today = '2026-03-30';
      await approve(fin.id, '1');
      await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id }), 'BUSINESS_RULE');
      w.h.today = '2026-04-01';
      await rejects(disburse(fin.id), 'BUSINESS_RULE');
      await rejects(w.h.submit(w.as.bank, 'warehouse:Enforce', { id: assetId }), 'INVALID_STATE');
      expect(await getAsset('WAREHOUSE_RECEIPT', assetId)).to.include({ status: 'PLEDGE_PENDING', owner: IDS.tier1 }).and.not.to.have.property('pledgee');
      expect(await status(fin.id)).to.equal('APPROVED');
    });
  });

  describe('an approved financing the bank never disbursed is the applicant\'s to withdraw from its due date', () => {
    for (const c of DUE_CASES) {
      it(`keeps an approved ${c.type} financing the bank's until ${c.due}, then lets only the applicant withdraw it and unlocks the asset`, async () => {
        const { assetId, fin } = await requested(c.type, c.due);
        w.h.today = c.eve;
        await approve(fin.id, c.advance);

        // The day before the due date the bank may still disburse: the applicant cannot take the asset back.
        let height = await w.h.ws.height();
        const early = await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: 'too slow' }), 'BUSINESS_RULE');
        expect(early.message).to.contain(`until ${c.due}, when the applicant may withdraw it`);
        expect(await w.h.ws.height()).to.equal(height);

        // From the due date the bank can no longer disburse; still only the applicant withdraws.
        w.h.today = c.due;
        height = await w.h.ws.height();
        await rejects(w.h.submit(w.as.bank, 'financing:Withdraw', { id: fin.id }), 'FORBIDDEN');
        await rejects(w.h.submit(w.as.tier2, 'financing:Withdraw', { id: fin.id }), 'NOT_FOUND');
        await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: '' }), 'VALIDATION_FAILED');
        expect(await w.h.ws.height()).to.equal(height);
        expect(await getAsset(c.type, assetId)).to.include({ status: c.pending, financingId: fin.id });

        const tx = await w.h.endorse(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: 'approved, never paid' });
        expect(tx.event?.name).to.equal('FinancingWithdrawn');
        expect(JSON.parse(Buffer.from(tx.event!.payload).toString('utf8')).changes).to.deep.equal({
          status: { from: 'APPROVED', to: 'WITHDRAWN' },
          reason: 'approved, never paid',
          assetStatus: c.unlocked,
        });
        expect((await w.h.commit([tx])).transactions[0]?.validationCode).to.equal('VALID');
        expect(JSON.parse(tx.result)).to.include({ status: 'WITHDRAWN', withdrawalReason: 'approved, never paid', advanceAmount: c.advance });
        expect(await getAsset(c.type, assetId)).to.include({ status: c.unlocked }).and.not.to.have.property('financingId');
        await rejects(disburse(fin.id), 'INVALID_STATE');
      });
    }

    it('frees a receipt so it can be pledged again, at another bank, with a new loan term', async () => {
      const { assetId, fin } = await requested('WAREHOUSE_RECEIPT', '2026-03-31');
      w.h.today = '2026-03-30';
      await approve(fin.id, yuan(700));
      w.h.today = '2026-04-02';
      await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id });
      const again = await w.h.submit(w.as.tier1, 'financing:Request', {
        asset: { type: 'WAREHOUSE_RECEIPT', id: assetId },
        bank: IDS.bank,
        requestedAmount: yuan(700),
        dueDate: '2026-09-30',
      });
      expect(again).to.include({ status: 'REQUESTED', dueDate: '2026-09-30' });
      expect(await getAsset('WAREHOUSE_RECEIPT', assetId)).to.include({ status: 'PLEDGE_PENDING', financingId: again.id });
    });
  });

  describe('an undisbursed voucher financing expires when the issuer settles at maturity', () => {
    it('lets the issuer settle a piece the bank never answered for: the holder is paid, the financing EXPIRED, the circuit breaker cleared', async () => {
      const stuck = await requested('VOUCHER', '2026-03-31');
      const other = await rootVoucher(w, yuan(1000), 'cb-other', '2026-09-01');
      const otherFin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: other.id }, bank: IDS.bank, requestedAmount: yuan(900) });

      // Before maturity the piece still waits for the bank.
      w.h.today = '2026-03-30';
      let height = await w.h.ws.height();
      expect((await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: stuck.assetId, paymentRef: 'EARLY' }), 'BUSINESS_RULE')).message).to.contain('matures on 2026-03-31');
      expect(await w.h.ws.height()).to.equal(height);

      // The day after maturity the unsettled piece is overdue and trips its issuer's circuit breaker.
      w.h.today = '2026-04-01';
      expect((await w.h.evaluate(w.as.bank, 'voucher:Provenance', { id: other.id })).verdict).to.deep.equal({ financeable: false, reasons: ['ISSUER_OVERDUE'] });
      expect((await rejects(approve(otherFin.id), 'BUSINESS_RULE')).message).to.contain('ISSUER_OVERDUE');

      // Only the issuer settles; a malformed command changes nothing.
      height = await w.h.ws.height();
      await rejects(w.h.submit(w.as.tier1, 'voucher:Settle', { id: stuck.assetId, paymentRef: 'P' }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.bank, 'voucher:Settle', { id: stuck.assetId, paymentRef: 'P' }), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: stuck.assetId }), 'VALIDATION_FAILED');
      expect(await w.h.ws.height()).to.equal(height);

      const tx = await w.h.endorse(w.as.core, 'voucher:Settle', { id: stuck.assetId, paymentRef: 'CURE-1' });
      expect(tx.event?.name).to.equal('VoucherSettled');
      const payload = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
      // The bank is named, so its event stream and webhooks tell it the request it never answered is closed.
      expect(payload.ids).to.include({ voucherId: stuck.assetId, financingId: stuck.fin.id, issuer: IDS.core, bank: IDS.bank });
      expect(payload.changes).to.include({ paidTo: IDS.tier1, paymentRef: 'CURE-1', financingStatus: 'EXPIRED' });
      await w.h.commit([tx]);

      const piece = JSON.parse(tx.result);
      expect(piece).to.include({ status: 'SETTLED', settledTo: IDS.tier1, holder: IDS.tier1, paymentRef: 'CURE-1' }).and.not.to.have.property('financingId');
      expect(await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: stuck.assetId })).to.deep.equal(piece);
      const expired = await w.h.evaluate(w.as.tier1, 'financing:Get', { id: stuck.fin.id });
      expect(expired).to.include({ status: 'EXPIRED', updatedBy: IDS.core }).and.not.to.have.property('rejectionReason');
      expect(expired.expiredAt).to.be.a('string');
      const hist = await w.h.evaluate(w.as.bank, 'financing:History', { id: stuck.fin.id });
      expect(hist.versions.map((v: { record: { status: string } }) => v.record.status)).to.deep.equal(['EXPIRED', 'REQUESTED']);
      expect((await w.h.evaluate(w.as.auditor, 'financing:List', { status: 'EXPIRED' })).records.map((f: { id: string }) => f.id)).to.deep.equal([stuck.fin.id]);

      // The closed financing cannot be acted on, and its bank no longer sees the piece.
      await rejects(approve(stuck.fin.id), 'INVALID_STATE');
      await rejects(w.h.submit(w.as.bank, 'financing:Reject', { id: stuck.fin.id, reason: 'late' }), 'INVALID_STATE');
      await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: stuck.fin.id }), 'INVALID_STATE');
      await rejects(w.h.evaluate(w.as.bank, 'voucher:Get', { id: stuck.assetId }), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: stuck.assetId, paymentRef: 'TWICE' }), 'INVALID_STATE');

      // The breaker is cleared: the issuer's other piece is financeable again and the bank approves it.
      expect((await w.h.evaluate(w.as.bank, 'voucher:Provenance', { id: other.id })).verdict).to.deep.equal({ financeable: true, reasons: [] });
      expect(await approve(otherFin.id)).to.include({ status: 'APPROVED' });
      expect(await disburse(otherFin.id)).to.include({ status: 'DISBURSED' });
    });

    it('expires an APPROVED financing the bank did not disburse, on the maturity date itself', async () => {
      const { assetId, fin } = await requested('VOUCHER', '2026-06-30');
      await approve(fin.id);
      w.h.today = '2026-06-30';
      await rejects(disburse(fin.id), 'BUSINESS_RULE');
      const settled = await w.h.submit(w.as.core, 'voucher:Settle', { id: assetId, paymentRef: 'ON-TIME' });
      expect(settled).to.include({ status: 'SETTLED', settledTo: IDS.tier1 });
      expect(await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).to.include({ status: 'EXPIRED', advanceAmount: yuan(900) });
    });

    it('pays the holder of a split piece pending financing and keeps the root conserved', async () => {
      const root = await rootVoucher(w, yuan(1000), 'expire-split', '2026-06-30');
      await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(400) });
      const fin = await w.h.submit(w.as.tier2, 'financing:Request', { asset: { type: 'VOUCHER', id: `${root.id}.1` }, bank: IDS.bank, requestedAmount: yuan(300) });
      w.h.today = '2026-06-30';
      for (const id of [`${root.id}.1`, `${root.id}.2`]) await w.h.submit(w.as.core, 'voucher:Settle', { id, paymentRef: `S-${id}` });
      expect(await w.h.evaluate(w.as.auditor, 'voucher:Get', { id: `${root.id}.1` })).to.include({ status: 'SETTLED', settledTo: IDS.tier2 });
      expect(await status(fin.id)).to.equal('EXPIRED');
      expect((await w.h.evaluate(w.as.auditor, 'receivable:Get', { id: root.receivableId })).status).to.equal('SETTLED');
    });

    it('refuses while the financing bank is frozen, changing nothing, and settles once it is unfrozen', async () => {
      const { assetId, fin } = await requested('VOUCHER', '2026-06-30');
      w.h.today = '2026-06-30';
      for (const target of [
        { type: 'MEMBER', id: IDS.bank },
        { type: 'MEMBER', id: IDS.tier1 },
        { type: 'VOUCHER', id: assetId },
      ]) {
        const freeze = await w.h.submit(w.as.operator, 'freeze:Freeze', { target, reason: 'court order' });
        const height = await w.h.ws.height();
        await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: assetId, paymentRef: 'P' }), 'FROZEN');
        expect(await w.h.ws.height()).to.equal(height);
        await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: freeze.id });
      }
      expect(await status(fin.id)).to.equal('REQUESTED');
      await w.h.submit(w.as.core, 'voucher:Settle', { id: assetId, paymentRef: 'P' });
      expect(await status(fin.id)).to.equal('EXPIRED');
    });

    it('commits only one of a settlement and a disbursement racing at the last moment', async () => {
      const { assetId, fin } = await requested('VOUCHER', '2026-06-30');
      w.h.today = '2026-06-29';
      await approve(fin.id);
      const disbursal = await w.h.endorse(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'LAST' });
      w.h.today = '2026-06-30';
      const settle = await w.h.endorse(w.as.core, 'voucher:Settle', { id: assetId, paymentRef: 'S' });
      const { transactions } = await w.h.commit([disbursal, settle]);
      expect(transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
      expect(await status(fin.id)).to.equal('DISBURSED');
      expect((await w.h.evaluate(w.as.bank, 'voucher:Get', { id: assetId })).holder).to.equal(IDS.bank);
    });
  });

  describe('receivables', () => {
    it('has no settlement of a receivable pending financing: it stays the bank\'s or applicant\'s to close', async () => {
      const { assetId, fin } = await requested('RECEIVABLE', '2026-06-30');
      w.h.today = '2026-07-01';
      await rejects(w.h.submit(w.as.core, 'receivable:Settle', { id: assetId, paymentRef: 'P' }), 'INVALID_STATE');
      expect(await status(fin.id)).to.equal('REQUESTED');
      await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id });
      expect((await w.h.evaluate(w.as.tier1, 'receivable:Get', { id: assetId })).status).to.equal('CONFIRMED');
    });
  });
});
