import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { fill, resources, type MessageKey } from '../../console/src/catalogue';
import { BANK, CORE, isoDate, SUPPLIER1, type Label } from '../http/harness';
import { consoleRigHooks } from './browser';
import { en, form } from './pages';

/*
 * The Chinese console names what the ledger sends by its Chinese words: the
 * properties of a record the auditor reads (the API's name in the title),
 * asset types and kinds of document, as it already did statuses. The data is
 * made through the API on a rig of its own.
 */

/** A name from the console's Chinese catalogue. */
const zh = (key: MessageKey, params: Record<string, string | number> = {}): string => fill(resources.zh[key], params);
const zhField = (name: string): string | undefined => (resources.zh as Record<string, string>)[`recordField.${name}`];

describe('console: the Chinese console names record properties, asset types and kinds of document in Chinese', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks();
  let seq = 0;

  const call = <T = any>(label: Label, method: string, path: string, body?: unknown): Promise<T> => rig().call<T>(label, method, path, body);
  /** A confirmed receivable of supplier 1, a voucher issued on it, and a financing requested on the voucher. */
  const financedVoucher = async (): Promise<{ receivable: string; voucher: string; financing: string }> => {
    const invoice = { kind: 'INVOICE', sellerTaxId: SUPPLIER1(), invoiceCode: '', invoiceNumber: `ZH${Date.now()}${seq++}`, amount: '1000000', issueDate: '2026-01-02' };
    const receivable = (await call<{ id: string }>('supplier1', 'POST', '/receivables', { debtor: CORE(), amount: '1000000', dueDate: isoDate(120), documents: [invoice] })).id;
    await call('core-maker', 'POST', `/receivables/${receivable}/confirm`, {});
    const voucher = (await call<{ id: string }>('core-maker', 'POST', '/vouchers', { receivableId: receivable, amount: '1000000', maturityDate: isoDate(90) })).id;
    const financing = (await call<{ id: string }>('supplier1', 'POST', '/financings', { asset: { type: 'VOUCHER', id: voucher }, bank: BANK(), requestedAmount: '500000' })).id;
    return { receivable, voucher, financing };
  };
  const signInChinese = async (label: string): Promise<Page> => {
    const page = await rig().signIn(label);
    await page.getByLabel(en('app.language')).selectOption('zh');
    await page.getByRole('navigation', { name: zh('app.nav') }).waitFor();
    return page;
  };

  it("the auditor reads a record's properties and their changes by their Chinese names, with the API's name in the title", async () => {
    const { receivable, voucher, financing } = await financedVoucher();
    const page = await signInChinese('auditor');
    const lookup = form(page, zh('auditor.lookup'));
    const record = page.getByRole('region', { name: zh('auditor.record') });
    for (const id of [receivable, voucher, financing]) {
      await lookup.getByLabel(zh('auditor.assetId'), { exact: true }).fill(id);
      await lookup.getByRole('button', { name: zh('auditor.find') }).click();
      await lookup.getByRole('status').filter({ hasText: zh('common.open', { id }) }).waitFor();
      await record.getByRole('definition').first().waitFor();
      const terms = await record.getByRole('term').all();
      expect(terms.length, id).to.be.greaterThan(8);
      for (const term of terms) {
        const name = (await term.getAttribute('title')) ?? '';
        expect(await term.textContent(), `${id}: ${name}`).to.equal(zhField(name));
      }
    }

    // The receivable's history, since it was confirmed: what changed, in Chinese, statuses too.
    await lookup.getByLabel(zh('auditor.assetId'), { exact: true }).fill(receivable);
    await lookup.getByRole('button', { name: zh('auditor.find') }).click();
    const history = page.getByRole('region', { name: zh('auditor.historyOf', { id: receivable }) });
    await history.getByText(zh('auditor.changed', { fields: '' }), { exact: false }).first().waitFor();
    const lines = await history.getByRole('listitem').allTextContents();
    expect(lines).to.include(`${zh('recordField.status')}: ${zh('status.CONFIRMED')} → ${zh('status.VOUCHERED')}`);
    expect(lines).to.include(`${zh('recordField.voucheredAmount')}: 0.00 CNY → 10,000.00 CNY`);
    expect(lines.join('\n')).to.not.match(/voucheredAmount|status:/);
  });

  it('the supplier, the bank and the operator read asset types and kinds of document in Chinese', async () => {
    const { receivable, voucher, financing } = await financedVoucher();
    const assetCell = `${zh('assetType.VOUCHER')} ${voucher}`;

    const supplier = await signInChinese('supplier1');
    const financings = supplier.getByRole('region', { name: zh('supplier.financings') });
    await financings.getByRole('row').filter({ hasText: financing }).getByRole('cell', { name: assetCell, exact: true }).waitFor();

    const bank = await signInChinese('bank-maker');
    const requests = bank.getByRole('region', { name: zh('bank.requests') });
    await requests.getByRole('row').filter({ hasText: financing }).getByRole('cell', { name: assetCell, exact: true }).waitFor();
    await requests.getByRole('button', { name: zh('bank.provenanceOf', { id: voucher }) }).click();
    const lineage = bank.getByRole('list', { name: zh('bank.provenanceOf', { id: voucher }) });
    // The receivable's status too, which the provenance named by its code.
    await lineage.getByText(zh('bank.receivableNode', { id: receivable, status: zh('status.VOUCHERED') }), { exact: true }).waitFor();
    await lineage.getByRole('listitem').filter({ hasText: new RegExp(`^${zh('documentKind.INVOICE')} [0-9a-f]{12}…$`) }).waitFor();

    const operator = await signInChinese('operator-admin');
    const freeze = form(operator, zh('operator.freeze'));
    const type = freeze.getByLabel(zh('operator.targetType'));
    expect(await type.inputValue()).to.equal('VOUCHER');
    expect(await type.getByRole('option').allTextContents()).to.deep.equal(['MEMBER', 'RECEIVABLE', 'VOUCHER', 'WAREHOUSE_RECEIPT'].map((t) => zh(`assetType.${t}` as MessageKey)));
    await freeze.getByLabel(zh('operator.targetId'), { exact: true }).fill(voucher);
    await freeze.getByLabel(zh('field.reason'), { exact: true }).fill('法院协助执行通知书');
    await freeze.getByRole('button', { name: zh('operator.submitFreeze') }).click();
    await freeze.getByRole('status').waitFor();
    const freezes = operator.getByRole('region', { name: zh('operator.freezes') });
    await freezes.getByRole('cell', { name: assetCell, exact: true }).waitFor();
  });
});
