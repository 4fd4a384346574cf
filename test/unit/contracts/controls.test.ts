import { expect } from 'chai';
import { makeIdentity } from '../../support/certs';
import { clientIdOf, confirmedReceivable, docs, IDS, invoice, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

describe('dual control (双人授权)', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
    await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.core, threshold: yuan(500_000) });
  });

  it('turns an issuance at or above the threshold into a pending approval that a checker executes', async () => {
    const rcv = await confirmedReceivable(w, yuan(800_000), 'dc-1');
    const approval = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(500_000), maturityDate: '2026-06-30' });
    expect(approval).to.include({ docType: 'approval', status: 'PENDING', transaction: 'voucher:Issue', memberId: IDS.core });
    expect(approval.id).to.match(/^APR-/);
    // Nothing was issued yet.
    expect((await w.h.evaluate(w.as.core, 'receivable:Get', { id: rcv.id })).voucheredAmount).to.equal('0');
    const pending = await w.h.evaluate(w.as.coreChecker, 'approval:List', { status: 'PENDING' });
    expect(pending.records.map((a: { id: string }) => a.id)).to.deep.equal([approval.id]);

    const tx = await w.h.endorse(w.as.coreChecker, 'approval:Approve', { id: approval.id });
    expect(tx.event?.name).to.equal('VoucherIssued');
    await w.h.commit([tx]);
    const done = JSON.parse(tx.result);
    expect(done.approval).to.include({ status: 'APPROVED' });
    expect(done.result).to.include({ docType: 'voucher', amount: yuan(500_000), holder: IDS.tier1 });
    expect((await w.h.evaluate(w.as.core, 'receivable:Get', { id: rcv.id })).voucheredAmount).to.equal(yuan(500_000));
    await rejects(w.h.submit(w.as.coreChecker, 'approval:Approve', { id: approval.id }), 'INVALID_STATE');
  });

  it('issues below the threshold at once', async () => {
    const rcv = await confirmedReceivable(w, yuan(800_000), 'dc-2');
    const v = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: String(50_000_000 - 1), maturityDate: '2026-06-30' });
    expect(v.docType).to.equal('voucher');
  });

  it('refuses the maker approving its own request, other members and makers as checkers', async () => {
    const rcv = await confirmedReceivable(w, yuan(800_000), 'dc-3');
    const approval = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(600_000), maturityDate: '2026-06-30' });
    await rejects(w.h.submit(w.as.core, 'approval:Approve', { id: approval.id }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.bankChecker, 'approval:Approve', { id: approval.id }), 'NOT_FOUND');
    await rejects(w.h.submit(w.as.tier1, 'approval:Approve', { id: approval.id }), 'NOT_FOUND');
    expect((await w.h.evaluate(w.as.core, 'approval:Get', { id: approval.id })).status).to.equal('PENDING');
    const rejected = await w.h.submit(w.as.coreChecker, 'approval:Reject', { id: approval.id, reason: 'wrong maturity' });
    expect(rejected.approval).to.include({ status: 'REJECTED', reason: 'wrong maturity' });
    expect((await w.h.evaluate(w.as.core, 'receivable:Get', { id: rcv.id })).voucheredAmount).to.equal('0');
  });

  it('validates the request when the maker makes it, and again against the state at approval', async () => {
    const rcv = await confirmedReceivable(w, yuan(800_000), 'dc-4');
    await rejects(w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(900_000), maturityDate: '2026-06-30' }), 'BUSINESS_RULE');
    const a1 = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(600_000), maturityDate: '2026-06-30' });
    const a2 = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(600_000), maturityDate: '2026-06-30' });
    await w.h.submit(w.as.coreChecker, 'approval:Approve', { id: a1.id });
    await rejects(w.h.submit(w.as.coreChecker, 'approval:Approve', { id: a2.id }), 'BUSINESS_RULE');
    expect((await w.h.evaluate(w.as.core, 'approval:Get', { id: a2.id })).status).to.equal('PENDING');
  });

  describe('one person, two identities', () => {
    let admin: Awaited<ReturnType<typeof makeIdentity>>;
    const bindAs = async (by: Awaited<ReturnType<typeof makeIdentity>>, cn: string, userRole: string) => {
      const identity = await makeIdentity('CoreMSP', cn);
      await w.h.submit(by, 'member:BindIdentity', { memberId: IDS.core, mspId: 'CoreMSP', identityId: clientIdOf(identity), userRole });
      // The core's own ADMIN offers; the identity accepts before it acts.
      if (by !== w.as.operator) await w.h.submit(identity, 'member:AcceptBinding', { memberId: IDS.core });
      return identity;
    };
    beforeEach(async () => {
      admin = await bindAs(w.as.operator, 'core-admin', 'ADMIN');
    });

    it("keeps approvers the operator's to bind: an ADMIN binds MAKERs only, and writes nothing otherwise", async () => {
      const height = await w.h.ws.height();
      for (const role of ['CHECKER', 'ADMIN']) {
        const err = await rejects(bindAs(admin, `second-${role}`, role), 'FORBIDDEN');
        expect(err.message).to.contain('the operator binds them');
      }
      expect(await w.h.ws.height()).to.equal(height);
      const clerk = await bindAs(admin, 'core-clerk', 'MAKER');
      const me = await w.h.evaluate(clerk, 'member:WhoAmI', {});
      expect(me.identity.boundBy).to.deep.equal({ mspId: 'CoreMSP', identityId: clientIdOf(admin), memberId: IDS.core });
      // Nor can the ADMIN promote its clerk: a change of role is a binding too.
      await rejects(w.h.submit(admin, 'member:BindIdentity', { memberId: IDS.core, mspId: 'CoreMSP', identityId: clientIdOf(clerk), userRole: 'CHECKER' }), 'FORBIDDEN');
    });

    it("refuses an approval by a checker the maker bound through another ADMIN (the operator's own identities), and takes one from a checker outside its chain", async () => {
      const bindOperator = async (by: typeof admin, cn: string, userRole: string) => {
        const identity = await makeIdentity('PlatformMSP', cn);
        await w.h.submit(by, 'member:BindIdentity', { memberId: IDS.operator, mspId: 'PlatformMSP', identityId: clientIdOf(identity), userRole });
        return identity;
      };
      await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.operator, threshold: yuan(1_000) });
      const admin2 = await bindOperator(w.as.operator, 'op-admin-2', 'ADMIN');
      const checker3 = await bindOperator(admin2, 'op-checker-3', 'CHECKER');
      const grant = (by: typeof admin, obligor: string) => w.h.submit(by, 'creditLine:Grant', { kind: 'ISSUANCE', obligor, limit: yuan(5_000), validTo: '2026-12-31' });
      // The genesis ADMIN bound admin2, which bound checker3: one person may hold all three keys.
      const mine = await grant(w.as.operator, IDS.core);
      expect(mine).to.include({ status: 'PENDING' });
      const height = await w.h.ws.height();
      const err = await rejects(w.h.submit(checker3, 'approval:Approve', { id: mine.id }), 'FORBIDDEN');
      expect(err.message).to.contain('may hold its key');
      expect(await w.h.ws.height()).to.equal(height);
      // A request of admin2 is approved by a checker bound by a third ADMIN: neither bound the other, nor did one ADMIN bind both.
      const admin4 = await bindOperator(w.as.operator, 'op-admin-4', 'ADMIN');
      const checker5 = await bindOperator(admin4, 'op-checker-5', 'CHECKER');
      const theirs = await grant(admin2, IDS.core2);
      expect((await w.h.submit(checker5, 'approval:Approve', { id: theirs.id })).approval.status).to.equal('APPROVED');
    });

    it('refuses approvals between identities one ADMIN may hold, in every pairing, and writes nothing; an operator-bound checker approves', async () => {
      const clerk = await bindAs(admin, 'core-clerk', 'MAKER');
      const issue = async (by: typeof admin, tag: string) => {
        const rcv = await confirmedReceivable(w, yuan(600_000), tag);
        return w.h.submit(by, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(600_000), maturityDate: '2026-06-30' });
      };
      const refused = async (by: typeof admin, approvalId: string) => {
        const height = await w.h.ws.height();
        const err = await rejects(w.h.submit(by, 'approval:Approve', { id: approvalId }), 'FORBIDDEN');
        expect(err.message).to.contain('may be one person');
        expect(await w.h.ws.height()).to.equal(height);
        expect((await w.h.evaluate(w.as.core, 'approval:Get', { id: approvalId })).status).to.equal('PENDING');
      };

      // The ADMIN approving its clerk's request.
      const a1 = await issue(clerk, 'dc-one-1');
      await refused(admin, a1.id);
      expect((await w.h.submit(w.as.coreChecker, 'approval:Approve', { id: a1.id })).approval.status).to.equal('APPROVED');

      // The operator promoting the clerk does not change who may hold its key:
      // it cannot approve the ADMIN's request...
      await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.core, mspId: 'CoreMSP', identityId: clientIdOf(clerk), userRole: 'CHECKER' });
      const a2 = await issue(admin, 'dc-one-2');
      await refused(clerk, a2.id);
      // ...nor that of another MAKER the same ADMIN bound.
      const clerk2 = await bindAs(admin, 'core-clerk-2', 'MAKER');
      const a3 = await issue(clerk2, 'dc-one-3');
      await refused(clerk, a3.id);
      // An operator-bound checker approves both; the ADMIN may still withdraw one.
      expect((await w.h.submit(w.as.coreChecker, 'approval:Approve', { id: a2.id })).approval.status).to.equal('APPROVED');
      expect((await w.h.submit(admin, 'approval:Reject', { id: a3.id, reason: 'withdrawn' })).approval.status).to.equal('REJECTED');
      // An operator-bound maker's request the ADMIN approves.
      const a4 = await issue(w.as.core, 'dc-one-4');
      expect((await w.h.submit(admin, 'approval:Approve', { id: a4.id })).approval.status).to.equal('APPROVED');
    });
  });

  it('lets only the member admin or the operator set a threshold', async () => {
    await rejects(w.h.submit(w.as.core, 'member:SetDualControl', { id: IDS.core, threshold: null }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.tier1, 'member:SetDualControl', { id: IDS.core, threshold: null }), 'FORBIDDEN');
    const cleared = await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.core, threshold: null });
    expect(cleared).to.not.have.property('dualControlThreshold');
  });

  it('lets the member admin switch dual control on or tighten it, but not relax it alone', async () => {
    const admin = await makeIdentity('CoreMSP', 'core-admin');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.core, mspId: 'CoreMSP', identityId: clientIdOf(admin), userRole: 'ADMIN' });
    const tighter = await w.h.submit(admin, 'member:SetDualControl', { id: IDS.core, threshold: yuan(100_000) });
    expect(tighter.dualControlThreshold).to.equal(yuan(100_000));
    const height = await w.h.ws.height();
    await rejects(w.h.submit(admin, 'member:SetDualControl', { id: IDS.core, threshold: yuan(200_000) }), 'FORBIDDEN');
    await rejects(w.h.submit(admin, 'member:SetDualControl', { id: IDS.core, threshold: null }), 'FORBIDDEN');
    expect(await w.h.ws.height()).to.equal(height);
    // With the control in force, the admin's own issuance still needs a second person.
    const rcv = await confirmedReceivable(w, yuan(300_000), 'dc-admin');
    const approval = await w.h.submit(admin, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(300_000), maturityDate: '2026-06-30' });
    expect(approval.docType).to.equal('approval');
    await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.core, threshold: null });
    await w.h.submit(admin, 'member:SetDualControl', { id: IDS.core, threshold: yuan(1_000_000) });
  });
});

