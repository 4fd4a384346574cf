import { expect } from 'chai';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import { clientIdOf, confirmedReceivable, IDS, receiptCommand, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

const BANK2 = withCheckChar('91110000MA00BK002');

/** world() registers one bank; some tests need a second. */
async function registerSecondBank(w: World): Promise<TestIdentity> {
  await w.h.submit(w.as.operator, 'member:Register', { id: BANK2, name: 'Second bank', mspId: 'BankMSP', roles: ['BANK'] });
  const identity = await makeIdentity('BankMSP', 'bank2-maker');
  await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: BANK2, mspId: 'BankMSP', identityId: clientIdOf(identity), userRole: 'MAKER' });
  return identity;
}

const onVoucher = (id: string, extra: object = {}) => ({ asset: { type: 'VOUCHER', id }, bank: IDS.bank, requestedAmount: yuan(900), ...extra });

describe('financing contract', () => {
  let w: World;
  let bank2: TestIdentity;
  beforeEach(async () => {
    w = await world();
    bank2 = await registerSecondBank(w);
  });

  describe('Request', () => {
    it('locks a voucher piece naming the financing and emits FinancingRequested', async () => {
      const root = await rootVoucher(w, yuan(1000), 'req-v');
      const tx = await w.h.endorse(w.as.tier1, 'financing:Request', onVoucher(root.id, { id: 'FIN-V1' }));
      expect(tx.event?.name).to.equal('FinancingRequested');
      const payload = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
      expect(payload.ids).to.deep.equal({ financingId: 'FIN-V1', assetType: 'VOUCHER', assetId: root.id, applicant: IDS.tier1, bank: IDS.bank });
      expect(payload.changes).to.include({ status: 'REQUESTED', assetStatus: 'FINANCING_PENDING' });
      await w.h.commit([tx]);
      expect(await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).to.include({ status: 'FINANCING_PENDING', financingId: 'FIN-V1' });
      // A locked piece cannot move.
      await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) }), 'INVALID_STATE');
      await rejects(w.h.submit(w.as.tier1, 'voucher:Split', { id: root.id, amounts: [yuan(500), yuan(500)] }), 'INVALID_STATE');
    });

    it('locks a confirmed receivable that backs no voucher, and a factored one cannot back a voucher', async () => {
      const rcv = await confirmedReceivable(w, yuan(1000), 'req-r');
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'RECEIVABLE', id: rcv.id }, bank: IDS.bank, requestedAmount: yuan(900) });
      expect(fin).to.include({ status: 'REQUESTED', dueDate: rcv.dueDate, faceAmount: yuan(1000) });
      expect(await w.h.evaluate(w.as.tier1, 'receivable:Get', { id: rcv.id })).to.include({ status: 'FINANCING_PENDING', financingId: fin.id });
      const err = await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(100), maturityDate: '2026-06-30' }), 'DOUBLE_FINANCING');
      expect(err.message).to.contain(fin.id);
    });

    it('refuses a receivable that already backs a voucher with DOUBLE_FINANCING', async () => {
      const rcv = await confirmedReceivable(w, yuan(1000), 'req-r2');
      await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(400), maturityDate: '2026-06-30' });
      const err = await rejects(w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'RECEIVABLE', id: rcv.id }, bank: IDS.bank, requestedAmount: yuan(100) }), 'DOUBLE_FINANCING');
      expect(err.message).to.contain('backs vouchers');
    });

    it('lets the holder, and no one else, ask; non-parties cannot see the piece', async () => {
      const root = await rootVoucher(w, yuan(1000), 'req-roles');
      await rejects(w.h.submit(w.as.core, 'financing:Request', onVoucher(root.id)), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.auditor, 'financing:Request', onVoucher(root.id)), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.operator, 'financing:Request', onVoucher(root.id)), 'FORBIDDEN');
      for (const who of ['tier2', 'tier3', 'bank', 'core2', 'warehouse'] as const) {
        await rejects(w.h.submit(w.as[who], 'financing:Request', onVoucher(root.id)), 'NOT_FOUND');
      }
      await rejects(w.h.submit(w.as.outsider, 'financing:Request', onVoucher(root.id)), 'FORBIDDEN');
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).status).to.equal('ACTIVE');
    });

    it('rejects malformed commands with VALIDATION_FAILED and writes nothing', async () => {
      const root = await rootVoucher(w, yuan(1000), 'req-bad');
      const height = await w.h.ws.height();
      const bad: object[] = [
        { asset: { type: 'VOUCHER', id: root.id }, bank: IDS.bank },
        { ...onVoucher(root.id), requestedAmount: 900 },
        { ...onVoucher(root.id), requestedAmount: '9.00' },
        { ...onVoucher(root.id), bank: 'BANK-1' },
        { ...onVoucher(root.id), asset: { type: 'BOND', id: root.id } },
        { ...onVoucher(root.id), dueDate: '2026/06/30' },
        { ...onVoucher(root.id), dueDate: '2026-05-31' },
        { ...onVoucher(root.id), advanceAmount: yuan(1) },
        { ...onVoucher(root.id), id: 'not an id' },
      ];
      for (const cmd of bad) await rejects(w.h.submit(w.as.tier1, 'financing:Request', cmd), 'VALIDATION_FAILED');
      expect(await w.h.ws.height()).to.equal(height);
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).status).to.equal('ACTIVE');
    });

    it('refuses an unknown bank (NOT_FOUND), a member that is not a bank, more than the face, and a taken id', async () => {
      const root = await rootVoucher(w, yuan(1000), 'req-rules');
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id, { bank: withCheckChar('91110000MA00BK009') })), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id, { bank: IDS.core })), 'BUSINESS_RULE');
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id, { requestedAmount: yuan(1001) })), 'BUSINESS_RULE');
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id, { id: 'FIN-TAKEN' }));
      const other = await rootVoucher(w, yuan(1000), 'req-rules-2');
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', onVoucher(other.id, { id: fin.id })), 'ALREADY_EXISTS');
    });

    it('commits only one of two racing requests on the same piece', async () => {
      const root = await rootVoucher(w, yuan(1000), 'req-race');
      const a = await w.h.endorse(w.as.tier1, 'financing:Request', onVoucher(root.id));
      const b = await w.h.endorse(w.as.tier1, 'financing:Request', onVoucher(root.id, { bank: BANK2, id: 'FIN-RACE-B' }));
      const { transactions } = await w.h.commit([a, b]);
      expect(transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
      expect(await w.h.committed('FIN', ['FIN-RACE-B'])).to.equal(undefined);
      const piece = await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id });
      expect(piece.financingId).to.equal(JSON.parse(a.result).id);
    });

    it('returns the first result for a repeated requestId and acts once', async () => {
      const root = await rootVoucher(w, yuan(1000), 'req-once');
      const first = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id, { requestId: 'fin-42' }));
      const again = await w.h.endorse(w.as.tier1, 'financing:Request', onVoucher(root.id, { requestId: 'fin-42' }));
      expect(JSON.parse(again.result)).to.deep.equal(first);
      expect(again.rwset.writes).to.deep.equal([]);
    });
  });

  describe('Approve, Reject, Disburse', () => {
    async function requested(label: string) {
      const root = await rootVoucher(w, yuan(1000), label);
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id));
      return { root, fin };
    }

    it('lets only the named bank decide: the applicant and auditor are FORBIDDEN, other members cannot see it', async () => {
      const { fin } = await requested('dec-roles');
      const commands: [string, object][] = [
        ['financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 500 }],
        ['financing:Reject', { id: fin.id, reason: 'x' }],
        ['financing:Disburse', { id: fin.id, paymentRef: 'P' }],
        ['financing:Repay', { id: fin.id, paymentRef: 'P' }],
      ];
      for (const [name, shaped] of commands) {
        await rejects(w.h.submit(w.as.tier1, name, shaped), 'FORBIDDEN');
        await rejects(w.h.submit(w.as.auditor, name, shaped), 'FORBIDDEN');
        await rejects(w.h.submit(w.as.operator, name, shaped), 'FORBIDDEN');
        await rejects(w.h.submit(bank2, name, shaped), 'NOT_FOUND');
        await rejects(w.h.submit(w.as.tier2, name, shaped), 'NOT_FOUND');
        await rejects(w.h.submit(w.as.core, name, shaped), 'NOT_FOUND');
      }
      expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).status).to.equal('REQUESTED');
    });

    it('approves, disburses (the bank becomes the holder) and records every step in the history', async () => {
      const { root, fin } = await requested('dec-flow');
      await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'EARLY' }), 'INVALID_STATE');
      const approveTx = await w.h.endorse(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 365 });
      expect(approveTx.event?.name).to.equal('FinancingApproved');
      await w.h.commit([approveTx]);
      await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 365 }), 'INVALID_STATE');
      w.h.today = '2026-01-10';
      const tx = await w.h.endorse(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'PAY-1' });
      expect(tx.event?.name).to.equal('FinancingDisbursed');
      await w.h.commit([tx]);
      // 171 days from 2026-01-10 to 2026-06-30: 100,000 × 365 × 171 / 3,600,000 = 1,733.75 → 1,734; fee 1.8% of 90,000 = 1,620.
      expect(JSON.parse(tx.result)).to.include({ status: 'DISBURSED', days: 171, discount: '1734', fee: '1620', advanceAmount: yuan(900) });
      const piece = await w.h.evaluate(w.as.bank, 'voucher:Get', { id: root.id });
      expect(piece).to.include({ status: 'FINANCED', holder: IDS.bank, tier: 0 });
      await rejects(w.h.submit(w.as.bank, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id, reason: 'too late' }), 'INVALID_STATE');
      await rejects(w.h.submit(w.as.bank, 'financing:Repay', { id: fin.id, paymentRef: 'R' }), 'BUSINESS_RULE');
      const hist = await w.h.evaluate(w.as.tier1, 'financing:History', { id: fin.id });
      expect(hist.versions.map((v: { record: { status: string } }) => v.record.status)).to.deep.equal(['DISBURSED', 'APPROVED', 'REQUESTED']);
    });

    it('rejects from REQUESTED or APPROVED, unlocking the asset for a new request', async () => {
      const { root, fin } = await requested('dec-reject');
      await rejects(w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id }), 'VALIDATION_FAILED');
      const rejected = await w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id, reason: 'limit exhausted' });
      expect(rejected).to.include({ status: 'REJECTED', rejectionReason: 'limit exhausted' });
      expect(await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).to.include({ status: 'ACTIVE' }).and.not.to.have.property('financingId');
      // The bank of a rejected request no longer sees the piece.
      await rejects(w.h.evaluate(w.as.bank, 'voucher:Get', { id: root.id }), 'NOT_FOUND');

      const next = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id, { bank: BANK2 }));
      await w.h.submit(bank2, 'financing:Approve', { id: next.id, advanceAmount: yuan(800), annualRateBps: 400 });
      await w.h.submit(bank2, 'financing:Reject', { id: next.id, reason: 'changed our mind' });
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).status).to.equal('ACTIVE');
      await rejects(w.h.submit(bank2, 'financing:Disburse', { id: next.id, paymentRef: 'P' }), 'INVALID_STATE');
    });

    it('refuses an advance above the request or one that would cost more than the face', async () => {
      const { fin } = await requested('dec-caps');
      await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(901), annualRateBps: 100 }), 'BUSINESS_RULE');
      const err = await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 10_000 }), 'BUSINESS_RULE');
      expect(err.message).to.contain('exceeds the face amount');
      await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 10_001 }), 'VALIDATION_FAILED');
      await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: '500' }), 'VALIDATION_FAILED');
      expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).status).to.equal('REQUESTED');
    });

    it('trips the circuit breaker while the issuer has an overdue voucher, and resets once it pays', async () => {
      const late = await rootVoucher(w, yuan(100), 'cb-late', '2026-02-01');
      const other = await rootVoucher(w, yuan(1000), 'cb-other', '2026-09-01');
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(other.id));
      await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 100 });
      const fin2Root = await rootVoucher(w, yuan(1000), 'cb-third', '2026-09-01');
      const fin2 = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(fin2Root.id));
      w.h.today = '2026-02-02';
      const prov = await w.h.evaluate(w.as.bank, 'voucher:Provenance', { id: fin2Root.id });
      expect(prov.verdict.reasons).to.deep.equal(['ISSUER_OVERDUE']);
      const err = await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin2.id, advanceAmount: yuan(900), annualRateBps: 100 }), 'BUSINESS_RULE');
      expect(err.message).to.contain('ISSUER_OVERDUE');
      await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'P' }), 'BUSINESS_RULE');
      await w.h.submit(w.as.core, 'voucher:Settle', { id: late.id, paymentRef: 'CURE' });
      await w.h.submit(w.as.bank, 'financing:Approve', { id: fin2.id, advanceAmount: yuan(900), annualRateBps: 100 });
      expect((await w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'P' })).status).to.equal('DISBURSED');
    });

    it('turns an approval at or above the bank threshold into a checker approval; a rejected approval leaves the financing REQUESTED', async () => {
      await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.bank, threshold: yuan(500) });
      const { fin } = await requested('dec-dual');
      const small = await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: String(50_000 - 1), annualRateBps: 100 });
      expect(small.docType).to.equal('financing');
      const { fin: fin2 } = await requested('dec-dual-2');
      await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin2.id, advanceAmount: yuan(901), annualRateBps: 100 }), 'BUSINESS_RULE');
      const approval = await w.h.submit(w.as.bank, 'financing:Approve', { id: fin2.id, advanceAmount: yuan(500), annualRateBps: 100 });
      expect(approval).to.include({ docType: 'approval', status: 'PENDING', transaction: 'financing:Approve' });
      await w.h.submit(w.as.bankChecker, 'approval:Reject', { id: approval.id, reason: 'rate too low' });
      expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin2.id })).status).to.equal('REQUESTED');
    });
  });

  describe('Withdraw', () => {
    async function requested(label: string) {
      const root = await rootVoucher(w, yuan(1000), label);
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id));
      return { root, fin };
    }
    const status = async (id: string) => (await w.h.evaluate(w.as.auditor, 'financing:Get', { id })).status as string;

    it('lets the applicant withdraw a request: WITHDRAWN, FinancingWithdrawn emitted, the piece unlocked and financeable again', async () => {
      const { root, fin } = await requested('wd-flow');
      const tx = await w.h.endorse(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: 'the bank never answered' });
      expect(tx.event?.name).to.equal('FinancingWithdrawn');
      const payload = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
      expect(payload.ids).to.deep.equal({ financingId: fin.id, assetType: 'VOUCHER', assetId: root.id, applicant: IDS.tier1, bank: IDS.bank });
      expect(payload.actor).to.include({ memberId: IDS.tier1, mspId: 'PlatformMSP' });
      expect(payload.changes).to.deep.equal({ status: { from: 'REQUESTED', to: 'WITHDRAWN' }, reason: 'the bank never answered', assetStatus: 'ACTIVE' });
      await w.h.commit([tx]);
      const withdrawn = JSON.parse(tx.result);
      expect(withdrawn).to.include({ id: fin.id, status: 'WITHDRAWN', withdrawalReason: 'the bank never answered', updatedBy: IDS.tier1 });
      expect(withdrawn.withdrawnAt).to.be.a('string');
      expect(await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).to.deep.equal(withdrawn);
      expect(await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).to.include({ status: 'ACTIVE' }).and.not.to.have.property('financingId');
      // The bank of a withdrawn request no longer sees the piece, and can no longer act on the financing.
      await rejects(w.h.evaluate(w.as.bank, 'voucher:Get', { id: root.id }), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 100 }), 'INVALID_STATE');
      await rejects(w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id, reason: 'late' }), 'INVALID_STATE');
      const prov = await w.h.evaluate(w.as.tier1, 'voucher:Provenance', { id: root.id });
      expect(prov.encumbrances).to.deep.equal([]);

      const next = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id, { bank: BANK2 }));
      expect(await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).to.include({ status: 'FINANCING_PENDING', financingId: next.id });
      const hist = await w.h.evaluate(w.as.tier1, 'financing:History', { id: fin.id });
      expect(hist.versions.map((v: { record: { status: string } }) => v.record.status)).to.deep.equal(['WITHDRAWN', 'REQUESTED']);
      const listed = await w.h.evaluate(w.as.auditor, 'financing:List', { status: 'WITHDRAWN' });
      expect(listed.records.map((f: { id: string }) => f.id)).to.deep.equal([fin.id]);
    });

    it('unlocks a receivable (CONFIRMED, free to back a voucher) and a receipt (ACTIVE, free to transfer); no reason is needed', async () => {
      const rcv = await confirmedReceivable(w, yuan(1000), 'wd-rcv');
      const rf = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'RECEIVABLE', id: rcv.id }, bank: IDS.bank, requestedAmount: yuan(900) });
      const out = await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: rf.id });
      expect(out).to.include({ status: 'WITHDRAWN' }).and.not.to.have.property('withdrawalReason');
      expect(await w.h.evaluate(w.as.tier1, 'receivable:Get', { id: rcv.id })).to.include({ status: 'CONFIRMED' }).and.not.to.have.property('financingId');
      expect((await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(100), maturityDate: '2026-06-30' })).status).to.equal('ACTIVE');

      const receipt = await w.h.submit(w.as.warehouse, 'warehouse:Issue', receiptCommand('WD-LOT-1'));
      const pf = await w.h.submit(w.as.tier1, 'financing:Request', {
        asset: { type: 'WAREHOUSE_RECEIPT', id: receipt.id },
        bank: IDS.bank,
        requestedAmount: yuan(2_000_000),
        dueDate: '2026-03-31',
      });
      expect((await w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: receipt.id })).status).to.equal('PLEDGE_PENDING');
      await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: pf.id, reason: 'found cheaper credit' });
      expect(await w.h.evaluate(w.as.tier1, 'warehouse:Get', { id: receipt.id })).to.include({ status: 'ACTIVE' }).and.not.to.have.property('financingId');
      expect((await w.h.submit(w.as.tier1, 'warehouse:Transfer', { id: receipt.id, to: IDS.tier2 })).owner).to.equal(IDS.tier2);
    });

    it('lets only the applicant withdraw: its bank, auditors and operators are FORBIDDEN, other members cannot see it', async () => {
      const { root, fin } = await requested('wd-roles');
      const height = await w.h.ws.height();
      const cmd = { id: fin.id, reason: 'not yours' };
      for (const who of ['bank', 'bankChecker', 'auditor', 'operator'] as const) await rejects(w.h.submit(w.as[who], 'financing:Withdraw', cmd), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.outsider, 'financing:Withdraw', cmd), 'FORBIDDEN');
      for (const who of ['tier2', 'tier3', 'core', 'warehouse'] as const) await rejects(w.h.submit(w.as[who], 'financing:Withdraw', cmd), 'NOT_FOUND');
      await rejects(w.h.submit(bank2, 'financing:Withdraw', cmd), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: 'FIN-NOPE' }), 'NOT_FOUND');
      expect(await w.h.ws.height()).to.equal(height);
      expect(await status(fin.id)).to.equal('REQUESTED');
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).status).to.equal('FINANCING_PENDING');
    });

    it('refuses an approved financing before its due date (BUSINESS_RULE), and once disbursed or rejected, and a second withdrawal, with INVALID_STATE naming the state', async () => {
      const approved = await requested('wd-approved');
      await w.h.submit(w.as.bank, 'financing:Approve', { id: approved.fin.id, advanceAmount: yuan(900), annualRateBps: 100 });
      const height = await w.h.ws.height();
      // Approved on 2026-01-05, due months later: the bank has 10 days.
      expect((await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: approved.fin.id }), 'BUSINESS_RULE')).message).to.contain(
        `on 2026-01-05: it is the bank's to disburse or reject until 2026-01-15, when the applicant may withdraw it`,
      );
      expect(await w.h.ws.height()).to.equal(height);
      expect(await status(approved.fin.id)).to.equal('APPROVED');
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: approved.root.id })).status).to.equal('FINANCING_PENDING');
      await w.h.submit(w.as.bank, 'financing:Disburse', { id: approved.fin.id, paymentRef: 'P' });
      expect((await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: approved.fin.id }), 'INVALID_STATE')).message).to.contain('DISBURSED');

      const rejected = await requested('wd-rejected');
      await w.h.submit(w.as.bank, 'financing:Reject', { id: rejected.fin.id, reason: 'no' });
      expect((await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: rejected.fin.id }), 'INVALID_STATE')).message).to.contain('REJECTED');

      const twice = await requested('wd-twice');
      await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: twice.fin.id });
      expect((await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: twice.fin.id }), 'INVALID_STATE')).message).to.contain('WITHDRAWN');
    });

    it('refuses while the piece, the applicant or the bank is frozen, changing nothing', async () => {
      const { root, fin } = await requested('wd-frozen');
      for (const target of [
        { type: 'VOUCHER', id: root.id },
        { type: 'MEMBER', id: IDS.tier1 },
        { type: 'MEMBER', id: IDS.bank },
      ]) {
        const freeze = await w.h.submit(w.as.operator, 'freeze:Freeze', { target, reason: 'court order' });
        const height = await w.h.ws.height();
        await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id }), 'FROZEN');
        expect(await w.h.ws.height()).to.equal(height);
        await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: freeze.id });
      }
      expect(await status(fin.id)).to.equal('REQUESTED');
      expect((await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id })).status).to.equal('WITHDRAWN');
    });

    it('refuses a piece whose ancestor is frozen', async () => {
      const root = await rootVoucher(w, yuan(1000), 'wd-frozen-parent');
      await w.h.submit(w.as.tier1, 'voucher:Split', { id: root.id, amounts: [yuan(400), yuan(600)] });
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(`${root.id}.1`, { requestedAmount: yuan(300) }));
      await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: 'court order' });
      await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id }), 'FROZEN');
      expect(await status(fin.id)).to.equal('REQUESTED');
    });

    it('rejects malformed commands with VALIDATION_FAILED and writes nothing', async () => {
      const { root, fin } = await requested('wd-bad');
      const height = await w.h.ws.height();
      const bad: object[] = [
        {},
        { id: 'not an id' },
        { id: fin.id, reason: '' },
        { id: fin.id, reason: '   ' },
        { id: fin.id, reason: 'x'.repeat(501) },
        { id: fin.id, reason: 42 },
        { id: fin.id, requestId: 'bad request id' },
        { id: fin.id, bank: IDS.bank },
      ];
      for (const cmd of bad) await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', cmd), 'VALIDATION_FAILED');
      expect(await w.h.ws.height()).to.equal(height);
      expect(await status(fin.id)).to.equal('REQUESTED');
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).status).to.equal('FINANCING_PENDING');
    });

    it('returns the first result for a repeated requestId and acts once', async () => {
      const { fin } = await requested('wd-once');
      const first = await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: 'r', requestId: 'wd-1' });
      const again = await w.h.endorse(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: 'r', requestId: 'wd-1' });
      expect(JSON.parse(again.result)).to.deep.equal(first);
      expect(again.rwset.writes).to.deep.equal([]);
    });

    it('commits only one of a withdrawal and an approval racing on the same request', async () => {
      const { root, fin } = await requested('wd-race');
      const withdraw = await w.h.endorse(w.as.tier1, 'financing:Withdraw', { id: fin.id });
      const approve = await w.h.endorse(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 100 });
      const { transactions } = await w.h.commit([approve, withdraw]);
      expect(transactions.map((t) => t.validationCode)).to.deep.equal(['VALID', 'MVCC_READ_CONFLICT']);
      expect(await status(fin.id)).to.equal('APPROVED');
      expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).status).to.equal('FINANCING_PENDING');
    });

    it("leaves a checker's pending approval of a withdrawn request unable to execute (INVALID_STATE)", async () => {
      await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.bank, threshold: yuan(500) });
      const { fin } = await requested('wd-dual');
      const approval = await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(800), annualRateBps: 100 });
      expect(approval).to.include({ docType: 'approval', status: 'PENDING' });
      await w.h.submit(w.as.tier1, 'financing:Withdraw', { id: fin.id, reason: 'waited too long' });
      await rejects(w.h.submit(w.as.bankChecker, 'approval:Approve', { id: approval.id }), 'INVALID_STATE');
      expect(await status(fin.id)).to.equal('WITHDRAWN');
    });
  });

  describe('receivable factoring', () => {
    it('assigns the receivable to the bank and pays the bank when the debtor settles', async () => {
      const rcv = await confirmedReceivable(w, yuan(1000), 'fac-1', '2026-03-31');
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'RECEIVABLE', id: rcv.id }, bank: IDS.bank, requestedAmount: yuan(950) });
      // The bank of a live request reads the receivable.
      expect((await w.h.evaluate(w.as.bank, 'receivable:Get', { id: rcv.id })).status).to.equal('FINANCING_PENDING');
      await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(950), annualRateBps: 600 });
      await w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'FAC-PAY' });
      expect(await w.h.evaluate(w.as.bank, 'receivable:Get', { id: rcv.id })).to.include({ status: 'FINANCED', assignee: IDS.bank, creditor: IDS.tier1 });
      await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(100), maturityDate: '2026-06-30' }), 'DOUBLE_FINANCING');
      await rejects(w.h.submit(w.as.core, 'receivable:Settle', { id: rcv.id, paymentRef: 'EARLY' }), 'BUSINESS_RULE');
      w.h.today = '2026-03-31';
      await rejects(w.h.submit(w.as.tier1, 'receivable:Settle', { id: rcv.id, paymentRef: 'X' }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.bank, 'receivable:Settle', { id: rcv.id, paymentRef: 'X' }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as.core2, 'receivable:Settle', { id: rcv.id, paymentRef: 'X' }), 'NOT_FOUND');
      await rejects(w.h.submit(w.as.core, 'receivable:Settle', { id: rcv.id }), 'VALIDATION_FAILED');
      const tx = await w.h.endorse(w.as.core, 'receivable:Settle', { id: rcv.id, paymentRef: 'DEBTOR-PAY' });
      expect(tx.event?.name).to.equal('ReceivableSettled');
      expect(JSON.parse(Buffer.from(tx.event!.payload).toString('utf8')).ids).to.deep.equal({
        receivableId: rcv.id,
        creditor: IDS.tier1,
        debtor: IDS.core,
        financingId: fin.id,
        bank: IDS.bank,
      });
      await w.h.commit([tx]);
      expect(JSON.parse(tx.result)).to.include({ status: 'SETTLED', settledTo: IDS.bank, settledAmount: yuan(1000), paymentRef: 'DEBTOR-PAY' });
      expect(await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).to.include({ status: 'REPAID', repaymentRef: 'DEBTOR-PAY' });
      await rejects(w.h.submit(w.as.core, 'receivable:Settle', { id: rcv.id, paymentRef: 'TWICE' }), 'INVALID_STATE');
    });

    it('refuses to settle a receivable that was never factored', async () => {
      const rcv = await confirmedReceivable(w, yuan(1000), 'fac-2', '2026-01-05');
      await rejects(w.h.submit(w.as.core, 'receivable:Settle', { id: rcv.id, paymentRef: 'P' }), 'INVALID_STATE');
    });
  });

  describe('reads', () => {
    it('shows a financing to its applicant, bank, auditors and operators; NOT_FOUND to others', async () => {
      const root = await rootVoucher(w, yuan(1000), 'read-1');
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id));
      for (const who of ['tier1', 'bank', 'bankChecker', 'auditor', 'operator'] as const) {
        expect((await w.h.evaluate(w.as[who], 'financing:Get', { id: fin.id })).id).to.equal(fin.id);
      }
      for (const who of ['tier2', 'core', 'warehouse'] as const) {
        await rejects(w.h.evaluate(w.as[who], 'financing:Get', { id: fin.id }), 'NOT_FOUND');
        await rejects(w.h.evaluate(w.as[who], 'financing:History', { id: fin.id }), 'NOT_FOUND');
      }
      await rejects(w.h.evaluate(bank2, 'financing:Get', { id: fin.id }), 'NOT_FOUND');
      await rejects(w.h.evaluate(w.as.tier1, 'financing:Get', { id: 'FIN-NOPE' }), 'NOT_FOUND');
    });

    it('lists by applicant, bank and status with bookmarks; a member sees only its own', async () => {
      const ids: string[] = [];
      for (const label of ['l-1', 'l-2', 'l-3']) {
        const root = await rootVoucher(w, yuan(1000), label);
        ids.push((await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id))).id);
      }
      const rcv = await confirmedReceivable(w, yuan(1000), 'l-4');
      const atBank2 = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'RECEIVABLE', id: rcv.id }, bank: BANK2, requestedAmount: yuan(1) });
      await w.h.submit(w.as.bank, 'financing:Reject', { id: ids[0], reason: 'no' });

      const page1 = await w.h.evaluate(w.as.bank, 'financing:List', { bank: IDS.bank, pageSize: 2 });
      expect(page1.records).to.have.length(2);
      const page2 = await w.h.evaluate(w.as.bank, 'financing:List', { bank: IDS.bank, pageSize: 2, bookmark: page1.bookmark });
      expect([...page1.records, ...page2.records].map((f: { id: string }) => f.id).sort()).to.deep.equal([...ids].sort());
      const requestedOnly = await w.h.evaluate(w.as.bank, 'financing:List', { bank: IDS.bank, status: 'REQUESTED' });
      expect(requestedOnly.records.map((f: { id: string }) => f.id).sort()).to.deep.equal([ids[1], ids[2]].sort());
      const mine = await w.h.evaluate(w.as.tier1, 'financing:List', {});
      expect(mine.records).to.have.length(4);
      const bank2View = await w.h.evaluate(bank2, 'financing:List', {});
      expect(bank2View.records.map((f: { id: string }) => f.id)).to.deep.equal([atBank2.id]);
      const peek = await w.h.evaluate(bank2, 'financing:List', { applicant: IDS.tier1 });
      expect(peek.records.map((f: { id: string }) => f.id)).to.deep.equal([atBank2.id]);
      const rejected = await w.h.evaluate(w.as.auditor, 'financing:List', { status: 'REJECTED' });
      expect(rejected.records.map((f: { id: string }) => f.id)).to.deep.equal([ids[0]]);
      await rejects(w.h.evaluate(w.as.auditor, 'financing:List', {}), 'VALIDATION_FAILED');
      await rejects(w.h.evaluate(w.as.auditor, 'financing:List', { status: 'DONE' }), 'VALIDATION_FAILED');
    });

    it('lists a live financing in the provenance: financeable for its bank, ALREADY_FINANCED for everyone else', async () => {
      const root = await rootVoucher(w, yuan(1000), 'prov-1');
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id));
      const forBank = await w.h.evaluate(w.as.bank, 'voucher:Provenance', { id: root.id });
      expect(forBank.verdict).to.deep.equal({ financeable: true, reasons: [] });
      expect(forBank.encumbrances.map((e: { id: string }) => e.id)).to.deep.equal([fin.id]);
      for (const who of ['tier1', 'auditor'] as const) {
        const p = await w.h.evaluate(w.as[who], 'voucher:Provenance', { id: root.id });
        expect(p.verdict).to.deep.equal({ financeable: false, reasons: ['ALREADY_FINANCED'] });
      }
      await rejects(w.h.evaluate(bank2, 'voucher:Provenance', { id: root.id }), 'NOT_FOUND');
      await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: 'court order 7' });
      const frozen = await w.h.evaluate(w.as.bank, 'voucher:Provenance', { id: root.id });
      expect(frozen.verdict.reasons).to.deep.equal(['FROZEN']);
      // The bank learns the piece is frozen, not who ordered it or when (GET /freezes/:id is 404 to it); an auditor does.
      expect(frozen.encumbrances.map((e: { type: string; party?: string; txId?: string }) => [e.type, e.party, e.txId])).to.deep.equal([
        ['FINANCING', IDS.bank, frozen.encumbrances[0].txId],
        ['FREEZE', undefined, undefined],
      ]);
      const audited = await w.h.evaluate(w.as.auditor, 'voucher:Provenance', { id: root.id });
      expect(audited.encumbrances.find((e: { type: string }) => e.type === 'FREEZE')).to.include({ party: IDS.operator }).and.to.have.property('txId');
    });
  });

  describe('freezes', () => {
    it('refuses every financing step on a frozen piece, holder or bank, and changes nothing', async () => {
      const root = await rootVoucher(w, yuan(1000), 'frz-1');
      const f = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: 'court order' });
      await rejects(w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id)), 'FROZEN');
      await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: f.id });
      const fin = await w.h.submit(w.as.tier1, 'financing:Request', onVoucher(root.id));

      const targets = [
        { type: 'VOUCHER', id: root.id },
        { type: 'MEMBER', id: IDS.tier1 },
        { type: 'MEMBER', id: IDS.bank },
      ];
      for (const target of targets) {
        const freeze = await w.h.submit(w.as.operator, 'freeze:Freeze', { target, reason: 'order' });
        const height = await w.h.ws.height();
        await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 100 }), 'FROZEN');
        await rejects(w.h.submit(w.as.bank, 'financing:Reject', { id: fin.id, reason: 'x' }), 'FROZEN');
        expect(await w.h.ws.height()).to.equal(height);
        await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: freeze.id });
      }
      await w.h.submit(w.as.bank, 'financing:Approve', { id: fin.id, advanceAmount: yuan(900), annualRateBps: 100 });
      const freeze = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.bank }, reason: 'order' });
      await rejects(w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'P' }), 'FROZEN');
      await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: freeze.id });
      await w.h.submit(w.as.bank, 'financing:Disburse', { id: fin.id, paymentRef: 'P' });
      const vf = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: 'order' });
      w.h.today = '2026-06-30';
      await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'P' }), 'FROZEN');
      expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).status).to.equal('DISBURSED');
      await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: vf.id });
      await w.h.submit(w.as.core, 'voucher:Settle', { id: root.id, paymentRef: 'P' });
      expect((await w.h.evaluate(w.as.bank, 'financing:Get', { id: fin.id })).status).to.equal('REPAID');
    });
  });
});
