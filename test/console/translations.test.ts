import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { ROLES } from '../../chaincode/src/domain/types';
import { fill, resources, type MessageKey } from '../../console/src/catalogue';
import { BANK, CORE, isoDate, OPERATOR, SUPPLIER1, type Label } from '../http/harness';
import { consoleRigHooks } from './browser';
import { en, form } from './pages';

/*
 * The Chinese console names what the ledger sends by its Chinese words: the
 * properties of a record the auditor reads (the API's name in the title),
 * asset types and kinds of document, member and user roles, an approval's
 * transaction, a record's type, a credit line's kind and event names (each
 * with its code in the title), as it already did statuses; and the member
 * that wrote a version of a record by its name. The data is made through the
 * API on a rig of its own.
 */

/** A name from the console's Chinese catalogue. */
const zh = (key: MessageKey, params: Record<string, string | number> = {}): string => fill(resources.zh[key], params);
const zhField = (name: string): string | undefined => (resources.zh as Record<string, string>)[`recordField.${name}`];

describe('console: the Chinese console names the codes the ledger sends in Chinese', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks();
  let seq = 0;

  const call = <T = any>(label: Label, method: string, path: string, body?: unknown): Promise<T> => rig().call<T>(label, method, path, body);
  /** A confirmed receivable of supplier 1, a voucher issued on it, and a financing requested on the voucher. */
  const financedVoucher = async (): Promise<{ receivable: string; voucher: string; financing: string }> => {
    const invoice = { kind: 'INVOICE', sellerTaxId: SUPPLIER1(), invoiceCode: '', invoiceNumber: `ZH${Date.now()}${seq++}`, amount: '1000000', issueDate: '2026-01-02' };
    const receivable = (await call<{ id: string }>('supplier1', 'POST', '/receivables', { debtor: CORE(), amount: '1000000', dueDate: isoDate(120), documents: [invoice] })).id;
    await rig().confirm(receivable);
    const voucher = (await call<{ id: string }>('core-maker', 'POST', '/vouchers', { receivableId: receivable, amount: '1000000', maturityDate: isoDate(90) })).id;
    const financing = (await call<{ id: string }>('supplier1', 'POST', '/financings', { asset: { type: 'VOUCHER', id: voucher }, bank: BANK(), requestedAmount: '500000' })).id;
    return { receivable, voucher, financing };
  };
  /** A confirmed receivable of supplier 1 and, on it, the core maker's voucher above the core's dual-control threshold: an approval waiting for a checker. */
  const pendingIssuance = async (): Promise<string> => {
    const amount = '200000000';
    const invoice = { kind: 'INVOICE', sellerTaxId: SUPPLIER1(), invoiceCode: '', invoiceNumber: `ZA${Date.now()}${seq++}`, amount, issueDate: '2026-01-02' };
    const receivable = (await call<{ id: string }>('supplier1', 'POST', '/receivables', { debtor: CORE(), amount, dueDate: isoDate(120), documents: [invoice] })).id;
    await rig().confirm(receivable);
    const approval = await call<{ id: string; docType: string; transaction: string }>('core-maker', 'POST', '/vouchers', { receivableId: receivable, amount, maturityDate: isoDate(90) });
    expect(approval).to.include({ docType: 'approval', transaction: 'voucher:Issue' });
    return approval.id;
  };
  const nameOf = async (id: string): Promise<string> => (await call<{ name: string }>('auditor', 'GET', `/members/${id}`)).name;
  /** The definition of the property `name` (its term's title) in the auditor's record. */
  const definition = async (record: Locator, name: string): Promise<Locator> => {
    const names = await record.getByRole('term').evaluateAll((terms) => terms.map((term) => term.getAttribute('title')));
    expect(names, name).to.include(name);
    return record.getByRole('definition').nth(names.indexOf(name));
  };
  /** Expects `scope` to show the code `code` as `words`, the code in the title. */
  const showsCode = async (scope: Locator, code: string, words: string): Promise<void> => {
    const shown = scope.getByTitle(code, { exact: true });
    await shown.first().waitFor();
    expect(await shown.first().textContent(), code).to.equal(words);
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

  it('the operator reads member roles and user roles in Chinese, in its tables, its menus and the signed-in banner, with the code in the title', async () => {
    const page = await signInChinese('operator-admin');
    // Signed in as an ADMIN: the banner says so in Chinese.
    const who = page.getByText(zh('app.signedInAs', { label: await nameOf(OPERATOR()), member: OPERATOR(), userRole: zh('userRole.ADMIN') }), { exact: true });
    await who.waitFor();
    await showsCode(who, 'ADMIN', zh('userRole.ADMIN'));

    const members = page.getByRole('region', { name: zh('operator.members') });
    const bankRoles = members.getByRole('row').filter({ hasText: BANK() }).getByRole('cell', { name: zh('role.BANK'), exact: true });
    await bankRoles.waitFor();
    await showsCode(bankRoles, 'BANK', zh('role.BANK'));

    // The role filter offers the roles in Chinese and still asks the ledger by the code.
    const roleFilter = members.getByRole('combobox', { name: zh('operator.role') }).filter({ has: page.getByRole('option', { name: zh('operator.any'), exact: true }) });
    expect(await roleFilter.getByRole('option').allTextContents()).to.deep.equal([zh('operator.any'), ...ROLES.map((r) => zh(`role.${r}`))]);
    const operatorRole = members.getByRole('cell', { name: zh('role.OPERATOR'), exact: true });
    expect(await operatorRole.count()).to.equal(1);
    const filtered = page.waitForRequest((r) => {
      const url = new URL(r.url());
      return url.pathname === '/members' && url.searchParams.get('role') === 'BANK';
    });
    await roleFilter.selectOption({ label: zh('role.BANK') });
    await filtered;
    await bankRoles.waitFor();
    expect(await operatorRole.count()).to.equal(0);
    await roleFilter.selectOption('');

    // Registering a member: the roles it may have, in Chinese.
    const register = form(page, zh('operator.register'));
    expect(await register.getByLabel(zh('operator.role')).getByRole('option').allTextContents()).to.deep.equal(
      ROLES.filter((r) => r !== 'OPERATOR').map((r) => zh(`role.${r}`)),
    );

    // The bank's identities: their user roles, and those a credential may be issued for.
    await members.getByRole('button', { name: zh('operator.credentials', { id: BANK() }) }).click();
    const identities = page.getByRole('region', { name: zh('operator.credentials', { id: BANK() }) });
    const makerRow = identities.getByRole('row').filter({ hasText: 'bank-maker' });
    const makerRole = makerRow.getByRole('cell', { name: zh('userRole.MAKER'), exact: true });
    await makerRole.waitFor();
    await showsCode(makerRole, 'MAKER', zh('userRole.MAKER'));
    // Whether its binding is in force, and the credentials issued here under their own heading: in Chinese too.
    await makerRow.getByRole('cell', { name: zh('operator.inForce'), exact: true }).waitFor();
    await page.getByRole('region', { name: zh('operator.issuedCredentials', { id: BANK() }) }).waitFor();
    const issue = form(page, zh('operator.issue', { id: BANK() }));
    const userRole = issue.getByLabel(zh('field.userRole'));
    expect(await userRole.getByRole('option').allTextContents()).to.deep.equal(['ADMIN', 'CHECKER', 'MAKER'].map((r) => zh(`userRole.${r}` as MessageKey)));
    expect(await userRole.inputValue()).to.equal('MAKER');
  });

  it("the auditor reads live events, an approval's transaction and type and a credit line's kind in Chinese, and who wrote each version by name", async () => {
    const { receivable } = await financedVoucher();
    const page = await signInChinese('auditor');
    await page.getByRole('button', { name: zh('auditor.startEvents') }).click();
    await page.getByText(zh('auditor.streaming')).waitFor();
    const approval = await pendingIssuance();
    await showsCode(page.getByRole('log', { name: zh('auditor.events') }), 'ApprovalRequested', zh('event.ApprovalRequested'));
    await page.getByRole('button', { name: zh('auditor.stopEvents') }).click();

    const lookup = form(page, zh('auditor.lookup'));
    const record = page.getByRole('region', { name: zh('auditor.record') });
    const find = async (id: string) => {
      await lookup.getByLabel(zh('auditor.assetId'), { exact: true }).fill(id);
      await lookup.getByRole('button', { name: zh('auditor.find') }).click();
      await lookup.getByRole('status').filter({ hasText: zh('common.open', { id }) }).waitFor();
      await record.getByRole('definition').first().waitFor();
    };
    await find(approval);
    await showsCode(await definition(record, 'transaction'), 'voucher:Issue', zh('transaction.voucher:Issue'));
    await showsCode(await definition(record, 'docType'), 'approval', zh('docType.approval'));

    const lines = await call<{ records: Array<{ id: string; kind: string }> }>('auditor', 'GET', `/credit-lines?obligor=${CORE()}&kind=ISSUANCE`);
    const line = lines.records[0]?.id ?? '';
    expect(line, 'the demo grants the core enterprise an ISSUANCE line').to.match(/^CRL-/);
    await find(line);
    await showsCode(await definition(record, 'kind'), 'ISSUANCE', zh('creditLineKind.ISSUANCE'));
    await showsCode(await definition(record, 'docType'), 'creditLine', zh('docType.creditLine'));

    // The receivable's history: each version's actor by its name, with its id.
    await find(receivable);
    const history = page.getByRole('region', { name: zh('auditor.historyOf', { id: receivable }) });
    await history.getByText(`${zh('field.actor')} ${await nameOf(SUPPLIER1())} ${SUPPLIER1()} ·`).first().waitFor();
    await history.getByText(`${zh('field.actor')} ${await nameOf(CORE())} ${CORE()} ·`).first().waitFor();
  });

  it('a checker reads the transaction an approval waits to execute in Chinese, with its code in the title', async () => {
    const approval = await pendingIssuance();
    const page = await signInChinese('core-checker');
    const row = page.getByRole('region', { name: zh('approvals.title') }).getByRole('row').filter({ hasText: approval });
    const transaction = row.getByRole('cell', { name: zh('transaction.voucher:Issue'), exact: true });
    await transaction.waitFor();
    await showsCode(transaction, 'voucher:Issue', zh('transaction.voucher:Issue'));
  });
});
