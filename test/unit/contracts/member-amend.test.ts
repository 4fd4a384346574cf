import { expect } from 'chai';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { makeIdentity } from '../../support/certs';
import { clientIdOf, IDS, rejects, world, type World } from '../../support/ledger-harness';

/**
 * member:Amend: the operator corrects a member's name (a company renamed, a
 * typo) or its MSP (registered under the wrong organisation), the MSP only
 * while no identity is bound to it.
 */
describe('contracts: the operator amends a member (member:Amend)', () => {
  let w: World;
  const fresh = withCheckChar('91440300MA00GY007');
  beforeEach(async () => {
    w = await world();
    await w.h.submit(w.as.operator, 'member:Register', { id: fresh, name: 'Shenzen Typo Co', mspId: 'CoreMSP', roles: ['SUPPLIER'] });
  });

  it('renames a member and moves a member with no identity to another MSP, with one event naming what changed and why', async () => {
    const tx = await w.h.endorse(w.as.operator, 'member:Amend', { id: fresh, name: 'Shenzhen Parts Co', mspId: 'PlatformMSP', reason: 'registered under the wrong MSP' });
    expect(tx.event?.name).to.equal('MemberAmended');
    const payload = JSON.parse(Buffer.from(tx.event!.payload).toString('utf8'));
    expect(payload.changes).to.deep.equal({ name: { from: 'Shenzen Typo Co', to: 'Shenzhen Parts Co' }, mspId: { from: 'CoreMSP', to: 'PlatformMSP' }, reason: 'registered under the wrong MSP' });
    await w.h.commit([tx]);
    expect(await w.h.evaluate(w.as.tier1, 'member:Get', { id: fresh })).to.include({ name: 'Shenzhen Parts Co', mspId: 'PlatformMSP', status: 'ACTIVE' });
    // It binds identities of its new MSP now.
    const clerk = await makeIdentity('PlatformMSP', 'parts-clerk');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: fresh, mspId: 'PlatformMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' });
  });

  it('refuses to move a member with an identity bound, or only offered, and writes nothing; renaming it is fine', async () => {
    const height = await w.h.ws.height();
    const err = await rejects(w.h.submit(w.as.operator, 'member:Amend', { id: IDS.tier1, mspId: 'CoreMSP' }), 'BUSINESS_RULE');
    expect(err.message).to.contain('unbind them');
    expect(await w.h.ws.height()).to.equal(height);
    const clerk = await makeIdentity('CoreMSP', 'typo-clerk');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: fresh, mspId: 'CoreMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' });
    await rejects(w.h.submit(w.as.operator, 'member:Amend', { id: fresh, mspId: 'PlatformMSP' }), 'BUSINESS_RULE');
    await w.h.submit(w.as.operator, 'member:UnbindIdentity', { memberId: fresh, mspId: 'CoreMSP', identityId: clientIdOf(clerk) });
    expect(await w.h.submit(w.as.operator, 'member:Amend', { id: fresh, mspId: 'PlatformMSP' })).to.include({ mspId: 'PlatformMSP' });
    expect(await w.h.submit(w.as.operator, 'member:Amend', { id: IDS.tier1, name: 'Tier One Renamed Ltd' })).to.include({ name: 'Tier One Renamed Ltd', mspId: 'PlatformMSP' });
  });

  it('on a ledger whose identity index was not repaired, an identity left of the old MSP acts for nobody after the move', async () => {
    const clerk = await makeIdentity('CoreMSP', 'unindexed-clerk');
    await w.h.submit(w.as.operator, 'member:BindIdentity', { memberId: fresh, mspId: 'CoreMSP', identityId: clientIdOf(clerk), userRole: 'MAKER' });
    expect((await w.h.evaluate(clerk, 'member:WhoAmI', {})).member.id).to.equal(fresh);
    // As an earlier version left it: the binding without its IDX_IDN_MEMBER entry.
    await w.h.writeDirectly(w.as.operator, (stub) => stub.deleteState(stub.createCompositeKey('IDX_IDN_MEMBER', [fresh, 'CoreMSP', clientIdOf(clerk)])));
    await w.h.submit(w.as.operator, 'member:Amend', { id: fresh, mspId: 'PlatformMSP' });
    const err = await rejects(w.h.evaluate(clerk, 'member:WhoAmI', {}), 'FORBIDDEN');
    expect(err.message).to.contain('now of PlatformMSP');
    await rejects(w.h.submit(clerk, 'receivable:Register', { debtor: IDS.core, amount: '100', dueDate: '2026-06-30' }), 'FORBIDDEN');
  });

  it('is the operator’s alone; an unknown member is NOT_FOUND; a change of nothing or a malformed field is VALIDATION_FAILED', async () => {
    for (const who of ['tier1', 'bank', 'core'] as const) {
      await rejects(w.h.submit(w.as[who], 'member:Amend', { id: fresh, name: 'Mine now' }), 'FORBIDDEN');
    }
    await rejects(w.h.submit(w.as.operator, 'member:Amend', { id: withCheckChar('91440300MA00GY008'), name: 'Nobody' }), 'NOT_FOUND');
    await rejects(w.h.submit(w.as.operator, 'member:Amend', { id: fresh, name: 'Shenzen Typo Co' }), 'VALIDATION_FAILED');
    await rejects(w.h.submit(w.as.operator, 'member:Amend', { id: fresh }), 'VALIDATION_FAILED');
    await rejects(w.h.submit(w.as.operator, 'member:Amend', { id: fresh, mspId: 'not an msp!' }), 'VALIDATION_FAILED');
    await rejects(w.h.submit(w.as.operator, 'member:Amend', { id: fresh, name: '   ' }), 'VALIDATION_FAILED');
    expect(await w.h.evaluate(w.as.operator, 'member:Get', { id: fresh })).to.include({ name: 'Shenzen Typo Co', mspId: 'CoreMSP' });
  });
});
