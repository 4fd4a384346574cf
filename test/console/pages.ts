import type { Locator, Page } from 'playwright-core';
import { fill, resources, type MessageKey } from '../../console/src/catalogue';

/** A name from the console's English catalogue, as the user reads it. */
export const en = (key: MessageKey, params: Record<string, string | number> = {}): string => fill(resources.en[key], params);

/** A form by its heading (forms are labelled by their title). */
export const form = (page: Page, title: string): Locator => page.getByRole('form', { name: title, exact: true });

async function fillFields(scope: Locator, values: Array<[MessageKey, string]>): Promise<void> {
  for (const [label, value] of values) await scope.getByLabel(en(label), { exact: true }).fill(value);
}

export class SignInPage {
  readonly nav: Locator;
  readonly token: Locator;
  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: en('app.nav') });
    this.token = page.getByLabel(en('signin.token'));
  }
  async asDemoIdentity(label: string): Promise<void> {
    await this.page.getByRole('button', { name: en('signin.as', { label }) }).click();
    await this.nav.waitFor();
  }
  async withToken(token: string): Promise<void> {
    await this.token.fill(token);
    await this.page.getByRole('button', { name: en('signin.submit'), exact: true }).click();
  }
}

export class SupplierPage {
  readonly register: Locator;
  readonly receivables: Locator;
  readonly pieces: Locator;
  constructor(readonly page: Page) {
    this.register = form(page, en('supplier.register'));
    this.receivables = page.getByRole('region', { name: en('supplier.receivables') });
    this.pieces = page.getByRole('region', { name: en('supplier.pieces') });
  }
  async fillInvoice(invoice: { debtor: string; amount: string; dueDate: string; invoiceCode: string; invoiceNumber: string; issueDate: string }): Promise<void> {
    await fillFields(this.register, [
      ['supplier.debtor', invoice.debtor],
      ['supplier.amount', invoice.amount],
      ['supplier.dueDate', invoice.dueDate],
      ['supplier.invoiceCode', invoice.invoiceCode],
      ['supplier.invoiceNumber', invoice.invoiceNumber],
      ['supplier.invoiceAmount', invoice.amount],
      ['supplier.issueDate', invoice.issueDate],
    ]);
  }
  async previewFingerprint(): Promise<string> {
    await this.register.getByRole('button', { name: en('supplier.preview') }).click();
    const shown = this.register.getByRole('status').filter({ hasText: en('supplier.previewResult', { fingerprint: '' }).trim() });
    await shown.waitFor();
    return ((await shown.textContent()) ?? '').split(' ').pop() ?? '';
  }
  async submitRegistration(): Promise<void> {
    await this.register.getByRole('button', { name: en('supplier.submitRegister') }).click();
  }
  /** The id of the piece in the row whose cells include all of `texts`. */
  pieceRow(id: string): Locator {
    return this.pieces.getByRole('row').filter({ has: this.page.getByRole('cell', { name: id, exact: true }) });
  }
  async transfer(id: string, to: string, amount: string): Promise<void> {
    await this.page.getByRole('button', { name: en('supplier.transferTitle', { id }) }).click();
    const f = form(this.page, en('supplier.transferTitle', { id }));
    await fillFields(f, [
      ['supplier.to', to],
      ['supplier.amount', amount],
    ]);
    await f.getByRole('button', { name: en('supplier.submitTransfer') }).click();
    await f.getByRole('status').filter({ hasText: en('supplier.transferred', { id }) }).waitFor();
  }
  async split(id: string, amounts: string): Promise<void> {
    await this.page.getByRole('button', { name: en('supplier.splitTitle', { id }) }).click();
    const f = form(this.page, en('supplier.splitTitle', { id }));
    await fillFields(f, [['supplier.amounts', amounts]]);
    await f.getByRole('button', { name: en('supplier.submitSplit') }).click();
    await f.getByRole('status').filter({ hasText: en('supplier.splitDone', { id }) }).waitFor();
  }
  async requestFinancing(id: string, bank: string, amount: string): Promise<string> {
    await this.page.getByRole('button', { name: en('supplier.financeTitle', { id }) }).click();
    const f = form(this.page, en('supplier.financeTitle', { id }));
    await fillFields(f, [
      ['supplier.bankId', bank],
      ['supplier.requestedAmount', amount],
    ]);
    await f.getByRole('button', { name: en('supplier.submitFinance') }).click();
    const done = f.getByRole('status');
    await done.waitFor();
    return /FIN-[A-Za-z0-9]+/.exec((await done.textContent()) ?? '')?.[0] ?? '';
  }
}

