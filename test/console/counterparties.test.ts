import { expect } from 'chai';
import type { Locator, Page } from 'playwright-core';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import { BANK, CORE, isoDate, receiptBody, SUPPLIER1, SUPPLIER2, SUPPLIER3, uniqueKey, type Label } from '../http/harness';
import { csrFor } from '../support/certs';
import { consoleRigHooks } from './browser';
import { en, form, OperatorPage, SignInPage, suggestionsOf, SupplierPage, WarehousePage } from './pages';

/*
 * A field that takes another member's id offers the counterparties the
 * signed-in member has already met in its own records, by name and id, and
 * only those with the role the field needs. A member may not list the
 * roster, so it is never offered one it has not met; the operator, who may,
 * is offered the roster. Each test registers members of its own (a new
 * supplier has met nobody), so what it has met is known whatever ran before.
 */

type Offered = Array<{ value: string; label: string }>;

const NAMES = {
  core: 'Beijing Heavy Machinery Group',
  bank: 'Pudong Commercial Bank',
  supplier1: 'Suzhou Precision Parts (tier 1)',
};

describe('console: counterparties offered where a member id is typed', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks();
  let seq = 0;

  const call = <T = any>(label: Label, method: string, path: string, body?: unknown): Promise<T> => rig().call<T>(label, method, path, body);
  const withToken = async <T = any>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${rig().base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer as T;
  };

  /** A supplier registered now, with an ADMIN token of its own: it has met nobody yet. */
  const newSupplier = async (name: string): Promise<{ id: string; name: string; token: string }> => {
    const id = withCheckChar(`9133010040${String((Date.now() + seq++) % 1e7).padStart(7, '0')}`);
    await call('operator-admin', 'POST', '/members', { id, name, mspId: 'PlatformMSP', roles: ['SUPPLIER'] });
    const issued = await call<{ token: string }>('operator-admin', 'POST', `/members/${id}/credentials`, { csr: (await csrFor()).pem, userRole: 'ADMIN' });
    return { id, name, token: issued.token };
  };
  /** A root voucher the core enterprise issues on a confirmed receivable of `creditor` (a token, or a demo label). */
  const voucherFor = async (creditor: { id: string; token?: string; label?: Label }, amount = '1000000'): Promise<string> => {
    const invoice = { kind: 'INVOICE', sellerTaxId: creditor.id, invoiceCode: '', invoiceNumber: `CP${Date.now()}${seq++}`, amount, issueDate: '2026-01-02' };
    const body = { debtor: CORE(), amount, dueDate: isoDate(120), documents: [invoice] };
    const rcv = creditor.token ? await withToken<{ id: string }>(creditor.token, 'POST', '/receivables', body) : await call<{ id: string }>(creditor.label ?? 'supplier1', 'POST', '/receivables', body);
    await rig().confirm(rcv.id);
    return (await call<{ id: string }>('core-maker', 'POST', '/vouchers', { receivableId: rcv.id, amount, maturityDate: isoDate(90) })).id;
  };
  const signInWith = async (token: string): Promise<Page> => {
    const { page } = await rig().open();
    const signIn = new SignInPage(page);
    await signIn.withToken(token);
    await signIn.nav.waitFor();
    return page;
  };
  /** Paths of the roster (GET /members, not /members/:id) the page asks for. */
  const rosterReads = (page: Page): string[] => {
    const asked: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname === '/members') asked.push(url.pathname + url.search);
    });
    return asked;
  };
  /** Waits until `field` offers exactly `expected`, in any order; fails saying what it offered. */
  const offers = async (field: Locator, expected: Offered, message: string): Promise<void> => {
    const sorted = (o: Offered) => [...o].sort((a, b) => a.value.localeCompare(b.value));
    const deadline = Date.now() + 10_000;
    let last: Offered = [];
    for (;;) {
      last = await suggestionsOf(field);
      if (JSON.stringify(sorted(last)) === JSON.stringify(sorted(expected))) return;
      if (Date.now() > deadline) expect(sorted(last), message).to.deep.equal(sorted(expected));
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('a member that has met nobody is offered nobody, though the ledger has suppliers, core enterprises and banks', async () => {
    const stranger = await newSupplier('Wuxi Stranger Components');
    const page = await signInWith(stranger.token);
    const asked = rosterReads(page);
    const supplier = new SupplierPage(page);
    await supplier.pieces.getByText(en('common.none')).waitFor();
    await page.waitForLoadState('networkidle');
    const debtor = supplier.register.getByLabel(en('supplier.debtor'), { exact: true });
    expect(await suggestionsOf(debtor)).to.deep.equal([]);
    expect(await debtor.getAttribute('list'), 'a field with nothing to offer names no list').to.equal(null);
    expect(asked, 'the console does not ask a member for the roster').to.deep.equal([]);
  });

  it("a supplier holding a core enterprise's voucher is offered it by name as a debtor, and as a recipient only the supplier that passed it a piece", async () => {
    const holder = await newSupplier('Changzhou Gearbox Co');
    const own = await voucherFor(holder);
    // Supplier 1 passes it part of a voucher of its own: the piece is written by supplier 1.
    const passed = await voucherFor({ id: SUPPLIER1(), label: 'supplier1' });
    await call('supplier1', 'POST', `/vouchers/${passed}/transfer`, { to: holder.id, amount: '400000' });
    // Suppliers 2 and 3, and another new supplier, are on the ledger; it never dealt with them.
    const page = await signInWith(holder.token);
    const asked = rosterReads(page);
    const supplier = new SupplierPage(page);
    await supplier.pieceRow(own).waitFor();

    const debtor = supplier.register.getByRole('combobox', { name: en('supplier.debtor'), exact: true });
    await offers(debtor, [{ value: CORE(), label: NAMES.core }], 'the debtor field offers the issuer of its voucher');

    await page.getByRole('button', { name: en('supplier.transferTitle', { id: own }) }).click();
    const transfer = form(page, en('supplier.transferTitle', { id: own }));
    const to = transfer.getByLabel(en('supplier.to'), { exact: true });
    // Not the core enterprise (a voucher goes to a supplier), not itself, not suppliers 2 and 3.
    await offers(to, [{ value: SUPPLIER1(), label: NAMES.supplier1 }], 'the recipient field offers the supplier that passed it a piece');
    for (const stranger of [SUPPLIER2(), SUPPLIER3(), holder.id, CORE()]) expect((await suggestionsOf(to)).map((o) => o.value)).to.not.include(stranger);

    // A suggestion is a value like any typed one: the transfer goes through.
    await to.fill(SUPPLIER1());
    await transfer.getByLabel(en('supplier.amount'), { exact: true }).fill('2000.00');
    await transfer.getByRole('button', { name: en('supplier.submitTransfer') }).click();
    await transfer.getByRole('status').filter({ hasText: en('supplier.transferred', { id: own }) }).waitFor();
    expect(asked, 'the console does not ask a member for the roster').to.deep.equal([]);
  });

  it('a supplier that asked a bank for financing is offered that bank by name when it finances another piece or pledges a receipt', async () => {
    const borrower = await newSupplier('Nantong Bearing Works');
    const [first, second] = [await voucherFor(borrower), await voucherFor(borrower)];
    const receipt = await call<{ id: string }>('warehouse', 'POST', '/warehouse-receipts', receiptBody({ owner: borrower.id }));
    const page = await signInWith(borrower.token);
    const supplier = new SupplierPage(page);
    await supplier.pieceRow(second).waitFor();

    // Before it asked any bank, the bank field offers none.
    await page.getByRole('button', { name: en('supplier.financeTitle', { id: second }) }).click();
    const before = form(page, en('supplier.financeTitle', { id: second }));
    await page.waitForLoadState('networkidle');
    expect(await suggestionsOf(before.getByLabel(en('supplier.bankId'), { exact: true }))).to.deep.equal([]);

    await withToken(borrower.token, 'POST', '/financings', { asset: { type: 'VOUCHER', id: first }, bank: BANK(), requestedAmount: '500000' });
    await page.reload();
    await supplier.pieceRow(second).waitFor();
    await page.getByRole('button', { name: en('supplier.financeTitle', { id: second }) }).click();
    const finance = form(page, en('supplier.financeTitle', { id: second }));
    await offers(finance.getByRole('combobox', { name: en('supplier.bankId'), exact: true }), [{ value: BANK(), label: NAMES.bank }], 'the bank field offers the bank it asked');
    await finance.getByRole('button', { name: en('common.cancel') }).click();

    const receipts = page.getByRole('region', { name: en('receipts.mine') });
    await receipts.getByRole('button', { name: en('receipts.pledgeTitle', { id: receipt.id }) }).click();
    const pledge = form(page, en('receipts.pledgeTitle', { id: receipt.id }));
    await offers(pledge.getByLabel(en('supplier.bankId'), { exact: true }), [{ value: BANK(), label: NAMES.bank }], 'the pledge offers the bank it asked');
    await pledge.getByRole('button', { name: en('common.cancel') }).click();
    // A receipt goes to a supplier: neither the bank nor the warehouse nor the core enterprise is offered.
    await receipts.getByRole('button', { name: en('receipts.transferTitle', { id: receipt.id }) }).click();
    const transfer = form(page, en('receipts.transferTitle', { id: receipt.id }));
    expect(await suggestionsOf(transfer.getByLabel(en('supplier.to'), { exact: true }))).to.deep.equal([]);
  });

  it('the warehouse is offered, by name, the owners of the receipts it issued, and not a supplier it never issued to', async () => {
    const owner = await newSupplier('Yantai Copper Trading');
    const stranger = await newSupplier('Weihai Never Stored');
    await call('warehouse', 'POST', '/warehouse-receipts', receiptBody({ owner: owner.id, lotId: `QD-${uniqueKey('lot')}` }));
    const page = await rig().signIn('warehouse');
    const desk = new WarehousePage(page);
    const field = desk.issue.getByRole('combobox', { name: en('warehouse.owner'), exact: true });
    const deadline = Date.now() + 10_000;
    while (!(await suggestionsOf(field)).some((o) => o.value === owner.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const offered = await suggestionsOf(field);
    expect(offered).to.deep.include({ value: owner.id, label: owner.name });
    expect(offered.map((o) => o.value)).to.not.include(stranger.id);
    // Owners are suppliers: the warehouse itself and the banks it met through pledges are not offered.
    const roles = await Promise.all(offered.map((o) => call<{ roles: string[] }>('auditor', 'GET', `/members/${o.value}`)));
    expect(roles.every((m) => m.roles.includes('SUPPLIER'))).to.equal(true);
  });

  it('the operator, who may list members, is offered the roster for a member to freeze, and no member for an asset', async () => {
    const newcomer = await newSupplier('Jiaxing Roster Newcomer');
    const page = await rig().signIn('operator-admin');
    const operator = new OperatorPage(page);
    const id = operator.freeze.getByLabel(en('operator.targetId'), { exact: true });
    await operator.freeze.getByLabel(en('operator.targetType')).selectOption('MEMBER');
    const deadline = Date.now() + 10_000;
    while (!(await suggestionsOf(id)).some((o) => o.value === newcomer.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const offered = await suggestionsOf(id);
    expect(offered).to.deep.include.members([
      { value: newcomer.id, label: newcomer.name },
      { value: BANK(), label: NAMES.bank },
      { value: CORE(), label: NAMES.core },
    ]);
    await operator.freeze.getByLabel(en('operator.targetType')).selectOption('VOUCHER');
    expect(await suggestionsOf(id)).to.deep.equal([]);
  });

  it('the roster the operator is offered takes in a member registered or suspended in the console, whatever the members list shows, without a reload', async () => {
    const page = await rig().signIn('operator-admin');
    const operator = new OperatorPage(page);
    const field = operator.freeze.getByLabel(en('operator.targetId'), { exact: true });
    await operator.freeze.getByLabel(en('operator.targetType')).selectOption('MEMBER');
    /** Waits until what `field` offers passes `accept`; fails saying what it offered. */
    const until = async (accept: (offered: Offered) => boolean, message: string): Promise<void> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const offered = await suggestionsOf(field);
        if (accept(offered)) return;
        if (Date.now() > deadline) expect.fail(`${message}; offered ${JSON.stringify(offered)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    // The members list shows the banks only: a supplier registered now does not appear in it.
    await operator.members.locator('.filters').getByLabel(en('operator.role')).selectOption('BANK');
    await operator.members.getByRole('cell', { name: NAMES.bank, exact: true }).waitFor();
    await until((o) => o.some((m) => m.value === BANK()), 'the roster is offered');
    const newcomer = { id: withCheckChar(`9133010050${String((Date.now() + seq++) % 1e7).padStart(7, '0')}`), name: 'Shaoxing Registered Here' };
    await operator.fillRegistration({ ...newcomer, role: 'SUPPLIER', threshold: '' });
    await operator.register.getByRole('button', { name: en('operator.submitRegister') }).click();
    await operator.register.getByRole('status').filter({ hasText: en('operator.registered', { id: newcomer.id }) }).waitFor();
    await until((o) => o.some((m) => m.value === newcomer.id && m.label === newcomer.name), 'the member registered here is offered');

    // Suspended here, it is offered no more (the roster offers ACTIVE members), though the list shows the same members.
    await operator.members.locator('.filters').getByLabel(en('operator.role')).selectOption('');
    const row = operator.members.getByRole('row').filter({ has: page.getByRole('cell', { name: newcomer.id, exact: true }) });
    await row.getByRole('button', { name: `${en('operator.suspend')} ${newcomer.id}` }).click();
    await row.getByRole('cell', { name: en('status.SUSPENDED') }).waitFor();
    await until((o) => !o.some((m) => m.value === newcomer.id) && o.some((m) => m.value === BANK()), 'the member suspended here is offered no more');
  });
});
