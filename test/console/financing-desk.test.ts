import { expect } from 'chai';
import { BANK, CORE, SUPPLIER1 } from '../http/harness';
import { consoleRigHooks } from './browser';
import { BankPage, en } from './pages';

/**
 * A financing at the supplier's and the bank's desks as the ledger's days go
 * by (its own rig: the sandbox clock moves forward for good): the supplier
 * sees the terms and withdraws once the ledger lets it; the bank is offered
 * only what the ledger still takes.
 */
describe('console: a financing as the days go by', function () {
  this.timeout(120_000);
  const rig = consoleRigHooks();
  let seq = 0;

  const ledgerToday = async (): Promise<string> => {
    const ready = await rig().call<{ sandboxClock?: { now?: string } }>('auditor', 'GET', '/ready');
    return (ready.sandboxClock?.now ?? '').slice(0, 10);
  };
  const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  const advance = (days: number) => rig().call('operator-admin', 'POST', '/sandbox/clock', { advance: `P${days}D` });

  /** A voucher of supplier 1 maturing in `days`, a financing requested on it and approved by the bank (below its threshold). */
  const approvedFinancing = async (days: number): Promise<{ id: string; dueDate: string }> => {
    const today = await ledgerToday();
    const maturityDate = addDays(today, days);
    const invoice = { kind: 'INVOICE', sellerTaxId: SUPPLIER1(), invoiceCode: '', invoiceNumber: `FD${Date.now()}${seq++}`, amount: '1000000', issueDate: '2026-01-02' };
    const rcv = await rig().call<{ id: string }>('supplier1', 'POST', '/receivables', { debtor: CORE(), amount: '1000000', dueDate: addDays(today, days + 30), documents: [invoice] });
    await rig().confirm(rcv.id);
    const voucher = await rig().call<{ id: string }>('core-maker', 'POST', '/vouchers', { receivableId: rcv.id, amount: '1000000', maturityDate });
    const fin = await rig().call<{ id: string }>('supplier1', 'POST', '/financings', { asset: { type: 'VOUCHER', id: voucher.id }, bank: BANK(), requestedAmount: '800000' });
    await rig().call('bank-maker', 'POST', `/financings/${fin.id}/approve`, { advanceAmount: '800000', annualRateBps: 450 });
    return { id: fin.id, dueDate: maturityDate };
  };

  it('shows the supplier the terms it was granted, and offers Withdraw of an approved financing from the day the ledger allows it', async () => {
    const fin = await approvedFinancing(60);
    const from = addDays(await ledgerToday(), 10);
    const page = await rig().signIn('supplier1');
    const financings = page.getByRole('region', { name: en('supplier.financings') });
    const row = financings.getByRole('row').filter({ has: page.getByRole('cell', { name: fin.id, exact: true }) });
    await row.getByText(en('supplier.withdrawFrom', { date: from })).waitFor();
    expect(await row.getByRole('button').count()).to.equal(0);
    // The advance with its discount and fee, as the bank granted them.
    expect(await row.textContent()).to.contain('8,000.00 CNY').and.contain('4.50% a year');

    await advance(10);
    await page.reload();
    await row.getByRole('button', { name: en('supplier.withdrawTitle', { id: fin.id }) }).click();
    await financings.getByRole('status').filter({ hasText: en('supplier.withdrawn', { id: fin.id }) }).waitFor();
    expect((await rig().call<{ status: string }>('supplier1', 'GET', `/financings/${fin.id}`)).status).to.equal('WITHDRAWN');
  });

  it('offers the bank Disburse and Reject on an approved financing before its due date, and only Reject from that day', async () => {
    const fin = await approvedFinancing(3);
    const bank = new BankPage(await rig().signIn('bank-maker'));
    const row = bank.requests.getByRole('row').filter({ has: bank.page.getByRole('cell', { name: fin.id, exact: true }) });
    await row.getByRole('button', { name: en('bank.disburseTitle', { id: fin.id }) }).waitFor();
    await row.getByRole('button', { name: `${en('bank.rejectFinancing')} ${fin.id}` }).waitFor();

    await advance(3);
    await bank.page.reload();
    await row.getByText(en('bank.tooLate', { date: fin.dueDate })).waitFor();
    expect(await row.getByRole('button', { name: en('bank.disburseTitle', { id: fin.id }) }).count()).to.equal(0);
    await row.getByRole('button', { name: `${en('bank.rejectFinancing')} ${fin.id}` }).click();
    const reject = bank.page.getByRole('form', { name: `${en('bank.rejectFinancing')} ${fin.id}`, exact: true });
    await reject.getByLabel(en('field.reason')).fill('past due, never disbursed');
    await reject.getByRole('button', { name: en('bank.rejectFinancing') }).click();
    await reject.getByRole('status').waitFor();
    expect((await rig().call<{ status: string }>('bank-maker', 'GET', `/financings/${fin.id}`)).status).to.equal('REJECTED');
  });
});
