import { expect } from 'chai';
import { HeightTracker } from '../../../gateway/src/ledger/fabric/heights';

/** Peers whose heights the test moves; counts the questions asked. */
function peers(initial: Record<string, number>) {
  const heights = new Map(Object.entries(initial));
  const asked: string[] = [];
  return {
    heights,
    asked,
    of: (mspId: string) => () => {
      asked.push(mspId);
      const h = heights.get(mspId);
      return h === undefined ? Promise.reject(new Error('unreachable')) : Promise.resolve(h);
    },
  };
}

describe('fabric connector: read-your-writes across organisations', () => {
  it('asks nothing while no write of the gateway is newer than what a peer is known to have', async () => {
    const p = peers({ CoreMSP: 10, PlatformMSP: 10 });
    const t = new HeightTracker();
    await t.caughtUp('PlatformMSP', p.of('PlatformMSP'));
    t.committed('CoreMSP', 9);
    await t.caughtUp('CoreMSP', p.of('CoreMSP'));
    expect(p.asked).to.deep.equal([]);
  });

  it("waits until another org's peer has the block the core enterprise's write committed in", async () => {
    const p = peers({ CoreMSP: 13, PlatformMSP: 12 });
    let clock = 0;
    const t = new HeightTracker({
      sleep: (ms) => {
        clock += ms;
        if (clock >= 50) p.heights.set('PlatformMSP', 13); // the supplier's peer commits block 12
        return Promise.resolve();
      },
      now: () => clock,
    });
    t.committed('CoreMSP', 12);
    await t.caughtUp('PlatformMSP', p.of('PlatformMSP'));
    expect(p.heights.get('PlatformMSP')).to.equal(13);
    expect(p.asked.filter((m) => m === 'PlatformMSP').length).to.equal(3);
    // Known now: no second question.
    await t.caughtUp('PlatformMSP', p.of('PlatformMSP'));
    expect(p.asked.length).to.equal(3);
  });

  it('gives up after the bound, and on an unreachable peer, without failing the call', async () => {
    const p = peers({ CoreMSP: 21, PlatformMSP: 5 });
    let clock = 0;
    const t = new HeightTracker({ maxWaitMs: 100, pollMs: 25, sleep: (ms) => ((clock += ms), Promise.resolve()), now: () => clock });
    t.committed('CoreMSP', 20);
    await t.caughtUp('PlatformMSP', p.of('PlatformMSP'));
    expect(clock).to.be.at.least(100).and.at.most(125);
    await t.caughtUp('BankMSP', p.of('BankMSP'));
    expect(p.asked).to.include('BankMSP');
  });
});
