import { addDays } from '../../chaincode/src/domain/dates';
import { expect } from 'chai';
import { withCheckChar } from '../../chaincode/src/domain/uscc';
import {
  BANK,
  CORE,
  confirmedReceivable,
  expectProblem,
  freshInvoice,
  isoDate,
  issuedVoucher,
  startGateway,
  SUPPLIER1,
  SUPPLIER2,
  SUPPLIER3,
  type TestGateway,
  uniqueKey,
} from './harness';
import { advanceDays, daysBetween, itWithOwnClock, ledgerDate } from './time-travel';

type Label = Parameters<TestGateway['auth']>[0];

/** DESIGN.md 2.4: round_half_up(face × annualRateBps × days / (10000 × 360)). */
function expectedDiscount(face: bigint, bps: number, days: number): bigint {
  const num = face * BigInt(bps) * BigInt(days);
  const den = 10_000n * 360n;
  return (2n * num + den) / (2n * den);
}

/** DESIGN.md 2.4: 1.8% below 5,000,000.00 CNY, 1.5% up to 20,000,000.00, 1.2% above; half up to the fen. */
function expectedFee(advance: bigint): bigint {
  const bps = advance < 500_000_000n ? 180n : advance <= 2_000_000_000n ? 150n : 120n;
  return (2n * advance * bps + 10_000n) / 20_000n;
}

interface Gw {
  gw: TestGateway;
}

/**
 * Maturity comes after financing by design (a voucher or receivable is
 * financed only before it falls due, and settled only from that day on), so
 * the steps "at maturity" move the ledger's sandbox clock forward (POST
 * /sandbox/clock). Such a test runs on a gateway of its own, swapped into
 * `ctx` for its duration, so no other test sees the dates move; where the
 * ledger has no sandbox clock it is reported NOT APPLICABLE (time-travel.ts).
 */
function itAtMaturity(ctx: Gw, title: string, fn: () => Promise<void>): void {
  itWithOwnClock(title, async (own) => {
    const shared = ctx.gw;
    ctx.gw = own;
    try {
      await fn();
    } finally {
      ctx.gw = shared;
    }
  });
}

/** A root voucher at or above the core enterprise's threshold: issued by its maker, approved by its checker. */
async function coreApprovedVoucher(gw: TestGateway, amount: string, maturityDate: string): Promise<{ id: string }> {
  const receivableId = await confirmedReceivable(gw, amount);
  const pending = await gw.http.post('/vouchers').set('Authorization', gw.auth('core-maker')).send({ receivableId, amount, maturityDate });
  if (pending.status !== 202) throw new Error(`expected dual control, got ${pending.status} ${JSON.stringify(pending.body)}`);
  const decided = await gw.http.post(`/approvals/${pending.body.id}/approve`).set('Authorization', gw.auth('core-checker')).send({});
  if (decided.status !== 200) throw new Error(`issuance approval failed: ${decided.status} ${JSON.stringify(decided.body)}`);
  return decided.body.result;
}

/** Request helpers over one gateway. */
function client(ctx: Gw) {
  const gw = () => ctx.gw;
  return {
    read: (path: string, label: Label = 'auditor') => gw().http.get(path).set('Authorization', gw().auth(label)),
    request: (b: object, label: Label = 'supplier1') => gw().http.post('/financings').set('Authorization', gw().auth(label)).send(b),
    act: (id: string, action: string, b: object, label: Label = 'bank-maker') =>
      gw().http.post(`/financings/${id}/${action}`).set('Authorization', gw().auth(label)).send(b),
    post: (path: string, b: object, label: Label) => gw().http.post(path).set('Authorization', gw().auth(label)).send(b),
  };
}

