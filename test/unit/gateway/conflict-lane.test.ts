import { expect } from 'chai';
import { ConflictLanes, MAX_HOT_KEYS } from '../../../gateway/src/ledger/conflict-lane';

const far = () => Date.now() + 60_000;
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('conflict lanes', () => {
  it('grants a free lane at once and hands it on first come, first served', async () => {
    const lanes = new ConflictLanes();
    const order: string[] = [];
    const first = await lanes.acquire('financing:Approve', far());
    expect(first).to.be.a('function');
    const waiters = ['b', 'c', 'd'].map((who) =>
      lanes.acquire('financing:Approve', far()).then((release) => {
        order.push(who);
        return release;
      }),
    );
    await tick();
    expect(order).to.deep.equal([]);
    expect(lanes.waiting('financing:Approve')).to.equal(3);
    first?.();
    for (const w of waiters) (await w)?.();
    expect(order).to.deep.equal(['b', 'c', 'd']);
    expect(lanes.waiting('financing:Approve')).to.equal(0);
  });

  it('keeps lanes apart: another function is not queued behind this one', async () => {
    const lanes = new ConflictLanes();
    const approve = await lanes.acquire('financing:Approve', far());
    const issue = await lanes.acquire('voucher:Issue', Date.now() + 1);
    expect(issue).to.be.a('function');
    approve?.();
    issue?.();
  });

  it('answers undefined at the deadline and takes the waiter out of the queue, so the next still gets its turn', async () => {
    const lanes = new ConflictLanes();
    const holder = await lanes.acquire('k', far());
    const late = lanes.acquire('k', Date.now() + 20);
    const patient = lanes.acquire('k', far());
    expect(await late).to.equal(undefined);
    expect(lanes.waiting('k')).to.equal(1);
    holder?.();
    const next = await patient;
    expect(next).to.be.a('function');
    next?.();
    // The lane is free again: granted at once, even with a deadline already past.
    expect(await lanes.acquire('k', Date.now() - 1)).to.be.a('function');
  });

  it('refuses at once when the deadline has passed and the lane is held', async () => {
    const lanes = new ConflictLanes();
    const holder = await lanes.acquire('k', far());
    expect(await lanes.acquire('k', Date.now() - 1)).to.equal(undefined);
    expect(lanes.waiting('k')).to.equal(0);
    holder?.();
  });

  it('ignores a second release: it never hands the lane to two holders', async () => {
    const lanes = new ConflictLanes();
    const holder = await lanes.acquire('k', far());
    const second = lanes.acquire('k', far());
    const third = lanes.acquire('k', far());
    holder?.();
    holder?.();
    const granted = await second;
    await tick();
    expect(lanes.waiting('k')).to.equal(1); // the third still waits
    granted?.();
    (await third)?.();
  });

  describe('hot keys', () => {
    it('makes the keys a conflicted submit wrote hot while its lane is held, adds those of the waiters, and forgets them all with the lane', async () => {
      const lanes = new ConflictLanes();
      expect(lanes.hasHotKeys('financing:Approve')).to.equal(false);
      const holder = await lanes.acquire('financing:Approve', far(), Date.now, ['CRL-1', 'FIN-1']);
      expect(lanes.hasHotKeys('financing:Approve')).to.equal(true);
      expect(lanes.contended('financing:Approve', ['FIN-9', 'CRL-1'])).to.equal(true);
      expect(lanes.contended('financing:Approve', ['CRL-2', 'FIN-2'])).to.equal(false);
      expect(lanes.contended('voucher:Transfer', ['CRL-1']), 'another lane').to.equal(false);
      const waiter = lanes.acquire('financing:Approve', far(), Date.now, ['CRL-2']);
      expect(lanes.contended('financing:Approve', ['CRL-2'])).to.equal(true);
      holder?.();
      const next = await waiter;
      expect(lanes.contended('financing:Approve', ['CRL-1']), 'still held: the keys stay').to.equal(true);
      next?.();
      expect(lanes.hasHotKeys('financing:Approve')).to.equal(false);
      expect(lanes.contended('financing:Approve', ['CRL-1', 'CRL-2'])).to.equal(false);
    });

    it('keeps at most MAX_HOT_KEYS: past the bound it starts again from the newest conflict\'s keys', async () => {
      const lanes = new ConflictLanes();
      const holder = await lanes.acquire('k', far(), Date.now, ['first']);
      lanes.markHot('k', Array.from({ length: MAX_HOT_KEYS - 1 }, (_, i) => `old-${i}`));
      expect(lanes.contended('k', ['first']), 'at the bound, nothing dropped yet').to.equal(true);
      lanes.markHot('k', ['newest-a', 'newest-b']);
      expect(lanes.contended('k', ['newest-a'])).to.equal(true);
      expect(lanes.contended('k', ['newest-b'])).to.equal(true);
      expect(lanes.contended('k', ['first', 'old-0', `old-${MAX_HOT_KEYS - 2}`])).to.equal(false);
      holder?.();
    });

    it('adds a holder\'s keys when it conflicts again, and ignores keys for a lane nobody holds', async () => {
      const lanes = new ConflictLanes();
      lanes.markHot('k', ['A']);
      expect(lanes.hasHotKeys('k')).to.equal(false);
      const holder = await lanes.acquire('k', far());
      expect(lanes.hasHotKeys('k'), 'a conflict with nothing written (endorsements that disagreed)').to.equal(false);
      lanes.markHot('k', ['A']);
      expect(lanes.contended('k', ['A'])).to.equal(true);
      holder?.();
      expect(lanes.contended('k', ['A'])).to.equal(false);
    });
  });
});

