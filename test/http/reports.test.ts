import { expect } from 'chai';
import { BANK, CORE, confirmedReceivable, expectProblem, isoDate, type Label, startGateway, SUPPLIER1, SUPPLIER3, type TestGateway } from './harness';

/*
 * Reports (issue 17, item 3): every figure is checked against sums the test
 * computes itself from the records the list routes return, for a reader
 * (auditor: everything) and for a member (what it holds or issued).
 */

interface V {
  id: string;
  issuer: string;
  holder: string;
  amount: string;
  currency: string;
  maturityDate: string;
  status: string;
}
interface R {
  id: string;
  amount: string;
  voucheredAmount: string;
  settledAmount: string;
  currency: string;
  dueDate: string;
}
interface F {
  id: string;
  bank: string;
  applicant: string;
  asset: { type: string; id: string };
  advanceAmount: string;
  faceAmount: string;
  currency: string;
}

const DAY = 86_400_000;

/** Monday of the date's week, computed here with Date (the gateway uses its own day arithmetic). */
const monday = (date: string) => {
  const t = Date.parse(`${date}T00:00:00Z`);
  const dow = (new Date(t).getUTCDay() + 6) % 7;
  return new Date(t - dow * DAY).toISOString().slice(0, 10);
};

const sumInto = (m: Map<string, { count: number; amount: bigint }>, key: string, amount: string) => {
  const s = m.get(key) ?? { count: 0, amount: 0n };
  m.set(key, { count: s.count + 1, amount: s.amount + BigInt(amount) });
};

