import { expect } from 'chai';
import sinon from 'sinon';
import { type BareGateway, serveBare } from '../../../scripts/bench/bare-gateway';
import { type Ledger, LedgerError, type LedgerIdentity } from '../../../gateway/src/ledger/ledger';

const who = { mspId: 'SupplierMSP', certificate: 'PEM' } as unknown as LedgerIdentity;

async function post(gw: BareGateway, path: string, body: string, method = 'POST'): Promise<{ status: number; json: unknown; txId: string | null }> {
  const res = await fetch(`${gw.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body }) });
  return { status: res.status, json: await res.json(), txId: res.headers.get('transaction-id') };
}

describe('bench: the bare HTTP ceiling', () => {
  let submit: sinon.SinonStub;
  let gw: BareGateway;

  beforeEach(async () => {
    submit = sinon.stub();
    gw = await serveBare({ submit } as unknown as Ledger, who, 5_000);
  });
  afterEach(() => gw.close());

  it('submits one Transfer as its fixed identity and answers the result with the transaction id', async () => {
    submit.resolves({ txId: 'tx-1', blockNumber: 3n, result: { id: 'V 1', holder: 'm2' } });
    const r = await post(gw, '/vouchers/V%201/transfer', JSON.stringify({ to: 'm2', amount: '5' }));
    expect(r).to.deep.equal({ status: 200, json: { id: 'V 1', holder: 'm2' }, txId: 'tx-1' });
    expect(submit.calledOnceWithExactly(who, 'voucher:Transfer', { id: 'V 1', to: 'm2', amount: '5' }, { deadlineMs: 5_000 })).to.equal(true);
  });

  it("answers the ledger's refusal by its code", async () => {
    submit.rejects(new LedgerError('INVALID_STATE', 'too much'));
    const r = await post(gw, '/vouchers/V1/transfer', JSON.stringify({ to: 'm2', amount: '5' }));
    expect(r.status).to.equal(409);
    expect(r.json).to.deep.equal({ code: 'INVALID_STATE' });
  });

  it('refuses a body that is not JSON, another route or another method without calling the ledger', async () => {
    expect((await post(gw, '/vouchers/V1/transfer', '{not json')).status).to.equal(400);
    expect((await post(gw, '/vouchers/V1/split', '{}')).status).to.equal(404);
    expect((await post(gw, '/vouchers/V1/transfer', '', 'GET')).status).to.equal(404);
    expect(submit.called).to.equal(false);
  });
});