export class CorePage {
  readonly pending: Locator;
  readonly issue: Locator;
  readonly approvals: Locator;
  readonly ladder: Locator;
  constructor(readonly page: Page) {
    this.pending = page.getByRole('region', { name: en('core.pending') });
    this.issue = form(page, en('core.issue'));
    this.approvals = page.getByRole('region', { name: en('approvals.title') });
    this.ladder = page.getByRole('region', { name: en('core.ladder') });
  }
  async checkInvoice(id: string, invoice: { invoiceCode: string; invoiceNumber: string; amount: string; issueDate: string }): Promise<string> {
    await this.page.getByRole('button', { name: en('core.checkTitle', { id }) }).click();
    const f = form(this.page, en('core.checkTitle', { id }));
    await fillFields(f, [
      ['supplier.invoiceCode', invoice.invoiceCode],
      ['supplier.invoiceNumber', invoice.invoiceNumber],
      ['supplier.invoiceAmount', invoice.amount],
      ['supplier.issueDate', invoice.issueDate],
    ]);
    await f.getByRole('button', { name: en('core.check'), exact: true }).click();
    const result = f.getByRole('status');
    await result.waitFor();
    return (await result.textContent()) ?? '';
  }
  /** Confirms; returns the answer shown (confirmed, or waiting for a checker at or above the threshold). */
  async confirm(id: string): Promise<string> {
    await this.page.getByRole('button', { name: `${en('core.confirm')} ${id}` }).click();
    const done = this.pending.getByRole('status').filter({ hasText: new RegExp(`${en('core.confirmed', { id })}|APR-`) });
    await done.waitFor();
    return (await done.textContent()) ?? '';
  }
  /** An approval's row in the approvals waiting for a checker. */
  approvalRow(approvalId: string): Locator {
    return this.approvals.getByRole('row').filter({ hasText: approvalId });
  }
  /** Issues; returns the answer shown (issued, or waiting for a checker). */
  async issueVoucher(receivableId: string, amount: string, maturityDate: string): Promise<string> {
    await fillFields(this.issue, [
      ['core.receivableId', receivableId],
      ['supplier.amount', amount],
      ['core.maturityDate', maturityDate],
    ]);
    await this.issue.getByRole('button', { name: en('core.submitIssue') }).click();
    const done = this.issue.getByRole('status');
    await done.waitFor();
    return (await done.textContent()) ?? '';
  }
  async approve(approvalId: string): Promise<void> {
    await this.approvals.getByRole('button', { name: en('approvals.approve', { id: approvalId }) }).click();
    await this.approvals.getByRole('status').filter({ hasText: en('approvals.approved', { id: approvalId }) }).waitFor();
  }
}

export class BankPage {
  readonly requests: Locator;
  readonly approvals: Locator;
  readonly provenance: Locator;
  constructor(readonly page: Page) {
    this.requests = page.getByRole('region', { name: en('bank.requests') });
    this.approvals = page.getByRole('region', { name: en('approvals.title') });
    this.provenance = page.getByRole('region', { name: /^Provenance of / });
  }
  async openProvenance(pieceId: string): Promise<void> {
    await this.requests.getByRole('button', { name: en('bank.provenanceOf', { id: pieceId }) }).click();
    await this.provenance.waitFor();
  }
  async startApproval(financingId: string, advance: string, rateBps: string): Promise<Locator> {
    await this.requests.getByRole('button', { name: en('bank.approveTitle', { id: financingId }) }).click();
    const f = form(this.page, en('bank.approveTitle', { id: financingId }));
    await fillFields(f, [
      ['bank.advance', advance],
      ['field.rate', rateBps],
    ]);
    return f;
  }
  async approveAsChecker(approvalId: string): Promise<void> {
    await this.approvals.getByRole('button', { name: en('approvals.approve', { id: approvalId }) }).click();
    await this.approvals.getByRole('status').filter({ hasText: en('approvals.approved', { id: approvalId }) }).waitFor();
  }
  async disburse(financingId: string, paymentRef: string): Promise<void> {
    await this.requests.getByRole('button', { name: en('bank.disburseTitle', { id: financingId }) }).click();
    const f = form(this.page, en('bank.disburseTitle', { id: financingId }));
    await fillFields(f, [['field.paymentRef', paymentRef]]);
    await f.getByRole('button', { name: en('bank.submitDisburse') }).click();
    await f.getByRole('status').filter({ hasText: en('bank.disbursed', { id: financingId }) }).waitFor();
  }
}

