import { expect } from 'chai';
import sinon from 'sinon';
import type { CommitResult, EndorsedTransaction, WorldState } from '../../../chaincode/src/worldstate';
import { StoreError } from '../../../gateway/src/ledger/embedded/level-backend';
import { Orderer } from '../../../gateway/src/ledger/embedded/orderer';
import { rejectionOf as rejection } from '../../support/rejection';

const tx = (txId: string) => ({ status: 'ENDORSED', txId }) as unknown as EndorsedTransaction;

function fakeWorld() {
  let height = 0;
  const commitBlock = sinon.stub<[readonly EndorsedTransaction[]], Promise<CommitResult>>().callsFake((txs) =>
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

  it('answers every transaction of a block whose write failed COMMIT_TIMEOUT with its own tx id', async () => {
    const cause = new StoreError('write block 0', new Error('IO error: No space left on device'), { writeOutcomeUnknown: true });
    const world = { commitBlock: sinon.stub().rejects(cause) } as unknown as WorldState;
    const o = new Orderer(world, { batchTimeoutMs: 1, batchMaxTx: 2 });
    const errs = await Promise.all([rejection(o.order(tx('a'))), rejection(o.order(tx('b')))]);
    expect(errs.map((e) => [e.code, e.txId])).to.deep.equal([['COMMIT_TIMEOUT', 'a'], ['COMMIT_TIMEOUT', 'b']]);
    expect(errs[0]?.cause).to.equal(cause);
  });

  it('after a failed block write, writes no more blocks: queued and new transactions are refused LEDGER_UNAVAILABLE', async () => {
    const { world, commitBlock } = fakeWorld();
    commitBlock.onFirstCall().rejects(new StoreError('write block 0', new Error('IO error'), { writeOutcomeUnknown: true }));
    const o = new Orderer(world, { batchTimeoutMs: 1, batchMaxTx: 1 });
    // b is cut into its own block while a's write is still failing: it queues behind it.
    const [a, b] = await Promise.all([rejection(o.order(tx('a'))), rejection(o.order(tx('b')))]);
    expect(a.code).to.equal('COMMIT_TIMEOUT');
    expect(b.code).to.equal('LEDGER_UNAVAILABLE');
    const c = await rejection(o.order(tx('c')));
    expect([c.code, c.txId]).to.deep.equal(['LEDGER_UNAVAILABLE', undefined]);
    expect(c.detail).to.contain('restart');
    expect(commitBlock.callCount).to.equal(1);
    await o.close();
  });

  it('treats an unexpected commit failure as a block of unknown outcome and stops', async () => {
    const { world, commitBlock } = fakeWorld();
    commitBlock.onFirstCall().rejects(new Error('block 7 does not follow the last block: expected 8'));
    const o = new Orderer(world, { batchTimeoutMs: 1, batchMaxTx: 100 });
    expect((await rejection(o.order(tx('a')))).code).to.equal('COMMIT_TIMEOUT');
    expect((await rejection(o.order(tx('b')))).code).to.equal('LEDGER_UNAVAILABLE');
    expect(commitBlock.callCount).to.equal(1);
  });

  it('refuses the block LEDGER_UNAVAILABLE when a store read before the write failed, and commits the next one', async () => {
    const { world, commitBlock } = fakeWorld();
    const cause = new StoreError('read transaction statuses', new Error('IO error'));
    commitBlock.onFirstCall().rejects(cause);
    const o = new Orderer(world, { batchTimeoutMs: 1, batchMaxTx: 100 });
    const a = await rejection(o.order(tx('a')));
    expect(a).to.equal(cause);
    expect([a.code, a.txId]).to.deep.equal(['LEDGER_UNAVAILABLE', undefined]);
    const b = await o.order(tx('b'));
    expect([b.txId, b.validationCode]).to.deep.equal(['b', 'VALID']);
    expect(commitBlock.callCount).to.equal(2);
  });
});
