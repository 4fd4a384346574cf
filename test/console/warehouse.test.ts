import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { BANK, isoDate, SUPPLIER1, uniqueKey, type Label } from '../http/harness';
import { consoleRigHooks } from './browser';
import { BankPage, en, ReceiptsPage, WarehousePage } from './pages';

/*
 * Warehouse receipts (仓单) at the desk: the warehouse issues and delivers,
 * the owner splits and pledges, the bank releases or enforces. The data a
 * test needs is made through the API with unique lot numbers, so the tests
 * run in any order.
 */

interface Receipt {
  id: string;
  status: string;
  owner: string;
  quantity: number;
  valuation: string;
  pledgee?: string;
}

describe('console: warehouse receipts at the desk', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks();

  const signIn = (label: string): Promise<Page> => rig().signIn(label);
  const receipt = (id: string, label: Label = 'supplier1') => rig().call<Receipt>(label, 'GET', `/warehouse-receipts/${id}`);
  const lot = () => `QD-${uniqueKey('lot')}`;
  const goods = (lotId: string) => ({ owner: SUPPLIER1(), commodity: 'hot-rolled steel coil', grade: 'Q235B', quantity: '500', unit: 't', location: 'Qingdao Qianwan bonded zone, shed 7', lotId, valuation: '1000000' });

  it('the warehouse has a view of its own: it issues a receipt, and bad input or a lot already receipted writes nothing', async () => {
    const page = await signIn('warehouse');
    const nav = page.getByRole('navigation', { name: en('app.nav') });
    expect(await nav.getByRole('link', { name: en('nav.warehouse') }).getAttribute('aria-current')).to.equal('page');
    const desk = new WarehousePage(page);
    const lotId = lot();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/warehouse-receipts') posts.push(r.postData() ?? '');
    });

    // A fraction of a unit: the console says so and sends nothing.
    const height0 = await rig().ledger.height();
    await desk.fillReceipt({ ...goods(lotId), quantity: '2.5' });
    await desk.issue.getByRole('button', { name: en('warehouse.submitIssue') }).click();
    await desk.issue.getByRole('alert').filter({ hasText: en('error.quantity') }).waitFor();
    expect(posts).to.deep.equal([]);

    // A lot number with a space: the gateway refuses it, field named, nothing written.
    await desk.fillReceipt({ ...goods('QD 2026 17'), quantity: '500' });
    await desk.issue.getByRole('button', { name: en('warehouse.submitIssue') }).click();
    const refused = desk.issue.getByRole('alert').filter({ hasText: en('code.VALIDATION_FAILED') });
    await refused.waitFor();
    expect(await refused.textContent()).to.contain('lotId');
    expect(posts).to.have.length(1);
    expect(await rig().ledger.height()).to.equal(height0);

    await desk.fillReceipt(goods(lotId));
    const id = await desk.submitIssue();
    expect(id).to.match(/^WRC-/);
    const row = desk.row(id);
    await row.filter({ hasText: 'ACTIVE' }).waitFor();
    await row.locator('.party-name').filter({ hasText: 'Suzhou Precision Parts (tier 1)' }).waitFor();
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells).to.include.members([id, 'hot-rolled steel coil · Q235B', '500 t', '1,000,000.00 CNY', lotId, `Suzhou Precision Parts (tier 1) ${SUPPLIER1()}`]);
    expect(await receipt(id)).to.include({ owner: SUPPLIER1(), quantity: 500, valuation: '100000000', status: 'ACTIVE' });

    // The same goods again (the same warehouse and lot): one receipt per lot, so nobody finances it twice.
    const height1 = await rig().ledger.height();
    await desk.fillReceipt({ ...goods(lotId.toLowerCase()), commodity: 'steel coil' });
    await desk.issue.getByRole('button', { name: en('warehouse.submitIssue') }).click();
    await desk.issue.getByRole('alert').filter({ hasText: en('code.DOUBLE_FINANCING') }).waitFor();
    expect(await rig().ledger.height()).to.equal(height1);
    expect(await desk.receipts.getByRole('row').filter({ hasText: lotId }).count()).to.equal(1);
  });

  it('the owner splits and pledges; the bank disburses, is refused enforcing before the due date, and releases; the warehouse delivers', async () => {
    const root = await rig().call<Receipt>('warehouse', 'POST', '/warehouse-receipts', { ...goods(lot()), quantity: 500, valuation: '100000000' });
    const [part1, part2] = [`${root.id}.1`, `${root.id}.2`];

    const ownerPage = await signIn('supplier1');
    const owner = new ReceiptsPage(ownerPage);
    await owner.row(root.id).waitFor();
    await owner.split(root.id, '200 300');
    await owner.row(part1).filter({ hasText: '200 t' }).waitFor();
    await owner.row(part2).filter({ hasText: '300 t' }).waitFor();
    await owner.row(root.id).filter({ hasText: 'SPLIT' }).waitFor();
    expect(await owner.row(root.id).getByRole('button').count()).to.equal(0);

    // 200 of 500 t: valued 400,000.00 CNY, so a pledge borrows at most 280,000.00.
    const pledge = await owner.startPledge(part1);
    expect(await pledge.textContent()).to.contain(en('receipts.pledgeHint', { percent: '70', most: '280,000.00 CNY' }));
    const height0 = await rig().ledger.height();
    await owner.fillPledge(pledge, { bank: BANK(), requestedAmount: '280000.01', dueDate: isoDate(30) });
    await pledge.getByRole('button', { name: en('receipts.submitPledge') }).click();
    await pledge.getByRole('alert').filter({ hasText: en('code.BUSINESS_RULE') }).waitFor();
    expect(await rig().ledger.height()).to.equal(height0);
    expect((await receipt(part1)).status).to.equal('ACTIVE');
    await owner.fillPledge(pledge, { bank: BANK(), requestedAmount: '280000', dueDate: isoDate(30) });
    await pledge.getByRole('button', { name: en('receipts.submitPledge') }).click();
    const requested = pledge.getByRole('status');
    await requested.waitFor();
    const financingId = /FIN-[A-Za-z0-9]+/.exec((await requested.textContent()) ?? '')?.[0] ?? '';
    expect(financingId).to.match(/^FIN-/);
    await owner.row(part1).filter({ hasText: 'PLEDGE_PENDING' }).waitFor();
    await ownerPage.getByRole('region', { name: en('supplier.financings') }).getByRole('cell', { name: financingId, exact: true }).waitFor();

    const bankPage = await signIn('bank-maker');
    const bank = new BankPage(bankPage);
    const approval = await bank.startApproval(financingId, '280000', '480');
    await approval.getByRole('button', { name: en('bank.submitApprove') }).click();
    await approval.getByRole('status').filter({ hasText: en('bank.approved', { id: financingId }) }).waitFor();
    await bank.disburse(financingId, 'CNAPS-PLEDGE-1');
    expect(await receipt(part1)).to.include({ status: 'PLEDGED', pledgee: BANK() });

    // Enforcing is for a loan in default: before its due date the ledger refuses, and the pledge stays.
    const height1 = await rig().ledger.height();
    await bank.requests.getByRole('button', { name: en('bank.enforceTitle', { id: part1 }) }).click();
    const enforce = bankPage.getByRole('form', { name: en('bank.enforceTitle', { id: part1 }), exact: true });
    // A confirmation with no fields: its button has the focus, what it does is said beside it.
    expect(await enforce.getByRole('button', { name: en('bank.submitEnforce') }).evaluate((b) => b === (b as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement)).to.equal(true);
    expect(await enforce.textContent()).to.contain(en('bank.enforceHint', { id: part1, due: isoDate(30) }));
    await enforce.getByRole('button', { name: en('bank.submitEnforce') }).click();
    await enforce.getByRole('alert').filter({ hasText: en('code.BUSINESS_RULE') }).waitFor();
    expect(await rig().ledger.height()).to.equal(height1);
    expect(await receipt(part1)).to.include({ status: 'PLEDGED', owner: SUPPLIER1() });

    await bank.requests.getByRole('button', { name: en('bank.releaseTitle', { id: part1 }) }).click();
    const release = bankPage.getByRole('form', { name: en('bank.releaseTitle', { id: part1 }), exact: true });
    await release.getByLabel(en('field.paymentRefOptional'), { exact: true }).fill('CNAPS-REPAY-1');
    await release.getByRole('button', { name: en('bank.submitRelease') }).click();
    await release.getByRole('status').filter({ hasText: en('bank.released', { id: part1 }) }).waitFor();
    await bank.requests.getByRole('row').filter({ hasText: financingId }).filter({ hasText: 'REPAID' }).waitFor();
    expect(await bank.requests.getByRole('button', { name: en('bank.releaseTitle', { id: part1 }) }).count()).to.equal(0);
    const released = await receipt(part1);
    expect(released).to.include({ status: 'ACTIVE', owner: SUPPLIER1() });
    expect(released).to.not.have.property('pledgee');

    const warehousePage = await signIn('warehouse');
    const warehouse = new WarehousePage(warehousePage);
    await warehouse.row(part2).waitFor();
    expect(await warehouse.row(root.id).getByRole('button').count()).to.equal(0);
    await warehouse.receipts.getByRole('button', { name: en('warehouse.deliverTitle', { id: part2 }) }).click();
    await warehouse.receipts.getByRole('status').filter({ hasText: en('warehouse.delivered', { id: part2 }) }).waitFor();
    await warehouse.row(part2).filter({ hasText: 'DELIVERED' }).waitFor();
    expect(await warehouse.row(part2).getByRole('button').count()).to.equal(0);
    expect(await receipt(part2, 'warehouse')).to.include({ status: 'DELIVERED', deliveredTo: SUPPLIER1() });
  });
});
