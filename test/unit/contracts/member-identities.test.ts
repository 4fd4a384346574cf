import { expect } from 'chai';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { makeIdentity, type TestIdentity } from '../../support/certs';
import { clientIdOf, IDS, rejects, world, type World } from '../../support/ledger-harness';

interface Binding {
  mspId: string;
  identityId: string;
  memberId: string;
  userRole: string;
  pendingAcceptance?: boolean;
}

/**
 * member:Identities: who can sign for a member (an auditor's question, an
 * ADMIN's roster of its clerks). Bindings in force and offers are listed;
 * an unbound identity is not.
 */
describe('contracts: a member’s identities (member:Identities)', () => {
  let w: World;
  let tier1Admin: TestIdentity;
  let checker: TestIdentity;

  const list = async (who: TestIdentity, memberId: string, pageSize?: number): Promise<Binding[]> => {
    const out: Binding[] = [];
    let bookmark: string | undefined;
    do {
      const page = await w.h.evaluate<{ records: Binding[]; bookmark: string }>(who, 'member:Identities', { memberId, ...(pageSize ? { pageSize } : {}), ...(bookmark ? { bookmark } : {}) });
      out.push(...page.records);
      bookmark = page.bookmark;
    } while (bookmark);
    return out;
  };
  const roles = (bindings: Binding[]) => Object.fromEntries(bindings.map((b) => [b.identityId, b.pendingAcceptance ? `${b.userRole} (offered)` : b.userRole]));

  beforeEach(async () => {
    w = await world();
    tier1Admin = await makeIdentity('PlatformMSP', 'tier1-admin');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(tier1Admin), userRole: 'ADMIN' });
    checker = await makeIdentity('PlatformMSP', 'tier1-checker');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(checker), userRole: 'CHECKER' });
  });

  it('lists the identities in force and those offered, page by page, and no other member’s', async () => {
    const clerk = await makeIdentity('PlatformMSP', 'tier1-clerk');
    const offered = await w.h.submit(tier1Admin, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' });
    expect(offered.pendingAcceptance).to.equal(true);
    const expected = {
      [clientIdOf(w.as.tier1)]: 'MAKER',
      [clientIdOf(tier1Admin)]: 'ADMIN',
      [clientIdOf(checker)]: 'CHECKER',
      [clientIdOf(clerk)]: 'MAKER (offered)',
    };
    const all = await list(w.as.operator, IDS.tier1, 1);
    expect(roles(all)).to.deep.equal(expected);
    expect(all.every((b) => b.memberId === IDS.tier1 && b.mspId === 'PlatformMSP')).to.equal(true);
    expect(roles(await list(w.as.auditor, IDS.tier1))).to.deep.equal(expected);
    expect(roles(await list(tier1Admin, IDS.tier1))).to.deep.equal(expected);
    expect(roles(await list(w.as.operator, IDS.tier2))).to.deep.equal({ [clientIdOf(w.as.tier2)]: 'MAKER' });
  });

  it('drops an identity once it is unbound, and shows a change of role', async () => {
    await w.h.submit(w.as.operator, 'member:UnbindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(checker), reason: 'left the company' });
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(w.as.tier1), userRole: 'CHECKER' });
    expect(roles(await list(w.as.auditor, IDS.tier1))).to.deep.equal({ [clientIdOf(w.as.tier1)]: 'CHECKER', [clientIdOf(tier1Admin)]: 'ADMIN' });
  });

  it('refuses the member’s ADMIN making an operator-bound CHECKER or second ADMIN a MAKER (so it could then unbind them), changing nothing', async () => {
    const admin2 = await makeIdentity('PlatformMSP', 'tier1-admin2');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(admin2), userRole: 'ADMIN' });
    const before = roles(await list(w.as.auditor, IDS.tier1));
    for (const approver of [checker, admin2]) {
      const err = await rejects(
        w.h.submit(tier1Admin, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(approver), userRole: 'MAKER' }),
        'FORBIDDEN',
      );
      expect(err.message).to.match(/the operator, which binds the identities that approve, changes their role/);
      await rejects(w.h.submit(tier1Admin, 'member:UnbindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(approver) }), 'FORBIDDEN');
    }
    expect(roles(await list(w.as.auditor, IDS.tier1))).to.deep.equal(before);
    // The operator still changes a role.
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: IDS.tier1, mspId: 'PlatformMSP', identityId: clientIdOf(checker), userRole: 'MAKER' });
    expect(roles(await list(w.as.auditor, IDS.tier1))[clientIdOf(checker)]).to.equal('MAKER');
  });

  it('is refused to the member’s MAKER and CHECKER and to other members, and a member that does not exist is NOT_FOUND', async () => {
    await rejects(w.h.evaluate(w.as.tier1, 'member:Identities', { memberId: IDS.tier1 }), 'FORBIDDEN');
    await rejects(w.h.evaluate(checker, 'member:Identities', { memberId: IDS.tier1 }), 'FORBIDDEN');
    await rejects(w.h.evaluate(tier1Admin, 'member:Identities', { memberId: IDS.tier2 }), 'FORBIDDEN');
    await rejects(w.h.evaluate(w.as.bank, 'member:Identities', { memberId: IDS.tier1 }), 'FORBIDDEN');
    await rejects(w.h.evaluate(w.as.outsider, 'member:Identities', { memberId: IDS.tier1 }), 'FORBIDDEN');
    await rejects(w.h.evaluate(w.as.operator, 'member:Identities', { memberId: withCheckChar('91440300MA00GY009') }), 'NOT_FOUND');
    await rejects(w.h.evaluate(w.as.operator, 'member:Identities', { memberId: 'not-a-credit-code' }), 'VALIDATION_FAILED');
  });

  it('lists the bindings a ledger written before the index lacks once the operator repairs the IDENTITY kind', async () => {
    // As a version without IDX_IDN_MEMBER left them: the entries of tier1's bindings are gone.
    await w.h.writeDirectly(w.as.operator, async (stub) => {
      for (const who of [w.as.tier1, tier1Admin, checker]) {
        await stub.deleteState(stub.createCompositeKey('IDX_IDN_MEMBER', [IDS.tier1, 'PlatformMSP', clientIdOf(who)]));
      }
    });
    expect(await list(w.as.operator, IDS.tier1)).to.deep.equal([]);
    const page = await w.h.evaluate<{ keys: string[][]; bookmark: string }>(w.as.operator, 'maintenance:RecordKeys', { kind: 'IDENTITY', pageSize: 100 });
    expect(page.bookmark).to.equal('');
    expect(page.keys).to.deep.include(['PlatformMSP', clientIdOf(checker)]);
    const step = await w.h.submit(w.as.operator, 'maintenance:RepairIndexes', { kind: 'IDENTITY', keys: page.keys });
    expect(step.repaired).to.deep.equal({ IDX_IDN_MEMBER: 3 });
    expect(step.repairedIds).to.have.members([w.as.tier1, tier1Admin, checker].map((who) => `PlatformMSP/${clientIdOf(who)}`));
    expect(roles(await list(w.as.operator, IDS.tier1))).to.deep.equal({
      [clientIdOf(w.as.tier1)]: 'MAKER',
      [clientIdOf(tier1Admin)]: 'ADMIN',
      [clientIdOf(checker)]: 'CHECKER',
    });
  });
});
