import { expect } from 'chai';
import type { Page, Route } from 'playwright-core';
import type { Locator } from 'playwright-core';
import { BANK, CORE, SUPPLIER1, SUPPLIER2, SUPPLIER3, type Label } from '../http/harness';
import { csrFor } from '../support/certs';
import { consoleRigHooks } from './browser';
import { AuditorPage, BankPage, CorePage, en, SignInPage, SupplierPage } from './pages';

/*
 * What keeps a desk user safe when the network, the gateway or the user's own
 * hand misbehaves: retried writes act once, lists do not lose rows, a form
 * sends only what was typed, a session ends cleanly. The data each test needs
 * is made through the API, with unique ids, so the tests run in any order.
 */

const isoDate = (offsetDays = 0) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/** What the gateway answers when the commit wait runs out (problem.ts, for a LedgerError COMMIT_TIMEOUT). */
const commitTimeout = (txId: string) => ({
  status: 504,
  contentType: 'application/problem+json',
  body: JSON.stringify({
    type: 'urn:scf-ledger:problem:commit-timeout',
    title: 'Commit outcome unknown',
    status: 504,
    code: 'COMMIT_TIMEOUT',
    detail: 'transaction submitted; commit outcome unknown, query /transactions/{txId}',
    txId,
  }),
});

