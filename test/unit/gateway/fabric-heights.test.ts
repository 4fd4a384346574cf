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

  it('answers the height it last read: caught up or given up on; nothing when it asked nothing or the peer did not answer', async () => {
    const p = peers({ CoreMSP: 21, PlatformMSP: 5 });
    let clock = 0;
    const t = new HeightTracker({ maxWaitMs: 100, pollMs: 25, sleep: (ms) => ((clock += ms), Promise.resolve()), now: () => clock });
    t.committed('CoreMSP', 20);
    expect(await t.caughtUp('CoreMSP', p.of('CoreMSP'))).to.equal(undefined);
    expect(await t.caughtUp('PlatformMSP', p.of('PlatformMSP'))).to.equal(5);
    p.heights.set('PlatformMSP', 22);
    expect(await t.caughtUp('PlatformMSP', p.of('PlatformMSP'))).to.equal(22);
    expect(await t.caughtUp('BankMSP', p.of('BankMSP'))).to.equal(undefined);
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
  describe("another org's endorsing peer behind the gateway's writes", () => {
    const refused = new Error('[NOT_FOUND] voucher V-1 not found');
    const onState = (err: unknown) => err === refused;
    /** A submit refused while `stale()` holds, answered once it no longer does; counts its runs. */
    function submit(stale: () => boolean) {
      const runs: number[] = [];
      return {
        runs,
        call: () => {
          runs.push(runs.length + 1);
          return stale() ? Promise.reject(refused) : Promise.resolve('ok');
        },
      };
    }

    it('waits until every endorser has the newest write, then endorses once more', async () => {
      const p = peers({ PlatformMSP: 13, CoreMSP: 13, BankMSP: 12 });
      let clock = 0;
      const t = new HeightTracker({
        sleep: (ms) => {
          clock += ms;
          if (clock >= 50) p.heights.set('BankMSP', 13);
          return Promise.resolve();
        },
        now: () => clock,
      });
      t.committed('PlatformMSP', 12);
      const s = submit(() => (p.heights.get('BankMSP') ?? 0) < 13);
      const endorsers = new Map(['PlatformMSP', 'CoreMSP', 'BankMSP'].map((m) => [m, p.of(m)]));
      expect(await t.withEndorsersCaughtUp(s.call, endorsers, onState)).to.equal('ok');
      expect(s.runs).to.deep.equal([1, 2]);
      expect(p.asked.filter((m) => m === 'BankMSP').length).to.be.greaterThan(1);
      expect(p.asked).to.not.include('PlatformMSP'); // known to have it: it committed the write
    });

    it('answers a refusal that stands after the retry, and retries at most once', async () => {
      const p = peers({ PlatformMSP: 13, CoreMSP: 13 });
      const t = new HeightTracker();
      t.committed('PlatformMSP', 12);
      const s = submit(() => true);
      const endorsers = new Map(['PlatformMSP', 'CoreMSP'].map((m) => [m, p.of(m)]));
      let caught: unknown;
      await t.withEndorsersCaughtUp(s.call, endorsers, onState).catch((e: unknown) => (caught = e));
      expect(caught).to.equal(refused);
      expect(s.runs).to.deep.equal([1, 2]);
    });

    it('does not retry when every endorser is known to have the writes, nor on another error', async () => {
      const p = peers({ PlatformMSP: 13, CoreMSP: 13 });
      const t = new HeightTracker();
      t.committed('PlatformMSP', 12);
      t.committed('CoreMSP', 12);
      const endorsers = new Map(['PlatformMSP', 'CoreMSP'].map((m) => [m, p.of(m)]));
      const s = submit(() => true);
      let caught: unknown;
      await t.withEndorsersCaughtUp(s.call, endorsers, onState).catch((e: unknown) => (caught = e));
      expect(caught).to.equal(refused);
      expect(s.runs).to.deep.equal([1]);

      const other = new Error('[VALIDATION_FAILED] amount');
      const t2 = new HeightTracker();
      t2.committed('PlatformMSP', 12);
      let runs = 0;
      const failing = () => {
        runs += 1;
        return Promise.reject(other);
      };
      await t2.withEndorsersCaughtUp(failing, endorsers, onState).catch((e: unknown) => (caught = e));
      expect(caught).to.equal(other);
      expect(runs).to.equal(1);
      expect(p.asked).to.deep.equal([]);
    });
  });
});