describe('judicial freezes (司法冻结)', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('blocks every mutation of a frozen piece and of everything split from it, and changes nothing', async () => {
    const root = await rootVoucher(w, yuan(1000), 'frz-1');
    await w.h.submit(w.as.tier1, 'voucher:Split', { id: root.id, amounts: [yuan(400), yuan(600)] });
    const f = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: '(2026)沪0101执保123号' });
    expect(f).to.include({ status: 'ACTIVE', orderedBy: IDS.operator });
    const height = await w.h.ws.height();
    const err = await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { id: `${root.id}.1`, to: IDS.tier2, amount: yuan(400) }), 'FROZEN');
    expect(err.message).to.contain(f.id).and.to.contain('执保');
    await rejects(w.h.submit(w.as.tier1, 'voucher:Split', { id: `${root.id}.2`, amounts: [yuan(300), yuan(300)] }), 'FROZEN');
    w.h.today = '2026-07-01';
    await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: `${root.id}.1`, paymentRef: 'P' }), 'FROZEN');
    expect(await w.h.ws.height()).to.equal(height);
    const prov = await w.h.evaluate(w.as.tier1, 'voucher:Provenance', { id: `${root.id}.1` });
    expect(prov.verdict.reasons).to.include('FROZEN');

    await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: f.id, reason: 'order lifted' });
    await w.h.submit(w.as.core, 'voucher:Settle', { id: `${root.id}.2`, paymentRef: 'P2' });
    w.h.today = '2026-03-01';
    await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: `${root.id}.1`, to: IDS.tier2, amount: yuan(400) });
    const hist = await w.h.evaluate(w.as.auditor, 'freeze:History', { id: f.id });
    expect(hist.versions.map((v: { record: { status: string } }) => v.record.status)).to.deep.equal(['LIFTED', 'ACTIVE']);
    expect(hist.versions[0].record).to.include({ liftedBy: IDS.operator, liftReason: 'order lifted' });
  });

  it('freezes a member out of acting and out of receiving', async () => {
    const root = await rootVoucher(w, yuan(1000), 'frz-2');
    await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.tier2 }, reason: 'court order' });
    await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) }), 'FROZEN');
    await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier3, amount: yuan(1000) });
    await rejects(
      w.h.submit(w.as.tier2, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, docs(invoice('cd'))),
      'FROZEN',
    );
    const mine = await w.h.evaluate(w.as.tier2, 'freeze:List', { target: { type: 'MEMBER', id: IDS.tier2 } });
    expect(mine.records).to.have.length(1);
  });

  it("tells a counterparty only that a member is frozen, never the court order's id or reason", async () => {
    await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.core }, reason: '(2026)沪0101执保9号' });
    const err = await rejects(
      w.h.endorse(w.as.tier1, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, docs(invoice('bc'))),
      'FROZEN',
    );
    expect(err.message).to.not.contain('执保').and.to.not.contain('FRZ-');
    // The frozen member itself is told why.
    const own = await rejects(w.h.endorse(w.as.core, 'receivable:Confirm', { id: 'RCV-ANY' }), 'FROZEN');
    expect(own.message).to.contain('执保');
  });

  it('stops financing and settling a piece whose receivable or issuer is frozen, as its provenance verdict says, and changes nothing', async () => {
    for (const frozen of ['RECEIVABLE', 'ISSUER'] as const) {
      w = await world();
      w.h.today = '2026-01-05';
      const rcv = await confirmedReceivable(w, yuan(1000), `frz-${frozen}`, '2026-03-31');
      const piece = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(1000), maturityDate: '2026-03-31' });
      const requested = await w.h.submit(w.as.tier1, 'financing:Request', { asset: { type: 'VOUCHER', id: piece.id }, bank: IDS.bank, requestedAmount: yuan(1000) });
      const target = frozen === 'RECEIVABLE' ? { type: 'RECEIVABLE', id: rcv.id } : { type: 'MEMBER', id: IDS.core };
      const f = await w.h.submit(w.as.operator, 'freeze:Freeze', { target, reason: '(2026)沪0101执保77号' });
      expect((await w.h.evaluate(w.as.bank, 'voucher:Provenance', { id: piece.id })).verdict.reasons).to.include('FROZEN');
      const height = await w.h.ws.height();
      const before = await w.h.evaluate(w.as.auditor, 'receivable:Get', { id: rcv.id });
      await rejects(w.h.submit(w.as.bank, 'financing:Approve', { id: requested.id, advanceAmount: yuan(900), annualRateBps: 300 }), 'FROZEN');
      await rejects(w.h.submit(w.as.tier1, 'financing:Withdraw', { id: requested.id }), 'FROZEN');
      w.h.today = '2026-03-31';
      await rejects(w.h.submit(w.as.core, 'voucher:Settle', { id: piece.id, paymentRef: 'PAY-1' }), 'FROZEN');
      expect(await w.h.ws.height(), `${frozen}: nothing written`).to.equal(height);
      expect(await w.h.evaluate(w.as.auditor, 'receivable:Get', { id: rcv.id })).to.deep.equal(before);
      // Lifted, the same steps go through.
      await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: f.id, reason: 'order discharged' });
      await w.h.submit(w.as.core, 'voucher:Settle', { id: piece.id, paymentRef: 'PAY-1' });
      expect(await w.h.evaluate(w.as.auditor, 'receivable:Get', { id: rcv.id })).to.include({ settledAmount: yuan(1000) });
    }
  });

  it('blocks confirming a frozen receivable', async () => {
    const rcv = await w.h.submit(w.as.tier1, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-03-31' }, docs(invoice('ef')));
    await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'RECEIVABLE', id: rcv.id }, reason: 'dispute' });
    await rejects(w.h.submit(w.as.core, 'receivable:Confirm', { id: rcv.id }), 'FROZEN');
  });

  it('lets only the operator freeze, refuses double freezes, unknown targets and the operator itself', async () => {
    const root = await rootVoucher(w, yuan(1000), 'frz-3');
    for (const who of ['core', 'tier1', 'bank', 'auditor'] as const) {
      await rejects(w.h.submit(w.as[who], 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: 'x' }), 'FORBIDDEN');
    }
    const f = await w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: 'x' });
    await rejects(w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: root.id }, reason: 'y' }), 'INVALID_STATE');
    await rejects(w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'VOUCHER', id: 'VCH-NOPE' }, reason: 'y' }), 'NOT_FOUND');
    await rejects(w.h.submit(w.as.operator, 'freeze:Freeze', { target: { type: 'MEMBER', id: IDS.operator }, reason: 'y' }), 'BUSINESS_RULE');
    // The role first: a non-operator learns nothing about which freezes exist.
    await rejects(w.h.submit(w.as.tier1, 'freeze:Unfreeze', { id: f.id }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.tier1, 'freeze:Unfreeze', { id: 'FRZ-NOPE' }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.tier1, 'freeze:Freeze', { target: { type: 'VOUCHER', id: 'VCH-NOPE' }, reason: 'y' }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.tier1, 'freeze:Freeze', { id: f.id, target: { type: 'VOUCHER', id: root.id }, reason: 'y' }), 'FORBIDDEN');
    await rejects(w.h.evaluate(w.as.tier1, 'freeze:Get', { id: f.id }), 'NOT_FOUND');
    await w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: f.id });
    await rejects(w.h.submit(w.as.operator, 'freeze:Unfreeze', { id: f.id }), 'INVALID_STATE');
  });
});
