import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { expect } from 'chai';
import { mentionsMember, writeWithBackpressure } from '../../../gateway/src/http/sse';

/** A response whose socket buffer is full until 'drain' is emitted. */
class FullResponse extends EventEmitter {
  written: string[] = [];
  constructor(private readonly accepts: boolean) {
    super();
  }
  write(chunk: string): boolean {
    this.written.push(chunk);
    return this.accepts;
  }
}

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('SSE writer', () => {
  it('returns at once while the socket accepts writes', async () => {
    const res = new FullResponse(true);
    expect(await settled(writeWithBackpressure(res as unknown as Response, 'a', new AbortController().signal))).to.equal(true);
  });

  it('waits for drain before the next write when the socket buffer is full', async () => {
    const res = new FullResponse(false);
    const p = writeWithBackpressure(res as unknown as Response, 'a', new AbortController().signal);
    expect(await settled(p)).to.equal(false);
    res.emit('drain');
    expect(await settled(p)).to.equal(true);
    expect(res.listenerCount('drain')).to.equal(0);
    expect(res.listenerCount('close')).to.equal(0);
  });

  it('stops waiting when the stream is closed or stopped', async () => {
    const closed = new FullResponse(false);
    const p1 = writeWithBackpressure(closed as unknown as Response, 'a', new AbortController().signal);
    closed.emit('close');
    expect(await settled(p1)).to.equal(true);
    const stop = new AbortController();
    const stopped = new FullResponse(false);
    const p2 = writeWithBackpressure(stopped as unknown as Response, 'a', stop.signal);
    expect(await settled(p2)).to.equal(false);
    stop.abort();
    expect(await settled(p2)).to.equal(true);
  });
});

describe('SSE visibility rule', () => {
  const payload = {
    actor: { memberId: 'A' },
    ids: { receivableId: 'R1', childIds: ['R1.1'], bank: 'E' },
    changes: { to: 'F', holder: { from: 'B', to: 'C' }, children: [{ holder: 'D', amount: '5' }], paidTo: 'G', deliveredTo: 'H', owner: { from: 'I', to: 'J' } },
  };
  it('finds the parties: the actor, any id in ids (arrays included), and the party fields of changes with their {from, to} and the children', () => {
    for (const m of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'R1.1']) expect(mentionsMember(payload, m), m).to.equal(true);
  });
  it('matches whole values only, never keys or substrings', () => {
    expect(mentionsMember(payload, 'R')).to.equal(false);
    expect(mentionsMember(payload, 'holder')).to.equal(false);
    expect(mentionsMember(payload, 'K')).to.equal(false);
  });
  it('never takes free text or an amount for a party: a reason, a payment reference, a commodity, a limit or a status move', () => {
    const typed = {
      actor: { memberId: 'A' },
      ids: { financingId: 'FIN-1' },
      changes: {
        reason: 'M',
        paymentRef: 'M',
        repaymentRef: 'M',
        commodity: 'M',
        amount: 'M',
        limit: { from: '1', to: 'M' },
        status: { from: 'M', to: 'REJECTED' },
        children: [{ id: 'M', quantity: 'M' }],
        nested: { to: 'M', holder: 'M' },
      },
    };
    expect(mentionsMember(typed, 'M')).to.equal(false);
    expect(mentionsMember(null, 'A')).to.equal(false);
    expect(mentionsMember('A', 'A')).to.equal(false);
  });
});
