import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import { BANK, CORE, confirmedReceivable, expectProblem, isoDate, issuedVoucher, OPERATOR, startGateway, type TestGateway } from './harness';
import { advanceDays, itWithOwnClock } from './time-travel';

type Label = Parameters<TestGateway['auth']>[0];

let serial = 0;
/** A fresh, valid member id: a new obligor no other test uses. */
const newMemberId = () => withCheckChar(`9144030020${String(Date.now() % 1e6).padStart(6, '0')}${serial++ % 10}`);

interface Line {
  id: string;
  granter: string;
  obligor: string;
  kind: string;
  limit: string;
  used: string;
  headroom: string;
  status: string;
}

/** Request helpers over one gateway. */
function client(gw: () => TestGateway) {
  return {
    get: (path: string, label: Label = 'auditor') => gw().http.get(path).set('Authorization', gw().auth(label)),
    post: (path: string, body: object, label: Label) => gw().http.post(path).set('Authorization', gw().auth(label)).send(body),
    /** The line of `kind` that governs `obligor` (the demo set-up granted the core enterprise's). */
    async governing(kind: 'ISSUANCE' | 'FINANCING', obligor: string, granter: string): Promise<Line> {
      const res = await gw().http.get(`/credit-lines?obligor=${obligor}&kind=${kind}`).set('Authorization', gw().auth('auditor'));
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const line = (res.body.records as Line[]).find((l) => l.granter === granter && l.status !== 'CLOSED');
      if (!line) throw new Error(`no ${kind} line of ${granter} to ${obligor}: the demo set-up grants one`);
      return line;
    },
  };
}

const plus = (a: string, b: bigint): string => String(BigInt(a) + b);

