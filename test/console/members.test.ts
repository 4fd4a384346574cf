import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import { SUPPLIER3 } from '../http/harness';
import { consoleRigHooks } from './browser';
import { en, OperatorPage, suggestionsOf } from './pages';

/*
 * The operator corrects a member (POST /members/:id/amend) and unbinds an
 * identity from one (POST /members/:id/identities/unbind) in its console:
 * what the ledger then has is what the console shows, and a refusal reads
 * as the gateway's problem detail, changing nothing.
 */

const DOMAIN = 'platform.scf.local';
/** A Fabric identity id (ClientIdentity.getID()) of a PlatformMSP client certificate with common name `cn`. */
const identityOf = (cn: string) => `x509::/C=CN/O=${DOMAIN}/OU=client/CN=${cn}@${DOMAIN}::/C=CN/O=${DOMAIN}/CN=ca.${DOMAIN}`;

interface Member {
  id: string;
  name: string;
  mspId: string;
}

describe('console: the operator amends members and unbinds identities', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks();

  it("amends a member's name: the form offers its name and MSP, the table and the freeze form's suggestions show the new name", async () => {
    const id = withCheckChar(`9133010040${String(Date.now() % 1e7).padStart(7, '0')}`);
    await rig().call('operator-admin', 'POST', '/members', { id, name: 'Wenzhou Misspelt Trading', mspId: 'PlatformMSP', roles: ['SUPPLIER'] });
    const page = await rig().signIn('operator-admin');
    const operator = new OperatorPage(page);
    const row = operator.members.getByRole('row').filter({ hasText: id });
    await row.filter({ hasText: 'Wenzhou Misspelt Trading' }).waitFor();

    const amend = await operator.openAmend(id);
    expect(await amend.getByLabel(en('field.name'), { exact: true }).inputValue()).to.equal('Wenzhou Misspelt Trading');
    expect(await amend.getByLabel(en('operator.mspId'), { exact: true }).inputValue()).to.equal('PlatformMSP');
    await amend.getByLabel(en('field.name'), { exact: true }).fill('Wenzhou Corrected Trading');
    await amend.getByLabel(en('field.reasonOptional'), { exact: true }).fill('a typo at registration');
    await amend.getByRole('button', { name: en('operator.submitAmend') }).click();
    await amend.getByRole('status').filter({ hasText: en('operator.amended', { id }) }).waitFor();

    // The table reads the ledger again; so does the roster the freeze form offers.
    await row.filter({ hasText: 'Wenzhou Corrected Trading' }).waitFor();
    expect(await operator.members.getByText('Wenzhou Misspelt Trading').count()).to.equal(0);
    expect(await rig().call<Member>('auditor', 'GET', `/members/${id}`)).to.include({ name: 'Wenzhou Corrected Trading', mspId: 'PlatformMSP' });
    await operator.freeze.getByLabel(en('operator.targetType')).selectOption('MEMBER');
    const target = operator.freeze.getByLabel(en('operator.targetId'), { exact: true });
    await operator.freeze.locator(`datalist option[value="${id}"]`, { hasText: 'Wenzhou Corrected Trading' }).waitFor({ state: 'attached' });
    const offered = await suggestionsOf(target);
    expect(offered).to.deep.include({ value: id, label: 'Wenzhou Corrected Trading' });
  });

  it('moving a member with identities bound to another MSP is refused with the detail to unbind them first, and changes nothing', async () => {
    const member = SUPPLIER3();
    const before = await rig().call<Member>('auditor', 'GET', `/members/${member}`);
    const page = await rig().signIn('operator-admin');
    const operator = new OperatorPage(page);
    const amend = await operator.openAmend(member);
    const height = await rig().ledger.height();
    await amend.getByLabel(en('operator.mspId'), { exact: true }).fill('ElsewhereMSP');
    await amend.getByRole('button', { name: en('operator.submitAmend') }).click();
    const refused = amend.getByRole('alert').filter({ hasText: en('code.BUSINESS_RULE') });
    await refused.waitFor();
    expect(await refused.textContent()).to.contain('unbind them before moving it to ElsewhereMSP');
    // Still open, to be corrected: nothing was written.
    expect(await amend.getByRole('button', { name: en('operator.submitAmend') }).count()).to.equal(1);
    expect(await rig().ledger.height()).to.equal(height);
    expect(await rig().call<Member>('auditor', 'GET', `/members/${member}`)).to.deep.equal(before);
    await operator.members.getByRole('row').filter({ hasText: member }).filter({ hasText: before.name }).waitFor();
  });

  it('unbinds an identity: it leaves the list of who can sign for the member, and the ledger no longer lists it', async () => {
    const member = SUPPLIER3();
    const cn = `leaver-${Date.now() % 100000}`;
    await rig().call('operator-admin', 'POST', `/members/${member}/identities`, { mspId: 'PlatformMSP', identityId: identityOf(cn), userRole: 'CHECKER' });
    const page = await rig().signIn('operator-admin');
    const operator = new OperatorPage(page);
    await operator.showIdentities(member);
    const table = operator.ledgerIdentities(member);
    const row = (name: string) => table.getByRole('row').filter({ has: page.getByRole('cell', { name: `${name}@${DOMAIN}`, exact: true }) });
    await row(cn).waitFor();
    await row('supplier3').waitFor();

    const unbind = await operator.openUnbind(member, `${cn}@${DOMAIN}`, 'PlatformMSP');
    await unbind.getByLabel(en('field.reasonOptional'), { exact: true }).fill('left the company');
    await unbind.getByRole('button', { name: en('operator.submitUnbind') }).click();
    await unbind.getByRole('status').filter({ hasText: en('operator.unbound', { identity: `${cn}@${DOMAIN}` }) }).waitFor();
    await row(cn).waitFor({ state: 'detached' });
    await row('supplier3').waitFor();
    const listed = await rig().call<{ records: Array<{ identityId: string }> }>('operator-admin', 'GET', `/members/${member}/identities?pageSize=100`);
    expect(listed.records.map((b) => b.identityId)).to.not.include(identityOf(cn));
    expect(listed.records.length).to.be.greaterThan(0);
  });
});
