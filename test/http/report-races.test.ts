import { expect } from 'chai';
import { LedgerCreditLines } from '../../gateway/src/reports/credit-line-lookup';
import { LedgerCalls, type CallContext } from '../../gateway/src/services/calls';
import { ReportService } from '../../gateway/src/services/reports';
import { ledgerNow } from '../../gateway/src/webhooks';
import { BANK, CORE, issuedVoucher, type Label, type TestGateway } from './harness';
import { advanceDays, itWithOwnClock, onOwnGateway } from './time-travel';

/*
 * Reports read the ledger in several evaluations (pages of an index, then
 * records by id), each at the ledger's state of its moment. These tests
 * change the ledger between two of those reads, as another member's
 * transaction would, and check the report still answers each record once.
 * The report runs through ReportService with a LedgerCalls that acts between
 * calls; small pages stand in for the 1,000-key pages of a big portfolio.
 */

type Step = (name: string, out: unknown) => Promise<void>;

/** LedgerCalls that runs `step` after each read (each page of a list too) and can shrink voucher:Maturities pages. */
class Interleaved extends LedgerCalls {
  constructor(
    gw: TestGateway,
    private readonly step: Step,
    private readonly maturityPage?: number,
  ) {
    super(gw.ledger.runtime.ledger);
  }

  override async read<T>(ctx: CallContext, name: string, command: object): Promise<T> {
    const cmd = name === 'voucher:Maturities' && this.maturityPage !== undefined ? { ...command, pageSize: this.maturityPage } : command;
    const out = await super.read<T>(ctx, name, cmd);
    await this.step(name, out);
    return out;
  }

}

const contextOf = (gw: TestGateway, label: Label): CallContext => {
  const principal = gw.ledger.runtime.directory.resolve(gw.auth(label).slice('Bearer '.length));
  if (!principal) throw new Error(`no principal for ${label}`);
  return { principal };
};

const post = async (gw: TestGateway, path: string, body: object, label: Label, status = 200) => {
  const res = await gw.http.post(path).set('Authorization', gw.auth(label)).send(body);
  if (res.status !== status) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown> & { id: string };
};

/**
 * What the ladder read when nothing moved, plus `count` pieces of `amount`
 * in all: on a shared ledger (the real network) other tests' pieces count too.
 */
const plus = (t: { count: number; amount: string } | undefined, count: number, amount: string) => ({
  issuer: CORE(),
  currency: 'CNY',
  count: (t?.count ?? 0) + count,
  amount: (BigInt(t?.amount ?? '0') + BigInt(amount)).toString(),
});

/** The ladder's totals over HTTP, for one issuer (read when nothing moves). */
const totalsOf = async (gw: TestGateway, label: Label) => {
  const res = await gw.http.get('/reports/maturity-ladder').set('Authorization', gw.auth(label));
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return (res.body.totals as Array<{ issuer: string; currency: string; count: number; amount: string }>).find((t) => t.issuer === CORE());
};

describe('HTTP: reports read while the ledger moves', function () {
  this.timeout(120_000);

  it('the issuer ladder counts a piece once when its financing is requested between two pages', () =>
    onOwnGateway(async (gw) => {
      const before = await totalsOf(gw, 'core-maker');
      const ids: string[] = [];
      for (const amount of ['100000', '200000', '300000']) ids.push((await issuedVoucher(gw, amount)).id);
      let pages = 0;
      // After the first page (one piece counted), every piece goes ACTIVE -> FINANCING_PENDING.
      const calls = new Interleaved(
        gw,
        async (name) => {
          if (name !== 'voucher:Maturities' || ++pages !== 1) return;
          for (const id of ids) await post(gw, '/financings', { asset: { type: 'VOUCHER', id }, bank: BANK(), requestedAmount: '90000' }, 'supplier1', 201);
        },
        1,
      );
      const ladder = await new ReportService(calls, ledgerNow(gw.ledger.runtime.ledger)).maturityLadder(contextOf(gw, 'core-maker'));
      expect(pages).to.be.greaterThan(1);
      expect(ladder.totals.find((t) => t.issuer === CORE())).to.deep.equal(plus(before, 3, '600000'));
      expect(await totalsOf(gw, 'core-maker')).to.deep.equal(plus(before, 3, '600000'));
    }));

  it('the holder ladder keeps a piece whose financing is rejected between two pages', () =>
    onOwnGateway(async (gw) => {
      const before = await totalsOf(gw, 'supplier1');
      const financings: string[] = [];
      for (const amount of ['100000', '200000', '300000']) {
        const v = await issuedVoucher(gw, amount);
        financings.push((await post(gw, '/financings', { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '90000' }, 'supplier1', 201)).id);
      }
      let pages = 0;
      // After the first page (one piece counted), every piece goes FINANCING_PENDING -> ACTIVE.
      const calls = new Interleaved(
        gw,
        async (name) => {
          if (name !== 'voucher:Maturities' || ++pages !== 1) return;
          for (const id of financings) await post(gw, `/financings/${id}/reject`, { reason: 'limit' }, 'bank-maker');
        },
        1,
      );
      const ladder = await new ReportService(calls, ledgerNow(gw.ledger.runtime.ledger)).maturityLadder(contextOf(gw, 'supplier1'));
      expect(pages).to.be.greaterThan(1);
      expect(ladder.totals.find((t) => t.issuer === CORE())).to.deep.equal(plus(before, 3, '600000'));
      expect(await totalsOf(gw, 'supplier1')).to.deep.equal(plus(before, 3, '600000'));
    }));

  itWithOwnClock('the exposure leaves out a financing whose voucher is settled after the financings were listed', async (gw) => {
    const maturity = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const v = await issuedVoucher(gw, '500000', maturity);
    const f = await post(gw, '/financings', { asset: { type: 'VOUCHER', id: v.id }, bank: BANK(), requestedAmount: '400000' }, 'supplier1', 201);
    await post(gw, `/financings/${f.id}/approve`, { advanceAmount: '400000', annualRateBps: 500 }, 'bank-maker');
    await post(gw, `/financings/${f.id}/disburse`, { paymentRef: 'CNAPS-R' }, 'bank-maker');
    await advanceDays(gw, 6);

    let settled = false;
    const calls = new Interleaved(gw, async (name, out) => {
      if (name !== 'financing:List' || settled || (out as { records: unknown[] }).records.length === 0) return;
      settled = true; // the issuer pays at maturity, just after the list was read
      await post(gw, `/vouchers/${v.id}/settle`, { paymentRef: 'PAY-1' }, 'core-maker');
    });
    const reports = new ReportService(calls, ledgerNow(gw.ledger.runtime.ledger), new LedgerCreditLines(calls));
    const report = await reports.exposure(contextOf(gw, 'supplier1'));
    expect(settled).to.equal(true);
    // The financing is REPAID now: nothing is outstanding, and no row names an obligor it could not read.
    expect(report.rows).to.deep.equal([]);
    const fin = await gw.http.get(`/financings/${f.id}`).set('Authorization', gw.auth('supplier1'));
    expect(fin.body.status).to.equal('REPAID');
  });
});