describe('HTTP: financing', () => {
  const ctx = {} as Gw;
  before(async () => {
    ctx.gw = await startGateway();
  });
  after(async () => {
    await ctx.gw?.close();
  });
  const { read, request, act, post } = client(ctx);

  /** A voucher of supplier1 with a REQUESTED financing at the bank. */
  async function requested(amount = '1000000', requestedAmount = '900000', maturityDate = isoDate(90)) {
    const v = await issuedVoucher(ctx.gw, amount, maturityDate);
    const res = await request({ asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount });
    if (res.status !== 201) throw new Error(`financing request failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { voucher: v, financing: res.body as { id: string } & Record<string, unknown> };
  }

  async function approved(amount = '1000000', advanceAmount = '900000') {
    const r = await requested(amount, advanceAmount);
    const res = await act(r.financing.id, 'approve', { advanceAmount, annualRateBps: 500 });
    if (res.status !== 200) throw new Error(`approve failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { ...r, financing: res.body as { id: string } & Record<string, unknown> };
  }

  describe('POST /financings', () => {
    it('lets the holder ask the bank to finance a voucher (201): the piece is locked FINANCING_PENDING', async () => {
      const v = await issuedVoucher(ctx.gw, '1000000', isoDate(90));
      const res = await request({ asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '900000' });
      expect(res.status).to.equal(201);
      expect(res.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      expect(res.body).to.include({ applicant: SUPPLIER1(), bank: BANK(), requestedAmount: '900000', faceAmount: '1000000', status: 'REQUESTED' });
      expect(res.body.id).to.match(/^FIN-/);
      expect(res.body.dueDate).to.equal(v.maturityDate);
      expect(res.body.asset).to.deep.equal({ type: 'VOUCHER', id: v.id });
      const piece = await read(`/vouchers/${v.id}`, 'supplier1');
      expect(piece.body).to.include({ status: 'FINANCING_PENDING', financingId: res.body.id });
      // a locked piece cannot move
      expectProblem(await post(`/vouchers/${v.id}/transfer`, { to: SUPPLIER2(), amount: '1000' }, 'supplier1'), 409, 'INVALID_STATE');
    });

    it('refuses a second financing of the same piece with 409 DOUBLE_FINANCING naming the first', async () => {
      const { voucher, financing } = await requested();
      const height = await ctx.gw.ledger.height();
      const res = await request({ asset: { type: 'VOUCHER', id: voucher.id }, bank: BANK(), requestedAmount: '500000' });
      expectProblem(res, 409, 'DOUBLE_FINANCING');
      expect(res.body.detail).to.contain(financing.id);
      expect(await ctx.gw.ledger.height()).to.equal(height);
    });

    it('factors a confirmed receivable (201), but refuses one that already backs vouchers with 409 DOUBLE_FINANCING', async () => {
      const receivableId = await confirmedReceivable(ctx.gw, '2000000');
      const res = await request({ asset: { type: 'RECEIVABLE', id: receivableId }, bank: BANK(), requestedAmount: '1500000' });
      expect(res.status).to.equal(201);
      expect((await read(`/receivables/${receivableId}`)).body.status).to.equal('FINANCING_PENDING');
      const vouchered = await issuedVoucher(ctx.gw, '300000');
      expectProblem(
        await request({ asset: { type: 'RECEIVABLE', id: vouchered.receivableId as string }, bank: BANK(), requestedAmount: '100000' }),
        409,
        'DOUBLE_FINANCING',
      );
    });

    it('refuses the issuer (403) and a member who cannot see the piece (404)', async () => {
      const v = await issuedVoucher(ctx.gw);
      expectProblem(await request({ asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '1000' }, 'core-maker'), 403, 'FORBIDDEN');
      expectProblem(await request({ asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '1000' }, 'supplier2'), 404, 'NOT_FOUND');
      expectProblem(await request({ asset: { type: 'VOUCHER', id: 'VCH-NONE' }, bank: BANK(), requestedAmount: '1000' }), 404, 'NOT_FOUND');
    });

    it('refuses a bank that is not a member (404) or not a bank (422), more than the face (422) and a piece falling due today (422)', async () => {
      const v = await issuedVoucher(ctx.gw, '100000');
      const asset = { type: 'VOUCHER', id: v.id };
      expectProblem(await request({ asset, bank: withCheckChar('91500000999999992'), requestedAmount: '1000' }), 404, 'NOT_FOUND');
      expectProblem(await request({ asset, bank: SUPPLIER2(), requestedAmount: '1000' }), 422, 'BUSINESS_RULE');
      expectProblem(await request({ asset, bank: BANK(), requestedAmount: '100001' }), 422, 'BUSINESS_RULE');
      const due = await issuedVoucher(ctx.gw, '100000', isoDate(0));
      expectProblem(await request({ asset: { type: 'VOUCHER', id: due.id }, bank: BANK(), requestedAmount: '1000' }), 422, 'BUSINESS_RULE');
      expect((await read(`/vouchers/${v.id}`)).body.status).to.equal('ACTIVE');
    });

    it('refuses a financing id that is taken with 409 ALREADY_EXISTS', async () => {
      const id = `FIN-${uniqueKey('dup')}`;
      const a = await issuedVoucher(ctx.gw);
      const b = await issuedVoucher(ctx.gw);
      expect((await request({ id, asset: { type: 'VOUCHER', id: a.id }, bank: BANK(), requestedAmount: '1000' })).status).to.equal(201);
      expectProblem(await request({ id, asset: { type: 'VOUCHER', id: b.id }, bank: BANK(), requestedAmount: '1000' }), 409, 'ALREADY_EXISTS');
    });

    it('refuses to finance a frozen piece with 423 FROZEN', async () => {
      const v = await issuedVoucher(ctx.gw);
      const f = await post('/freezes', { target: { type: 'VOUCHER', id: v.id }, reason: 'court order (2025) Su 05 Zhi Bao 9' }, 'operator-admin');
      expect(f.status).to.equal(201);
      expectProblem(await request({ asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '1000' }), 423, 'FROZEN');
    });

    it('requests once for a replayed Idempotency-Key', async () => {
      const v = await issuedVoucher(ctx.gw);
      const key = uniqueKey('fin');
      const b = { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '800000' };
      const first = await request(b).set('Idempotency-Key', key);
      expect(first.status).to.equal(201);
      const height = await ctx.gw.ledger.height();
      const again = await request(b).set('Idempotency-Key', key);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(await ctx.gw.ledger.height()).to.equal(height);
    });

    const malformed: Array<[string, object]> = [
      ['an unknown asset type', { asset: { type: 'INVOICE', id: 'X-1' }, bank: '913100001000000080', requestedAmount: '1000' }],
      ['an amount as a JSON number', { asset: { type: 'VOUCHER', id: 'VCH-1' }, bank: '913100001000000080', requestedAmount: 1000 }],
      ['a bank that is not a credit code', { asset: { type: 'VOUCHER', id: 'VCH-1' }, bank: 'PUDONG', requestedAmount: '1000' }],
      ['an impossible due date', { asset: { type: 'VOUCHER', id: 'VCH-1' }, bank: '913100001000000080', requestedAmount: '1000', dueDate: '2030-02-30' }],
      ['a missing asset', { bank: '913100001000000080', requestedAmount: '1000' }],
      ['an unknown field', { asset: { type: 'VOUCHER', id: 'VCH-1' }, bank: '913100001000000080', requestedAmount: '1000', rate: 5 }],
    ];
    for (const [what, b] of malformed) {
      it(`rejects ${what} with 400 and writes nothing`, async () => {
        const height = await ctx.gw.ledger.height();
        expectProblem(await request(b), 400, 'VALIDATION_FAILED');
        expect(await ctx.gw.ledger.height()).to.equal(height);
      });
    }

    it('requires a token', async () => {
      expectProblem(await ctx.gw.http.post('/financings').send({}), 401, 'UNAUTHENTICATED');
    });
  });

  describe('GET /financings/:id, /financings/:id/history and GET /financings', () => {
    it('shows a financing to its applicant, its bank and the auditor, and 404 to anyone else', async () => {
      const { financing } = await requested();
      for (const label of ['supplier1', 'bank-maker', 'bank-checker', 'auditor'] as const) {
        const res = await read(`/financings/${financing.id}`, label);
        expect(res.status, label).to.equal(200);
        expect(res.body).to.deep.equal(financing);
      }
      expectProblem(await read(`/financings/${financing.id}`, 'supplier2'), 404, 'NOT_FOUND');
      expectProblem(await read(`/financings/${financing.id}`, 'core-maker'), 404, 'NOT_FOUND');
      expectProblem(await read('/financings/FIN-NONE'), 404, 'NOT_FOUND');
      expectProblem(await read('/financings/FIN%20X'), 400, 'VALIDATION_FAILED');
    });

    it("lists the bank's requests by status, and shows other members none of them", async () => {
      const { financing } = await requested();
      const res = await read(`/financings?bank=${BANK()}&status=REQUESTED`, 'bank-maker');
      expect(res.status).to.equal(200);
      expect(res.body.records.map((f: { id: string }) => f.id)).to.include(financing.id);
      for (const f of res.body.records) expect(f).to.include({ bank: BANK(), status: 'REQUESTED' });
      const own = await read('/financings', 'supplier1');
      expect(own.body.records.map((f: { id: string }) => f.id)).to.include(financing.id);
      const stranger = await read(`/financings?applicant=${SUPPLIER1()}`, 'supplier2');
      expect(stranger.status).to.equal(200);
      expect(stranger.body.records).to.deep.equal([]);
    });

    it("pages through a bank's financings without missing one whose status moves on between pages (each status in lifecycle order)", async () => {
      const ours = [await requested('100000', '90000'), await requested('100000', '90000'), await requested('100000', '90000'), await requested('100000', '90000')].map((r) => r.financing.id);
      const statusOf = new Map(ours.map((id) => [id, 'REQUESTED']));
      const seen = new Map<string, string>();
      let bookmark = '';
      let pages = 0;
      do {
        const page = await read(`/financings?bank=${BANK()}&pageSize=2&bookmark=${encodeURIComponent(bookmark)}`, 'bank-maker');
        expect(page.status, JSON.stringify(page.body)).to.equal(200);
        for (const f of page.body.records as Array<{ id: string; status: string }>) seen.set(f.id, f.status);
        bookmark = page.body.bookmark as string;
        pages += 1;
        // Between pages, one of ours not yet returned moves on a step: REQUESTED → APPROVED → DISBURSED.
        const mover = ours.find((id) => !seen.has(id) && statusOf.get(id) !== 'DISBURSED');
        if (mover && bookmark) {
          const step = statusOf.get(mover) === 'REQUESTED' ? 'approve' : 'disburse';
          const moved = await act(mover, step, step === 'approve' ? { advanceAmount: '90000', annualRateBps: 500 } : { paymentRef: `ADV-WALK-${pages}` });
          expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
          statusOf.set(mover, moved.body.status as string);
        }
      } while (bookmark && pages < 500);
      expect(ours.filter((id) => !seen.has(id)), 'financings the walk missed').to.deep.equal([]);
      expect([...statusOf.values()].some((s) => s !== 'REQUESTED'), 'some moved during the walk').to.equal(true);
    });

    it('rejects an unknown status and an unknown filter with 400', async () => {
      for (const q of ['status=PAID', 'asset=VCH-1', 'pageSize=201']) {
        expectProblem(await read(`/financings?${q}`, 'bank-maker'), 400, 'VALIDATION_FAILED');
      }
    });

    it('keeps every version of a financing', async () => {
      const { financing } = await approved();
      const res = await read(`/financings/${financing.id}/history`, 'bank-checker');
      expect(res.status).to.equal(200);
      expect(res.body.versions.map((v: { record: { status: string } }) => v.record.status)).to.have.members(['REQUESTED', 'APPROVED']);
      expectProblem(await read(`/financings/${financing.id}/history`, 'supplier3'), 404, 'NOT_FOUND');
    });
  });

  describe('POST /financings/:id/approve', () => {
    it('approves below the threshold (200) with the discount and fee of DESIGN 2.4', async () => {
      const { financing } = await requested('1000000', '900000', isoDate(90));
      const res = await act(financing.id, 'approve', { advanceAmount: '900000', annualRateBps: 500 });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'APPROVED', advanceAmount: '900000', annualRateBps: 500 });
      const days = daysBetween(String(res.body.approvedAt).slice(0, 10), String(res.body.dueDate));
      expect(res.body.days).to.equal(days);
      expect(res.body.discount).to.equal(expectedDiscount(1_000_000n, 500, days).toString());
      expect(res.body.fee).to.equal(expectedFee(900_000n).toString());
    });

    it("answers 202 with an approval at or above the bank's threshold; the checker's approval executes it", async () => {
      const who = await read('/me', 'bank-maker');
      const threshold = who.body.member.dualControlThreshold as string;
      expect(threshold).to.match(/^\d+$/);
      const face = (BigInt(threshold) * 2n).toString();
      const v = await coreApprovedVoucher(ctx.gw, face, isoDate(60));
      const fin = await request({ asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: threshold });
      expect(fin.status).to.equal(201);
      const res = await act(fin.body.id, 'approve', { advanceAmount: threshold, annualRateBps: 400 });
      expect(res.status).to.equal(202);
      expect(res.body).to.include({ docType: 'approval', status: 'PENDING', transaction: 'financing:Approve', amount: threshold, memberId: BANK() });
      expect((await read(`/financings/${fin.body.id}`)).body.status).to.equal('REQUESTED');
      expectProblem(await post(`/approvals/${res.body.id}/approve`, {}, 'bank-maker'), 403, 'FORBIDDEN');
      const decided = await post(`/approvals/${res.body.id}/approve`, {}, 'bank-checker');
      expect(decided.status).to.equal(200);
      expect(decided.body.result).to.include({ id: fin.body.id, status: 'APPROVED', advanceAmount: threshold, annualRateBps: 400 });
      expect(decided.body.result.fee).to.equal(expectedFee(BigInt(threshold)).toString());
    });

    it('refuses an advance above the request and one whose discount and fee overrun the face, with 422', async () => {
      const { financing } = await requested('1000000', '1000000');
      const height = await ctx.gw.ledger.height();
      expectProblem(await act(financing.id, 'approve', { advanceAmount: '1000001', annualRateBps: 300 }), 422, 'BUSINESS_RULE');
      expectProblem(await act(financing.id, 'approve', { advanceAmount: '1000000', annualRateBps: 300 }), 422, 'BUSINESS_RULE');
      expect(await ctx.gw.ledger.height()).to.equal(height);
    });

    it('refuses the applicant and the auditor (403) and a stranger (404)', async () => {
      const { financing } = await requested();
      const b = { advanceAmount: '500000', annualRateBps: 300 };
      expectProblem(await act(financing.id, 'approve', b, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await act(financing.id, 'approve', b, 'auditor'), 403, 'FORBIDDEN');
      expectProblem(await act(financing.id, 'approve', b, 'supplier2'), 404, 'NOT_FOUND');
    });

    it('refuses approving twice with 409 INVALID_STATE', async () => {
      const { financing } = await approved();
      expectProblem(await act(financing.id, 'approve', { advanceAmount: '500000', annualRateBps: 300 }), 409, 'INVALID_STATE');
    });

    it('refuses approval over a frozen piece with 423 FROZEN', async () => {
      const { voucher, financing } = await requested();
      const f = await post('/freezes', { target: { type: 'VOUCHER', id: voucher.id }, reason: 'court order (2025) Hu 74 Zhi Bao 2' }, 'operator-admin');
      expect(f.status).to.equal(201);
      expectProblem(await act(financing.id, 'approve', { advanceAmount: '500000', annualRateBps: 300 }), 423, 'FROZEN');
    });

    it('approves once for a replayed Idempotency-Key', async () => {
      const { financing } = await requested();
      const key = uniqueKey('appr');
      const b = { advanceAmount: '800000', annualRateBps: 350 };
      const first = await act(financing.id, 'approve', b).set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await ctx.gw.ledger.height();
      const again = await act(financing.id, 'approve', b).set('Idempotency-Key', key);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await ctx.gw.ledger.height()).to.equal(height);
    });

    it('rejects a rate above 100%, a fractional rate, a rate as a string and a missing advance with 400, writing nothing', async () => {
      const { financing } = await requested();
      const height = await ctx.gw.ledger.height();
      for (const b of [
        { advanceAmount: '1000', annualRateBps: 10_001 },
        { advanceAmount: '1000', annualRateBps: 3.5 },
        { advanceAmount: '1000', annualRateBps: '350' },
        { annualRateBps: 350 },
      ]) {
        expectProblem(await act(financing.id, 'approve', b), 400, 'VALIDATION_FAILED');
      }
      expect(await ctx.gw.ledger.height()).to.equal(height);
    });
  });

  describe('POST /financings/:id/reject', () => {
    it('lets the bank reject with a reason (200): the piece is ACTIVE again and may be financed anew', async () => {
      const { voucher, financing } = await requested();
      const res = await act(financing.id, 'reject', { reason: 'tenor too long for our limit' }, 'bank-checker');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'REJECTED', rejectionReason: 'tenor too long for our limit' });
      const piece = await read(`/vouchers/${voucher.id}`, 'supplier1');
      expect(piece.body.status).to.equal('ACTIVE');
      expect(piece.body).to.not.have.property('financingId');
      expect((await request({ asset: { type: 'VOUCHER', id: voucher.id }, bank: BANK(), requestedAmount: '1000' })).status).to.equal(201);
      expectProblem(await act(financing.id, 'reject', { reason: 'again' }), 409, 'INVALID_STATE');
    });

    it('rejects an approved financing too, but refuses the applicant (403) and a missing reason (400)', async () => {
      const { financing } = await approved();
      expectProblem(await act(financing.id, 'reject', { reason: 'withdrawn' }, 'supplier1'), 403, 'FORBIDDEN');
      const missing = await act(financing.id, 'reject', {});
      expectProblem(missing, 400, 'VALIDATION_FAILED');
      expect(missing.body.errors).to.deep.equal([{ path: 'body.reason', message: 'required (string)' }]);
      expect((await act(financing.id, 'reject', { reason: 'limit exhausted' })).status).to.equal(200);
    });
  });

  describe('POST /financings/:id/withdraw', () => {
    it('lets the applicant withdraw a request (200): the piece is ACTIVE again and may be financed anew', async () => {
      const { voucher, financing } = await requested();
      const res = await act(financing.id, 'withdraw', { reason: 'no answer from the bank in ten days' }, 'supplier1');
      expect(res.status).to.equal(200);
      expect(res.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      expect(res.body).to.include({ id: financing.id, status: 'WITHDRAWN', withdrawalReason: 'no answer from the bank in ten days', applicant: SUPPLIER1() });
      expect(res.body.withdrawnAt).to.be.a('string');
      expect((await read(`/financings/${financing.id}`, 'bank-maker')).body).to.deep.equal(res.body);
      const piece = await read(`/vouchers/${voucher.id}`, 'supplier1');
      expect(piece.body.status).to.equal('ACTIVE');
      expect(piece.body).to.not.have.property('financingId');
      // The bank can no longer act on it; the piece may be financed again.
      expectProblem(await act(financing.id, 'approve', { advanceAmount: '500000', annualRateBps: 300 }), 409, 'INVALID_STATE');
      expect((await request({ asset: { type: 'VOUCHER', id: voucher.id }, bank: BANK(), requestedAmount: '1000' })).status).to.equal(201);
      const listed = await read(`/financings?applicant=${SUPPLIER1()}&status=WITHDRAWN`, 'supplier1');
      expect(listed.body.records.map((f: { id: string }) => f.id)).to.include(financing.id);
    });

    it('needs no body: an empty POST withdraws without a reason', async () => {
      const { financing } = await requested();
      const res = await ctx.gw.http.post(`/financings/${financing.id}/withdraw`).set('Authorization', ctx.gw.auth('supplier1'));
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('WITHDRAWN');
      expect(res.body).to.not.have.property('withdrawalReason');
    });

    it('refuses its bank and the auditor (403) and members who cannot see it (404), changing nothing', async () => {
      const { voucher, financing } = await requested();
      const height = await ctx.gw.ledger.height();
      for (const label of ['bank-maker', 'bank-checker', 'auditor', 'operator-admin'] as const) {
        expectProblem(await act(financing.id, 'withdraw', {}, label), 403, 'FORBIDDEN');
      }
      for (const label of ['supplier2', 'core-maker', 'warehouse'] as const) {
        expectProblem(await act(financing.id, 'withdraw', {}, label), 404, 'NOT_FOUND');
      }
      expectProblem(await act('FIN-NONE', 'withdraw', {}, 'supplier1'), 404, 'NOT_FOUND');
      expect(await ctx.gw.ledger.height()).to.equal(height);
      expect((await read(`/financings/${financing.id}`)).body.status).to.equal('REQUESTED');
      expect((await read(`/vouchers/${voucher.id}`, 'supplier1')).body.status).to.equal('FINANCING_PENDING');
    });

    it('refuses an approved financing before its due date (422 naming the date), and a second withdrawal (409)', async () => {
      const { voucher, financing } = await approved();
      const res = await act(financing.id, 'withdraw', {}, 'supplier1');
      expectProblem(res, 422, 'BUSINESS_RULE');
      // The bank has 10 days from its approval (the due date is further away).
      const [, on, until] = /approved by \d+\w? on (\d{4}-\d{2}-\d{2}): it is the bank's to disburse or reject until (\d{4}-\d{2}-\d{2}), when the applicant may withdraw it/.exec(res.body.detail) ?? [];
      expect(until, res.body.detail).to.equal(addDays(on ?? '', 10));
      expect(until! < (financing.dueDate as string)).to.equal(true);
      expect((await read(`/financings/${financing.id}`)).body.status).to.equal('APPROVED');
      expect((await read(`/vouchers/${voucher.id}`, 'supplier1')).body.status).to.equal('FINANCING_PENDING');
      const other = await requested();
      expect((await act(other.financing.id, 'withdraw', {}, 'supplier1')).status).to.equal(200);
      expectProblem(await act(other.financing.id, 'withdraw', {}, 'supplier1'), 409, 'INVALID_STATE');
    });

    it('refuses to withdraw over a frozen piece with 423 FROZEN', async () => {
      const { voucher, financing } = await requested();
      const f = await post('/freezes', { target: { type: 'VOUCHER', id: voucher.id }, reason: 'court order (2025) Hu 74 Zhi Bao 3' }, 'operator-admin');
      expect(f.status).to.equal(201);
      expectProblem(await act(financing.id, 'withdraw', {}, 'supplier1'), 423, 'FROZEN');
      expect((await read(`/financings/${financing.id}`)).body.status).to.equal('REQUESTED');
    });

    it('rejects a blank, overlong or numeric reason and an unknown field with 400, writing nothing', async () => {
      const { financing } = await requested();
      const height = await ctx.gw.ledger.height();
      for (const b of [{ reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 42 }, { reason: 'ok', bank: BANK() }]) {
        expectProblem(await act(financing.id, 'withdraw', b, 'supplier1'), 400, 'VALIDATION_FAILED');
      }
      expectProblem(await act('FIN%20X', 'withdraw', {}, 'supplier1'), 400, 'VALIDATION_FAILED');
      expect(await ctx.gw.ledger.height()).to.equal(height);
      expect((await read(`/financings/${financing.id}`)).body.status).to.equal('REQUESTED');
    });

    it('withdraws once for a replayed Idempotency-Key', async () => {
      const { financing } = await requested();
      const key = uniqueKey('withdraw');
      const first = await act(financing.id, 'withdraw', { reason: 'changed plans' }, 'supplier1').set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await ctx.gw.ledger.height();
      const again = await act(financing.id, 'withdraw', { reason: 'changed plans' }, 'supplier1').set('Idempotency-Key', key);
      expect(again.status).to.equal(200);
      expect(again.body).to.deep.equal(first.body);
      expect(await ctx.gw.ledger.height()).to.equal(height);
    });

    it('is in the OpenAPI document with its body and its errors', async () => {
      const doc = (await ctx.gw.http.get('/openapi.json')).body;
      const op = doc.paths['/financings/{id}/withdraw'].post;
      expect(Object.keys(op.responses)).to.include.members(['200', '400', '401', '403', '404', '409', '423']);
      expect(doc.components.schemas.WithdrawFinancing.properties).to.have.keys('reason');
      expect(doc.components.schemas.WithdrawFinancing.required ?? []).to.deep.equal([]);
      expect(doc.components.schemas.Financing.properties.status.enum).to.include('WITHDRAWN');
    });
  });

  describe('POST /financings/:id/disburse and /repay', () => {
    it('disburses an approved financing (200): the bank becomes the holder of the FINANCED piece', async () => {
      const { voucher, financing } = await approved();
      const res = await act(financing.id, 'disburse', { paymentRef: 'CNAPS-DISB-0001' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ status: 'DISBURSED', paymentRef: 'CNAPS-DISB-0001' });
      const piece = await read(`/vouchers/${voucher.id}`, 'bank-maker');
      expect(piece.body).to.include({ status: 'FINANCED', holder: BANK() });
      expectProblem(await act(financing.id, 'disburse', { paymentRef: 'again' }), 409, 'INVALID_STATE');
    });

    it('refuses disbursing a financing that is not approved (409), by the applicant (403), and without a payment reference (400)', async () => {
      const { financing } = await requested();
      expectProblem(await act(financing.id, 'disburse', { paymentRef: 'early' }), 409, 'INVALID_STATE');
      const ok = await approved();
      expectProblem(await act(ok.financing.id, 'disburse', { paymentRef: 'self' }, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await act(ok.financing.id, 'disburse', {}), 400, 'VALIDATION_FAILED');
    });

    it('disburses once for a replayed Idempotency-Key', async () => {
      const { financing } = await approved();
      const key = uniqueKey('disb');
      const first = await act(financing.id, 'disburse', { paymentRef: 'CNAPS-2' }).set('Idempotency-Key', key);
      expect(first.status).to.equal(200);
      const height = await ctx.gw.ledger.height();
      const again = await act(financing.id, 'disburse', { paymentRef: 'CNAPS-2' }).set('Idempotency-Key', key);
      expect(again.body).to.deep.equal(first.body);
      expect(await ctx.gw.ledger.height()).to.equal(height);
    });

    it('refuses /repay on a discounted voucher with 422: it is repaid by the issuer settling the piece', async () => {
      const { financing } = await approved();
      expect((await act(financing.id, 'disburse', { paymentRef: 'CNAPS-3' })).status).to.equal(200);
      expectProblem(await act(financing.id, 'repay', { paymentRef: 'CNAPS-R' }), 422, 'BUSINESS_RULE');
      expectProblem(await act('FIN-NONE', 'repay', { paymentRef: 'CNAPS-R' }), 404, 'NOT_FOUND');
    });
  });

  describe('POST /receivables/:id/settle', () => {
    it('refuses /receivables/:id/settle on a receivable that is not factored with 409', async () => {
      const id = await confirmedReceivable(ctx.gw);
      expectProblem(await post(`/receivables/${id}/settle`, { paymentRef: 'CNAPS-X' }, 'core-maker'), 409, 'INVALID_STATE');
    });
  });
});

