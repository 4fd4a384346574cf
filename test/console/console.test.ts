import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import { BANK, CORE, SUPPLIER2, SUPPLIER3 } from '../http/harness';
import { resources, type MessageKey } from '../../console/src/catalogue';
import { ARTIFACTS, consoleRigHooks } from './browser';
import { AuditorPage, BankPage, CorePage, en, form, OperatorPage, SignInPage, SupplierPage } from './pages';

/*
 * The console in a real browser (Debian's chromium, headless, through
 * playwright-core) against the gateway on port 0 over a fresh embedded ledger
 * with the demo members. The ledger-core story runs through the UI only, in
 * order, each identity in its own browser context; screenshots of each main
 * view go to .scf/artifacts/console/.
 */

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Waits until `read` returns a value `accept` takes, or fails with `message`. */
async function poll<T>(read: () => Promise<T>, accept: (v: T) => boolean, message: string, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (accept(v)) return v;
    if (Date.now() > until) throw new Error(`${message} (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('console: the ledger-core story in a browser', function () {
  this.timeout(120_000);
  const invoiceNumber = `C${Date.now()}`;
  const invoice = { debtor: CORE(), amount: '8000000.00', dueDate: '2027-03-31', invoiceCode: '3200231130', invoiceNumber, issueDate: '2026-11-02' };
  let receivableId = '';
  let rootId = '';
  let financingId = '';

  const rig = consoleRigHooks({ artifacts: true });

  const signIn = (label: string): Promise<Page> => rig().signIn(label);

  it('offers the demo identities and shows the supplier its view after signing in, the token kept out of the address', async () => {
    const page = await signIn('supplier1');
    await page.waitForURL('**/console/supplier');
    await page.getByRole('heading', { name: en('supplier.title'), level: 2 }).waitFor();
    expect(page.url()).to.not.match(/token|Bearer/i);
    // Evaluated in the page (a string: this program has no DOM types).
    const stored = await page.evaluate<{ session: string | null; local: number }>("({ session: sessionStorage.getItem('scf.token'), local: localStorage.length })");
    expect(stored.session).to.match(/\S{20,}/);
    expect(stored.local).to.equal(0);
  });

  it('bad input in the register form shows the problem in plain words and writes nothing', async () => {
    const page = await signIn('supplier1');
    const supplier = new SupplierPage(page);
    const before = await rig().ledger.height();
    await supplier.fillInvoice({ ...invoice, dueDate: '2027-02-30', invoiceNumber: `${invoiceNumber}X` });
    await supplier.submitRegistration();
    const alert = supplier.register.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).to.contain(en('code.VALIDATION_FAILED'));
    expect(text).to.contain('dueDate');
    expect(text).to.not.match(/^\s*\{/);
    // The answer came after the gateway refused the request: no block was cut for it.
    expect(await rig().ledger.height()).to.equal(before);
  });

  it('keeps every field of a form filled in one go, as a paste or the browser\'s autofill does', async () => {
    const page = await signIn('supplier1');
    const supplier = new SupplierPage(page);
    await supplier.register.waitFor();
    // Every field gets its input event in one task, before the console renders
    // again. (This program has no DOM types: the form is typed by what is used.)
    type Fields = { querySelectorAll(selector: 'input'): ArrayLike<{ value: string; dispatchEvent(event: Event): boolean }> };
    const given = await supplier.register.evaluate((form) => {
      const inputs = Array.from((form as unknown as Fields).querySelectorAll('input'));
      inputs.forEach((input, i) => {
        input.value = `v${i}`;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      });
      return inputs.map((input) => input.value);
    });
    expect(given.length).to.be.greaterThan(2);
    // After the render that follows, no field was put back to what it held before.
    await page.evaluate('new Promise((r) => setTimeout(r, 50))');
    const kept = await supplier.register.evaluate((form) => Array.from((form as unknown as Fields).querySelectorAll('input'), (input) => input.value));
    expect(kept).to.deep.equal(given);
  });

  it('the supplier previews the invoice fingerprint, then registers the receivable', async () => {
    const page = await signIn('supplier1');
    const supplier = new SupplierPage(page);
    await supplier.fillInvoice(invoice);
    const fingerprint = await supplier.previewFingerprint();
    expect(fingerprint).to.match(/^[0-9a-f]{64}$/);
    await supplier.submitRegistration();
    const done = supplier.register.getByRole('status').filter({ hasText: /Receivable RCV-/ });
    await done.waitFor();
    // The form is empty again for the next invoice, and shows no fingerprint of the last one.
    expect(await supplier.register.getByLabel(en('supplier.invoiceNumber')).inputValue()).to.equal('');
    expect(await supplier.register.locator('p.fingerprint').count()).to.equal(0);
    receivableId = /RCV-[A-Za-z0-9]+/.exec((await done.textContent()) ?? '')?.[0] ?? '';
    expect(receivableId).to.match(/^RCV-/);
    const row = supplier.receivables.getByRole('row').filter({ hasText: receivableId });
    await row.filter({ hasText: 'PENDING' }).waitFor();
    expect(await row.getByRole('cell').nth(4).locator('code').getAttribute('title')).to.equal(fingerprint);
    await shot(page, 'supplier');
  });

  it('a form opened for a row takes the focus at once, and never takes it back from the field the user chose', async () => {
    const page = await signIn('core-maker');
    await new CorePage(page).pending.getByRole('cell', { name: receivableId, exact: true }).waitFor();
    // In the page, in one go: open the check form, wait one task, then choose
    // the invoice code as a user (or playwright filling it) would, and see
    // where the focus is once the browser has painted (evaluated as a string:
    // this program has no DOM types).
    const title = JSON.stringify(en('core.checkTitle', { id: receivableId }));
    const focus = await page.evaluate<{ atOnce: string; after: string }>(`(async () => {
      const tick = (ms) => new Promise((r) => setTimeout(r, ms));
      [...document.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === ${title}).click();
      await tick(0);
      const atOnce = document.activeElement.name;
      const form = [...document.querySelectorAll('form')].find((f) => f.querySelector('h3').textContent === ${title});
      form.querySelector('input[name=invoiceCode]').focus();
      await new Promise((r) => requestAnimationFrame(r));
      await tick(100);
      return { atOnce, after: document.activeElement.name };
    })()`);
    expect(focus).to.deep.equal({ atOnce: 'sellerTaxId', after: 'invoiceCode' });
  });

  it('the core enterprise checks the invoice, confirms, and issues a voucher that its checker approves', async () => {
    const maker = await signIn('core-maker');
    const core = new CorePage(maker);
    await core.pending.getByRole('cell', { name: receivableId, exact: true }).waitFor();
    // An invoice that differs in one field does not match; the check stays open to be corrected and asked again.
    const wrong = await core.checkInvoice(receivableId, { invoiceCode: invoice.invoiceCode, invoiceNumber, amount: '8000000.01', issueDate: invoice.issueDate });
    expect(wrong).to.equal(en('core.checkMismatch'));
    const checkForm = core.page.getByRole('form', { name: en('core.checkTitle', { id: receivableId }), exact: true });
    await checkForm.getByLabel(en('supplier.invoiceAmount')).fill(invoice.amount);
    await checkForm.getByRole('button', { name: en('core.check'), exact: true }).click();
    await checkForm.getByRole('status').filter({ hasText: en('core.checkMatch') }).waitFor();
    await checkForm.getByRole('button', { name: en('common.cancel') }).click();
    // 8,000,000.00 CNY is above the core enterprise's dual-control threshold:
    // the maker's confirmation (确权) and issue each wait for the checker.
    const confirmation = await core.confirm(receivableId);
    const confirmationId = /APR-[A-Za-z0-9]+/.exec(confirmation)?.[0] ?? '';
    expect(confirmation).to.equal(en('core.awaitingChecker', { id: confirmationId }));
    // The maker may withdraw its own request; it may not approve it.
    await core.approvalRow(confirmationId).getByRole('button', { name: en('approvals.withdraw', { id: confirmationId }) }).waitFor();
    expect(await core.approvalRow(confirmationId).getByRole('button', { name: en('approvals.approve', { id: confirmationId }) }).count()).to.equal(0);

    const checker = await signIn('core-checker');
    await checker.waitForURL('**/console/core');
    const coreChecker = new CorePage(checker);
    // The checker sees what it approves: the receivable, whose debt it is (the supplier by name) and its face.
    const confirmRow = coreChecker.approvalRow(confirmationId);
    await confirmRow.locator('.party-name').filter({ hasText: 'Suzhou Precision Parts' }).waitFor();
    expect(await confirmRow.textContent()).to.contain(receivableId).and.contain('8,000,000.00');
    await coreChecker.approve(confirmationId);

    const answer = await core.issueVoucher(receivableId, '8000000.00', '2027-06-30');
    const approvalId = /APR-[A-Za-z0-9]+/.exec(answer)?.[0] ?? '';
    expect(answer).to.equal(en('core.awaitingChecker', { id: approvalId }));
    await shot(maker, 'core-maker');

    await checker.reload();
    const issueRow = coreChecker.approvalRow(approvalId);
    await issueRow.locator('.party-name').filter({ hasText: 'Suzhou Precision Parts' }).waitFor();
    expect(await issueRow.textContent()).to.contain(receivableId).and.contain('2027-06-30').and.contain('8,000,000.00');
    await coreChecker.approve(approvalId);
    const ladderRow = coreChecker.ladder.getByRole('row').filter({ hasText: '2027-06-30' }).first();
    await ladderRow.waitFor();
    rootId = ((await ladderRow.getByRole('cell').first().textContent()) ?? '').trim();
    expect(rootId).to.match(/^VCH-[A-Za-z0-9]+$/);
    await coreChecker.ladder.getByRole('heading', { name: /Maturing in June 2027/ }).waitFor();
    await shot(checker, 'core');
  });

  it('the voucher travels down three tiers: transfer to supplier 2, transfer to supplier 3, and a split', async () => {
    const s1 = new SupplierPage(await signIn('supplier1'));
    await s1.pieceRow(rootId).waitFor();
    // Counterparties by name, their code beside it.
    const issuer = s1.pieceRow(rootId).locator('.party').filter({ hasText: CORE() });
    await issuer.locator('.party-name').filter({ hasText: 'Beijing Heavy Machinery Group' }).waitFor();
    await s1.transfer(rootId, SUPPLIER2(), '7000000.00');
    await s1.pieceRow(`${rootId}.2`).filter({ hasText: 'ACTIVE' }).waitFor();
    // The form is finished: its result stays, nothing can be sent again from it, and it closes.
    const done = form(s1.page, en('supplier.transferTitle', { id: rootId }));
    expect(await done.getByRole('button').allTextContents()).to.deep.equal([en('common.close')]);
    expect(await done.getByRole('textbox').count()).to.equal(0);
    expect(await done.getByRole('button', { name: en('common.close') }).evaluate((b) => b === b.ownerDocument.activeElement)).to.equal(true);
    await done.getByRole('button', { name: en('common.close') }).click();
    await done.waitFor({ state: 'detached' });

    const s2 = new SupplierPage(await signIn('supplier2'));
    await s2.pieceRow(`${rootId}.1`).waitFor();
    await s2.transfer(`${rootId}.1`, SUPPLIER3(), '6000000.00');

    const s3 = new SupplierPage(await signIn('supplier3'));
    await s3.pieceRow(`${rootId}.1.1`).waitFor();
    await s3.split(`${rootId}.1.1`, '5800000.00 200000.00');
    await s3.pieceRow(`${rootId}.1.1.1`).filter({ hasText: '5,800,000.00' }).waitFor();
    await s3.pieceRow(`${rootId}.1.1.2`).filter({ hasText: '200,000.00' }).waitFor();
    financingId = await s3.requestFinancing(`${rootId}.1.1.1`, BANK(), '5500000.00');
    expect(financingId).to.match(/^FIN-/);
  });

  it("the bank opens the tier-3 supplier's piece: three hops to the root, the confirmed receivable, financeable", async () => {
    const page = await signIn('bank-maker');
    const bank = new BankPage(page);
    await bank.requests.getByRole('cell', { name: financingId, exact: true }).waitFor();
    const piece = `${rootId}.1.1.1`;
    await bank.openProvenance(piece);
    await bank.provenance.getByText(en('bank.hops', { hops: 3 })).waitFor();
    await bank.provenance.getByRole('status').filter({ hasText: en('bank.financeable') }).waitFor();
    const lineage = bank.provenance.getByRole('list', { name: en('bank.provenanceOf', { id: piece }) });
    const steps = await lineage.locator(':scope > li > strong').allTextContents();
    // The receivable was confirmed by the debtor, then vouchered (its status since the issue).
    expect(steps).to.deep.equal([piece, `${rootId}.1.1`, `${rootId}.1`, rootId, en('bank.receivableNode', { id: receivableId, status: 'VOUCHERED' })]);
    await bank.provenance.getByText(/^confirmed by the debtor .+ \(transaction \S+\)$/).waitFor();
    // The picture: the four pieces and the receivable, laid out by dagre in cytoscape's canvas.
    const graph = bank.provenance.getByRole('img', { name: en('bank.graph') });
    expect(await graph.getAttribute('data-node-count')).to.equal('5');
    expect(await graph.locator('canvas').count()).to.be.greaterThan(0);
    await shot(page, 'bank-provenance');
  });

  it('financing under maker-checker: the maker sees the discount and fee before approving, the checker executes and disburses', async () => {
    const makerPage = await signIn('bank-maker');
    const maker = new BankPage(makerPage);
    await maker.requests.getByRole('cell', { name: financingId, exact: true }).waitFor();
    const form = await maker.startApproval(financingId, '5200000.00', '450');
    const preview = form.locator('p.preview');
    await preview.waitFor();
    const text = (await preview.textContent()) ?? '';
    // fee: 1.5% of 5,200,000.00 (the tier from 5M to 20M); discount: on the face 5,800,000.00 at 4.50% for the days to 2027-06-30.
    expect(text).to.match(/^Days to maturity \d+; discount [\d,]+\.\d\d CNY; fee 78,000\.00 CNY$/);
    await form.getByRole('button', { name: en('bank.submitApprove') }).click();
    const waiting = form.getByRole('status').filter({ hasText: /APR-/ });
    await waiting.waitFor();
    const approvalId = /APR-[A-Za-z0-9]+/.exec((await waiting.textContent()) ?? '')?.[0] ?? '';

    const checkerPage = await signIn('bank-checker');
    const checker = new BankPage(checkerPage);
    await checker.approveAsChecker(approvalId);
    await checker.requests.getByRole('row').filter({ hasText: financingId }).filter({ hasText: 'APPROVED' }).waitFor();
    await checker.disburse(financingId, 'CNAPS-20261204-0042');
    await checker.requests.getByRole('row').filter({ hasText: financingId }).filter({ hasText: 'DISBURSED' }).waitFor();
    await shot(checkerPage, 'bank');
  });

  it("the auditor opens the voucher's tree, sees every piece, and reads a piece's history", async () => {
    const page = await signIn('auditor');
    const auditor = new AuditorPage(page);
    await auditor.find(rootId);
    const pieces = [rootId, `${rootId}.1`, `${rootId}.2`, `${rootId}.1.1`, `${rootId}.1.2`, `${rootId}.1.1.1`, `${rootId}.1.1.2`];
    await auditor.tree.getByRole('heading', { name: en('auditor.treeOf', { id: rootId, count: pieces.length }) }).waitFor();
    const listed = await auditor.tree.getByRole('button', { name: /^History / }).allTextContents();
    expect([...listed].sort()).to.deep.equal([...pieces].sort());
    expect(await auditor.tree.getByRole('img', { name: en('auditor.treeGraph') }).getAttribute('data-node-count')).to.equal(String(pieces.length));
    await shot(page, 'auditor-tree');

    const piece = `${rootId}.1.1.1`;
    await auditor.openHistory(piece);
    const timeline = page.getByRole('region', { name: en('auditor.historyOf', { id: piece }) });
    const versions = timeline.getByRole('listitem').filter({ has: page.locator('time') });
    // Created by the split, then FINANCING_PENDING (the request), then FINANCED (the disbursement).
    await poll(() => versions.count(), (n) => n >= 3, 'the history shows each version');
    const changes = await timeline.getByRole('listitem').allTextContents();
    expect(changes.join('\n')).to.contain('status: ACTIVE → FINANCING_PENDING');
    expect(await timeline.locator('code').first().textContent()).to.match(/\S{8,}/);
    await shot(page, 'auditor-timeline');
  });

  it('the auditor watches the live event stream (read with fetch: the token travels only in the header)', async () => {
    const page = await signIn('auditor');
    const auditor = new AuditorPage(page);
    await page.getByRole('button', { name: en('auditor.startEvents') }).click();
    await page.getByText(en('auditor.streaming')).waitFor();
    // Something happens on the ledger: supplier 1 registers another receivable through its console.
    const supplier = new SupplierPage(await signIn('supplier1'));
    await supplier.fillInvoice({ ...invoice, amount: '1000.00', invoiceNumber: `${invoiceNumber}E` });
    await supplier.submitRegistration();
    const registered = await supplier.register.getByRole('status').filter({ hasText: /RCV-/ }).textContent();
    const receivableId = /RCV-[A-Z0-9_-]+/.exec(registered ?? '')?.[0];
    expect(receivableId, registered ?? '').to.be.a('string');
    // Each line names the event and the records its transaction wrote.
    await auditor.events.getByRole('listitem').filter({ hasText: 'ReceivableRegistered' }).filter({ hasText: receivableId as string }).waitFor();
    await page.getByRole('button', { name: en('auditor.stopEvents') }).click();
  });

  it('the operator sees the members and their identities, and places and lifts a freeze', async () => {
    // A member registered over the API, with no demo identity: the list comes from the ledger's directory.
    const newcomer = withCheckChar(`9133010020${String(Date.now() % 1e7).padStart(7, '0')}`);
    await rig().call('operator-admin', 'POST', '/members', { id: newcomer, name: 'Hangzhou Newcomer Trading', mspId: 'PlatformMSP', roles: ['SUPPLIER'] });
    const page = await signIn('operator-admin');
    await page.waitForURL('**/console/operator');
    await page.getByRole('link', { name: en('nav.auditor') }).waitFor();
    const operator = new OperatorPage(page);
    await operator.members.getByRole('cell', { name: 'Pudong Commercial Bank' }).waitFor();
    const newcomerRow = operator.members.getByRole('row').filter({ hasText: newcomer });
    await newcomerRow.filter({ hasText: 'Hangzhou Newcomer Trading' }).filter({ hasText: 'ACTIVE' }).waitFor();
    await operator.showIdentities(BANK());
    // Who can sign for the bank, as the ledger has it: each identity by its certificate's common name.
    const bankIdentities = operator.ledgerIdentities(BANK());
    await bankIdentities.getByRole('row').filter({ has: page.getByRole('cell', { name: 'bank-maker@bank.scf.local', exact: true }) }).filter({ hasText: en('userRole.MAKER') }).waitFor();
    await bankIdentities.getByRole('row').filter({ has: page.getByRole('cell', { name: 'bank-checker@bank.scf.local', exact: true }) }).filter({ hasText: en('userRole.CHECKER') }).waitFor();
    const freezeId = await operator.freezeAsset('VOUCHER', `${rootId}.2`, 'Court order (2026) Hu 0115 Zhi 123');
    expect(freezeId).to.match(/^FRZ-/);
    const row = operator.freezes.getByRole('row').filter({ hasText: freezeId });
    await row.filter({ hasText: 'ACTIVE' }).waitFor();
    await shot(page, 'operator');
    await row.getByRole('button', { name: en('operator.lift', { id: freezeId }) }).click();
    await row.filter({ hasText: 'LIFTED' }).waitFor();
  });

  it('the operator registers a member from the console; a code with a wrong check character is refused and writes nothing', async () => {
    const page = await signIn('operator-admin');
    const operator = new OperatorPage(page);
    const id = withCheckChar(`9133010030${String(Date.now() % 1e7).padStart(7, '0')}`);
    const wrong = `${id.slice(0, 17)}${id[17] === '0' ? '1' : '0'}`;
    const height = await rig().ledger.height();
    await operator.fillRegistration({ id: wrong, name: 'Ningbo Port Warehousing', role: 'WAREHOUSE', threshold: '' });
    await operator.register.getByRole('button', { name: en('operator.submitRegister') }).click();
    const refused = operator.register.getByRole('alert').filter({ hasText: en('code.VALIDATION_FAILED') });
    await refused.waitFor();
    expect(await refused.textContent()).to.contain('id');
    expect(await rig().ledger.height()).to.equal(height);

    await operator.fillRegistration({ id, name: 'Ningbo Port Warehousing', role: 'WAREHOUSE', threshold: '2,000,000' });
    await operator.register.getByRole('button', { name: en('operator.submitRegister') }).click();
    await operator.register.getByRole('status').filter({ hasText: en('operator.registered', { id }) }).waitFor();
    await operator.members.getByRole('row').filter({ hasText: id }).filter({ hasText: 'WAREHOUSE' }).waitFor();
    expect(await rig().call('auditor', 'GET', `/members/${id}`)).to.include({ id, name: 'Ningbo Port Warehousing', mspId: 'PlatformMSP', status: 'ACTIVE', dualControlThreshold: '200000000' });

    // Narrowed on the ledger: the warehouses only, then every member again.
    const filters = operator.members.locator('.filters');
    const asked: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/members') asked.push(new URL(r.url()).search);
    });
    await filters.getByLabel(en('operator.role')).selectOption('WAREHOUSE');
    await filters.getByLabel(en('field.status')).selectOption('ACTIVE');
    await operator.members.getByRole('cell', { name: 'Pudong Commercial Bank' }).waitFor({ state: 'detached' });
    await operator.members.getByRole('cell', { name: 'Qingdao Bonded Logistics' }).waitFor();
    const roles = await operator.members.locator('tbody tr td:nth-child(3)').allTextContents();
    expect(roles.length).to.be.greaterThan(1);
    expect(roles.every((r) => r.split(', ').includes('WAREHOUSE'))).to.equal(true);
    expect(asked.some((q) => q.includes('role=WAREHOUSE') && q.includes('status=ACTIVE'))).to.equal(true);
    await filters.getByLabel(en('operator.role')).selectOption('');
    await filters.getByLabel(en('field.status')).selectOption('');
    await operator.members.getByRole('cell', { name: 'Pudong Commercial Bank' }).waitFor();
  });

  it('the operator issues a credential with a key made in the browser, its holder signs in with the token, and the operator revokes it', async () => {
    const page = await signIn('operator-admin');
    const operator = new OperatorPage(page);
    const identities = await operator.showIdentities(SUPPLIER3());
    const label = `erp-console-${Date.now() % 100000}`;
    const sent: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname.endsWith('/credentials')) sent.push(r.postData() ?? '');
    });
    const issue = identities.getByRole('form', { name: en('operator.issue', { id: SUPPLIER3() }), exact: true });
    await issue.getByLabel(en('field.label'), { exact: true }).fill(label);
    await issue.getByLabel(en('field.userRole')).selectOption('MAKER');
    await issue.getByRole('button', { name: en('operator.submitIssue') }).click();
    const once = page.getByRole('region', { name: en('operator.issuedOnce', { label }) });
    await once.waitFor();
    const token = await once.getByLabel(en('operator.token')).inputValue();
    const privateKey = await once.getByLabel(en('operator.privateKey')).inputValue();
    const certificate = await once.getByLabel(en('operator.certificate')).inputValue();
    expect(token).to.match(/^scf_[A-Za-z0-9_-]{43}$/);
    // The key pair was made in the browser: the gateway got a CSR, never the private key, and certified that key.
    expect(sent).to.have.length(1);
    expect(sent[0]).to.contain('BEGIN CERTIFICATE REQUEST').and.not.contain('PRIVATE KEY');
    const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(spki(createPublicKey(createPrivateKey(privateKey)))).to.equal(spki(new X509Certificate(certificate).publicKey));
    await operator.issuedCredentials(SUPPLIER3()).getByRole('row').filter({ hasText: label }).filter({ hasText: 'ACTIVE' }).waitFor();
    // Issuing bound its identity on the ledger: among those who can sign for the member, named by the credential's label.
    await operator.ledgerIdentities(SUPPLIER3()).getByRole('row').filter({ hasText: label }).filter({ hasText: en('userRole.MAKER') }).filter({ hasText: en('operator.inForce') }).waitFor();

    const holder = await rig().open();
    await new SignInPage(holder.page).withToken(token);
    await holder.page.getByText(en('app.signedInAs', { label: 'Shenzhen Fasteners (tier 3)', member: SUPPLIER3(), userRole: 'MAKER' })).waitFor();

    await identities.getByRole('button', { name: en('operator.revokeTitle', { label }) }).click();
    await identities.getByRole('status').filter({ hasText: en('operator.revoked', { label }) }).waitFor();
    await operator.issuedCredentials(SUPPLIER3()).getByRole('row').filter({ hasText: label }).filter({ hasText: 'REVOKED' }).waitFor();
    expect(await identities.getByRole('button', { name: en('operator.revokeTitle', { label }) }).count()).to.equal(0);
    // Its binding stays on the ledger, as history: among the member's identities it is marked revoked at once.
    await operator.ledgerIdentities(SUPPLIER3()).getByRole('row').filter({ hasText: label }).filter({ hasText: 'REVOKED' }).waitFor();
    const me = await fetch(`${rig().base}/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).to.equal(401);
  });

  it('switches to Chinese and back, every label from the catalogue', async () => {
    const page = await signIn('supplier1');
    await page.getByLabel(en('app.language')).selectOption('zh');
    await page.getByRole('heading', { name: '我的应收账款' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).to.equal('zh-CN');
    // Statuses too, each in Chinese with the ledger's code in its title.
    const statuses = page.locator('.status');
    expect(await statuses.count()).to.be.greaterThan(0);
    for (const status of await statuses.all()) {
      const code = (await status.getAttribute('title')) ?? '';
      expect(await status.textContent(), code).to.equal(resources.zh[`status.${code}` as MessageKey]);
    }
    await page.getByLabel('语言').selectOption('en');
    await page.getByRole('heading', { name: en('supplier.receivables') }).waitFor();
  });

  it('a pasted token signs in by keyboard; an unknown one is refused in plain words', async () => {
    const { page } = await rig().open();
    const signInPage = new SignInPage(page);
    await signInPage.token.fill('scf_unknown_token_0123456789abcdef0123456789');
    await signInPage.token.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).to.contain(en('code.UNAUTHENTICATED'));
    const token = rig().ledger.runtime.tokens.get('auditor') ?? '';
    await signInPage.token.fill(token);
    await signInPage.token.press('Enter');
    await signInPage.nav.waitFor();
    await page.waitForURL('**/console/auditor');
  });
});
