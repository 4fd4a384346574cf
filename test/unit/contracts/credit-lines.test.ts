import { expect } from 'chai';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import { clientIdOf, confirmedReceivable, IDS, receiptCommand, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

const BANK2 = withCheckChar('91110000MA00BK002');
const VALID_TO = '2026-12-31';

/** The line as the granter reads it. */
const line = (w: World, who: TestIdentity, id: string) => w.h.evaluate(who, 'creditLine:Get', { id });
const issuanceLine = (w: World, limit: string, extra: object = {}) =>
  w.h.submit(w.as.operator, 'creditLine:Grant', { kind: 'ISSUANCE', obligor: IDS.core, limit, validTo: VALID_TO, ...extra });
const financingLine = (w: World, obligor: string, limit: string, extra: object = {}) =>
  w.h.submit(w.as.bank, 'creditLine:Grant', { kind: 'FINANCING', obligor, limit, validTo: VALID_TO, ...extra });

/** A second bank with a maker, for "in another bank's name" and "another bank's line". */
async function secondBank(w: World): Promise<TestIdentity> {
  await w.h.submit(w.as.operator, 'member:Register', { id: BANK2, name: 'Second bank', mspId: 'BankMSP', roles: ['BANK'] });
  const maker = await makeIdentity('BankMSP', 'bank2-maker');
  await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: BANK2, mspId: 'BankMSP', identityId: clientIdOf(maker), userRole: 'MAKER' });
  return maker;
}

/** A voucher financing requested by tier1 at the bank and approved with `advance`. */
async function approvedOnVoucher(w: World, voucherId: string, advance: string) {
  const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: voucherId }, bank: IDS.bank, requestedAmount: advance });
  return w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: advance, annualRateBps: 300 });
}

