import { expect } from 'chai';
import sinon from 'sinon';
import type { EndorsedTransaction, WorldState } from '../../../chaincode/src/worldstate';
import { Orderer } from '../../../gateway/src/ledger/embedded/orderer';

const tx = (txId: string) => ({ status: 'ENDORSED', txId }) as unknown as EndorsedTransaction;

function fakeWorld() {
  let height = 0;
  const commitBlock = sinon.spy((txs: readonly EndorsedTransaction[]) =>
    Promise.resolve({
      blockNumber: height++,
      blockHash: 'h',
      transactions: txs.map((t, txIndex) => ({ txId: t.txId, txIndex, validationCode: 'VALID' as const })),
    }),
  );
  return { world: { commitBlock } as unknown as WorldState, commitBlock };
}

describe('embedded orderer', () => {
  it('cuts a block as soon as it holds the maximum number of transactions', async () => {
    const { world, commitBlock } = fakeWorld();
    const o = new Orderer(world, { batchTimeoutMs: 10_000, batchMaxTx: 3 });
    const results = await Promise.all(['a', 'b', 'c'].map((id) => o.order(tx(id))));
    expect(commitBlock.callCount).to.equal(1);
    expect(results.map((r) => [r.txId, r.blockNumber, r.txIndex])).to.deep.equal([['a', 0, 0], ['b', 0, 1], ['c', 0, 2]]);
    await o.close();
  });

  it('cuts a smaller block when the batch timeout expires', async () => {
    const clock = sinon.useFakeTimers();
    try {
      const { world, commitBlock } = fakeWorld();
      const o = new Orderer(world, { batchTimeoutMs: 50, batchMaxTx: 100 });
      const p = o.order(tx('a'));
      await clock.tickAsync(49);
      expect(commitBlock.callCount).to.equal(0);
      await clock.tickAsync(1);
      expect((await p).blockNumber).to.equal(0);
      expect(commitBlock.callCount).to.equal(1);
    } finally {
      clock.restore();
    }
  });

  it('commits blocks one after another in arrival order', async () => {
    const { world, commitBlock } = fakeWorld();
    const o = new Orderer(world, { batchTimeoutMs: 1, batchMaxTx: 2 });
    const all = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => o.order(tx(id))));
    expect(all.map((r) => r.blockNumber)).to.deep.equal([0, 0, 1, 1, 2]);
    expect(commitBlock.args.map((a) => a[0].map((t) => t.txId))).to.deep.equal([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('commits what is pending on close and refuses new transactions afterwards', async () => {
    const { world } = fakeWorld();
    const o = new Orderer(world, { batchTimeoutMs: 10_000, batchMaxTx: 100 });
    const p = o.order(tx('a'));
    await o.close();
    expect((await p).txId).to.equal('a');
    let code: unknown;
    await o.order(tx('b')).catch((e: { code?: string }) => (code = e.code));
    expect(code).to.equal('LEDGER_UNAVAILABLE');
  });

  it('fails every transaction of a block whose commit fails', async () => {
    const world = { commitBlock: sinon.stub().rejects(new Error('disk full')) } as unknown as WorldState;
    const o = new Orderer(world, { batchTimeoutMs: 1, batchMaxTx: 2 });
    const results = await Promise.allSettled([o.order(tx('a')), o.order(tx('b'))]);
    expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected']);
  });
});