describe('HTTP: reports', function () {
  this.timeout(60_000);
  let gw: TestGateway;
  let financed: string;

  const get = (path: string, label: Label) => gw.http.get(path).set('Authorization', gw.auth(label));
  async function listAll<T>(path: string, label: Label): Promise<T[]> {
    const out: T[] = [];
    let bookmark = '';
    do {
      const res = await get(`${path}${path.includes('?') ? '&' : '?'}pageSize=200${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`, label);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      out.push(...(res.body.records as T[]));
      bookmark = res.body.bookmark as string;
    } while (bookmark);
    return out;
  }
  const outstandingVouchers = async (label: Label, filters: string[]) => {
    const lists = await Promise.all(['ACTIVE', 'FINANCING_PENDING', 'FINANCED'].flatMap((s) => filters.map((f) => listAll<V>(`/vouchers?status=${s}${f}`, label))));
    return [...new Map(lists.flat().map((v) => [v.id, v])).values()];
  };

  before(async () => {
    gw = await startGateway();
    // Some data of our own: vouchers maturing in a week, a month and three months; one discounted at the bank.
    const post = async (path: string, body: object, label: Label, status = 200) => {
      const res = await gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
      if (res.status !== status) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as { id: string };
    };
    for (const [amount, days] of [
      ['120000', 7],
      ['230000', 33],
      ['340000', 95],
    ] as const) {
      await post('/vouchers', { receivableId: await confirmedReceivable(gw, amount), amount, maturityDate: isoDate(days) }, 'core-maker', 201);
    }
    const v = await post('/vouchers', { receivableId: await confirmedReceivable(gw, '450000'), amount: '450000', maturityDate: isoDate(60) }, 'core-maker', 201);
    const f = await post('/financings', { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '400000' }, 'supplier1', 201);
    await post(`/financings/${f.id}/approve`, { advanceAmount: '400000', annualRateBps: 500 }, 'bank-maker');
    await post(`/financings/${f.id}/disburse`, { paymentRef: 'CNAPS-RPT' }, 'bank-maker');
    financed = f.id;
    await confirmedReceivable(gw, '777700'); // owed directly: in the ageing, not in the ladder
    // Partly vouchered, and that voucher paid: 400,000 still owed directly (not 1,000,000 - 600,000 - 600,000).
    const partly = await confirmedReceivable(gw, '1000000');
    const paid = await post('/vouchers', { receivableId: partly, amount: '600000', maturityDate: isoDate(0) }, 'core-maker', 201);
    await post(`/vouchers/${paid.id}/settle`, { paymentRef: 'PAY-RPT' }, 'core-maker');
  });
  after(() => gw.close());

  for (const [label, filters] of [
    ['auditor', ['']],
    ['supplier1', [`&holder=${SUPPLIER1()}`, `&issuer=${SUPPLIER1()}`]],
  ] as Array<[Label, string[]]>) {
    it(`the maturity ladder of ${label} sums its outstanding vouchers per week and month and issuer`, async () => {
      const vouchers = await outstandingVouchers(label, filters.map((f) => f.replace('SUPPLIER1', SUPPLIER1())));
      const res = await get('/reports/maturity-ladder', label);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const expected = new Map<string, { count: number; amount: bigint }>();
      for (const v of vouchers) {
        sumInto(expected, `WEEK ${monday(v.maturityDate)} ${v.issuer} ${v.currency}`, v.amount);
        sumInto(expected, `MONTH ${v.maturityDate.slice(0, 7)}-01 ${v.issuer} ${v.currency}`, v.amount);
      }
      const got = new Map(
        (res.body.rows as Array<{ period: string; start: string; issuer: string; currency: string; count: number; amount: string }>).map((r) => [
          `${r.period} ${r.start} ${r.issuer} ${r.currency}`,
          { count: r.count, amount: BigInt(r.amount) },
        ]),
      );
      expect(got).to.deep.equal(expected);
      expect(vouchers.length).to.be.greaterThan(0);
    });
  }

  it('the ageing buckets outstanding vouchers by maturity and receivables by the amount still owed directly', async () => {
    const vouchers = await outstandingVouchers('auditor', ['']);
    const receivables = (await Promise.all(['CONFIRMED', 'FINANCING_PENDING', 'FINANCED'].map((s) => listAll<R>(`/receivables?status=${s}`, 'auditor')))).flat();
    const res = await get('/reports/ageing', 'auditor');
    expect(res.status).to.equal(200);
    const asOf = res.body.asOf as string;
    const bucket = (due: string) => {
      const days = Math.round((Date.parse(asOf) - Date.parse(due)) / DAY);
      return days <= 0 ? 'CURRENT' : days <= 30 ? '1-30' : days <= 60 ? '31-60' : days <= 90 ? '61-90' : 'OVER_90';
    };
    const expected = new Map<string, { count: number; amount: bigint }>();
    for (const v of vouchers) sumInto(expected, `VOUCHER ${bucket(v.maturityDate)} ${v.currency}`, v.amount);
    for (const r of receivables) {
      // Owed directly: the amount less what vouchers cover, or less what was paid when that is more
      // (a factored receivable settled): vouchers that paid are not subtracted twice.
      const vouchered = BigInt(r.voucheredAmount);
      const settled = BigInt(r.settledAmount);
      const owed = BigInt(r.amount) - (vouchered > settled ? vouchered : settled);
      sumInto(expected, `RECEIVABLE ${bucket(r.dueDate)} ${r.currency}`, String(owed > 0n ? owed : 0n));
    }
    const got = new Map(
      (res.body.rows as Array<{ assetType: string; bucket: string; currency: string; count: number; amount: string }>).map((r) => [
        `${r.assetType} ${r.bucket} ${r.currency}`,
        { count: r.count, amount: BigInt(r.amount) },
      ]),
    );
    expect(got).to.deep.equal(expected);
    expect((got.get('RECEIVABLE CURRENT CNY')?.amount ?? 0n) >= 777_700n).to.equal(true);
  });

  it('a factored receivable is in the ageing of the bank it is assigned to and of its debtor, no longer in the assignor\'s', async () => {
    const receivableSum = async (label: Label) => {
      const res = await get('/reports/ageing', label);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return (res.body.rows as Array<{ assetType: string; amount: string }>).filter((r) => r.assetType === 'RECEIVABLE').reduce((n, r) => n + BigInt(r.amount), 0n);
    };
    const post = async (path: string, body: object, label: Label, status = 200) => {
      const res = await gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
      expect(res.status, `${path} ${JSON.stringify(res.body)}`).to.equal(status);
      return res.body as { id: string };
    };
    const id = await confirmedReceivable(gw, '3000000');
    const f = await post('/financings', { asset: { type: 'RECEIVABLE', id }, bank: BANK(), requestedAmount: '2800000' }, 'supplier1', 201);
    await post(`/financings/${f.id}/approve`, { advanceAmount: '2800000', annualRateBps: 100 }, 'bank-maker');
    // Requested, not yet disbursed: still the supplier's.
    const before = { bank: await receivableSum('bank-maker'), supplier: await receivableSum('supplier1'), debtor: await receivableSum('core-maker') };
    await post(`/financings/${f.id}/disburse`, { paymentRef: 'CNAPS-AGE' }, 'bank-maker');
    expect((await get(`/receivables/${id}`, 'bank-maker')).body).to.include({ status: 'FINANCED', assignee: BANK(), creditor: SUPPLIER1() });
    expect((await receivableSum('bank-maker')) - before.bank, 'owed to the bank').to.equal(3_000_000n);
    expect(before.supplier - (await receivableSum('supplier1')), 'off the assignor\'s books').to.equal(3_000_000n);
    expect(await receivableSum('core-maker'), 'still owed by the debtor').to.equal(before.debtor);
  });

  it('the exposure sums disbursed advances per bank and obligor; the bank sees its own, a supplier only what it applied for', async () => {
    // An approved advance not yet disbursed: on the credit line's use, not in `financed`.
    const pending = await confirmedReceivable(gw, '2000000');
    const request = await gw.http.post('/financings').set('Authorization', gw.auth('supplier1')).send({ asset: { type: 'RECEIVABLE', id: pending }, bank: BANK(), requestedAmount: '1500000' });
    expect(request.status, JSON.stringify(request.body)).to.equal(201);
    const approved = await gw.http.post(`/financings/${request.body.id}/approve`).set('Authorization', gw.auth('bank-maker')).send({ advanceAmount: '1500000', annualRateBps: 100 });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    const financings = await listAll<F>('/financings?status=DISBURSED', 'auditor');
    const obligorOf = new Map<string, string>();
    for (const f of financings) {
      if (f.asset.type === 'VOUCHER') obligorOf.set(f.id, (await get(`/vouchers/${f.asset.id}`, 'auditor')).body.issuer as string);
      else if (f.asset.type === 'RECEIVABLE') obligorOf.set(f.id, (await get(`/receivables/${f.asset.id}`, 'auditor')).body.debtor as string);
      else obligorOf.set(f.id, f.applicant);
    }
    const obligor = (f: F) => obligorOf.get(f.id);
    const expected = new Map<string, { count: number; financed: bigint; face: bigint }>();
    for (const f of financings) {
      const key = `${f.bank} ${obligor(f)} ${f.currency}`;
      const s = expected.get(key) ?? { count: 0, financed: 0n, face: 0n };
      expected.set(key, { count: s.count + 1, financed: s.financed + BigInt(f.advanceAmount), face: s.face + BigInt(f.faceAmount) });
    }
    const res = await get('/reports/exposure', 'auditor');
    expect(res.status).to.equal(200);
    expect(res.body.creditLines).to.equal(true);
    // The demo bank's FINANCING line to the core enterprise (issue 16) stands beside its exposure.
    const line = (res.body.rows as Array<Row & { creditLine?: { id: string; limit: string; used: string }; headroom?: string }>).find((r) => r.bank === BANK() && r.obligor === CORE());
    expect(line?.creditLine, 'the demo financing line').not.to.equal(undefined);
    // The line's own headroom (limit − used), as GET /credit-lines/:id says and an approval is checked against.
    const record = await get(`/credit-lines/${line?.creditLine?.id}`, 'auditor');
    expect(record.status).to.equal(200);
    expect(line?.headroom).to.equal(record.body.headroom);
    expect(BigInt(line?.headroom ?? '0')).to.equal(BigInt(line?.creditLine?.limit ?? '0') - BigInt(line?.creditLine?.used ?? '0'));
    expect(BigInt(line?.creditLine?.used ?? '0') - BigInt(line?.financed ?? '0') >= 1_500_000n, 'the approved advance is used, not financed').to.equal(true);
    type Row = { bank: string; obligor: string; currency: string; count: number; financed: string; face: string };
    const got = new Map((res.body.rows as Row[]).map((r) => [`${r.bank} ${r.obligor} ${r.currency}`, { count: r.count, financed: BigInt(r.financed), face: BigInt(r.face) }]));
    expect(got).to.deep.equal(expected);
    expect((got.get(`${BANK()} ${CORE()} CNY`)?.financed ?? 0n) >= 400_000n).to.equal(true);

    const bank = await get('/reports/exposure', 'bank-maker');
    expect((bank.body.rows as Row[]).every((r) => r.bank === BANK())).to.equal(true);
    // supplier3 applied for none of ours: its rows count only the financings it applied for (none on a fresh ledger).
    const supplier = await get('/reports/exposure', 'supplier3');
    const its = financings.filter((x) => x.applicant === SUPPLIER3());
    expect((supplier.body.rows as Row[]).reduce((n, r) => n + r.count, 0)).to.equal(its.length);
    expect(its.map((x) => x.id)).not.to.include(financed);
  });

  it('answers CSV for Accept: text/csv, row for row the JSON', async () => {
    const json = await get('/reports/maturity-ladder', 'auditor');
    const csv = await get('/reports/maturity-ladder', 'auditor').set('Accept', 'text/csv');
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).to.equal('asOf,period,start,issuer,currency,count,amount');
    expect(lines.slice(1)).to.deep.equal(
      (json.body.rows as Array<Record<string, string | number>>).map((r) => [json.body.asOf, r.period, r.start, r.issuer, r.currency, r.count, r.amount].join(',')),
    );
    for (const path of ['/reports/ageing', '/reports/exposure']) {
      const res = await get(path, 'bank-maker').set('Accept', 'text/csv');
      expect(res.status, path).to.equal(200);
      expect(res.headers['content-type'], path).to.match(/^text\/csv/);
    }
  });

  it('refuses a malformed query with 400 and writes nothing', async () => {
    const height = await gw.ledger.height();
    expectProblem(await get('/reports/maturity-ladder?issuer=not-a-member', 'auditor'), 400, 'VALIDATION_FAILED');
    expectProblem(await get('/reports/ageing?bucket=1', 'auditor'), 400, 'VALIDATION_FAILED');
    expectProblem(await get('/reports/exposure?bank=x', 'auditor'), 400, 'VALIDATION_FAILED');
    expect(await gw.ledger.height()).to.equal(height);
  });
});