describe('HTTP: financing at maturity (sandbox clock)', () => {
  // Each test gets a gateway of its own (itAtMaturity).
  const ctx = {} as Gw;
  const { read, request, act, post } = client(ctx);

  describe('the financing scenario: a tier-3 supplier finances its piece; the bank is paid at maturity', () => {
    itAtMaturity(ctx, 'passes the voucher down three tiers, finances the last piece under bank dual control, and settles it to the bank', async () => {
      const maturity = isoDate(30);
      // The core enterprise issues 8,000,000.00 CNY (above its own threshold: maker and checker).
      const root = await coreApprovedVoucher(ctx.gw, '800000000', maturity);
      expect((await post(`/vouchers/${root.id}/transfer`, { to: SUPPLIER2(), amount: '700000000' }, 'supplier1')).status).to.equal(200);
      expect((await post(`/vouchers/${root.id}.1/transfer`, { to: SUPPLIER3(), amount: '600000000' }, 'supplier2')).status).to.equal(200);
      const pieceId = `${root.id}.1.1`;
      const piece = await read(`/vouchers/${pieceId}`, 'supplier3');
      expect(piece.body).to.include({ holder: SUPPLIER3(), amount: '600000000', tier: 2, status: 'ACTIVE' });

      // The tier-3 supplier asks the bank for 5,500,000.00 CNY on its 6,000,000.00 CNY piece.
      const fin = await request({ asset: { type: 'VOUCHER', id: pieceId }, bank: BANK(), requestedAmount: '550000000' }, 'supplier3');
      expect(fin.status).to.equal(201);

      // The bank reads the provenance: back to the root and the confirmed receivable, financeable for it.
      const prov = await read(`/vouchers/${pieceId}/provenance`, 'bank-maker');
      expect(prov.status).to.equal(200);
      expect(prov.body.lineage.map((s: { id: string }) => s.id)).to.deep.equal([pieceId, `${root.id}.1`, root.id]);
      expect(prov.body.receivable).to.include({ debtor: CORE(), creditor: SUPPLIER1(), status: 'VOUCHERED' });
      expect(prov.body.verdict).to.deep.equal({ financeable: true, reasons: [] });

      // 5,200,000.00 CNY is above the bank's threshold: the maker's approval waits for the checker.
      const makerCall = await act(fin.body.id, 'approve', { advanceAmount: '520000000', annualRateBps: 450 }, 'bank-maker');
      expect(makerCall.status).to.equal(202);
      const checked = await post(`/approvals/${makerCall.body.id}/approve`, { reason: 'credit committee 2025-17' }, 'bank-checker');
      expect(checked.status).to.equal(200);
      expect(checked.body.result.status).to.equal('APPROVED');

      const disbursed = await act(fin.body.id, 'disburse', { paymentRef: 'CNAPS-SCN-DISB' }, 'bank-checker');
      expect(disbursed.status).to.equal(200);
      const days = daysBetween(String(disbursed.body.disbursedAt).slice(0, 10), maturity);
      expect(disbursed.body).to.include({
        status: 'DISBURSED',
        days,
        discount: expectedDiscount(600_000_000n, 450, days).toString(),
        fee: expectedFee(520_000_000n).toString(), // 1.5% tier: at or above 5,000,000.00 CNY
      });
      const charged = BigInt(disbursed.body.advanceAmount) + BigInt(disbursed.body.discount) + BigInt(disbursed.body.fee);
      expect(charged <= 600_000_000n, `advance + discount + fee = ${charged}`).to.equal(true);
      expect((await read(`/vouchers/${pieceId}`, 'bank-maker')).body).to.include({ holder: BANK(), status: 'FINANCED' });

      // Settling before maturity is refused; at maturity the issuer pays the bank and the financing is repaid.
      expectProblem(await post(`/vouchers/${pieceId}/settle`, { paymentRef: 'too early' }, 'core-maker'), 422, 'BUSINESS_RULE');
      await advanceDays(ctx.gw, daysBetween(await ledgerDate(ctx.gw), maturity));
      expect(await ledgerDate(ctx.gw)).to.equal(maturity);
      const settled = await post(`/vouchers/${pieceId}/settle`, { paymentRef: 'CNAPS-SCN-MAT' }, 'core-maker');
      expect(settled.status).to.equal(200);
      expect(settled.body).to.include({ status: 'SETTLED', settledTo: BANK(), paymentRef: 'CNAPS-SCN-MAT' });
      expect(String(settled.body.updatedAt).slice(0, 10)).to.equal(maturity);
      expectProblem(await post(`/vouchers/${pieceId}/settle`, { paymentRef: 'CNAPS-SCN-TWICE' }, 'core-maker'), 409, 'INVALID_STATE');
      const repaid = await read(`/financings/${fin.body.id}`, 'bank-maker');
      expect(repaid.body).to.include({ status: 'REPAID', repaymentRef: 'CNAPS-SCN-MAT' });
      const history = await read(`/financings/${fin.body.id}/history`);
      expect(history.body.versions.map((v: { record: { status: string } }) => v.record.status)).to.have.members(['REQUESTED', 'APPROVED', 'DISBURSED', 'REPAID']);
    });

    itAtMaturity(ctx, 'factors a receivable: the debtor pays the assignee bank at the due date (POST /receivables/:id/settle)', async () => {
      const dueDate = isoDate(20);
      const reg = await post(
        '/receivables',
        { debtor: CORE(), amount: '3000000', dueDate, documents: [freshInvoice()] },
        'supplier1',
      );
      expect(reg.status).to.equal(201);
      const id = reg.body.id as string;
      expect((await post(`/receivables/${id}/confirm`, {}, 'core-maker')).status).to.equal(200);
      const fin = await request({ asset: { type: 'RECEIVABLE', id }, bank: BANK(), requestedAmount: '2800000' });
      expect(fin.status).to.equal(201);
      expect((await act(fin.body.id, 'approve', { advanceAmount: '2800000', annualRateBps: 600 })).status).to.equal(200);
      expect((await act(fin.body.id, 'disburse', { paymentRef: 'CNAPS-FCT-1' })).status).to.equal(200);
      expect((await read(`/receivables/${id}`, 'bank-maker')).body).to.include({ status: 'FINANCED', assignee: BANK() });
      // A factored receivable cannot back a voucher.
      expectProblem(await post('/vouchers', { receivableId: id, amount: '1000', maturityDate: isoDate(40) }, 'core-maker'), 409, 'DOUBLE_FINANCING');

      expectProblem(await post(`/receivables/${id}/settle`, { paymentRef: 'early' }, 'core-maker'), 422, 'BUSINESS_RULE');
      await advanceDays(ctx.gw, daysBetween(await ledgerDate(ctx.gw), dueDate));
      expectProblem(await post(`/receivables/${id}/settle`, { paymentRef: 'self' }, 'supplier1'), 403, 'FORBIDDEN');
      expectProblem(await post(`/receivables/${id}/settle`, {}, 'core-maker'), 400, 'VALIDATION_FAILED');
      const key = uniqueKey('settle');
      const settled = await post(`/receivables/${id}/settle`, { paymentRef: 'CNAPS-FCT-MAT' }, 'core-maker').set('Idempotency-Key', key);
      expect(settled.status).to.equal(200);
      expect(settled.body).to.include({ status: 'SETTLED', settledTo: BANK(), paymentRef: 'CNAPS-FCT-MAT' });
      const height = await ctx.gw.ledger.height();
      const replay = await post(`/receivables/${id}/settle`, { paymentRef: 'CNAPS-FCT-MAT' }, 'core-maker').set('Idempotency-Key', key);
      expect(replay.body).to.deep.equal(settled.body);
      expect(await ctx.gw.ledger.height()).to.equal(height);
      expectProblem(await post(`/receivables/${id}/settle`, { paymentRef: 'twice' }, 'core-maker'), 409, 'INVALID_STATE');
      expect((await read(`/financings/${fin.body.id}`)).body).to.include({ status: 'REPAID', repaymentRef: 'CNAPS-FCT-MAT' });
      expectProblem(await post(`/receivables/${id}/settle`, { paymentRef: 'x' }, 'supplier3'), 404, 'NOT_FOUND');
    });
  });
});