describe('console: a desk user is kept safe from retries, partial lists and slips', function () {
  this.timeout(120_000);
  let seq = 0;
  const rig = consoleRigHooks();

  const call = <T = any>(label: Label, method: string, path: string, body?: unknown): Promise<T> => rig().call<T>(label, method, path, body);
  const receivable = async (amount = '1000000', confirmed = true): Promise<string> => {
    const invoice = { kind: 'INVOICE', sellerTaxId: SUPPLIER1(), invoiceCode: '', invoiceNumber: `D${Date.now()}${seq++}`, amount, issueDate: '2026-01-02' };
    const r = await call<{ id: string }>('supplier1', 'POST', '/receivables', { debtor: CORE(), amount, dueDate: isoDate(120), documents: [invoice] });
    if (confirmed) await rig().confirm(r.id);
    return r.id;
  };
  const voucher = async (amount = '1000000'): Promise<string> => {
    const rcv = await receivable(amount);
    return (await call<{ id: string }>('core-maker', 'POST', '/vouchers', { receivableId: rcv, amount, maturityDate: isoDate(90) })).id;
  };
  /** Every record of a list, through the API's own bookmarks. */
  const everything = async <T>(label: Label, path: string): Promise<T[]> => {
    const all: T[] = [];
    let bookmark = '';
    do {
      const page = await call<{ records: T[]; bookmark: string }>(label, 'GET', `${path}&pageSize=200${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`);
      all.push(...page.records);
      bookmark = page.bookmark;
    } while (bookmark);
    return all;
  };
  /** Presses the region's "Load more" until the list is whole; returns how often it was pressed. */
  const loadAll = async (region: Locator): Promise<number> => {
    const rows = region.locator('tbody tr');
    const more = region.getByRole('button', { name: en('list.more') });
    let presses = 0;
    while (await more.isVisible()) {
      const before = await rows.count();
      await more.click();
      await rows.nth(before).waitFor();
      presses += 1;
    }
    return presses;
  };
  const signIn = (label: string): Promise<Page> => rig().signIn(label);
  /**
   * Waits until `target` is shown, pressing any list's "Load more" (in either
   * language) meanwhile: the row may be on any page of a member's list, which
   * the tests before have filled past a page, in an order of random ids.
   */
  const revealed = async (page: Page, target: Locator): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await target.first().isVisible())) {
      if (Date.now() > deadline) throw new Error(`${target.toString()} not shown, every page loaded`);
      const more = page.getByRole('main').locator('p.more button:not([disabled])').first();
      if (await more.isVisible()) await more.click();
      else await page.waitForTimeout(100);
    }
  };
  /** The Idempotency-Key of each write to a path matching `match`, in order. */
  const keysOf = (page: Page, match: RegExp): Array<string | undefined> => {
    const keys: Array<string | undefined> = [];
    page.on('request', (r) => {
      if (r.method() !== 'GET' && match.test(new URL(r.url()).pathname)) keys.push(r.headers()['idempotency-key']);
    });
    return keys;
  };
  /**
   * The next write to `glob` reaches the gateway and commits, but the answer
   * the browser gets is the commit timeout (the gateway's wait ran out).
   * Resolves with the transaction's id.
   */
  const timeOutOnce = async (page: Page, glob: string): Promise<() => string> => {
    let txId = '';
    const handler = async (route: Route) => {
      const real = await route.fetch();
      txId = real.headers()['transaction-id'] ?? '';
      await route.fulfill(commitTimeout(txId));
      await page.unroute(glob, handler);
    };
    await page.route(glob, handler);
    return () => txId;
  };

  describe('retried writes', () => {
    it('a form submitted again after a commit timeout acts once: it shows the transaction, its status, and the replayed result', async () => {
      const rcv = await receivable();
      const page = await signIn('core-maker');
      const core = new CorePage(page);
      const keys = keysOf(page, /^\/vouchers$/);
      const txIdOf = await timeOutOnce(page, '**/vouchers');
      await core.issue.getByLabel(en('core.receivableId')).fill(rcv);
      await core.issue.getByLabel(en('supplier.amount')).fill('4000.00');
      await core.issue.getByLabel(en('core.maturityDate')).fill(isoDate(60));
      await core.issue.getByRole('button', { name: en('core.submitIssue') }).click();
      const alert = core.issue.getByRole('alert');
      await alert.getByText(en('code.COMMIT_TIMEOUT')).waitFor();
      const txId = txIdOf();
      expect(txId).to.match(/\S{8,}/);
      expect(await alert.textContent()).to.contain(txId);
      // The user asks the ledger what became of it: it committed.
      const committed = await call<{ blockNumber: number; valid: boolean }>('core-maker', 'GET', `/transactions/${txId}`);
      expect(committed.valid).to.equal(true);
      await alert.getByRole('button', { name: en('tx.check') }).click();
      await alert.getByRole('status').filter({ hasText: en('tx.valid', { txId, block: committed.blockNumber }) }).waitFor();
      // Submitting the same values again is answered with the first result, not a second voucher.
      await core.issue.getByRole('button', { name: en('core.submitIssue') }).click();
      const done = core.issue.getByRole('status').filter({ hasText: /^Voucher VCH-\S+ issued$/ });
      await done.waitFor();
      const vouchers = await call<{ records: Array<{ id: string; receivableId: string }> }>('core-maker', 'GET', `/vouchers?issuer=${CORE()}&pageSize=200`);
      const issued = vouchers.records.filter((v) => v.receivableId === rcv);
      expect(issued).to.have.length(1);
      expect(await done.textContent()).to.equal(en('core.issued', { id: issued[0]?.id ?? '' }));
      expect(keys).to.have.length(2);
      expect(keys[0]).to.match(/^[A-Za-z0-9._:-]{1,128}$/);
      expect(keys[1]).to.equal(keys[0]);
      // Once it succeeded, the form is empty again: a second click is not a second voucher.
      for (const label of ['core.receivableId', 'supplier.amount', 'core.maturityDate'] as const) {
        expect(await core.issue.getByLabel(en(label)).inputValue()).to.equal('');
      }
      await core.issue.getByRole('button', { name: en('core.submitIssue') }).click();
      await core.issue.getByRole('alert').waitFor();
      expect(keys).to.have.length(2);
      // Another voucher is another intent, typed again, with a new key.
      await core.issue.getByLabel(en('core.receivableId')).fill(rcv);
      await core.issue.getByLabel(en('supplier.amount')).fill('1000.00');
      await core.issue.getByLabel(en('core.maturityDate')).fill(isoDate(60));
      await core.issue.getByRole('button', { name: en('core.submitIssue') }).click();
      await core.issue.getByRole('status').filter({ hasText: /^Voucher VCH-\S+ issued$/ }).waitFor();
      expect(keys).to.have.length(3);
      expect(keys[2]).to.match(/\S/).and.not.equal(keys[0]);
      const after = await call<{ records: Array<{ receivableId: string }> }>('core-maker', 'GET', `/vouchers?issuer=${CORE()}&pageSize=200`);
      expect(after.records.filter((v) => v.receivableId === rcv)).to.have.length(2);
    });

    it('a row action pressed again after a commit timeout acts once and reports success', async () => {
      const rcv = await receivable('250000', false);
      const page = await signIn('core-maker');
      const core = new CorePage(page);
      const keys = keysOf(page, /\/confirm$/);
      await core.pending.getByRole('cell', { name: rcv, exact: true }).waitFor();
      const txIdOf = await timeOutOnce(page, `**/receivables/${rcv}/confirm`);
      const confirm = core.pending.getByRole('button', { name: `${en('core.confirm')} ${rcv}` });
      await confirm.click();
      const alert = core.pending.getByRole('alert');
      await alert.getByText(en('code.COMMIT_TIMEOUT')).waitFor();
      expect(await alert.textContent()).to.contain(txIdOf());
      await confirm.click();
      await core.pending.getByRole('status').filter({ hasText: en('core.confirmed', { id: rcv }) }).waitFor();
      expect(keys).to.have.length(2);
      expect(keys[0]).to.match(/\S/);
      expect(keys[1]).to.equal(keys[0]);
      expect((await call<{ status: string }>('core-maker', 'GET', `/receivables/${rcv}`)).status).to.equal('CONFIRMED');
    });
  });

  describe('lists longer than a page', () => {
    let root = '';
    const financed: string[] = [];
    before(async () => {
      // Supplier 1 holds more than 100 pieces of one voucher; 101 of them are offered to the bank.
      root = await voucher('1000000');
      await call('supplier1', 'POST', `/vouchers/${root}/split`, { amounts: Array(20).fill('50000') });
      for (let i = 1; i <= 6; i++) await call('supplier1', 'POST', `/vouchers/${root}.${i}/split`, { amounts: Array(20).fill('2500') });
      const pieces = [...Array.from({ length: 100 }, (_, k) => `${root}.${Math.floor(k / 20) + 1}.${(k % 20) + 1}`), `${root}.7`];
      for (const id of pieces) financed.push((await call<{ id: string }>('supplier1', 'POST', '/financings', { asset: { type: 'VOUCHER', id }, bank: BANK(), requestedAmount: '2000' })).id);
    });

    it("the supplier is told its list of pieces is partial, and loads every piece", async () => {
      const held = await everything<{ id: string }>('supplier1', `/vouchers?holder=${SUPPLIER1()}`);
      expect(held.length).to.be.greaterThan(100);
      const supplier = new SupplierPage(await signIn('supplier1'));
      await supplier.pieces.locator('tbody tr').nth(99).waitFor();
      await supplier.pieces.getByText(en('list.partial', { count: 100 })).waitFor();
      expect(await loadAll(supplier.pieces)).to.be.greaterThan(0);
      const shown = await supplier.pieces.locator('tbody tr td:first-child').allTextContents();
      expect([...shown].sort()).to.deep.equal(held.map((v) => v.id).sort());
      expect(await supplier.pieces.getByText(en('list.partial', { count: 100 })).count()).to.equal(0);
    });

    it('the bank reaches every financing request addressed to it, past the first page, and can approve it', async () => {
      const bank = new BankPage(await signIn('bank-maker'));
      await bank.requests.locator('tbody tr').first().waitFor();
      await loadAll(bank.requests);
      const shown = await bank.requests.locator('tbody tr td:first-child').allTextContents();
      expect(financed.filter((id) => !shown.includes(id))).to.deep.equal([]);
      const last = financed[financed.length - 1] ?? '';
      await bank.requests.getByRole('button', { name: en('bank.approveTitle', { id: last }) }).waitFor();
    });
  });

  describe('form input', () => {
    it('the bank cannot approve with a blank or fractional rate: no terms are previewed and nothing is sent', async () => {
      const piece = await voucher('1000000');
      const fin = await call<{ id: string }>('supplier1', 'POST', '/financings', { asset: { type: 'VOUCHER', id: piece }, bank: BANK(), requestedAmount: '500000' });
      const page = await signIn('bank-maker');
      const sent = keysOf(page, /\/approve$/);
      const bank = new BankPage(page);
      await revealed(page, bank.requests.getByRole('button', { name: en('bank.approveTitle', { id: fin.id }) }));
      const form = await bank.startApproval(fin.id, '5000.00', '');
      const preview = form.locator('p.preview');
      const rate = form.getByLabel(en('field.rate'), { exact: true });
      for (const typed of ['', '   ', '4.5', '-1']) {
        await rate.fill(typed);
        await form.getByRole('button', { name: en('bank.submitApprove') }).click();
        await form.getByRole('alert').filter({ hasText: en('error.rate') }).filter({ hasText: en('error.notSent') }).waitFor();
        expect(await preview.count(), `a preview for ${JSON.stringify(typed)}`).to.equal(0);
      }
      expect(sent).to.deep.equal([]);
      expect((await call<{ status: string }>('bank-maker', 'GET', `/financings/${fin.id}`)).status).to.equal('REQUESTED');
      // A whole number, spaces around it or not, is a rate: the terms show, and the approval goes through.
      await rate.fill(' 450 ');
      await preview.filter({ hasText: /^Days to maturity \d+; discount [\d,]+\.\d\d CNY/ }).waitFor();
      await form.getByRole('button', { name: en('bank.submitApprove') }).click();
      await form.getByRole('status').filter({ hasText: en('bank.approved', { id: fin.id }) }).waitFor();
      expect((await call<{ annualRateBps: number }>('bank-maker', 'GET', `/financings/${fin.id}`)).annualRateBps).to.equal(450);
    });
  });

  describe('sessions', () => {
    it("signing out and in as another identity lands on that identity's own view", async () => {
      const page = await signIn('supplier1');
      await page.waitForURL('**/console/supplier');
      await page.getByRole('button', { name: en('app.signOut') }).click();
      await page.waitForURL((url) => url.pathname === '/console');
      await new SignInPage(page).asDemoIdentity('bank-maker');
      await page.waitForURL('**/console/bank');
      await page.getByRole('heading', { name: en('bank.title'), level: 2 }).waitFor();
      expect(await page.getByRole('heading', { name: en('supplier.title'), level: 2 }).count()).to.equal(0);
    });

    it("an address of a view the identity has no role for opens the identity's own view", async () => {
      const page = await signIn('supplier1');
      await page.waitForURL('**/console/supplier');
      const asked: string[] = [];
      page.on('request', (r) => asked.push(new URL(r.url()).pathname + new URL(r.url()).search));
      await page.goto('/console/bank');
      await page.waitForURL('**/console/supplier');
      await page.getByRole('heading', { name: en('supplier.title'), level: 2 }).waitFor();
      expect(await page.getByRole('heading', { name: en('bank.title'), level: 2 }).count()).to.equal(0);
      // The bank view's own reads were never made for the supplier.
      expect(asked.filter((p) => p.startsWith('/financings?bank='))).to.deep.equal([]);
    });

    it('when who the token is cannot be read on a page load, the user can retry or sign out', async () => {
      const page = await signIn('supplier1');
      await page.waitForURL('**/console/supplier');
      await page.route('**/me', (route) => route.abort());
      await page.reload();
      await page.getByRole('alert').filter({ hasText: en('error.network') }).waitFor();
      expect(await page.getByText(en('app.loading')).count()).to.equal(0);
      await page.unroute('**/me');
      await page.getByRole('button', { name: en('app.retry') }).click();
      await page.getByRole('heading', { name: en('supplier.title'), level: 2 }).waitFor();
      expect(await page.getByRole('alert').count()).to.equal(0);

      await page.route('**/me', (route) => route.abort());
      await page.reload();
      await page.getByRole('button', { name: en('app.retry') }).waitFor();
      await page.getByRole('button', { name: en('app.signOut') }).click();
      await page.getByRole('heading', { name: en('signin.title') }).waitFor();
      expect(await page.evaluate("sessionStorage.getItem('scf.token')")).to.equal(null);
    });

    it("an identity its member's ADMIN bound is shown who offers it, and acts for that member once it accepts", async () => {
      const withToken = async <T = any>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
        const res = await fetch(`${rig().base}${path}`, {
          method,
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const answer = await res.json();
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(answer)}`);
        return answer as T;
      };
      const issue = async (memberId: string, userRole: string) =>
        call<{ token: string; credential: { identityId: string } }>('operator-admin', 'POST', `/members/${memberId}/credentials`, { csr: (await csrFor()).pem, userRole });
      // supplier2's ADMIN, and two identities with tokens that the operator issued for supplier3 and unbound again.
      const admin = await issue(SUPPLIER2(), 'ADMIN');
      const offered = async () => {
        const clerk = await issue(SUPPLIER3(), 'MAKER');
        const identity = { mspId: 'PlatformMSP', identityId: clerk.credential.identityId };
        await call('operator-admin', 'POST', `/members/${SUPPLIER3()}/identities/unbind`, identity);
        const bound = await withToken<{ pendingAcceptance?: boolean }>(admin.token, 'POST', `/members/${SUPPLIER2()}/identities`, { ...identity, userRole: 'MAKER' });
        expect(bound.pendingAcceptance).to.equal(true);
        return clerk.token;
      };
      const supplier2 = await call<{ name: string }>('operator-admin', 'GET', `/members/${SUPPLIER2()}`);
      const offerPanel = (page: Page) => page.getByRole('region', { name: en('offer.title') });

      const { page } = await rig().open();
      const accepting = await offered();
      await new SignInPage(page).withToken(accepting);
      await offerPanel(page).getByText(en('offer.intro', { name: supplier2.name, member: SUPPLIER2(), userRole: 'MAKER' })).waitFor();
      expect(await new SignInPage(page).nav.count(), 'no view before it accepts').to.equal(0);
      await offerPanel(page).getByRole('button', { name: en('offer.accept') }).click();
      await page.getByRole('heading', { name: en('supplier.title'), level: 2 }).waitFor();
      expect((await withToken(accepting, 'GET', '/me')).member.id).to.equal(SUPPLIER2());

      // Declined: signed out, the token forgotten, the binding still only offered.
      const declining = await offered();
      await page.getByRole('button', { name: en('app.signOut') }).click();
      await new SignInPage(page).withToken(declining);
      await offerPanel(page).getByRole('button', { name: en('offer.decline') }).click();
      await page.getByRole('heading', { name: en('signin.title') }).waitFor();
      expect(await page.evaluate("sessionStorage.getItem('scf.token')")).to.equal(null);
      expect((await withToken(declining, 'GET', '/me/offer')).member.id).to.equal(SUPPLIER2());
    });

    it('a token refused mid-session brings the user back to sign-in with the reason', async () => {
      const page = await signIn('supplier1');
      const supplier = new SupplierPage(page);
      await supplier.register.waitFor();
      // Once the view has read what it shows (its lists, then the counterparties they name): the click below is what meets the refusal.
      await page.waitForLoadState('networkidle');
      // The token stops being valid (as after a revocation or a rotation).
      await page.evaluate("sessionStorage.setItem('scf.token', 'scf_revoked_0123456789abcdef0123456789abcdef')");
      await supplier.register.getByRole('button', { name: en('supplier.preview') }).click();
      await page.getByRole('heading', { name: en('signin.title') }).waitFor();
      await page.getByRole('alert').filter({ hasText: en('code.UNAUTHENTICATED') }).waitFor();
      await new SignInPage(page).asDemoIdentity('supplier2');
      expect(await page.getByRole('alert').count()).to.equal(0);
      // Signing out by choice gives no reason.
      await page.getByRole('button', { name: en('app.signOut') }).click();
      await page.getByRole('heading', { name: en('signin.title') }).waitFor();
      expect(await page.getByRole('alert').count()).to.equal(0);
    });
  });

  describe('busy actions', () => {
    it('a double click on Confirm sends one request, the button disabled until it is answered', async () => {
      const rcv = await receivable('120000', false);
      const page = await signIn('core-maker');
      const core = new CorePage(page);
      const sent = keysOf(page, /\/confirm$/);
      let release = () => undefined as void;
      const held = new Promise<void>((resolve) => (release = resolve));
      await page.route(`**/receivables/${rcv}/confirm`, async (route) => {
        await held;
        await route.continue();
      });
      const confirm = core.pending.getByRole('button', { name: `${en('core.confirm')} ${rcv}` });
      const first = page.waitForRequest((r) => r.url().endsWith(`/receivables/${rcv}/confirm`));
      await confirm.dblclick();
      await first;
      expect(await confirm.isDisabled()).to.equal(true);
      release();
      await core.pending.getByRole('status').filter({ hasText: en('core.confirmed', { id: rcv }) }).waitFor();
      expect(sent).to.have.length(1);
      expect(await core.pending.getByRole('alert').count()).to.equal(0);
    });

  });

  describe('settling', () => {
    it('offers Settle from maturity only: an earlier piece says from when; one maturing on the ledger\'s date is settled', async () => {
      const ready = await call<{ sandboxClock?: { now?: string } }>('core-maker', 'GET', '/ready');
      const today = (ready.sandboxClock?.now ?? new Date().toISOString()).slice(0, 10);
      const later = await voucher('100000');
      const due = (await call<{ id: string }>('core-maker', 'POST', '/vouchers', { receivableId: await receivable('100000'), amount: '100000', maturityDate: today })).id;
      const core = new CorePage(await signIn('core-maker'));
      const row = (id: string) => core.ladder.getByRole('row').filter({ has: core.page.getByRole('cell', { name: id, exact: true }) });
      await row(later).getByText(en('core.settleFrom', { date: isoDate(90) })).waitFor();
      expect(await row(later).getByRole('button').count()).to.equal(0);
      await row(due).getByRole('button', { name: en('core.settleTitle', { id: due }) }).click();
      const settle = core.page.getByRole('form', { name: en('core.settleTitle', { id: due }), exact: true });
      await settle.getByLabel(en('field.paymentRef')).fill('CNAPS-DESK-1');
      await settle.getByRole('button', { name: en('core.submitSettle') }).click();
      await settle.getByRole('status').filter({ hasText: en('core.settled', { id: due }) }).waitFor();
      expect((await call<{ status: string }>('core-maker', 'GET', `/vouchers/${due}`)).status).to.equal('SETTLED');
    });
  });

  describe('the auditor', () => {
    it("shows money in a record and in its history as money in the record's currency, not as minor units", async () => {
      const rcv = await receivable('123456');
      await call('core-maker', 'POST', '/vouchers', { receivableId: rcv, amount: '123456', maturityDate: isoDate(90) });
      const auditor = new AuditorPage(await signIn('auditor'));
      await auditor.find(rcv);
      const record = auditor.page.getByRole('region', { name: en('auditor.record') });
      // amount and voucheredAmount
      await record.getByRole('definition').filter({ hasText: /^1,234\.56 CNY$/ }).nth(1).waitFor();
      expect(await record.getByText('123456', { exact: true }).count()).to.equal(0);
      const history = auditor.page.getByRole('region', { name: en('auditor.historyOf', { id: rcv }) });
      await history.getByRole('listitem').filter({ hasText: /^voucheredAmount: 0\.00 CNY → 1,234\.56 CNY$/ }).waitFor();
    });

    it('names the members a record names (creditor, debtor, who wrote it), with their ids', async () => {
      const rcv = await receivable('654321');
      const auditor = new AuditorPage(await signIn('auditor'));
      await auditor.find(rcv);
      const record = auditor.page.getByRole('region', { name: en('auditor.record') });
      for (const [name, id] of [['Suzhou Precision Parts (tier 1)', SUPPLIER1()], ['Beijing Heavy Machinery Group', CORE()]]) {
        await record.getByRole('definition').filter({ hasText: `${name} ${id}` }).first().waitFor();
      }
    });
  });

  describe('approvals', () => {
    it("shows the maker by its certificate's common name and its member's name, the full identity id in the title", async () => {
      // Above the core enterprise's dual-control threshold: the maker's issue waits for a checker.
      const rcv = await receivable('200000000');
      const approval = await call<{ id: string; docType: string; maker: string }>('core-maker', 'POST', '/vouchers', { receivableId: rcv, amount: '200000000', maturityDate: isoDate(90) });
      expect(approval.docType).to.equal('approval');
      // x509::<subject DN>::<issuer DN>, each DN as /CN=…/OU=…/O=…
      const cn = /(?:^|\/)CN=([^/]+)/.exec(approval.maker.split('::')[1] ?? '')?.[1] ?? '';
      expect(cn, approval.maker).to.match(/^core-maker@/);
      const core = new CorePage(await signIn('core-checker'));
      const row = core.approvals.getByRole('row').filter({ has: core.page.getByRole('cell', { name: approval.id, exact: true }) });
      await revealed(core.page, row);
      const columns = await core.approvals.getByRole('columnheader').allTextContents();
      const maker = row.getByRole('cell').nth(columns.indexOf(en('field.maker')));
      await maker.filter({ hasText: `${cn} (Beijing Heavy Machinery Group)` }).waitFor();
      expect((await maker.textContent())?.trim()).to.equal(`${cn} (Beijing Heavy Machinery Group)`);
      expect(await maker.locator('[title]').getAttribute('title'), 'the full identity id stays at hand').to.equal(approval.maker);
    });
  });

  describe('accessible names', () => {
    /** Buttons in the view whose accessible name does not start with the words they show (WCAG 2.5.3, label in name). */
    const mislabelled = (page: Page) => {
      type Buttons = { querySelectorAll(selector: 'button[aria-label]'): ArrayLike<{ getAttribute(name: 'aria-label'): string | null; textContent: string | null }> };
      return page.getByRole('main').evaluate((main) =>
        Array.from((main as unknown as Buttons).querySelectorAll('button[aria-label]'), (b) => ({ name: b.getAttribute('aria-label') ?? '', shown: (b.textContent ?? '').trim() })).filter(
          (b) => !b.name.toLowerCase().startsWith(b.shown.toLowerCase()),
        ),
      );
    };

    it('every row button, in English and in Chinese, is named first by the words it shows', async () => {
      // A row of each kind: a receivable to check, a voucher to settle, a piece to transfer, a request and an approved financing.
      // Supplier 2 holds the pieces (handed over whole): supplier 1's list is longer than a page.
      const toSupplier2 = async (id: string): Promise<string> => {
        const r = await call<{ children: Array<{ id: string; holder: string }> }>('supplier1', 'POST', `/vouchers/${id}/transfer`, { to: SUPPLIER2(), amount: '300000' });
        return r.children.find((c) => c.holder === SUPPLIER2())?.id ?? id;
      };
      const pendingRcv = await receivable('100000', false);
      const piece = await voucher('300000');
      const held = await toSupplier2(piece);
      const offered = await toSupplier2(await voucher('300000'));
      const requested = await call<{ id: string }>('supplier2', 'POST', '/financings', { asset: { type: 'VOUCHER', id: offered }, bank: BANK(), requestedAmount: '200000' });
      const approvedOn = await toSupplier2(await voucher('300000'));
      const approved = await call<{ id: string }>('supplier2', 'POST', '/financings', { asset: { type: 'VOUCHER', id: approvedOn }, bank: BANK(), requestedAmount: '200000' });
      await call('bank-maker', 'POST', `/financings/${approved.id}/approve`, { advanceAmount: '150000', annualRateBps: 400 });
      const views: Array<[Label, (page: Page) => Promise<void>]> = [
        ['supplier2', (page) => revealed(page, page.getByRole('cell', { name: held, exact: true }))],
        ['core-maker', async (page) => {
          await revealed(page, page.getByRole('cell', { name: pendingRcv, exact: true }));
          await revealed(page, page.getByRole('cell', { name: piece, exact: true }));
        }],
        ['bank-maker', async (page) => {
          await revealed(page, page.getByRole('cell', { name: requested.id, exact: true }));
          await revealed(page, page.getByRole('cell', { name: approved.id, exact: true }));
        }],
        ['operator-admin', (page) => revealed(page, page.getByRole('cell', { name: BANK(), exact: true }))],
      ];
      for (const language of ['en', 'zh'] as const) {
        for (const [label, ready] of views) {
          const page = await signIn(label);
          if (language === 'zh') {
            await page.getByLabel(en('app.language')).selectOption('zh');
            await page.getByRole('navigation', { name: '视图' }).waitFor();
          }
          await ready(page);
          expect(await page.getByRole('main').getByRole('button').count()).to.be.greaterThan(2);
          expect(await mislabelled(page), `${label} in ${language}`).to.deep.equal([]);
        }
      }
    });
  });
});