export class AuditorPage {
  readonly lookup: Locator;
  readonly tree: Locator;
  readonly timeline: Locator;
  readonly events: Locator;
  constructor(readonly page: Page) {
    this.lookup = form(page, en('auditor.lookup'));
    this.tree = page.getByRole('region', { name: /^Tree of / });
    this.timeline = page.getByRole('region', { name: /^History of / });
    this.events = page.getByRole('log', { name: en('auditor.events') });
  }
  async find(id: string): Promise<void> {
    await fillFields(this.lookup, [['auditor.assetId', id]]);
    await this.lookup.getByRole('button', { name: en('auditor.find') }).click();
    await this.lookup.getByRole('status').filter({ hasText: en('common.open', { id }) }).waitFor();
  }
  async openHistory(id: string): Promise<void> {
    await this.tree.getByRole('button', { name: `${en('auditor.history')} ${id}`, exact: true }).click();
    await this.page.getByRole('region', { name: en('auditor.historyOf', { id }) }).waitFor();
  }
}

export class OperatorPage {
  readonly members: Locator;
  readonly register: Locator;
  readonly freezes: Locator;
  readonly freeze: Locator;
  constructor(readonly page: Page) {
    this.members = page.getByRole('region', { name: en('operator.members') });
    this.register = form(page, en('operator.register'));
    this.freezes = page.getByRole('region', { name: en('operator.freezes') });
    this.freeze = form(page, en('operator.freeze'));
  }
  async showIdentities(memberId: string): Promise<Locator> {
    await this.members.getByRole('button', { name: en('operator.credentials', { id: memberId }) }).click();
    const region = this.page.getByRole('region', { name: en('operator.credentials', { id: memberId }) });
    await region.waitFor();
    return region;
  }
  /** Who can sign for the member, as the ledger has it (in the panel showIdentities opens). */
  ledgerIdentities(memberId: string): Locator {
    return this.page.getByRole('region', { name: en('operator.ledgerIdentities', { id: memberId }) });
  }
  /** Opens the form that corrects a member's name or MSP (its row's Amend). */
  async openAmend(memberId: string): Promise<Locator> {
    await this.members.getByRole('button', { name: en('operator.amendTitle', { id: memberId }) }).click();
    const amend = form(this.page, en('operator.amendTitle', { id: memberId }));
    await amend.waitFor();
    return amend;
  }
  /** Opens the form that unbinds an identity (common name `cn`, of `mspId`) from the member (its row's Unbind, in the panel showIdentities opens). */
  async openUnbind(memberId: string, cn: string, mspId: string): Promise<Locator> {
    await this.ledgerIdentities(memberId).getByRole('button', { name: en('operator.unbindTitle', { identity: cn, msp: mspId }) }).click();
    const unbind = form(this.page, en('operator.unbindTitle', { identity: cn, msp: mspId }));
    await unbind.waitFor();
    return unbind;
  }
  /** The credentials this gateway issued for the member (in the panel showIdentities opens). */
  issuedCredentials(memberId: string): Locator {
    return this.page.getByRole('region', { name: en('operator.issuedCredentials', { id: memberId }) });
  }
  async fillRegistration(m: { id: string; name: string; role: string; threshold: string }): Promise<void> {
    await fillFields(this.register, [
      ['operator.memberId', m.id],
      ['field.name', m.name],
    ]);
    await this.register.getByLabel(en('operator.role')).selectOption(m.role);
    await fillFields(this.register, [['operator.threshold', m.threshold]]);
  }
  async freezeAsset(type: string, id: string, reason: string): Promise<string> {
    await this.freeze.getByLabel(en('operator.targetType')).selectOption(type);
    await fillFields(this.freeze, [
      ['operator.targetId', id],
      ['field.reason', reason],
    ]);
    await this.freeze.getByRole('button', { name: en('operator.submitFreeze') }).click();
    const done = this.freeze.getByRole('status');
    await done.waitFor();
    return /FRZ-[A-Za-z0-9_-]+/.exec((await done.textContent()) ?? '')?.[0] ?? '';
  }
}

