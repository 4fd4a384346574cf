import { expect } from 'chai';
import type { Page, Route } from 'playwright-core';
import { SUPPLIER3 } from '../http/harness';
import { consoleRigHooks } from './browser';
import { en, OperatorPage } from './pages';

/*
 * Who can sign for a member, in the operator's console: the identities bound
 * to it on the ledger (GET /members/:id/identities), whoever bound them and
 * however (over the API here, not through the console's credentials), each by
 * its certificate's common name, with its MSP, user role, whether it is an
 * offer not yet accepted, and when it was bound; page by page.
 */

const DOMAIN = 'platform.scf.local';
/** A Fabric identity id (ClientIdentity.getID()) of a PlatformMSP client certificate with common name `cn`. */
const identityOf = (cn: string) => `x509::/C=CN/O=${DOMAIN}/OU=client/CN=${cn}@${DOMAIN}::/C=CN/O=${DOMAIN}/CN=ca.${DOMAIN}`;

describe('console: who can sign for a member, as the ledger has it', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks();

  /** Asks the gateway for `pageSize` identities a page, whatever the console asks for. */
  const smallPages = (page: Page, pageSize: number) =>
    page.route(
      (url) => /^\/members\/[^/]+\/identities$/.test(url.pathname),
      (route: Route) => {
        const url = new URL(route.request().url());
        url.searchParams.set('pageSize', String(pageSize));
        return route.continue({ url: url.toString() });
      },
    );

  it('shows the identities bound over the API with their role, an offer as not yet accepted, page by page; an unbound one drops out', async () => {
    const member = SUPPLIER3();
    const stamp = Date.now() % 100000;
    const checker = `desk-checker-${stamp}`;
    const admin = `desk-admin-${stamp}`;
    const maker = `desk-maker-${stamp}`;
    // The operator binds in force; the member's own ADMIN (the demo identity supplier3) only offers.
    await rig().call('operator-admin', 'POST', `/members/${member}/identities`, { mspId: 'PlatformMSP', identityId: identityOf(checker), userRole: 'CHECKER' });
    await rig().call('operator-admin', 'POST', `/members/${member}/identities`, { mspId: 'PlatformMSP', identityId: identityOf(admin), userRole: 'ADMIN' });
    const offered = await rig().call<{ pendingAcceptance?: boolean }>('supplier3', 'POST', `/members/${member}/identities`, {
      mspId: 'PlatformMSP',
      identityId: identityOf(maker),
      userRole: 'MAKER',
    });
    expect(offered.pendingAcceptance).to.equal(true);

    const page = await rig().signIn('operator-admin');
    await smallPages(page, 2);
    const operator = new OperatorPage(page);
    await operator.showIdentities(member);
    const table = operator.ledgerIdentities(member);
    const row = (cn: string) => table.getByRole('row').filter({ has: page.getByRole('cell', { name: `${cn}@${DOMAIN}`, exact: true }) });

    // Two a page: the first two, then the rest when asked (the demo identity supplier3 and the three above).
    await table.getByText(en('list.partial', { count: 2 })).waitFor();
    expect(await table.locator('tbody tr').count()).to.equal(2);
    await table.getByRole('button', { name: en('list.more') }).click();
    await table.getByRole('button', { name: en('list.more') }).waitFor({ state: 'detached' });
    expect(await table.locator('tbody tr').count()).to.equal(4);

    await row(checker).filter({ hasText: en('userRole.CHECKER') }).filter({ hasText: en('operator.inForce') }).filter({ hasText: 'PlatformMSP' }).waitFor();
    await row(admin).filter({ hasText: en('userRole.ADMIN') }).filter({ hasText: en('operator.inForce') }).waitFor();
    await row(maker).filter({ hasText: en('userRole.MAKER') }).filter({ hasText: en('operator.offered') }).waitFor();
    await row('supplier3').filter({ hasText: en('userRole.ADMIN') }).waitFor();
    // The full identity id is there for whoever needs it; the date it was bound too.
    expect(await row(checker).getByTitle(identityOf(checker), { exact: true }).count()).to.equal(1);
    expect(await row(checker).locator('td').nth(4).textContent()).to.match(/\d{4}/);
    // Bound over the API, not issued here: none of them is among the credentials this gateway issued.
    expect(await operator.issuedCredentials(member).getByText(checker).count()).to.equal(0);

    // Unbound on the ledger: asked again, the operator no longer sees it among those who can sign.
    await rig().call('operator-admin', 'POST', `/members/${member}/identities/unbind`, { mspId: 'PlatformMSP', identityId: identityOf(checker), reason: 'left the company' });
    await page.unrouteAll();
    await operator.showIdentities(member);
    await row(admin).waitFor();
    await row(maker).filter({ hasText: en('operator.offered') }).waitFor();
    expect(await row(checker).count()).to.equal(0);
    expect(await table.locator('tbody tr').count()).to.equal(3);
  });
});
