import { expect } from 'chai';
import {
  type ChaincodeEventLike,
  type CheckpointLike,
  type EventSourceLike,
  fabricEvents,
  parseFabricCursor,
} from '../../../gateway/src/ledger/fabric/events';
import type { LedgerEvent } from '../../../gateway/src/ledger/ledger';

const ev = (block: number, txId: string, name = 'VoucherIssued'): ChaincodeEventLike => ({
  blockNumber: BigInt(block),
  transactionId: txId,
  eventName: name,
  payload: Buffer.from(JSON.stringify({ ids: { id: txId } })),
});

/** A fake peer: serves the log from the checkpoint like fabric-gateway does; can break after n events. */
class FakePeer implements EventSourceLike {
  opened: Array<{ block: bigint | undefined; txId: string | undefined }> = [];
  constructor(
    private readonly log: ChaincodeEventLike[],
    private breakAfter: number[] = [],
  ) {}
  open(cp: CheckpointLike) {
    const block = cp.getBlockNumber();
    const txId = cp.getTransactionId();
    this.opened.push({ block, txId });
    let items = this.log.filter((e) => block === undefined || e.blockNumber >= block);
    if (txId !== undefined) {
      const i = items.findIndex((e) => e.transactionId === txId);
      if (i >= 0) items = items.slice(i + 1);
    }
    const limit = this.breakAfter.shift();
    let closed = false;
    return Promise.resolve({
      close: () => {
        closed = true;
      },
      async *[Symbol.asyncIterator]() {
        let n = 0;
        for (const e of items) {
          if (closed) return;
          if (limit !== undefined && n === limit) throw new Error('stream broke');
          n += 1;
          yield e;
        }
        // a live stream waits for more: emulate by hanging until closed
        while (!closed) await new Promise((r) => setTimeout(r, 5));
      },
    });
  }
}

async function take(it: AsyncIterable<LedgerEvent>, n: number, ac: AbortController): Promise<LedgerEvent[]> {
  const out: LedgerEvent[] = [];
  for await (const e of it) {
    out.push(e);
    if (out.length === n) break;
  }
  ac.abort();
  return out;
}

const LOG = [ev(3, 'a'), ev(3, 'b'), ev(4, 'c'), ev(6, 'd'), ev(6, 'e')];

describe('fabric connector event stream', () => {
  it('streams events with block, position and decoded payload, from block 0 when no cursor is given', async () => {
    const peer = new FakePeer(LOG);
    const ac = new AbortController();
    const got = await take(fabricEvents(peer, undefined, ac.signal, () => Promise.resolve()), 5, ac);
    expect(got.map((e) => [e.blockNumber, e.txIndex, e.txId])).to.deep.equal([[3, 0, 'a'], [3, 1, 'b'], [4, 0, 'c'], [6, 0, 'd'], [6, 1, 'e']]);
    expect(got[0]?.payload).to.deep.equal({ ids: { id: 'a' } });
    expect(peer.opened[0]).to.deep.equal({ block: 0n, txId: undefined });
  });

  it('resumes strictly after a cursor, without loss or duplicates', async () => {
    const ac1 = new AbortController();
    const first = await take(fabricEvents(new FakePeer(LOG), undefined, ac1.signal), 2, ac1);
    const cursor = first[1]?.cursor as string;
    const ac2 = new AbortController();
    const rest = await take(fabricEvents(new FakePeer(LOG), cursor, ac2.signal), 3, ac2);
    expect([...first, ...rest].map((e) => e.txId)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(rest.map((e) => e.cursor)).to.deep.equal(['4:0:c', '6:0:d', '6:1:e']);
  });

  it('reconnects from its checkpoint when the stream breaks, delivering each event once', async () => {
    const peer = new FakePeer(LOG, [1, 2]);
    const ac = new AbortController();
    const got = await take(fabricEvents(peer, undefined, ac.signal, () => Promise.resolve()), 5, ac);
    expect(got.map((e) => e.txId)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
    expect(peer.opened.slice(1)).to.deep.equal([
      { block: 3n, txId: 'a' },
      { block: 4n, txId: 'c' },
    ]);
  });

  it('rejects a malformed cursor with VALIDATION_FAILED', () => {
    expect(() => parseFabricCursor('12-abc')).to.throw(/VALIDATION_FAILED/);
  });
});
