import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import {
  BANK,
  expectProblem,
  isoDate,
  member,
  receiptBody,
  startGateway,
  SUPPLIER1,
  SUPPLIER2,
  SUPPLIER3,
  type TestGateway,
  uniqueKey,
  walkList,
  walkWhileFinancingsMove,
} from './harness';
import { advanceDays, itWithOwnClock } from './time-travel';

type Label = Parameters<TestGateway['auth']>[0];

const WAREHOUSE = () => member('warehouse');

describe('HTTP: warehouse receipts', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });

  const read = (path: string, label: Label = 'auditor') => gw.http.get(path).set('Authorization', gw.auth(label));
  const post = (path: string, b: object, label: Label) => gw.http.post(path).set('Authorization', gw.auth(label)).send(b);
  const act = (id: string, action: string, b: object, label: Label = 'supplier1') => post(`/warehouse-receipts/${id}/${action}`, b, label);

  /**
   * A test that moves the ledger's sandbox clock past a loan's due date: on a
   * gateway of its own, swapped in for its duration, so no other test sees
   * the dates move (time-travel.ts; NOT APPLICABLE without a sandbox clock).
   */
  const itAfterDueDate = (title: string, fn: () => Promise<void>) =>
    itWithOwnClock(title, async (own) => {
      const shared = gw;
      gw = own;
      try {
        await fn();
      } finally {
        gw = shared;
      }
    });

  const body = receiptBody;
  const issue = (b: object, label: Label = 'warehouse') => post('/warehouse-receipts', b, label);

  async function issued(patch: object = {}): Promise<Record<string, unknown> & { id: string }> {
    const res = await issue(body(patch));
    if (res.status !== 201) throw new Error(`receipt setup failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** A receipt of supplier1 pledged to the bank (financing disbursed), loan due in `dueDays`. */
  async function pledged(dueDays = 30): Promise<{ receipt: { id: string }; financingId: string; dueDate: string }> {
    const receipt = await issued({ valuation: '1000000' });
    const dueDate = isoDate(dueDays);
    const fin = await post('/financings', { asset: { type: 'WAREHOUSE_RECEIPT', id: receipt.id }, bank: BANK(), requestedAmount: '700000', dueDate }, 'supplier1');
    if (fin.status !== 201) throw new Error(`pledge request failed: ${fin.status} ${JSON.stringify(fin.body)}`);
    const ok = await post(`/financings/${fin.body.id}/approve`, { advanceAmount: '700000', annualRateBps: 480 }, 'bank-maker');
    if (ok.status !== 200) throw new Error(`pledge approval failed: ${ok.status} ${JSON.stringify(ok.body)}`);
    const paid = await post(`/financings/${fin.body.id}/disburse`, { paymentRef: 'CNAPS-PLEDGE' }, 'bank-maker');
    if (paid.status !== 200) throw new Error(`pledge disbursement failed: ${paid.status} ${JSON.stringify(paid.body)}`);
    return { receipt, financingId: fin.body.id as string, dueDate };
  }

  describe('POST /warehouse-receipts', () => {
    it('issues an ACTIVE receipt to the owner (201), claiming the lot under the fingerprint the gateway computes', async () => {
      const b = body({ currency: 'CNY' });
      const res = await issue(b);
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ warehouse: WAREHOUSE(), owner: SUPPLIER1(), quantity: 500, unit: 't', valuation: '200000000', status: 'ACTIVE' });
      expect(res.body.id).to.match(/^WRC-/);
      expect(res.body.rootId).to.equal(res.body.id);
      const fp = await post('/fingerprints', { documents: [{ kind: 'LOT', warehouseId: WAREHOUSE(), lotId: b.lotId }] }, 'supplier2');
      expect(res.body.lotFingerprint).to.equal(fp.body.documents[0].fingerprint);
      const check = await post('/fingerprints/check', { fingerprints: [{ kind: 'LOT', fingerprint: res.body.lotFingerprint }] }, 'bank-maker');
      expect(check.body[0]).to.include({ claimed: true, assetType: 'WAREHOUSE_RECEIPT', assetId: res.body.id });
    });

    it('records supporting documents by the fingerprints the ledger computes from their canonical fields, and refuses a bare fingerprint with 400', async () => {
      const inspection = { kind: 'OTHER', issuerId: 'CIQ-QINGDAO', reference: ' insp-2026-0417 ' };
      const res = await issue(body({ documents: [inspection] }));
      expect(res.status).to.equal(201);
      const fp = await post('/fingerprints', { documents: [inspection] }, 'supplier2');
      expect(fp.body.documents[0].canonical).to.equal('other|CIQ-QINGDAO|INSP-2026-0417');
      expect(res.body.documents).to.deep.equal([{ kind: 'OTHER', fingerprint: fp.body.documents[0].fingerprint }]);
      const height = await gw.ledger.height();
      const bare = await issue(body({ documents: [{ kind: 'OTHER', fingerprint: fp.body.documents[0].fingerprint }] }));
      expectProblem(bare, 400, 'VALIDATION_FAILED');
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('refuses a second receipt on the same goods lot with 409 DOUBLE_FINANCING naming the first', async () => {
      const first = await issued();
      const height = await gw.ledger.height();
      const res = await issue(body({ lotId: first.lotId, owner: SUPPLIER2() }));
      expectProblem(res, 409, 'DOUBLE_FINANCING');
      expect(res.body.detail).to.contain(first.id);
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('refuses a caller that is not a warehouse with 403', async () => {
      expectProblem(await issue(body(), 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await issue(body(), 'bank-maker'), 403, 'FORBIDDEN');
    });

    it('refuses an owner that is not a member (404), not a supplier (422) or the warehouse itself (422)', async () => {
      expectProblem(await issue(body({ owner: withCheckChar('91500000999999991') })), 404, 'NOT_FOUND');
      expectProblem(await issue(body({ owner: BANK() })), 422, 'BUSINESS_RULE');
      expectProblem(await issue(body({ owner: WAREHOUSE() })), 422, 'BUSINESS_RULE');
    });

    it('refuses a receipt id that is taken with 409 ALREADY_EXISTS', async () => {
      const id = `WRC-${uniqueKey('dup')}`;
      expect((await issue(body({ id }))).status).to.equal(201);
      expectProblem(await issue(body({ id })), 409, 'ALREADY_EXISTS');
    });

    it('refuses issuing to a frozen member with 423 FROZEN', async () => {
      const f = await post('/freezes', { target: { type: 'MEMBER', id: SUPPLIER3() }, reason: 'court order (2025) Lu 02 Zhi Bao 5' }, 'operator-admin');
      expect(f.status).to.equal(201);
      try {
        expectProblem(await issue(body({ owner: SUPPLIER3() })), 423, 'FROZEN');
      } finally {
        expect((await gw.http.delete(`/freezes/${f.body.id}`).set('Authorization', gw.auth('operator-admin'))).status).to.equal(200);
      }
    });

    it('issues once for a replayed Idempotency-Key', async () => {
      const key = uniqueKey('wrc');
      const b = body();
      const first = await issue(b).set('Idempotency-Key', key);
      expect(first.status).to.equal(201);
      const height = await gw.ledger.height();
      const again = await issue(b).set('Idempotency-Key', key);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
    });

    const malformed: Array<[string, object, string]> = [
      ['a zero quantity', { quantity: 0 }, 'body.quantity'],
      ['a fractional quantity', { quantity: 2.5 }, 'body.quantity'],
      ['a quantity as a string', { quantity: '500' }, 'body.quantity'],
      ['a lot number with a separator', { lotId: 'QD|7' }, 'body.lotId'],
      ['a negative valuation', { valuation: '-1' }, 'body.valuation'],
      ['a blank commodity', { commodity: ' ' }, 'body.commodity'],
      ['an owner with a wrong check character', { owner: `${SUPPLIER1().slice(0, 17)}${SUPPLIER1().endsWith('0') ? '1' : '0'}` }, 'body.owner'],
      ['an unknown field', { pledgee: '913100001000000080' }, 'body'],
    ];
    for (const [what, patch, path] of malformed) {
      it(`rejects ${what} with 400 naming ${path}, and writes nothing`, async () => {
        const height = await gw.ledger.height();
        const res = await issue(body(patch));
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(res.body.errors.map((e: { path: string }) => e.path)).to.include(path);
        expect(await gw.ledger.height()).to.equal(height);
      });
    }

    it('reports a zero quantity and a zero valuation at once (every field problem in one answer)', async () => {
      const res = await issue(body({ quantity: 0, valuation: '0' }));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path)).to.include.members(['body.quantity', 'body.valuation']);
    });

    it('requires a token', async () => {
      expectProblem(await gw.http.post('/warehouse-receipts').send(body()), 401, 'UNAUTHENTICATED');
    });
  });

  describe('GET /warehouse-receipts/:id, /history and GET /warehouse-receipts', () => {
    it('shows a receipt to its owner, its warehouse and the auditor; to the bank only once it is asked to lend on it', async () => {
      const r = await issued({ valuation: '1000000' });
      for (const label of ['supplier1', 'warehouse', 'auditor', 'operator-admin'] as const) {
        expect((await read(`/warehouse-receipts/${r.id}`, label)).status, label).to.equal(200);
      }
      expectProblem(await read(`/warehouse-receipts/${r.id}`, 'supplier2'), 404, 'NOT_FOUND');
      expectProblem(await read(`/warehouse-receipts/${r.id}`, 'bank-maker'), 404, 'NOT_FOUND');
      const fin = await post('/financings', { asset: { type: 'WAREHOUSE_RECEIPT', id: r.id }, bank: BANK(), requestedAmount: '500000', dueDate: isoDate(30) }, 'supplier1');
      expect(fin.status).to.equal(201);
      const seen = await read(`/warehouse-receipts/${r.id}`, 'bank-maker');
      expect(seen.status).to.equal(200);
      expect(seen.body).to.include({ status: 'PLEDGE_PENDING', financingId: fin.body.id });
      expectProblem(await read('/warehouse-receipts/WRC-NONE'), 404, 'NOT_FOUND');
      expectProblem(await read('/warehouse-receipts/WRC%20X'), 400, 'VALIDATION_FAILED');
    });

    it('lists by owner and by warehouse and status, and shows others none', async () => {
      const r = await issued();
      const byOwner = await read(`/warehouse-receipts?owner=${SUPPLIER1()}`, 'supplier1');
      expect(byOwner.status).to.equal(200);
      expect(byOwner.body.records.map((x: { id: string }) => x.id)).to.include(r.id);
      const byWarehouse = await read(`/warehouse-receipts?warehouse=${WAREHOUSE()}&status=ACTIVE&pageSize=200`, 'warehouse');
      expect(byWarehouse.body.records.map((x: { id: string }) => x.id)).to.include(r.id);
      for (const x of byWarehouse.body.records) expect(x).to.include({ warehouse: WAREHOUSE(), status: 'ACTIVE' });
      const stranger = await read(`/warehouse-receipts?owner=${SUPPLIER1()}`, 'supplier2');
      expect(stranger.body.records).to.deep.equal([]);
    });

    it("meets each of an owner's receipts exactly once while pledges are requested and turned down between pages", async () => {
      // Requested: PLEDGE_PENDING; turned down: ACTIVE again (as a release or an
      // enforcement ends a pledge). Before the list by party read an index without
      // status, a receipt pledged after the walk met it came again, and one whose
      // pledge ended could be missed.
      const ours: string[] = [];
      for (let i = 0; i < 4; i++) ours.push((await issued({ valuation: '1000000' })).id);
      const walk = await walkWhileFinancingsMove(gw, { path: '/warehouse-receipts', query: { owner: SUPPLIER1() } }, (id) => ({ asset: { type: 'WAREHOUSE_RECEIPT', id }, requestedAmount: '500000', dueDate: isoDate(30) }), ours);
      expect(walk.met, 'times each of ours was met').to.deep.equal([1, 1, 1, 1]);
      expect(walk.rejected, 'pledges turned down ahead of the walk').to.be.greaterThan(0);
      expect(walk.requested, 'pledges requested behind the walk').to.be.greaterThan(0);
    });

    it('rejects an unknown status and an unknown filter with 400', async () => {
      for (const q of ['status=LOST', 'commodity=steel']) {
        expectProblem(await read(`/warehouse-receipts?${q}`, 'warehouse'), 400, 'VALIDATION_FAILED');
      }
    });

    it('keeps every version of a receipt', async () => {
      const r = await issued();
      const t = await act(r.id, 'transfer', { to: SUPPLIER2() });
      const res = await read(`/warehouse-receipts/${r.id}/history`, 'warehouse');
      expect(res.status).to.equal(200);
      expect(res.body.versions.map((v: { txId: string }) => v.txId)).to.have.members([r.createdTxId, t.headers['transaction-id']]);
      expectProblem(await read(`/warehouse-receipts/${r.id}/history`, 'supplier3'), 404, 'NOT_FOUND');
    });
  });

  describe('POST /warehouse-receipts/:id/transfer', () => {
    it('hands the whole receipt to another supplier (200); the former owner no longer sees it', async () => {
      const r = await issued();
      const res = await act(r.id, 'transfer', { to: SUPPLIER2() });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ id: r.id, owner: SUPPLIER2(), status: 'ACTIVE' });
      expectProblem(await read(`/warehouse-receipts/${r.id}`, 'supplier1'), 404, 'NOT_FOUND');
    });

    it('refuses the warehouse (403), a stranger (404), an unknown recipient (404), a bank or the owner itself (422)', async () => {
      const r = await issued();
      expectProblem(await act(r.id, 'transfer', { to: SUPPLIER2() }, 'warehouse'), 403, 'FORBIDDEN');
      expectProblem(await act(r.id, 'transfer', { to: SUPPLIER2() }, 'supplier3'), 404, 'NOT_FOUND');
      expectProblem(await act(r.id, 'transfer', { to: withCheckChar('91500000999999990') }), 404, 'NOT_FOUND');
      expectProblem(await act(r.id, 'transfer', { to: BANK() }), 422, 'BUSINESS_RULE');
      expectProblem(await act(r.id, 'transfer', { to: SUPPLIER1() }), 422, 'BUSINESS_RULE');
    });

    it('refuses a pledged receipt (409) and a frozen one (423)', async () => {
      const { receipt } = await pledged();
      expectProblem(await act(receipt.id, 'transfer', { to: SUPPLIER2() }), 409, 'INVALID_STATE');
      const r = await issued();
      const f = await post('/freezes', { target: { type: 'WAREHOUSE_RECEIPT', id: r.id }, reason: 'court order (2025) Lu 02 Zhi Bao 6' }, 'operator-admin');
      expect(f.status).to.equal(201);
      expectProblem(await act(r.id, 'transfer', { to: SUPPLIER2() }), 423, 'FROZEN');
    });

    it('transfers once for a replayed Idempotency-Key, and rejects a malformed recipient with 400', async () => {
      const r = await issued();
      const key = uniqueKey('wtr');
      const first = await act(r.id, 'transfer', { to: SUPPLIER2() }).set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await gw.ledger.height();
      const again = await act(r.id, 'transfer', { to: SUPPLIER2() }).set('Idempotency-Key', key);
      expect(again.body).to.deep.equal(first.body);
      expectProblem(await act(r.id, 'transfer', { to: 'supplier3' }, 'supplier2'), 400, 'VALIDATION_FAILED');
      expectProblem(await act(r.id, 'transfer', {}, 'supplier2'), 400, 'VALIDATION_FAILED');
      expect(await gw.ledger.height()).to.equal(height);
    });
  });

  describe('POST /warehouse-receipts/:id/split', () => {
    it('splits by quantity (200): valuation pro rata, the remainder to the last child', async () => {
      const r = await issued({ quantity: 3, valuation: '1000000' });
      const res = await act(r.id, 'split', { quantities: [1, 2] });
      expect(res.status).to.equal(200);
      expect(res.body.receipt).to.include({ id: r.id, status: 'SPLIT' });
      expect(res.body.children.map((c: { id: string; quantity: number; valuation: string }) => [c.id, c.quantity, c.valuation])).to.deep.equal([
        [`${r.id}.1`, 1, '333333'],
        [`${r.id}.2`, 2, '666667'],
      ]);
      for (const c of res.body.children) expect(c).to.include({ owner: SUPPLIER1(), lotId: r.lotId, status: 'ACTIVE' });
      expectProblem(await act(r.id, 'transfer', { to: SUPPLIER2() }), 409, 'INVALID_STATE');
      // a child moves on its own
      expect((await act(`${r.id}.2`, 'transfer', { to: SUPPLIER2() })).status).to.equal(200);
    });

    it('refuses quantities that do not sum to the receipt, and a single part, with 422', async () => {
      const r = await issued({ quantity: 10 });
      expectProblem(await act(r.id, 'split', { quantities: [5, 4] }), 422, 'BUSINESS_RULE');
      expectProblem(await act(r.id, 'split', { quantities: [10] }), 422, 'BUSINESS_RULE');
    });

    it('refuses the warehouse (403) and rejects a fractional or zero quantity with 400', async () => {
      const r = await issued({ quantity: 10 });
      expectProblem(await act(r.id, 'split', { quantities: [5, 5] }, 'warehouse'), 403, 'FORBIDDEN');
      expectProblem(await act(r.id, 'split', { quantities: [5.5, 4.5] }), 400, 'VALIDATION_FAILED');
      expectProblem(await act(r.id, 'split', { quantities: [10, 0] }), 400, 'VALIDATION_FAILED');
    });
  });

  describe('POST /warehouse-receipts/:id/deliver', () => {
    it('lets the warehouse record delivery to the owner (200, final); once delivered the lot may be receipted again', async () => {
      const r = await issued();
      const res = await act(r.id, 'deliver', {}, 'warehouse');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'DELIVERED', deliveredTo: SUPPLIER1() });
      expectProblem(await act(r.id, 'deliver', {}, 'warehouse'), 409, 'INVALID_STATE');
      expectProblem(await act(r.id, 'transfer', { to: SUPPLIER2() }), 409, 'INVALID_STATE');
      expect((await issue(body({ lotId: r.lotId }))).status).to.equal(201);
    });

    it('refuses the owner (403), a pledged receipt (409) and a body (400)', async () => {
      const r = await issued();
      expectProblem(await act(r.id, 'deliver', {}, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await act(r.id, 'deliver', { to: SUPPLIER1() }, 'warehouse'), 400, 'VALIDATION_FAILED');
      const { receipt } = await pledged();
      expectProblem(await act(receipt.id, 'deliver', {}, 'warehouse'), 409, 'INVALID_STATE');
    });
  });

  describe('pledges: POST /financings on a receipt, then /release, /repay or /enforce', () => {
    it('pledges a receipt to the bank: requested within 70% of the valuation, PLEDGED on disbursement', async () => {
      const r = await issued({ valuation: '1000000' });
      const asset = { type: 'WAREHOUSE_RECEIPT', id: r.id };
      expectProblem(await post('/financings', { asset, bank: BANK(), requestedAmount: '700001', dueDate: isoDate(30) }, 'supplier1'), 422, 'BUSINESS_RULE');
      // the loan term is the applicant's to choose, and required
      expectProblem(await post('/financings', { asset, bank: BANK(), requestedAmount: '700000' }, 'supplier1'), 400, 'VALIDATION_FAILED');
      const { receipt, financingId } = await pledged();
      const seen = await read(`/warehouse-receipts/${receipt.id}`, 'bank-maker');
      expect(seen.body).to.include({ status: 'PLEDGED', pledgee: BANK(), financingId });
    });

    it('lets the pledgee release the pledge (200): the receipt is ACTIVE again and the financing REPAID', async () => {
      const { receipt, financingId } = await pledged();
      expectProblem(await act(receipt.id, 'release', {}, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await act(receipt.id, 'release', {}, 'supplier2'), 404, 'NOT_FOUND');
      const res = await act(receipt.id, 'release', { paymentRef: 'CNAPS-REPAY-7' }, 'bank-checker');
      expect(res.status).to.equal(200);
      expect(res.body.receipt).to.include({ id: receipt.id, status: 'ACTIVE' });
      expect(res.body.receipt).to.not.have.property('pledgee');
      expect(res.body.financing).to.include({ id: financingId, status: 'REPAID', repaymentRef: 'CNAPS-REPAY-7' });
      // released, the bank is no longer a party to the receipt: it cannot see it, let alone release it again
      expectProblem(await act(receipt.id, 'release', {}, 'bank-checker'), 404, 'NOT_FOUND');
      expect((await act(receipt.id, 'transfer', { to: SUPPLIER2() })).status).to.equal(200);
    });

    it("lists a bank's pledged receipts: by ?pledgee= and in its own list, until the pledge is released; never to another member", async () => {
      const { receipt } = await pledged();
      const ids = async (query: Record<string, string>, label: Label) => [...(await walkList(gw, '/warehouse-receipts', { ...query, pageSize: '200' }, label, async () => {})).keys()];
      expect(await ids({ pledgee: BANK() }, 'bank-maker')).to.include(receipt.id);
      const own = await walkList(gw, '/warehouse-receipts', { pageSize: '200' }, 'bank-maker', async () => {});
      expect(own.get(receipt.id), "in the bank's own list, once").to.equal(1);
      expect(await ids({ pledgee: BANK(), status: 'ACTIVE' }, 'bank-maker')).to.not.include(receipt.id);
      expect(await ids({ pledgee: BANK() }, 'supplier2')).to.deep.equal([]);
      expectProblem(await read('/warehouse-receipts?pledgee=nobody', 'bank-maker'), 400, 'VALIDATION_FAILED');
      expect((await act(receipt.id, 'release', { paymentRef: 'CNAPS-LIST' }, 'bank-checker')).status).to.equal(200);
      expect(await ids({ pledgee: BANK() }, 'bank-maker')).to.not.include(receipt.id);
      expect(await ids({}, 'bank-maker')).to.not.include(receipt.id);
    });

    it('releases once for a replayed Idempotency-Key, and rejects an unknown field with 400', async () => {
      const { receipt } = await pledged();
      const height0 = await gw.ledger.height();
      expectProblem(await act(receipt.id, 'release', { amount: '1' }, 'bank-maker'), 400, 'VALIDATION_FAILED');
      expect(await gw.ledger.height()).to.equal(height0);
      const key = uniqueKey('rel');
      const first = await act(receipt.id, 'release', {}, 'bank-maker').set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await gw.ledger.height();
      const again = await act(receipt.id, 'release', {}, 'bank-maker').set('Idempotency-Key', key);
      expect(again.body).to.deep.equal(first.body);
      expect(await gw.ledger.height()).to.equal(height);
    });

    it('records repayment through POST /financings/:id/repay (200), which releases the receipt', async () => {
      const { receipt, financingId } = await pledged();
      expectProblem(await post(`/financings/${financingId}/repay`, { paymentRef: 'x' }, 'supplier1'), 403, 'FORBIDDEN');
      const res = await post(`/financings/${financingId}/repay`, { paymentRef: 'CNAPS-REPAY-8' }, 'bank-maker');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'REPAID', repaymentRef: 'CNAPS-REPAY-8' });
      expect((await read(`/warehouse-receipts/${receipt.id}`)).body.status).to.equal('ACTIVE');
      expectProblem(await post(`/financings/${financingId}/repay`, { paymentRef: 'again' }, 'bank-maker'), 409, 'INVALID_STATE');
    });

    itAfterDueDate("enforces a pledge in default only after the loan's due date: the bank becomes the owner", async () => {
      const { receipt, financingId } = await pledged(5);
      expectProblem(await act(receipt.id, 'enforce', {}, 'bank-maker'), 422, 'BUSINESS_RULE');
      // On the due date itself the loan is not yet in default.
      await advanceDays(gw, 5);
      expectProblem(await act(receipt.id, 'enforce', {}, 'bank-maker'), 422, 'BUSINESS_RULE');
      await advanceDays(gw, 1);
      expectProblem(await act(receipt.id, 'enforce', {}, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await act(receipt.id, 'enforce', { force: true }, 'bank-maker'), 400, 'VALIDATION_FAILED');
      const res = await act(receipt.id, 'enforce', {}, 'bank-maker');
      expect(res.status).to.equal(200);
      expect(res.body.receipt).to.include({ id: receipt.id, status: 'ACTIVE', owner: BANK() });
      expect(res.body.financing).to.include({ id: financingId, status: 'ENFORCED' });
      expectProblem(await read(`/warehouse-receipts/${receipt.id}`, 'supplier1'), 404, 'NOT_FOUND');
    });

    itAfterDueDate('refuses enforcing by a non-bank (403), an unpledged receipt (404 to the bank, 409 once it is a party) and a frozen pledge (423)', async () => {
      const r = await issued({ valuation: '1000000' });
      expectProblem(await act(r.id, 'enforce', {}, 'auditor'), 403, 'FORBIDDEN');
      expectProblem(await act(r.id, 'enforce', {}, 'bank-maker'), 404, 'NOT_FOUND');
      const fin = await post('/financings', { asset: { type: 'WAREHOUSE_RECEIPT', id: r.id }, bank: BANK(), requestedAmount: '100000', dueDate: isoDate(1) }, 'supplier1');
      expect(fin.status).to.equal(201);
      const { receipt } = await pledged(1);
      const f = await post('/freezes', { target: { type: 'WAREHOUSE_RECEIPT', id: receipt.id }, reason: 'court order (2025) Lu 02 Zhi Bao 8' }, 'operator-admin');
      expect(f.status).to.equal(201);
      await advanceDays(gw, 3);
      expectProblem(await act(r.id, 'enforce', {}, 'bank-maker'), 409, 'INVALID_STATE');
      expectProblem(await act(receipt.id, 'enforce', {}, 'bank-maker'), 423, 'FROZEN');
      expect((await read(`/warehouse-receipts/${receipt.id}`)).body).to.include({ status: 'PLEDGED', owner: SUPPLIER1() });
    });
  });
});