describe('HTTP: financing circuit breaker (熔断)', () => {
  // A ledger of its own (itAtMaturity): an overdue voucher flags its issuer for every bank.
  const ctx = {} as Gw;
  const { request, act, post, read } = client(ctx);

  itAtMaturity(ctx, 'refuses approval while the issuer has an overdue voucher (422) and approves once it has paid', async () => {
    const soon = await issuedVoucher(ctx.gw, '100000', isoDate(1));
    const later = await issuedVoucher(ctx.gw, '1000000', isoDate(60));
    const fin = await request({ asset: { type: 'VOUCHER', id: later.id }, bank: BANK(), requestedAmount: '500000' });
    expect(fin.status).to.equal(201);
    // Before maturity nothing is overdue.
    expect((await read(`/vouchers/${later.id}/provenance`, 'bank-maker')).body.verdict).to.deep.equal({ financeable: true, reasons: [] });
    await advanceDays(ctx.gw, 2);
    const prov = await read(`/vouchers/${later.id}/provenance`, 'bank-maker');
    expect(prov.body.verdict.reasons).to.include('ISSUER_OVERDUE');
    const refused = await act(fin.body.id, 'approve', { advanceAmount: '500000', annualRateBps: 300 });
    expectProblem(refused, 422, 'BUSINESS_RULE');
    expect(refused.body.detail).to.contain('ISSUER_OVERDUE');
    expect((await post(`/vouchers/${soon.id}/settle`, { paymentRef: 'CNAPS-CURE' }, 'core-maker')).status).to.equal(200);
    expect((await read(`/vouchers/${later.id}/provenance`, 'bank-maker')).body.verdict).to.deep.equal({ financeable: true, reasons: [] });
    expect((await act(fin.body.id, 'approve', { advanceAmount: '500000', annualRateBps: 300 })).status).to.equal(200);
  });
});