export class WarehousePage {
  readonly receipts: Locator;
  readonly issue: Locator;
  constructor(readonly page: Page) {
    this.receipts = page.getByRole('region', { name: en('warehouse.receipts') });
    this.issue = form(page, en('warehouse.issue'));
  }
  async fillReceipt(r: { owner: string; commodity: string; grade: string; quantity: string; unit: string; location: string; lotId: string; valuation: string }): Promise<void> {
    await fillFields(this.issue, [
      ['warehouse.owner', r.owner],
      ['warehouse.commodity', r.commodity],
      ['warehouse.grade', r.grade],
      ['warehouse.quantity', r.quantity],
      ['warehouse.unit', r.unit],
      ['warehouse.location', r.location],
      ['warehouse.lotId', r.lotId],
      ['warehouse.valuation', r.valuation],
    ]);
  }
  /** Submits the issue form; returns the id of the receipt issued. */
  async submitIssue(): Promise<string> {
    await this.issue.getByRole('button', { name: en('warehouse.submitIssue') }).click();
    const done = this.issue.getByRole('status');
    await done.waitFor();
    return /WRC-[A-Za-z0-9.]+/.exec((await done.textContent()) ?? '')?.[0] ?? '';
  }
  row(id: string): Locator {
    return this.receipts.getByRole('row').filter({ has: this.page.getByRole('cell', { name: id, exact: true }) });
  }
}

/** The supplier view's warehouse receipts. */
export class ReceiptsPage {
  readonly region: Locator;
  constructor(readonly page: Page) {
    this.region = page.getByRole('region', { name: en('receipts.mine') });
  }
  row(id: string): Locator {
    return this.region.getByRole('row').filter({ has: this.page.getByRole('cell', { name: id, exact: true }) });
  }
  async split(id: string, quantities: string): Promise<void> {
    await this.region.getByRole('button', { name: en('receipts.splitTitle', { id }) }).click();
    const f = form(this.page, en('receipts.splitTitle', { id }));
    await fillFields(f, [['receipts.quantities', quantities]]);
    await f.getByRole('button', { name: en('receipts.submitSplit') }).click();
    await f.getByRole('status').filter({ hasText: en('receipts.splitDone', { id }) }).waitFor();
  }
  /** Opens the pledge form for `id`; the caller fills and submits it. */
  async startPledge(id: string): Promise<Locator> {
    await this.region.getByRole('button', { name: en('receipts.pledgeTitle', { id }) }).click();
    return form(this.page, en('receipts.pledgeTitle', { id }));
  }
  async fillPledge(f: Locator, pledge: { bank: string; requestedAmount: string; dueDate: string }): Promise<void> {
    await fillFields(f, [
      ['supplier.bankId', pledge.bank],
      ['supplier.requestedAmount', pledge.requestedAmount],
      ['receipts.dueDate', pledge.dueDate],
    ]);
  }
}

/**
 * What a text field offers as the user types (the datalist it names): each
 * value with the label shown beside it, for a counterparty its member id and
 * its name. Empty when the field offers nothing.
 */
export function suggestionsOf(field: Locator): Promise<Array<{ value: string; label: string }>> {
  // Evaluated in the page (this program has no DOM types: the input is typed by what is used).
  type Listed = { list: { options: ArrayLike<{ value: string; label: string }> } | null };
  return field.evaluate((input) => Array.from((input as unknown as Listed).list?.options ?? [], (o) => ({ value: o.value, label: o.label })));
}
