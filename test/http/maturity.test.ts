import { expect } from 'chai';
import { BANK, CORE, expectProblem, type Label, SUPPLIER1, SUPPLIER2, SUPPLIER3, type TestGateway } from './harness';
import { itWithOwnClock, ledgerDate } from './time-travel';

interface TreeNode {
  id: string;
  holder: string;
  amount: string;
  status: string;
  children: TreeNode[];
}

/** Depth first, parents before children: the order of jq's `..` in the README. */
const leaves = (node: TreeNode): TreeNode[] => (node.children.length === 0 ? [node] : node.children.flatMap(leaves));

describe('HTTP: the maturity walkthrough of the README, with the sandbox clock', () => {
  // The same steps as README.md "Maturity walkthrough", request for request.
  itWithOwnClock('pays every holder of a split chain exactly once at maturity: three suppliers, and the bank for the piece it discounted', async (gw: TestGateway) => {
    const post = (path: string, body: object, label: Label) => gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
    const get = (path: string, label: Label) => gw.http.get(path).set('Authorization', gw.auth(label));
    const ok = async (res: Promise<{ status: number; body: any }> | { status: number; body: any }, status = 200) => {
      const r = await res;
      if (r.status !== status) throw new Error(`expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    };

    // The ledger's date in 30 days.
    const mat = await ledgerDate(gw, 30);

    // 1. A 10,000.00 CNY voucher maturing then, passed down and split.
    const invoice = { kind: 'INVOICE', sellerTaxId: SUPPLIER1(), invoiceCode: '', invoiceNumber: `M${Date.now()}`, amount: '1000000', issueDate: '2025-03-01' };
    const rcv = await ok(post('/receivables', { debtor: CORE(), amount: '1000000', dueDate: mat, documents: [invoice] }, 'supplier1'), 201);
    await ok(post(`/receivables/${rcv.id}/confirm`, {}, 'core-maker'));
    const v = (await ok(post('/vouchers', { receivableId: rcv.id, amount: '1000000', maturityDate: mat }, 'core-maker'), 201)).id as string;
    await ok(post(`/vouchers/${v}/transfer`, { to: SUPPLIER2(), amount: '600000' }, 'supplier1'));
    await ok(post(`/vouchers/${v}.1/transfer`, { to: SUPPLIER3(), amount: '250000' }, 'supplier2'));
    await ok(post(`/vouchers/${v}.1.1/split`, { amounts: ['100000', '150000'] }, 'supplier3'));

    // 2. Supplier 3 discounts one of its pieces at the bank; settling before maturity is refused.
    const f = (await ok(post('/financings', { asset: { type: 'VOUCHER', id: `${v}.1.1.2` }, bank: BANK(), requestedAmount: '140000' }, 'supplier3'), 201))
      .id as string;
    await ok(post(`/financings/${f}/approve`, { advanceAmount: '140000', annualRateBps: 450 }, 'bank-maker'));
    expect((await ok(post(`/financings/${f}/disburse`, { paymentRef: 'CNAPS-M-DISB' }, 'bank-maker'))).status).to.equal('DISBURSED');
    expectProblem(await post(`/vouchers/${v}.2/settle`, { paymentRef: 'early' }, 'core-maker'), 422, 'BUSINESS_RULE');

    // Who holds what just before maturity: each of them must be paid, once.
    const before = leaves((await ok(get(`/vouchers/${v}/tree`, 'core-maker'))).root);
    expect(before.map((p) => [p.id, p.holder, p.amount, p.status])).to.deep.equal([
      [`${v}.1.1.1`, SUPPLIER3(), '100000', 'ACTIVE'],
      [`${v}.1.1.2`, BANK(), '150000', 'FINANCED'],
      [`${v}.1.2`, SUPPLIER2(), '350000', 'ACTIVE'],
      [`${v}.2`, SUPPLIER1(), '400000', 'ACTIVE'],
    ]);

    // 3. The operator moves the ledger's clock 30 days forward.
    const clock = await ok(post('/sandbox/clock', { advance: 'P30D' }, 'operator-admin'));
    expect(clock.now.slice(0, 10)).to.equal(mat);

    // 4. The core enterprise settles every unsettled piece of the tree, each with whoever holds it.
    const unsettled = leaves((await ok(get(`/vouchers/${v}/tree`, 'core-maker'))).root).filter((p) => p.status !== 'SETTLED');
    const paid: Array<[string, string, string]> = [];
    for (const p of unsettled) {
      const settled = await ok(post(`/vouchers/${p.id}/settle`, { paymentRef: `CNAPS-M-${p.id}` }, 'core-maker'));
      paid.push([settled.id, settled.amount, settled.settledTo]);
    }
    expect(paid).to.deep.equal(before.map((p) => [p.id, p.amount, p.holder]));

    // 5. Exactly once: a second settlement is refused, each piece has one SETTLED version, the bank's
    // financing is repaid, the receivable settled in full.
    expectProblem(await post(`/vouchers/${v}.2/settle`, { paymentRef: 'again' }, 'core-maker'), 409, 'INVALID_STATE');
    for (const p of before) {
      const history = await ok(get(`/vouchers/${p.id}/history`, 'auditor'));
      expect(history.versions.filter((h: { record: { status: string } }) => h.record.status === 'SETTLED'), p.id).to.have.length(1);
    }
    expect(await ok(get(`/financings/${f}`, 'bank-maker'))).to.include({ status: 'REPAID', repaymentRef: `CNAPS-M-${v}.1.1.2` });
    expect(await ok(get(`/receivables/${rcv.id}`, 'core-maker'))).to.include({ status: 'SETTLED', settledAmount: '1000000' });
    const total = paid.reduce((sum, [, amount]) => sum + BigInt(amount), 0n);
    expect(total).to.equal(1_000_000n);
  });
});
