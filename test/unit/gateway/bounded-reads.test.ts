import { expect } from 'chai';
import fc from 'fast-check';
import { mapBounded } from '../../../gateway/src/reports/portfolio';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A call that counts how many of its kind are under way, the most at once, and what started. */
function counted<T>() {
  const seen = { inFlight: 0, most: 0, started: [] as T[] };
  const call = async (item: T, ms = 1): Promise<T> => {
    seen.started.push(item);
    seen.inFlight += 1;
    seen.most = Math.max(seen.most, seen.inFlight);
    try {
      await tick(ms);
      return item;
    } finally {
      seen.inFlight -= 1;
    }
  };
  return { seen, call };
}

describe('reads by id, a bounded number at a time (mapBounded)', () => {
  it('keeps at most `limit` calls under way, uses them all, and answers in the items’ order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), async (delays, limit) => {
        const { seen, call } = counted<number>();
        const items = delays.map((_, i) => i);
        const out = await mapBounded(items, limit, (i) => call(i, delays[i]));
        expect(out).to.deep.equal(items);
        expect(seen.most).to.be.at.most(limit);
        expect(seen.most).to.equal(Math.min(limit, items.length));
        expect(seen.inFlight).to.equal(0);
      }),
      { numRuns: 40 },
    );
  });

  it('throws the first failure once the calls under way end, and starts none after it', async () => {
    const { seen, call } = counted<number>();
    const items = Array.from({ length: 50 }, (_, i) => i);
    const failure = new Error('peer refused item 7');
    const run = mapBounded(items, 4, async (i) => {
      if (i === 7) {
        await tick(1);
        throw failure;
      }
      return call(i, 3);
    });
    await run.then(
      () => expect.fail('resolved despite a failure'),
      (err: unknown) => expect(err).to.equal(failure),
    );
    expect(seen.inFlight, 'nothing still running when it threw').to.equal(0);
    expect(Math.max(...seen.started)).to.be.below(12);
  });

  it('refuses a limit that is not a positive integer, calling nothing', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      let called = false;
      await mapBounded([1, 2], limit, (x) => {
        called = true;
        return Promise.resolve(x);
      }).then(
        () => expect.fail(`accepted limit ${limit}`),
        (err: unknown) => expect(err).to.be.instanceOf(RangeError),
      );
      expect(called).to.equal(false);
    }
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapBounded([], 3, () => Promise.reject(new Error('called')))).to.deep.equal([]);
  });
});
