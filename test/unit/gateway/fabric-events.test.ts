import { expect } from 'chai';
import {
  type ChaincodeEventLike,
  type CheckpointLike,
  type EventSourceLike,
  fabricEvents,
  parseFabricCursor,
} from '../../../gateway/src/ledger/fabric/events';
import { LedgerError, type LedgerEvent } from '../../../gateway/src/ledger/ledger';

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

  describe('stream failures', () => {
    /** A peer whose every open fails with the given gRPC code. */
    const refusing = (code: number) => {
      const peer = { opens: 0, open: () => ((peer.opens += 1), Promise.reject(Object.assign(new Error(`grpc ${code}`), { code }))) };
      return peer;
    };
    const recorder = () => {
      const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
      return { lines, warn: (obj: object, msg: string) => lines.push({ obj: obj as Record<string, unknown>, msg }) };
    };

    for (const [name, code] of [['INVALID_ARGUMENT', 3], ['NOT_FOUND', 5], ['PERMISSION_DENIED', 7], ['UNAUTHENTICATED', 16]] as const) {
      it(`ends the iteration with the error on ${name} instead of reconnecting forever, and logs it`, async () => {
        const peer = refusing(code);
        const log = recorder();
        const ac = new AbortController();
        let caught: unknown;
        try {
          await take(fabricEvents(peer, undefined, ac.signal, () => Promise.resolve(), log), 1, ac);
        } catch (err) {
          caught = err;
        }
        expect((caught as { code?: number } | undefined)?.code).to.equal(code);
        expect(peer.opens).to.equal(1);
        expect(log.lines).to.have.length(1);
        expect(log.lines[0]?.obj).to.include({ code, permanent: true });
      });
    }

    it('logs each transient failure and keeps reconnecting from its checkpoint', async () => {
      const peer = new FakePeer(LOG, [1, 2]);
      const log = recorder();
      const ac = new AbortController();
      const got = await take(fabricEvents(peer, undefined, ac.signal, () => Promise.resolve(), log), 5, ac);
      expect(got.map((e) => e.txId)).to.deep.equal(['a', 'b', 'c', 'd', 'e']);
      expect(log.lines.map((l) => l.obj.permanent)).to.deep.equal([false, false]);
    });

    it('retries an UNAVAILABLE peer (transient) rather than ending', async () => {
      let opens = 0;
      const peer = {
        open: (cp: CheckpointLike) => (++opens <= 2 ? Promise.reject(Object.assign(new Error('down'), { code: 14 })) : new FakePeer(LOG).open(cp)),
      };
      const ac = new AbortController();
      const got = await take(fabricEvents(peer, undefined, ac.signal, () => Promise.resolve()), 2, ac);
      expect(got.map((e) => e.txId)).to.deep.equal(['a', 'b']);
      expect(opens).to.equal(3);
    });
  });

  describe('a cursor from another chain', () => {
    /** FakePeer with a verify step answering from `answers` in turn (the last one repeats). */
    const checking = (answers: Array<() => Promise<void>>) => {
      const peer = new FakePeer(LOG);
      const asked: string[] = [];
      const source: EventSourceLike = {
        open: (cp) => peer.open(cp),
        verify: (cursor) => {
          asked.push(cursor);
          return (answers.length > 1 ? (answers.shift() as () => Promise<void>) : (answers[0] as () => Promise<void>))();
        },
      };
      return { peer, asked, source };
    };

    for (const code of ['NOT_FOUND', 'FORBIDDEN'] as const) {
      it(`ends the iteration with ${code} before opening any stream, and asks once (asking again cannot help)`, async () => {
        const { peer, asked, source } = checking([() => Promise.reject(new LedgerError(code, 'event cursor 4:0:c is not on channel scf'))]);
        const ac = new AbortController();
        const failed = await take(fabricEvents(source, '4:0:c', ac.signal, () => Promise.resolve()), 1, ac).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(failed).to.be.instanceOf(LedgerError).and.to.include({ code });
        expect(asked).to.deep.equal(['4:0:c']);
        expect(peer.opened).to.deep.equal([]);
      });
    }

    it('asks again while the ledger cannot answer, then streams strictly after the cursor; reconnects do not ask again', async () => {
      const { asked, source } = checking([
        () => Promise.reject(new LedgerError('LEDGER_UNAVAILABLE', 'peer down')),
        () => Promise.resolve(),
      ]);
      const broken = new FakePeer(LOG, [1]);
      const ac = new AbortController();
      const got = await take(fabricEvents({ ...source, open: (cp) => broken.open(cp) }, '3:1:b', ac.signal, () => Promise.resolve()), 3, ac);
      expect(got.map((e) => e.txId)).to.deep.equal(['c', 'd', 'e']);
      expect(asked).to.deep.equal(['3:1:b', '3:1:b']);
      expect(broken.opened).to.have.length(2);
    });

    it('is not asked when the stream starts from the beginning', async () => {
      const { asked, source } = checking([() => Promise.reject(new LedgerError('NOT_FOUND', 'never'))]);
      const ac = new AbortController();
      const got = await take(fabricEvents(source, undefined, ac.signal, () => Promise.resolve()), 1, ac);
      expect(got.map((e) => e.txId)).to.deep.equal(['a']);
      expect(asked).to.deep.equal([]);
    });
  });

  it('rejects a malformed cursor with VALIDATION_FAILED', () => {
    expect(() => parseFabricCursor('12-abc')).to.throw(/VALIDATION_FAILED/);
  });
});
