import { expect } from 'chai';
import { makeIdentity } from '../../support/certs';
import { clientIdOf, confirmedReceivable, docs, IDS, invoice, LedgerHarness, rejects, rootVoucher, world, yuan, type World } from '../../support/ledger-harness';

describe('member contract', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });

  it('bootstraps once only', async () => {
    const another = await makeIdentity('PlatformMSP', 'second-admin');
    await rejects(
      w.h.submit(another, 'member:Bootstrap', { member: { id: IDS.auditor, name: 'Again', mspId: 'PlatformMSP' } }),
      'ALREADY_EXISTS',
    );
  });

  it('answers a retried Bootstrap with the same requestId with its first result', async () => {
    const h = new LedgerHarness();
    const admin = await makeIdentity('PlatformMSP', 'op-admin-retry');
    const cmd = { member: { id: IDS.operator, name: 'Op', mspId: 'PlatformMSP' }, requestId: 'boot-1' };
    const first = await h.submit(admin, 'member:Bootstrap', cmd);
    const again = await h.endorse(admin, 'member:Bootstrap', cmd);
    expect(JSON.parse(again.result)).to.deep.equal(first);
    expect(again.rwset.writes).to.deep.equal([]);
    await rejects(h.submit(admin, 'member:Bootstrap', { ...cmd, requestId: 'boot-2' }), 'ALREADY_EXISTS');
  });

  it("does not let anyone probe a member's requestIds through Bootstrap once the ledger is bootstrapped", async () => {
    const rcvCmd = { debtor: IDS.core, amount: '100', dueDate: '2026-03-31', requestId: 'pay-2026-001' };
    await w.h.submit(w.as.tier1, 'receivable:Register', rcvCmd, docs(invoice('probe')));
    for (const prober of [await makeIdentity('PlatformMSP', 'unbound-prober'), w.as.tier2]) {
      const err = await rejects(
        w.h.submit(prober, 'member:Bootstrap', { member: { id: IDS.tier1, name: 'Probe', mspId: 'PlatformMSP' }, requestId: 'pay-2026-001' }),
        'ALREADY_EXISTS',
      );
      expect(err.message).to.contain('already bootstrapped').and.not.to.contain('receivable:Register');
    }
  });

  it('bootstraps only from an identity of the operator org named in the command', async () => {
    const h = new LedgerHarness();
    const coreAdmin = await makeIdentity('CoreMSP', 'core-admin');
    await rejects(h.submit(coreAdmin, 'member:Bootstrap', { member: { id: IDS.operator, name: 'Op', mspId: 'PlatformMSP' } }), 'FORBIDDEN');
    expect(await h.ws.height()).to.equal(0);
    const admin = await makeIdentity('PlatformMSP', 'op-admin');
    const op = await h.submit(admin, 'member:Bootstrap', { member: { id: IDS.operator, name: 'Op', mspId: 'PlatformMSP' } });
    expect(op).to.include({ id: IDS.operator, status: 'ACTIVE' });
    expect(op.roles).to.include('OPERATOR');
    const me = await h.evaluate(admin, 'member:WhoAmI', {});
    expect(me.identity).to.include({ userRole: 'ADMIN', memberId: IDS.operator, identityId: clientIdOf(admin) });
  });

  it('lets only the operator register, suspend and reinstate, and bind identities of another member', async () => {
    const id = '91110000MA00NEW01';
    const { withCheckChar } = await import('../../../chaincode/src/domain/uscc');
    const newId = withCheckChar(id);
    for (const who of ['core', 'tier1', 'bank', 'auditor', 'warehouse'] as const) {
      await rejects(w.h.submit(w.as[who], 'member:Register', { id: newId, name: 'New', mspId: 'PlatformMSP', roles: ['SUPPLIER'] }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as[who], 'member:Suspend', { id: IDS.tier2 }), 'FORBIDDEN');
      await rejects(w.h.submit(w.as[who], 'member:Reinstate', { id: IDS.tier2 }), 'FORBIDDEN');
      await rejects(
        w.h.submit(w.as[who], 'member:BindIdentity', { memberId: IDS.tier2, mspId: 'PlatformMSP', identityId: 'x509::/CN=x::/CN=ca', userRole: 'ADMIN' }),
        'FORBIDDEN',
      );
    }
    await w.h.submit(w.as.operator, 'member:Register', { id: newId, name: 'New', mspId: 'PlatformMSP', roles: ['SUPPLIER'] });
    await rejects(w.h.submit(w.as.operator, 'member:Register', { id: newId, name: 'New', mspId: 'PlatformMSP', roles: ['SUPPLIER'] }), 'ALREADY_EXISTS');
  });

  it("lets a member's ADMIN bind identities of its own member only, and no MAKER or auditor ADMIN", async () => {
    const admin = await makeIdentity('PlatformMSP', 'tier1-admin');
    const bindTx = await w.h.endorse(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(admin), userRole: 'ADMIN' });
    expect(bindTx.event?.name).to.equal('IdentityBound');
    const event = JSON.parse(Buffer.from(bindTx.event!.payload).toString('utf8'));
    expect(event.ids).to.deep.equal({ memberId: IDS.tier1, identityId: clientIdOf(admin) });
    expect(event.changes).to.deep.equal({ mspId: 'PlatformMSP', userRole: 'ADMIN' });
    await w.h.commit([bindTx]);
    const clerk = await makeIdentity('PlatformMSP', 'tier1-clerk');
    const bound = await w.h.submit(admin, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' });
    expect(bound).to.include({ memberId: IDS.tier1, userRole: 'MAKER', createdBy: IDS.tier1, pendingAcceptance: true });
    await w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier1 });
    expect((await w.h.evaluate(clerk, 'member:WhoAmI', {})).member.id).to.equal(IDS.tier1);

    const stranger = await makeIdentity('PlatformMSP', 'stranger');
    const height = await w.h.ws.height();
    const other = await rejects(
      w.h.submit(admin, 'member:BindIdentity', { memberId: IDS.tier2, mspId: 'PlatformMSP', identityId: clientIdOf(stranger), userRole: 'MAKER' }),
      'FORBIDDEN',
    );
    expect(other.message).to.contain(IDS.tier2);
    // The clerk is a MAKER of tier1: it may not bind, even for its own member.
    await rejects(
      w.h.submit(clerk, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(stranger), userRole: 'ADMIN' }),
      'FORBIDDEN',
    );
    const auditorAdmin = await makeIdentity('PlatformMSP', 'auditor-admin');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.auditor, mspId: 'PlatformMSP', identityId: clientIdOf(auditorAdmin), userRole: 'ADMIN' });
    const afterAuditor = await w.h.ws.height();
    await rejects(
      w.h.submit(auditorAdmin, 'member:BindIdentity', { memberId: IDS.auditor, mspId: 'PlatformMSP', identityId: clientIdOf(stranger), userRole: 'MAKER' }),
      'FORBIDDEN',
    );
    expect(await w.h.ws.height()).to.equal(afterAuditor);
    expect(afterAuditor).to.equal(height + 1);
    expect(await w.h.committed('IDENTITY', ['PlatformMSP', clientIdOf(stranger)])).to.equal(undefined);
  });

  describe("a member's ADMIN offers a binding; the identity accepts it", () => {
    let admin: Awaited<ReturnType<typeof makeIdentity>>;
    let clerk: Awaited<ReturnType<typeof makeIdentity>>;
    const offer = () => w.h.submit(admin, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' });
    beforeEach(async () => {
      admin = await makeIdentity('PlatformMSP', 'tier1-admin-offer');
      await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(admin), userRole: 'ADMIN' });
      clerk = await makeIdentity('PlatformMSP', 'meant-for-someone');
    });

    it('acts as nobody until it accepts, naming the member; then it is the MAKER, once', async () => {
      const root = await rootVoucher(w, yuan(1000), 'offer');
      await rejects(w.h.evaluate(clerk, 'member:Offer', {}), 'NOT_FOUND');
      await offer();
      const offered = await w.h.evaluate(clerk, 'member:Offer', {});
      expect(offered.member).to.deep.equal({ id: IDS.tier1, name: offered.member.name, roles: ['SUPPLIER'], status: 'ACTIVE' });
      expect(offered.identity).to.include({ memberId: IDS.tier1, userRole: 'MAKER', pendingAcceptance: true });
      await rejects(w.h.evaluate(clerk, 'member:Offer', { memberId: IDS.tier1 }), 'VALIDATION_FAILED');
      const height = await w.h.ws.height();
      const refused = await rejects(w.h.evaluate(clerk, 'member:WhoAmI', {}), 'FORBIDDEN');
      expect(refused.message).to.contain(`offered to member ${IDS.tier1} as MAKER`).and.contain('/identities/accept');
      await rejects(w.h.submit(clerk, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) }), 'FORBIDDEN');
      await rejects(w.h.evaluate(clerk, 'voucher:Get', { id: root.id }), 'FORBIDDEN');
      // Only the member it was offered: another is NOT_FOUND, naming nothing.
      const other = await rejects(w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier2 }), 'NOT_FOUND');
      expect(other.message).not.to.contain(IDS.tier1);
      await rejects(w.h.submit(clerk, 'member:AcceptBinding', {}), 'VALIDATION_FAILED');
      await rejects(w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier1, extra: 1 }), 'VALIDATION_FAILED');
      expect(await w.h.ws.height()).to.equal(height);
      expect(await w.h.committed('IDENTITY', ['PlatformMSP', clientIdOf(clerk)])).to.include({ pendingAcceptance: true });

      const tx = await w.h.endorse(clerk, 'member:AcceptBinding', { memberId: IDS.tier1 });
      expect(tx.event?.name).to.equal('IdentityBindingAccepted');
      const event = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
      expect(event.ids).to.deep.equal({ memberId: IDS.tier1, identityId: clientIdOf(clerk) });
      expect(event.changes).to.deep.equal({ mspId: 'PlatformMSP', userRole: 'MAKER' });
      await w.h.commit([tx]);
      const accepted = JSON.parse(tx.result);
      expect(accepted).to.include({ memberId: IDS.tier1, userRole: 'MAKER' }).and.not.to.have.property('pendingAcceptance');
      expect(accepted.acceptedAt).to.be.a('string');
      expect(accepted.boundBy).to.deep.equal({ mspId: 'PlatformMSP', identityId: clientIdOf(admin), memberId: IDS.tier1 });
      expect((await w.h.evaluate(clerk, 'member:WhoAmI', {})).member.id).to.equal(IDS.tier1);
      await rejects(w.h.evaluate(clerk, 'member:Offer', {}), 'NOT_FOUND');
      await w.h.submit(clerk, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) });
      const after = await w.h.ws.height();
      await rejects(w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier1 }), 'INVALID_STATE');
      expect(await w.h.ws.height()).to.equal(after);
    });

    it('keeps an offered identity from the operator until withdrawn; an operator binding is in force at once', async () => {
      await offer();
      const taken = await rejects(
        w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier2, mspId: 'PlatformMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' }),
        'ALREADY_EXISTS',
      );
      expect(taken.message).to.contain(`offered to member ${IDS.tier1}`);
      // The ADMIN (or the operator) withdraws the offer like any binding.
      await w.h.submit(admin, 'member:UnbindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(clerk) });
      await rejects(w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier1 }), 'FORBIDDEN');
      const bound = await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier2, mspId: 'PlatformMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' });
      expect(bound).not.to.have.property('pendingAcceptance');
      expect((await w.h.evaluate(clerk, 'member:WhoAmI', {})).member.id).to.equal(IDS.tier2);
      await rejects(w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier2 }), 'INVALID_STATE');
    });

    it('is not accepted for a suspended member, and writes nothing', async () => {
      await offer();
      await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.tier1, reason: 'KYC expired' });
      const height = await w.h.ws.height();
      await rejects(w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier1 }), 'INVALID_STATE');
      expect(await w.h.ws.height()).to.equal(height);
      await w.h.submit(w.as.operator, 'member:Reinstate', { id: IDS.tier1 });
      await w.h.submit(clerk, 'member:AcceptBinding', { memberId: IDS.tier1 });
      expect((await w.h.evaluate(clerk, 'member:WhoAmI', {})).member.id).to.equal(IDS.tier1);
    });

    it('answers a retried accept with the same requestId with its first result', async () => {
      await offer();
      const cmd = { memberId: IDS.tier1, requestId: 'accept-1' };
      const first = await w.h.submit(clerk, 'member:AcceptBinding', cmd);
      const again = await w.h.endorse(clerk, 'member:AcceptBinding', cmd);
      expect(JSON.parse(again.result)).to.deep.equal(first);
      expect(again.rwset.writes).to.deep.equal([]);
    });
  });

  it('refuses member ids whose check character is wrong', async () => {
    const good = IDS.tier1;
    const last = good[17] === '0' ? '1' : '0';
    await rejects(
      w.h.submit(w.as.operator, 'member:Register', { id: good.slice(0, 17) + last, name: 'Bad', mspId: 'PlatformMSP', roles: ['SUPPLIER'] }),
      'VALIDATION_FAILED',
    );
  });

  it('refuses binding an identity of another org to a member', async () => {
    const err = await rejects(
      w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.core, mspId: 'BankMSP', identityId: 'x509::/CN=x::/CN=ca', userRole: 'MAKER' }),
      'BUSINESS_RULE',
    );
    expect(err.message).to.contain('BankMSP');
    expect(await w.h.committed('IDENTITY', ['BankMSP', 'x509::/CN=x::/CN=ca'])).to.equal(undefined);
  });

  it('takes a suspended member out of every transaction until reinstated, but lets it read', async () => {
    const root = await rootVoucher(w, yuan(1000), 'suspend');
    const s = await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.tier1, reason: 'KYC expired' });
    expect(s).to.include({ status: 'SUSPENDED', statusReason: 'KYC expired' });
    await rejects(w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(100) }), 'FORBIDDEN');
    expect((await w.h.evaluate(w.as.tier1, 'voucher:Get', { id: root.id })).holder).to.equal(IDS.tier1);
    // Nobody can pass a voucher to a suspended member either.
    await w.h.submit(w.as.operator, 'member:Reinstate', { id: IDS.tier1 });
    await w.h.submit(w.as.tier1, 'voucher:Transfer', { id: root.id, to: IDS.tier2, amount: yuan(1000) });
    await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.tier1 });
    await rejects(w.h.submit(w.as.tier2, 'voucher:Transfer', { id: root.id, to: IDS.tier1, amount: yuan(1000) }), 'BUSINESS_RULE');
    await rejects(w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.tier1 }), 'INVALID_STATE');
  });

  it('refuses unbound identities everywhere', async () => {
    await rejects(w.h.evaluate(w.as.outsider, 'member:WhoAmI', {}), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.outsider, 'member:AcceptBinding', { memberId: IDS.tier1 }), 'FORBIDDEN');
    await rejects(w.h.submit(w.as.outsider, 'member:Register', { id: IDS.tier1, name: 'x', mspId: 'PlatformMSP', roles: ['SUPPLIER'] }), 'FORBIDDEN');
  });

  it("shows a member's suspension reason and dual-control threshold to itself, the operator and auditors only", async () => {
    await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.core, threshold: yuan(500_000) });
    await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.core, reason: 'fraud investigation' });
    for (const who of ['operator', 'auditor'] as const) {
      expect(await w.h.evaluate(w.as[who], 'member:Get', { id: IDS.core })).to.include({ statusReason: 'fraud investigation', dualControlThreshold: yuan(500_000) });
    }
    // A suspended member still reads, itself included.
    expect(await w.h.evaluate(w.as.core, 'member:Get', { id: IDS.core })).to.include({ statusReason: 'fraud investigation' });
    for (const who of ['bank', 'tier1'] as const) {
      const seen = await w.h.evaluate(w.as[who], 'member:Get', { id: IDS.core });
      expect(seen).to.include({ id: IDS.core, status: 'SUSPENDED' });
      expect(seen).not.to.have.any.keys('statusReason', 'dualControlThreshold');
    }
  });

  it('shows members to any bound identity and NOT_FOUND for unknown ids', async () => {
    expect((await w.h.evaluate(w.as.bank, 'member:Get', { id: IDS.core })).roles).to.deep.equal(['CORE_ENTERPRISE']);
    const { withCheckChar } = await import('../../../chaincode/src/domain/uscc');
    await rejects(w.h.evaluate(w.as.bank, 'member:Get', { id: withCheckChar('91110000MA00NNNE1') }), 'NOT_FOUND');
  });

  describe('unbinding an identity', () => {
    const unbind = (by: Parameters<typeof w.h.submit>[0], memberId: string, identity: { mspId: string }, extra: object = {}) =>
      w.h.submit(by, 'member:UnbindIdentity', { memberId, mspId: identity.mspId, identityId: clientIdOf(identity as never), ...extra });

    it('lets the operator unbind: the identity is refused from then on, the event names it, and it can be bound again, elsewhere', async () => {
      const tx = await w.h.endorse(w.as.operator, 'member:UnbindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(w.as.tier1), reason: 'left the company' });
      expect(tx.event?.name).to.equal('IdentityUnbound');
      const event = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
      expect(event.ids).to.deep.equal({ memberId: IDS.tier1, identityId: clientIdOf(w.as.tier1) });
      expect(event.changes).to.deep.equal({ mspId: 'PlatformMSP', userRole: 'MAKER', reason: 'left the company' });
      await w.h.commit([tx]);
      const out = JSON.parse(tx.result);
      expect(out).to.include({ memberId: IDS.tier1, userRole: 'MAKER', reason: 'left the company' });
      expect(out.unboundTxId).to.be.a('string');
      await rejects(w.h.evaluate(w.as.tier1, 'member:WhoAmI', {}), 'FORBIDDEN');
      await rejects(rootVoucher(w, yuan(10), 'after-unbind'), 'FORBIDDEN');
      // Bound again, to another member: the remedy for a binding made in error.
      await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier2, mspId: 'PlatformMSP', identityId: clientIdOf(w.as.tier1), userRole: 'MAKER' });
      expect((await w.h.evaluate(w.as.tier1, 'member:WhoAmI', {})).member.id).to.equal(IDS.tier2);
    });

    it("lets a member's ADMIN unbind its own MAKERs only, never itself, and a refusal writes nothing", async () => {
      const admin = await makeIdentity('CoreMSP', 'core-admin-unbind');
      await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.core, mspId: 'CoreMSP', identityId: clientIdOf(admin), userRole: 'ADMIN' });
      const height = await w.h.ws.height();
      await rejects(unbind(admin, IDS.core, w.as.coreChecker), 'FORBIDDEN'); // a CHECKER is the operator's
      await rejects(unbind(admin, IDS.core, admin), 'FORBIDDEN'); // an ADMIN, so the operator's too
      await rejects(unbind(w.as.operator, IDS.operator, w.as.operator), 'BUSINESS_RULE'); // nobody unbinds itself
      await rejects(unbind(admin, IDS.bank, w.as.bank), 'FORBIDDEN'); // another member
      await rejects(unbind(w.as.core, IDS.core, w.as.coreChecker), 'FORBIDDEN'); // a MAKER
      // Not bound, or bound to another member: the same NOT_FOUND.
      await rejects(unbind(admin, IDS.core, await makeIdentity('CoreMSP', 'nobody')), 'NOT_FOUND');
      const err = await rejects(unbind(admin, IDS.core, w.as.core2), 'NOT_FOUND');
      expect(err.message).not.to.contain(IDS.core2);
      await rejects(w.h.submit(admin, 'member:UnbindIdentity', { memberId: IDS.core, mspId: 'CoreMSP', identityId: 'short' }), 'VALIDATION_FAILED');
      expect(await w.h.ws.height()).to.equal(height);
      await unbind(admin, IDS.core, w.as.core);
      await rejects(w.h.evaluate(w.as.core, 'member:WhoAmI', {}), 'FORBIDDEN');
    });

    it("lets a pending approval of an unbound maker lapse: it cannot be approved, only rejected", async () => {
      await w.h.submit(w.as.operator, 'member:SetDualControl', { id: IDS.core, threshold: yuan(500_000) });
      const rcv = await confirmedReceivable(w, yuan(800_000), 'lapse');
      const approval = await w.h.submit(w.as.core, 'voucher:Issue', { receivableId: rcv.id, amount: yuan(600_000), maturityDate: '2026-06-30' });
      await unbind(w.as.operator, IDS.core, w.as.core);
      const height = await w.h.ws.height();
      const err = await rejects(w.h.submit(w.as.coreChecker, 'approval:Approve', { id: approval.id }), 'INVALID_STATE');
      expect(err.message).to.contain('no longer bound');
      expect(await w.h.ws.height()).to.equal(height);
      expect((await w.h.submit(w.as.coreChecker, 'approval:Reject', { id: approval.id, reason: 'maker left' })).approval.status).to.equal('REJECTED');
    });
  });

  describe('member:List', () => {
    type MemberPage = { records: Array<{ id: string; roles: string[]; status: string }>; bookmark: string };
    const all = async (as: Parameters<typeof w.h.evaluate>[0], query: object): Promise<string[]> => {
      const ids: string[] = [];
      let bookmark = '';
      do {
        const page = await w.h.evaluate<MemberPage>(as, 'member:List', { ...query, ...(bookmark ? { bookmark } : {}) });
        ids.push(...page.records.map((m) => m.id));
        bookmark = page.bookmark;
      } while (bookmark);
      return ids;
    };

    it('lists every member in id order to the operator and auditors, page by page, of one role or status if asked', async () => {
      const everyone = Object.values(IDS).sort();
      expect(await all(w.as.operator, {})).to.deep.equal(everyone);
      expect(await all(w.as.auditor, { pageSize: 2 })).to.deep.equal(everyone);
      expect(await all(w.as.operatorClerk, { role: 'CORE_ENTERPRISE', pageSize: 3 })).to.deep.equal([IDS.core, IDS.core2].sort());
      await w.h.submit(w.as.operator, 'member:Suspend', { id: IDS.tier2, reason: 'KYC expired' });
      expect(await all(w.as.auditor, { status: 'SUSPENDED' })).to.deep.equal([IDS.tier2]);
      expect(await all(w.as.auditor, { role: 'SUPPLIER', status: 'ACTIVE' })).to.deep.equal([IDS.tier1, IDS.tier3].sort());
      const first = await w.h.evaluate<MemberPage>(w.as.operator, 'member:List', { pageSize: 4 });
      expect(first.records).to.have.length(4);
      expect(first.bookmark).to.not.equal('');
    });

    it('is refused to every other member (who reads one by id) and to bad queries, and writes nothing', async () => {
      const height = await w.h.ws.height();
      for (const who of ['core', 'tier1', 'bank', 'warehouse', 'coreChecker'] as const) {
        const err = await rejects(w.h.evaluate(w.as[who], 'member:List', {}), 'FORBIDDEN');
        expect(err.message).to.contain('by its id');
      }
      await rejects(w.h.evaluate(w.as.outsider, 'member:List', {}), 'FORBIDDEN');
      for (const bad of [{ role: 'ADMIN' }, { status: 'GONE' }, { pageSize: 0 }, { pageSize: 201 }, { name: 'x' }]) {
        await rejects(w.h.evaluate(w.as.operator, 'member:List', bad), 'VALIDATION_FAILED');
      }
      await rejects(w.h.evaluate(w.as.operator, 'member:List', { bookmark: 'not-ours' }), 'VALIDATION_FAILED');
      expect((await w.h.evaluate(w.as.tier1, 'member:Get', { id: IDS.bank })).id).to.equal(IDS.bank);
      expect(await w.h.ws.height()).to.equal(height);
    });
  });
});