describe('credit lines (授信) through the contracts', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  describe('who may grant and change a line', () => {
    it('lets the operator grant a core enterprise an issuance line and a bank grant a financing line, each readable by both parties, auditors and the operator', async () => {
      const iss = await issuanceLine(w, yuan(1_000_000), { id: 'CRL-ISS-1' });
      expect(iss).to.include({ id: 'CRL-ISS-1', kind: 'ISSUANCE', granter: IDS.operator, obligor: IDS.core, limit: yuan(1_000_000), used: '0', headroom: yuan(1_000_000), status: 'ACTIVE', currency: 'CNY', validFrom: w.h.today });
      const fin = await financingLine(w, IDS.core, yuan(500_000));
      expect(fin).to.include({ kind: 'FINANCING', granter: IDS.bank, obligor: IDS.core, status: 'ACTIVE' });
      for (const who of [w.as.operator, w.as.core, w.as.auditor]) expect((await line(w, who, 'CRL-ISS-1')).id).to.equal('CRL-ISS-1');
      for (const who of [w.as.bank, w.as.core, w.as.auditor, w.as.operator]) expect((await line(w, who, fin.id)).granter).to.equal(IDS.bank);
      await rejects(line(w, w.as.tier1, fin.id), 'NOT_FOUND');
      await rejects(line(w, w.as.bank, 'CRL-ISS-1'), 'NOT_FOUND');
    });

    it("refuses a bank granting a line in another bank's name", async () => {
      await secondBank(w);
      const err = await rejects(
        w.h.submit(w.as.bank, 'creditLine:Grant', { kind: 'FINANCING', granter: BANK2, obligor: IDS.core, limit: yuan(1_000), validTo: VALID_TO }),
        'FORBIDDEN',
      );
      expect(err.message).to.include(`in the name of ${BANK2}`);
      expect((await w.h.evaluate(w.as.operator, 'creditLine:List', { granter: BANK2 })).records).to.deep.equal([]);
    });

    it('refuses a supplier granting anything, a bank granting issuance lines and the operator granting financing lines', async () => {
      for (const kind of ['ISSUANCE', 'FINANCING']) {
        await rejects(w.h.submit(w.as.tier1, 'creditLine:Grant', { kind, obligor: IDS.core, limit: yuan(1_000), validTo: VALID_TO }), 'FORBIDDEN');
      }
      await rejects(w.h.submit(w.as.bank, 'creditLine:Grant', { kind: 'ISSUANCE', obligor: IDS.core, limit: yuan(1_000), validTo: VALID_TO }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.operator, 'creditLine:Grant', { kind: 'FINANCING', obligor: IDS.core, limit: yuan(1_000), validTo: VALID_TO }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.auditor, 'creditLine:Grant', { kind: 'FINANCING', obligor: IDS.core, limit: yuan(1_000), validTo: VALID_TO }), 'FORBIDDEN');
      expect((await w.h.evaluate(w.as.operator, 'creditLine:List', { obligor: IDS.core })).records).to.deep.equal([]);
    });

    it('refuses a financing line to a member no financing relies on (a bank, a warehouse, the auditor, the operator), changing nothing', async () => {
      await secondBank(w);
      const height = await w.h.ws.height();
      for (const obligor of [BANK2, IDS.warehouse, IDS.auditor, IDS.operator]) {
        const err = await rejects(financingLine(w, obligor, yuan(1_000)), 'BUSINESS_RULE');
        expect(err.message, obligor).to.include(`obligor ${obligor}`).and.include('is a CORE_ENTERPRISE').and.include('or a SUPPLIER');
      }
      expect(await w.h.ws.height()).to.equal(height);
      // A supplier (its pledged receipts) and a core enterprise may be obligors.
      await financingLine(w, IDS.tier2, yuan(1_000));
      await financingLine(w, IDS.core2, yuan(1_000));
    });

    it('refuses the obligor raising, suspending or closing its own line, and hides a line from other banks', async () => {
      const iss = await issuanceLine(w, yuan(1_000));
      await rejects(w.h.submit(w.as.core, 'creditLine:Adjust', { id: iss.id, limit: yuan(9_000) }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.coreChecker, 'creditLine:Reinstate', { id: iss.id }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.core, 'creditLine:Close', { id: iss.id }), 'FORBIDDEN');
      const fin = await financingLine(w, IDS.tier1, yuan(1_000));
      await rejects(w.h.submit(w.as.tier1, 'creditLine:Adjust', { id: fin.id, limit: yuan(5_000) }), 'FORBIDDEN');
      const bank2 = await secondBank(w);
      await rejects(w.h.submit(bank2, 'creditLine:Adjust', { id: fin.id, limit: yuan(5_000) }), 'NOT_FOUND');
      await rejects(w.h.submit(bank2, 'creditLine:Suspend', { id: fin.id }), 'NOT_FOUND');
      expect((await line(w, w.as.bank, fin.id)).limit).to.equal(yuan(1_000));
      expect((await line(w, w.as.operator, iss.id)).limit).to.equal(yuan(1_000));
    });

    it('makes a maker acting alone at or above the threshold record an approval that only another checker executes', async () => {
      await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.bank, threshold: yuan(100_000) });
      const approval = await financingLine(w, IDS.core, yuan(100_000), { id: 'CRL-DC-1' });
      expect(approval).to.include({ docType: 'approval', status: 'PENDING', transaction: 'creditLine:Grant', amount: yuan(100_000) });
      await rejects(line(w, w.as.bank, 'CRL-DC-1'), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.bank, 'approval:Approve', { id: approval.id }), 'FORBIDDEN');
      const done = await w.h.submit(w.as.bankChecker, 'approval:Approve', { id: approval.id });
      expect(done.result).to.include({ id: 'CRL-DC-1', limit: yuan(100_000), status: 'ACTIVE' });

      // Below the threshold a maker grants alone; raising it to the threshold is two-step again,
      // and so is reducing a line whose current limit is at or above it.
      const small = await financingLine(w, IDS.tier1, yuan(99_999));
      expect(small).to.include({ docType: 'creditLine', status: 'ACTIVE' });
      const raise = await w.h.submit(w.as.bank, 'creditLine:Adjust', { id: small.id, limit: yuan(150_000) });
      expect(raise).to.include({ docType: 'approval', transaction: 'creditLine:Adjust', amount: yuan(150_000) });
      const reduce = await w.h.submit(w.as.bank, 'creditLine:Adjust', { id: 'CRL-DC-1', limit: yuan(1_000) });
      expect(reduce).to.include({ docType: 'approval', amount: yuan(100_000) });
      expect((await line(w, w.as.bank, small.id)).limit).to.equal(yuan(99_999));
      expect((await line(w, w.as.bank, 'CRL-DC-1')).limit).to.equal(yuan(100_000));
      await w.h.submit(w.as.bankChecker, 'approval:Approve', { id: reduce.id });
      expect((await line(w, w.as.bank, 'CRL-DC-1')).limit).to.equal(yuan(1_000));
    });

    it('keeps one line per pair until it is closed, refuses lines to itself, to auditors and already expired ones', async () => {
      const first = await financingLine(w, IDS.core, yuan(1_000));
      const err = await rejects(financingLine(w, IDS.core, yuan(2_000)), 'ALREADY_EXISTS');
      expect(err.message).to.include(first.id);
      await rejects(financingLine(w, IDS.bank, yuan(1_000)), 'BUSINESS_RULE');
      await rejects(financingLine(w, IDS.auditor, yuan(1_000)), 'BUSINESS_RULE');
      await rejects(financingLine(w, IDS.core, yuan(1_000), { validFrom: '2025-01-01', validTo: '2025-12-31' }), 'BUSINESS_RULE');
      await rejects(financingLine(w, IDS.core, yuan(1_000), { validFrom: '2026-03-01', validTo: '2026-02-01' }), 'VALIDATION_FAILED');
      await rejects(issuanceLine(w, yuan(1_000), { obligor: IDS.tier1 }), 'BUSINESS_RULE');
      await w.h.submit(w.as.bank, 'creditLine:Close', { id: first.id, reason: 'relationship ended' });
      const second = await financingLine(w, IDS.core, yuan(2_000));
      expect(second.id).to.not.equal(first.id);
      const listed = await w.h.evaluate(w.as.bank, 'creditLine:List', { obligor: IDS.core });
      expect(listed.records.map((l: { id: string; status: string }) => [l.id, l.status])).to.have.deep.members([
        [first.id, 'CLOSED'],
        [second.id, 'ACTIVE'],
      ]);
    });
  });

  describe('issuance within the line', () => {
    it('reserves the root amount, refuses issuing past the headroom naming the line, and releases each piece as it is settled', async () => {
      const iss = await issuanceLine(w, yuan(1_000_000), { id: 'CRL-ISS' });
      const root = await rootVoucher(w, yuan(600_000), 'iss-1');
      expect(root.creditLineId).to.equal('CRL-ISS');
      expect((await line(w, w.as.core, iss.id)).used).to.equal(yuan(600_000));

      const rcv = await confirmedReceivable(w, yuan(500_000), 'iss-2');
      const err = await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(500_000), maturityDate: '2026-06-30' }), 'BUSINESS_RULE');
      expect(err.message).to.include('CRL-ISS').and.include(`headroom is ${yuan(400_000)}`);
      expect((await w.h.evaluate(w.as.core, 'receivable:Get', { id: rcv.id })).voucheredAmount).to.equal('0');

      const { children } = await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(200_000) });
      expect(children.map((c: { creditLineId: string }) => c.creditLineId)).to.deep.equal(['CRL-ISS', 'CRL-ISS']);
      expect((await line(w, w.as.core, iss.id)).used).to.equal(yuan(600_000));

      w.h.today = '2026-06-30';
      await w.h.submit(w.as.core, 'voucher:Settle', { id: `${root.id}.1`, paymentRef: 'PAY-1' });
      expect((await line(w, w.as.core, iss.id)).used).to.equal(yuan(400_000));
      await w.h.submit(w.as.core, 'voucher:Settle', { id: `${root.id}.2`, paymentRef: 'PAY-2' });
      expect((await line(w, w.as.core, iss.id))).to.include({ used: '0', headroom: yuan(1_000_000) });
    });

    it('refuses issuing on a suspended, expired or closed line while settlement still releases', async () => {
      const iss = await issuanceLine(w, yuan(1_000_000), { validTo: '2026-03-31' });
      const root = await rootVoucher(w, yuan(100_000), 'susp-1', '2026-03-15');
      await w.h.submit(w.as.operator, 'creditLine:Suspend', { id: iss.id, reason: 'annual review' });
      let err = await rejects(rootVoucher(w, yuan(1_000), 'susp-2'), 'BUSINESS_RULE');
      expect(err.message).to.include(`${iss.id}`).and.include('SUSPENDED');
      await w.h.submit(w.as.operator, 'creditLine:Reinstate', { id: iss.id });
      await rootVoucher(w, yuan(1_000), 'susp-3');
      w.h.today = '2026-04-01';
      err = await rejects(rootVoucher(w, yuan(1_000), 'susp-4', '2026-06-30'), 'BUSINESS_RULE');
      expect(err.message).to.include('expired on 2026-03-31');
      await w.h.submit(w.as.operator, 'creditLine:Close', { id: iss.id });
      await w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'PAY-S' });
      expect((await line(w, w.as.operator, iss.id))).to.include({ status: 'CLOSED', used: yuan(1_000) });
    });

    it('never reduces a line below its use', async () => {
      const iss = await issuanceLine(w, yuan(1_000_000));
      await rootVoucher(w, yuan(600_000), 'red-1');
      const err = await rejects(w.h.submit(w.as.operator, 'creditLine:Adjust', { id: iss.id, limit: yuan(599_999) }), 'BUSINESS_RULE');
      expect(err.message).to.include(`${yuan(600_000)} in use`);
      const reduced = await w.h.submit(w.as.operator, 'creditLine:Adjust', { id: iss.id, limit: yuan(600_000) });
      expect(reduced).to.include({ limit: yuan(600_000), used: yuan(600_000), headroom: '0' });
    });

    it('leaves an issuer without a line unlimited, as before lines existed', async () => {
      const root = await rootVoucher(w, yuan(9_000_000), 'free-1');
      expect(root).to.not.have.property('creditLineId');
    });
  });

  describe('financing within the bank\'s line', () => {
    it('reserves the advance at approval, keeps it through disbursement and releases it at settlement', async () => {
      const fl = await financingLine(w, IDS.core, yuan(500_000));
      const root = await rootVoucher(w, yuan(400_000), 'fin-1');
      const approved = await approvedOnVoucher(w, root.id, yuan(300_000));
      expect(approved.creditLineId).to.equal(fl.id);
      expect((await line(w, w.as.bank, fl.id)).used).to.equal(yuan(300_000));
      await w.h.submit(w.as.bank, 'financing:Disburse', { id: approved.id, paymentRef: 'ADV-1' });
      expect((await line(w, w.as.bank, fl.id)).used).to.equal(yuan(300_000));
      w.h.today = '2026-06-30';
      await w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'PAY-F1' });
      expect((await line(w, w.as.bank, fl.id)).used).to.equal('0');
    });

    it('refuses disbursing on a suspended, closed or expired line, changing nothing: the advance stays reserved until the bank rejects or reinstates', async () => {
      const fl = await financingLine(w, IDS.core, yuan(500_000));
      const a = await approvedOnVoucher(w, (await rootVoucher(w, yuan(400_000), 'drw-1')).id, yuan(100_000));
      const b = await approvedOnVoucher(w, (await rootVoucher(w, yuan(400_000), 'drw-2')).id, yuan(100_000));
      await w.h.submit(w.as.bank, 'creditLine:Suspend', { id: fl.id, reason: 'obligor under review' });
      let height = await w.h.ws.height();
      let err = await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: a.id, paymentRef: 'ADV-S' }), 'BUSINESS_RULE');
      expect(err.message).to.include(`CREDIT_LINE_UNAVAILABLE: credit line ${fl.id} is SUSPENDED: no disbursement`);
      expect(await w.h.ws.height()).to.equal(height);
      expect(await w.h.evaluate(w.as.bank, 'financing:Get', { id: a.id })).to.include({ status: 'APPROVED' });
      expect((await line(w, w.as.bank, fl.id)).used).to.equal(yuan(200_000));
      // Reinstated, it disburses; rejecting the other releases its reservation.
      await w.h.submit(w.as.bank, 'creditLine:Reinstate', { id: fl.id });
      expect(await w.h.submit(w.as.bank, 'financing:Disburse', { id: a.id, paymentRef: 'ADV-S' })).to.include({ status: 'DISBURSED' });
      await w.h.submit(w.as.bank, 'creditLine:Close', { id: fl.id });
      height = await w.h.ws.height();
      err = await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: b.id, paymentRef: 'ADV-C' }), 'BUSINESS_RULE');
      expect(err.message).to.include('is CLOSED: no disbursement');
      expect(await w.h.ws.height()).to.equal(height);
      await w.h.submit(w.as.bank, 'financing:Reject', { id: b.id, reason: 'line closed' });
      expect((await line(w, w.as.bank, fl.id)).used).to.equal(yuan(100_000));
    });

    it('refuses disbursing once the line has expired', async () => {
      const fl = await financingLine(w, IDS.core, yuan(500_000), { validTo: '2026-03-31' });
      const fin = await approvedOnVoucher(w, (await rootVoucher(w, yuan(400_000), 'drw-3', '2026-09-30')).id, yuan(100_000));
      w.h.today = '2026-04-01';
      const err = await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'ADV-E' }), 'BUSINESS_RULE');
      expect(err.message).to.include(`credit line ${fl.id} expired on`);
    });

    it('refuses an approval past the headroom naming the line, and releases on rejection', async () => {
      const fl = await financingLine(w, IDS.core, yuan(500_000));
      const a = await rootVoucher(w, yuan(400_000), 'fin-2a');
      const b = await rootVoucher(w, yuan(400_000), 'fin-2b');
      const first = await approvedOnVoucher(w, a.id, yuan(300_000));
      const err = await rejects(approvedOnVoucher(w, b.id, yuan(300_000)), 'BUSINESS_RULE');
      expect(err.message).to.include(fl.id).and.include(`headroom is ${yuan(200_000)}`);
      await w.h.submit(w.as.bank, 'financing:Reject', { id: first.id, reason: 'collateral' });
      expect((await line(w, w.as.bank, fl.id)).used).to.equal('0');
      const list = await w.h.evaluate(w.as.tier1, 'financing:List', { status: 'REQUESTED' });
      await w.h.submit(w.as.bank, 'financing:Approve', { id: list.records[0].id, advanceAmount: yuan(300_000), annualRateBps: 300 });
      expect((await line(w, w.as.bank, fl.id)).used).to.equal(yuan(300_000));
    });

    it("reserves a receivable's factoring on the debtor's line and a pledge on the receipt owner's line", async () => {
      const onCore = await financingLine(w, IDS.core, yuan(500_000));
      const onTier1 = await financingLine(w, IDS.tier1, yuan(2_000_000));
      const rcv = await confirmedReceivable(w, yuan(100_000), 'fac-1');
      const f1 = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'RECEIVABLE', id: rcv.id }, bank: IDS.bank, requestedAmount: yuan(90_000) });
      await w.h.submit(w.as.bank, 'financing:Approve', { id: f1.id, advanceAmount: yuan(90_000), annualRateBps: 300 });
      expect((await line(w, w.as.bank, onCore.id)).used).to.equal(yuan(90_000));

      const receipt = await w.h.submit(w.as.warehouse, 'warehouse:Issue', receiptCommand('LOT-CRL-1'), { documents: [] });
      const f2 = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'WAREHOUSE_RECEIPT', id: receipt.id }, bank: IDS.bank, requestedAmount: yuan(1_000_000), dueDate: '2026-04-30' });
      await w.h.submit(w.as.bank, 'financing:Approve', { id: f2.id, advanceAmount: yuan(1_000_000), annualRateBps: 400 });
      expect((await line(w, w.as.bank, onTier1.id)).used).to.equal(yuan(1_000_000));
      await w.h.submit(w.as.bank, 'financing:Disburse', { id: f2.id, paymentRef: 'ADV-P' });
      await w.h.submit(w.as.bank, 'financing:Repay', { id: f2.id, paymentRef: 'REP-P' });
      expect((await line(w, w.as.bank, onTier1.id)).used).to.equal('0');
    });

    it("reports the asking bank's missing headroom in the provenance verdict", async () => {
      const fl = await financingLine(w, IDS.core, yuan(100_000));
      const root = await rootVoucher(w, yuan(400_000), 'prov-1');
      // The bank reads the piece's provenance once it is asked to finance it.
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: root.id }, bank: IDS.bank, requestedAmount: yuan(300_000) });
      const provenance = () => w.h.evaluate(w.as.bank, 'voucher:Provenance', { id: root.id });
      const verdict = async () => (await provenance()).verdict;
      expect(await verdict()).to.deep.equal({ financeable: false, reasons: ['CREDIT_LINE_EXCEEDED'] });
      // The whole piece is beyond the line, an advance up to its headroom is not.
      expect((await provenance()).creditLine).to.deep.equal({ id: fl.id, status: 'ACTIVE', limit: yuan(100_000), used: '0', headroom: yuan(100_000), advanceWithin: yuan(100_000) });
      await w.h.submit(w.as.bank, 'creditLine:Adjust', { id: fl.id, limit: yuan(400_000) });
      expect(await verdict()).to.deep.equal({ financeable: true, reasons: [] });
      // Its own approval's reservation counts as headroom for this piece: that is the request it decided.
      await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(300_000), annualRateBps: 300 });
      expect((await line(w, w.as.bank, fl.id)).headroom).to.equal(yuan(100_000));
      expect(await verdict()).to.deep.equal({ financeable: true, reasons: [] });
      // Never more than the piece: 100,000 of headroom and its own 300,000 on a piece of 400,000.
      expect((await provenance()).creditLine).to.include({ used: yuan(300_000), headroom: yuan(100_000), advanceWithin: yuan(400_000) });
      await w.h.submit(w.as.bank, 'creditLine:Adjust', { id: fl.id, limit: yuan(1_000_000) });
      expect((await provenance()).creditLine).to.include({ headroom: yuan(700_000), advanceWithin: yuan(400_000) });
      await w.h.submit(w.as.bank, 'creditLine:Suspend', { id: fl.id });
      expect(await verdict()).to.deep.equal({ financeable: false, reasons: ['CREDIT_LINE_UNAVAILABLE'] });
      expect((await provenance()).creditLine).to.include({ status: 'SUSPENDED', advanceWithin: '0' });
      // Anyone but the bank whose line it is sees no line.
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Provenance', { id: root.id })).creditLine).to.equal(undefined);
    });
  });
});