describe('HTTP: financing at the due date', () => {
  // A ledger of its own per test (itAtMaturity): each moves the clock and leaves an issuer overdue for a while.
  const ctx = {} as Gw;
  const { request, act, post, read } = client(ctx);

  itAtMaturity(ctx, 'refuses approval and disbursement from the due date on with 422, writing nothing; the bank may still reject', async () => {
    const v1 = await issuedVoucher(ctx.gw, '1000000', isoDate(1));
    const v2 = await issuedVoucher(ctx.gw, '1000000', isoDate(1));
    const pending = await request({ asset: { type: 'VOUCHER', id: v1.id }, bank: BANK(), requestedAmount: '900000' });
    const approved = await request({ asset: { type: 'VOUCHER', id: v2.id }, bank: BANK(), requestedAmount: '900000' });
    expect((await act(approved.body.id, 'approve', { advanceAmount: '900000', annualRateBps: 500 })).body).to.include({ status: 'APPROVED', days: 1 });
    await advanceDays(ctx.gw, 1);
    const height = await ctx.gw.ledger.height();
    const lateApproval = await act(pending.body.id, 'approve', { advanceAmount: '900000', annualRateBps: 500 });
    expectProblem(lateApproval, 422, 'BUSINESS_RULE');
    expect(lateApproval.body.detail).to.contain('too late to approve');
    const lateDisbursement = await act(approved.body.id, 'disburse', { paymentRef: 'CNAPS-LATE' });
    expectProblem(lateDisbursement, 422, 'BUSINESS_RULE');
    expect(lateDisbursement.body.detail).to.contain('too late to disburse');
    expect(await ctx.gw.ledger.height()).to.equal(height);
    expect((await act(approved.body.id, 'reject', { reason: 'due date reached' })).body).to.include({ status: 'REJECTED' });
    // Both pieces are the issuer's to pay on their maturity: one ACTIVE again, one still pending.
    for (const id of [v1.id, v2.id]) expect((await post(`/vouchers/${id}/settle`, { paymentRef: `CNAPS-${id}` }, 'core-maker')).status).to.equal(200);
    expect((await read(`/financings/${pending.body.id}`)).body).to.include({ status: 'EXPIRED' });
  });

  itAtMaturity(ctx, 'lets the issuer settle a piece whose financing the bank never answered: the holder is paid, the financing EXPIRED, the circuit breaker cleared', async () => {
    const stuck = await issuedVoucher(ctx.gw, '100000', isoDate(1));
    const other = await issuedVoucher(ctx.gw, '1000000', isoDate(60));
    const fin = await request({ asset: { type: 'VOUCHER', id: stuck.id }, bank: BANK(), requestedAmount: '90000' });
    const otherFin = await request({ asset: { type: 'VOUCHER', id: other.id }, bank: BANK(), requestedAmount: '500000' });
    expect([fin.status, otherFin.status]).to.deep.equal([201, 201]);
    expectProblem(await post(`/vouchers/${stuck.id}/settle`, { paymentRef: 'too early' }, 'core-maker'), 422, 'BUSINESS_RULE');
    await advanceDays(ctx.gw, 2);
    expect((await read(`/vouchers/${other.id}/provenance`, 'bank-maker')).body.verdict.reasons).to.include('ISSUER_OVERDUE');
    expectProblem(await act(otherFin.body.id, 'approve', { advanceAmount: '500000', annualRateBps: 300 }), 422, 'BUSINESS_RULE');

    const settled = await post(`/vouchers/${stuck.id}/settle`, { paymentRef: 'CNAPS-CURE' }, 'core-maker');
    expect(settled.status).to.equal(200);
    expect(settled.body).to.include({ status: 'SETTLED', settledTo: SUPPLIER1(), paymentRef: 'CNAPS-CURE' }).and.not.to.have.property('financingId');
    const expired = await read(`/financings/${fin.body.id}`, 'supplier1');
    expect(expired.body).to.include({ status: 'EXPIRED', applicant: SUPPLIER1() });
    expect(expired.body.expiredAt).to.be.a('string');
    const listed = await read(`/financings?status=EXPIRED`);
    expect(listed.body.records.map((f: { id: string }) => f.id)).to.include(fin.body.id);
    expectProblem(await act(fin.body.id, 'approve', { advanceAmount: '90000', annualRateBps: 300 }), 409, 'INVALID_STATE');

    expect((await read(`/vouchers/${other.id}/provenance`, 'bank-maker')).body.verdict).to.deep.equal({ financeable: true, reasons: [] });
    expect((await act(otherFin.body.id, 'approve', { advanceAmount: '500000', annualRateBps: 300 })).status).to.equal(200);
  });
});
