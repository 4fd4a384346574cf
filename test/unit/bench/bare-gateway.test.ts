import { expect } from 'chai';
import sinon from 'sinon';
import { answeringLedger, serveBare } from '../../../scripts/bench/bare-gateway';
import type { LoopbackServer } from '../../../scripts/bench/loopback';
import { EmbeddedTarget } from '../../../scripts/bench/target';
import { type Ledger, LedgerError, type LedgerIdentity } from '../../../gateway/src/ledger/ledger';

const who = { mspId: 'SupplierMSP', certificate: 'PEM' } as unknown as LedgerIdentity;

async function post(gw: LoopbackServer, path: string, body: string, method = 'POST'): Promise<{ status: number; json: unknown; txId: string | null; poweredBy: string | null }> {
  const res = await fetch(`${gw.baseUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body }) });
  // express announces itself (X-Powered-By), which tells the two variants apart.
  return { status: res.status, json: await res.json(), txId: res.headers.get('transaction-id'), poweredBy: res.headers.get('x-powered-by') };
}

for (const inExpress of [false, true]) describe(`bench: the bare HTTP ceiling${inExpress ? ', in express' : ''}`, () => {
  let submit: sinon.SinonStub;
  let gw: LoopbackServer;

  beforeEach(async () => {
    submit = sinon.stub();
    gw = await serveBare({ submit } as unknown as Ledger, who, { deadlineMs: 5_000, inExpress });
  });
  afterEach(() => gw.close());

  it('submits one Transfer as its fixed identity and answers the result with the transaction id', async () => {
    submit.resolves({ txId: 'tx-1', blockNumber: 3n, result: { id: 'V 1', holder: 'm2' } });
    const r = await post(gw, '/vouchers/V%201/transfer', JSON.stringify({ to: 'm2', amount: '5' }));
    expect(r).to.deep.equal({ status: 200, json: { id: 'V 1', holder: 'm2' }, txId: 'tx-1', poweredBy: inExpress ? 'Express' : null });
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

describe('bench: the answering ledger (HTTP alone)', () => {
  it('answers every submit at once with the recorded result, each under a transaction id of its own', async () => {
    const ledger = answeringLedger({ voucher: { id: 'V1' } });
    const a = await ledger.submit(who, 'voucher:Transfer', {});
    const b = await ledger.submit(who, 'voucher:Transfer', {});
    expect(a.result).to.deep.equal({ voucher: { id: 'V1' } });
    expect(a.txId).to.match(/^[0-9a-f]{64}$/);
    expect(b.txId).to.not.equal(a.txId);
    expect(() => ledger.evaluate(who, 'voucher:Get', {})).to.throw(/serves submit only, not evaluate/);
  });

  it("serves the gateway's own app over it: the same tokens, validation and answer", async () => {
    const gw = await new EmbeddedTarget().openGateway({ cutter: { batchMaxTx: 10, batchTimeoutMs: 2 } });
    try {
      const ledger = answeringLedger({ voucher: { id: 'VCH-X' }, children: [] });
      const submit = sinon.spy(ledger, 'submit');
      const app = await gw.serveOn(ledger);
      try {
        const transfer = (token: string, to: string) =>
          fetch(`${app.baseUrl}/vouchers/VCH-X/transfer`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ to, amount: '10' }),
          });
        const ok = await transfer(gw.token('supplier1'), gw.memberId('supplier2'));
        expect(ok.status).to.equal(200);
        expect(await ok.json()).to.deep.equal({ voucher: { id: 'VCH-X' }, children: [] });
        expect((await transfer('not-a-token', gw.memberId('supplier2'))).status).to.equal(401);
        expect((await transfer(gw.token('supplier1'), 'not-a-member-id')).status).to.equal(400);
        expect(submit.callCount).to.equal(1);
      } finally {
        await app.close();
      }
    } finally {
      await gw.close();
    }
  });
});