describe('HTTP: credit lines (授信)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
  });
  after(async () => {
    await gw?.close();
  });
  const c = client(() => gw);

  describe('granting and changing a line', () => {
    let obligor: string;
    before(async () => {
      obligor = newMemberId();
      const res = await c.post('/members', { id: obligor, name: 'Dongguan Credit Test Supplier', mspId: 'PlatformMSP', roles: ['SUPPLIER'] }, 'operator-admin');
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });

    it('lets a bank grant, adjust, suspend, reinstate and close a line, each version in its history, read by both parties and auditors only', async () => {
      const granted = await c.post('/credit-lines', { kind: 'FINANCING', obligor, limit: '300000000', validTo: isoDate(365) }, 'bank-maker');
      expect(granted.status, JSON.stringify(granted.body)).to.equal(201);
      expect(granted.body).to.include({ granter: BANK(), obligor, kind: 'FINANCING', limit: '300000000', used: '0', headroom: '300000000', status: 'ACTIVE', currency: 'CNY' });
      expect(granted.headers['transaction-id']).to.equal(granted.body.createdTxId);
      const id = granted.body.id as string;
      expect((await c.get(`/credit-lines/${id}`)).body).to.deep.equal(granted.body);
      expect((await c.get(`/credit-lines/${id}`, 'bank-checker')).status).to.equal(200);
      expectProblem(await c.get(`/credit-lines/${id}`, 'supplier2'), 404, 'NOT_FOUND');
      expectProblem(await c.get(`/credit-lines/${id}`, 'core-maker'), 404, 'NOT_FOUND');

      const raised = await c.post(`/credit-lines/${id}/adjust`, { limit: '400000000' }, 'bank-maker');
      expect(raised.status).to.equal(200);
      expect(raised.body).to.include({ limit: '400000000', headroom: '400000000' });
      const suspended = await c.post(`/credit-lines/${id}/suspend`, { reason: 'annual review' }, 'bank-maker');
      expect(suspended.body).to.include({ status: 'SUSPENDED', statusReason: 'annual review' });
      expect((await c.post(`/credit-lines/${id}/reinstate`, {}, 'bank-checker')).body).to.include({ status: 'ACTIVE' });
      expect((await c.post(`/credit-lines/${id}/close`, {}, 'bank-maker')).body).to.include({ status: 'CLOSED' });
      expectProblem(await c.post(`/credit-lines/${id}/reinstate`, {}, 'bank-maker'), 409, 'INVALID_STATE');

      const history = await c.get(`/credit-lines/${id}/history`, 'bank-maker');
      expect(history.status).to.equal(200);
      expect(history.body.versions.map((v: { record: Line }) => v.record.status)).to.deep.equal(['CLOSED', 'ACTIVE', 'SUSPENDED', 'ACTIVE', 'ACTIVE']);
      const listed = await c.get(`/credit-lines?granter=${BANK()}&obligor=${obligor}`, 'bank-maker');
      expect(listed.body.records.map((l: Line) => l.id)).to.include(id);
    });

    it("puts a grant at or above the bank's threshold to its checker (202), and refuses other members' grants", async () => {
      const other = newMemberId();
      expect((await c.post('/members', { id: other, name: 'Foshan Credit Test Supplier', mspId: 'PlatformMSP', roles: ['SUPPLIER'] }, 'operator-admin')).status).to.equal(201);
      const pending = await c.post('/credit-lines', { kind: 'FINANCING', obligor: other, limit: '500000000', validTo: isoDate(365) }, 'bank-maker');
      expect(pending.status).to.equal(202);
      expect(pending.body).to.include({ docType: 'approval', status: 'PENDING', transaction: 'creditLine:Grant' });
      expectProblem(await c.post(`/approvals/${pending.body.id}/approve`, {}, 'bank-maker'), 403, 'FORBIDDEN');
      const approved = await c.post(`/approvals/${pending.body.id}/approve`, {}, 'bank-checker');
      expect(approved.status).to.equal(200);
      expect(approved.body.result).to.include({ obligor: other, limit: '500000000', status: 'ACTIVE' });

      expectProblem(await c.post('/credit-lines', { kind: 'FINANCING', obligor: other, limit: '1000', validTo: isoDate(30) }, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await c.post('/credit-lines', { kind: 'ISSUANCE', obligor: CORE(), limit: '1000', validTo: isoDate(30) }, 'bank-maker'), 403, 'FORBIDDEN');
      expectProblem(
        await c.post('/credit-lines', { kind: 'FINANCING', granter: OPERATOR(), obligor: other, limit: '1000', validTo: isoDate(30) }, 'bank-maker'),
        403,
        'FORBIDDEN',
      );
      expectProblem(await c.post(`/credit-lines/${approved.body.result.id}/adjust`, { limit: '9000000000' }, 'core-maker'), 404, 'NOT_FOUND');
    });

    it('answers bad input with 400 and a line that would be expired with 422, writing nothing', async () => {
      const height = await gw.ledger.height();
      const before = gw.ledger.dump ? await gw.ledger.dump() : undefined;
      for (const body of [
        { kind: 'FINANCING', obligor, limit: '12.50', validTo: isoDate(30) },
        { kind: 'FINANCING', obligor, limit: 1000, validTo: isoDate(30) },
        { kind: 'OVERDRAFT', obligor, limit: '1000', validTo: isoDate(30) },
        { kind: 'FINANCING', obligor: 'NOT-A-CREDIT-CODE', limit: '1000', validTo: isoDate(30) },
        { kind: 'FINANCING', obligor, limit: '1000', validTo: '2026-02-30' },
        { kind: 'FINANCING', obligor, limit: '1000' },
        { kind: 'FINANCING', obligor, limit: '1000', validTo: isoDate(30), extra: true },
      ]) {
        expectProblem(await c.post('/credit-lines', body, 'bank-maker'), 400, 'VALIDATION_FAILED');
      }
      expectProblem(await c.post('/credit-lines/CRL-NOPE/adjust', {}, 'bank-maker'), 400, 'VALIDATION_FAILED');
      expectProblem(await c.post('/credit-lines', { kind: 'FINANCING', obligor, limit: '1000', validFrom: isoDate(-30), validTo: isoDate(-1) }, 'bank-maker'), 422, 'BUSINESS_RULE');
      expect(await gw.ledger.height()).to.equal(height);
      if (before && gw.ledger.dump) expect(await gw.ledger.dump()).to.deep.equal(before);
    });
  });

  describe('use of the demo lines', () => {
    it('issuing raises the issuer line, approving raises the bank line, settling and rejecting release them', async () => {
      const issuance = await c.governing('ISSUANCE', CORE(), OPERATOR());
      const financing = await c.governing('FINANCING', CORE(), BANK());
      const used = async (l: Line) => ((await c.get(`/credit-lines/${l.id}`)).body as Line).used;

      const a = await issuedVoucher(gw, '300000', isoDate(90));
      expect(a.creditLineId).to.equal(issuance.id);
      expect(await used(issuance)).to.equal(plus(issuance.used, 300000n));
      const b = await issuedVoucher(gw, '200000', isoDate(0));
      expect(await used(issuance)).to.equal(plus(issuance.used, 500000n));

      const requested = await c.post('/financings', { asset: { type: 'VOUCHER', id: a.id }, bank: BANK(), requestedAmount: '250000' }, 'supplier1');
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const approved = await c.post(`/financings/${requested.body.id}/approve`, { advanceAmount: '250000', annualRateBps: 350 }, 'bank-maker');
      expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
      expect(approved.body.creditLineId).to.equal(financing.id);
      expect(await used(financing)).to.equal(plus(financing.used, 250000n));
      expect((await c.post(`/financings/${requested.body.id}/disburse`, { paymentRef: 'ADV-CRL-1' }, 'bank-maker')).status).to.equal(200);
      expect(await used(financing)).to.equal(plus(financing.used, 250000n));

      // B matures today: the issuer pays it and its amount leaves the issuance line.
      expect((await c.post(`/vouchers/${b.id}/settle`, { paymentRef: 'PAY-CRL-B' }, 'core-maker')).status).to.equal(200);
      expect(await used(issuance)).to.equal(plus(issuance.used, 300000n));

      // A financing approved then rejected gives its reservation back.
      const rcv = await confirmedReceivable(gw, '100000');
      const f2 = await c.post('/financings', { asset: { type: 'RECEIVABLE', id: rcv }, bank: BANK(), requestedAmount: '90000' }, 'supplier1');
      await c.post(`/financings/${f2.body.id}/approve`, { advanceAmount: '90000', annualRateBps: 350 }, 'bank-maker');
      expect(await used(financing)).to.equal(plus(financing.used, 340000n));
      expect((await c.post(`/financings/${f2.body.id}/reject`, { reason: 'concentration' }, 'bank-maker')).status).to.equal(200);
      expect(await used(financing)).to.equal(plus(financing.used, 250000n));
    });

    it('refuses an issue past the headroom with 422 naming the line and its headroom, writing nothing, and a line never goes below its use', async () => {
      const issuance = await c.governing('ISSUANCE', CORE(), OPERATOR());
      await issuedVoucher(gw, '10000', isoDate(60));
      const now = (await c.get(`/credit-lines/${issuance.id}`)).body as Line;
      expectProblem(await c.post(`/credit-lines/${issuance.id}/adjust`, { limit: String(BigInt(now.used) - 1n) }, 'operator-admin'), 422, 'BUSINESS_RULE');
      const tight = await c.post(`/credit-lines/${issuance.id}/adjust`, { limit: plus(now.used, 1000n) }, 'operator-admin');
      expect(tight.body).to.include({ headroom: '1000' });
      try {
        const receivableId = await confirmedReceivable(gw, '5000');
        const height = await gw.ledger.height();
        const res = await c.post('/vouchers', { receivableId, amount: '5000', maturityDate: isoDate(60) }, 'core-maker');
        expectProblem(res, 422, 'BUSINESS_RULE');
        expect(res.body.detail).to.include(issuance.id).and.include('headroom is 1000');
        expect(await gw.ledger.height()).to.equal(height);
        expect((await c.get(`/receivables/${receivableId}`)).body.voucheredAmount).to.equal('0');
      } finally {
        const restored = await c.post(`/credit-lines/${issuance.id}/adjust`, { limit: now.limit }, 'operator-admin');
        expect(restored.status).to.equal(200);
      }
    });

    it("tells the bank how much of a piece beyond its line it may still advance (provenance creditLine.advanceWithin), and that much is approved", async () => {
      const financing = await c.governing('FINANCING', CORE(), BANK());
      const v = await issuedVoucher(gw, '10000', isoDate(60));
      const requested = await c.post('/financings', { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '10000' }, 'supplier1');
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const now = (await c.get(`/credit-lines/${financing.id}`)).body as Line;
      const adjust = async (limit: string) => {
        const res = await c.post(`/credit-lines/${financing.id}/adjust`, { limit }, 'bank-maker');
        if (res.status === 202) {
          const decided = await c.post(`/approvals/${res.body.id}/approve`, {}, 'bank-checker');
          expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
        } else {
          expect(res.status, JSON.stringify(res.body)).to.equal(200);
        }
      };
      await adjust(plus(now.used, 3000n));
      try {
        const provenance = await c.get(`/vouchers/${v.id}/provenance`, 'bank-maker');
        expect(provenance.status).to.equal(200);
        expect(provenance.body.verdict).to.deep.equal({ financeable: false, reasons: ['CREDIT_LINE_EXCEEDED'] });
        expect(provenance.body.creditLine).to.deep.equal({ id: financing.id, status: 'ACTIVE', limit: plus(now.used, 3000n), used: now.used, headroom: '3000', advanceWithin: '3000' });
        expect((await c.get(`/vouchers/${v.id}/provenance`, 'supplier1')).body).not.to.have.property('creditLine');
        const terms = { annualRateBps: 300 };
        expectProblem(await c.post(`/financings/${requested.body.id}/approve`, { advanceAmount: '3001', ...terms }, 'bank-maker'), 422, 'BUSINESS_RULE');
        const approved = await c.post(`/financings/${requested.body.id}/approve`, { advanceAmount: '3000', ...terms }, 'bank-maker');
        expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
      } finally {
        await adjust(now.limit);
      }
    });

    itWithOwnClock('releases a discounted voucher\'s advance and amount when its issuer settles it at maturity', async (own) => {
      const o = client(() => own);
      const issuance = await o.governing('ISSUANCE', CORE(), OPERATOR());
      const financing = await o.governing('FINANCING', CORE(), BANK());
      const v = await issuedVoucher(own, '800000', isoDate(30));
      const fin = await o.post('/financings', { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '700000' }, 'supplier1');
      await o.post(`/financings/${fin.body.id}/approve`, { advanceAmount: '700000', annualRateBps: 300 }, 'bank-maker');
      await o.post(`/financings/${fin.body.id}/disburse`, { paymentRef: 'ADV-CRL-M' }, 'bank-maker');
      expect((await o.get(`/credit-lines/${financing.id}`)).body.used).to.equal(plus(financing.used, 700000n));
      expect((await o.get(`/credit-lines/${issuance.id}`)).body.used).to.equal(plus(issuance.used, 800000n));
      await advanceDays(own, 30);
      const settled = await o.post(`/vouchers/${v.id}/settle`, { paymentRef: 'PAY-CRL-M' }, 'core-maker');
      expect(settled.body).to.include({ status: 'SETTLED', settledTo: BANK() });
      expect((await o.get(`/financings/${fin.body.id}`)).body.status).to.equal('REPAID');
      expect((await o.get(`/credit-lines/${financing.id}`)).body.used).to.equal(financing.used);
      expect((await o.get(`/credit-lines/${issuance.id}`)).body.used).to.equal(issuance.used);
    });
  });
});
