import { expect } from 'chai';
import { VOUCHER_STATUSES } from '../../chaincode/src/domain/types';
import { expectProblem, issuedVoucher, startGateway, type TestGateway } from './harness';

type Label = Parameters<TestGateway['auth']>[0];

/**
 * POST /maintenance/index-repairs on a ledger this version wrote: the walk
 * meets every record of a kind once and finds nothing to repair. The repair
 * of a ledger that lacks entries is in test/unit/contracts/maintenance.test.ts
 * (it needs state no transaction of this version writes).
 */
describe('HTTP: index repair (maintenance)', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startGateway();
    for (let i = 0; i < 3; i += 1) await issuedVoucher(gw);
  });
  after(async () => {
    await gw?.close();
  });

  const step = (body: object, label: Label = 'operator-admin') =>
    gw.http.post('/maintenance/index-repairs').set('Authorization', gw.auth(label)).send(body);

  /** Every voucher id, status by status, as the auditor (who reads every record) lists them. */
  const allVoucherIds = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (const status of VOUCHER_STATUSES) {
      let bookmark = '';
      do {
        const page = await gw.http
          .get(`/vouchers?status=${status}&pageSize=200${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`)
          .set('Authorization', gw.auth('auditor'));
        expect(page.status, JSON.stringify(page.body)).to.equal(200);
        ids.push(...page.body.records.map((v: { id: string }) => v.id));
        bookmark = page.body.bookmark;
      } while (bookmark);
    }
    return ids;
  };

  it('walks every voucher once, a page per step, and repairs nothing on an intact ledger', async () => {
    const vouchers = await allVoucherIds();
    expect(vouchers.length).to.be.at.least(3);
    let checked = 0;
    let steps = 0;
    let bookmark: string | undefined;
    do {
      const res = await step({ kind: 'VOUCHER', pageSize: 2, ...(bookmark ? { bookmark } : {}) });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ kind: 'VOUCHER' });
      expect(res.body.repaired).to.deep.equal({});
      expect(res.body.repairedIds).to.deep.equal([]);
      expect(res.body.checked).to.be.within(1, 2);
      expect(res.headers['transaction-id']).to.match(/^[0-9a-f]{64}$/);
      checked += res.body.checked;
      steps += 1;
      bookmark = res.body.bookmark;
    } while (bookmark);
    expect(checked).to.equal(vouchers.length);
    expect(steps).to.equal(Math.ceil(vouchers.length / 2));
  });

  it('is the operator’s alone: 403 to anyone else', async () => {
    for (const label of ['supplier1', 'bank-checker', 'auditor', 'core-checker'] as const) {
      expectProblem(await step({ kind: 'VOUCHER' }, label), 403, 'FORBIDDEN');
    }
  });

  it('refuses a malformed step with 400 naming the field', async () => {
    const bad: Array<[object, string]> = [
      [{}, 'body.kind'],
      [{ kind: 'MEMBER' }, 'body.kind'],
      [{ kind: 'VOUCHER', pageSize: 101 }, 'body.pageSize'],
      [{ kind: 'VOUCHER', pageSize: '10' }, 'body.pageSize'],
      [{ kind: 'VOUCHER', keys: [['x']] }, 'body'],
    ];
    for (const [body, path] of bad) {
      const res = await step(body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path).join(' ')).to.contain(path);
    }
    const foreign = await step({ kind: 'VOUCHER', bookmark: 'not-a-bookmark' });
    expectProblem(foreign, 400, 'VALIDATION_FAILED');
    expect(foreign.body.detail).to.contain('bookmark');
  });
});
