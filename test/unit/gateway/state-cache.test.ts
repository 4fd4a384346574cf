import { expect } from 'chai';
import fc from 'fast-check';
import { StateCache, TxStatusCache } from '../../../gateway/src/ledger/embedded/state-cache';

const entry = (text: string, blockNumber = 1) => ({ version: { blockNumber, txIndex: 0 }, value: Buffer.from(text) });
const text = (v: { value: Uint8Array } | null | undefined) => (v ? Buffer.from(v.value).toString() : v);

describe('state cache (embedded ledger)', () => {
  it('tells a known value, a known absence and an unknown key apart', () => {
    const cache = new StateCache(1 << 20);
    cache.set('present', entry('v'));
    cache.set('absent', null);
    expect(text(cache.get('present'))).to.equal('v');
    expect(cache.get('absent')).to.equal(null);
    expect(cache.get('unknown')).to.equal(undefined);
    cache.delete('present');
    expect(cache.get('present')).to.equal(undefined);
  });

  it('copies values in and out', () => {
    const cache = new StateCache(1 << 20);
    const given = entry('abc');
    cache.set('k', given);
    given.value.write('X');
    const out = cache.get('k')!;
    (out.value as Buffer).write('Y');
    expect(text(cache.get('k'))).to.equal('abc');
  });

  it('keeps what was used recently when it must drop entries', () => {
    // Room for about 10 entries of 100 bytes of value per generation.
    const cache = new StateCache(2 * 10 * (96 + 2 * 4 + 100));
    cache.set('hot1', entry('h'.repeat(100)));
    for (let i = 0; i < 100; i++) {
      cache.set(`k${String(i).padStart(2, '0')}`, entry('x'.repeat(100)));
      expect(text(cache.get('hot1'))).to.equal('h'.repeat(100));
    }
    expect(cache.get('k00')).to.equal(undefined);
    expect(text(cache.get('k99'))).to.equal('x'.repeat(100));
  });

  it('holds nothing at size 0, and nothing larger than half its bound', () => {
    const none = new StateCache(0);
    none.set('k', entry('v'));
    none.set('a', null);
    expect(none.get('k')).to.equal(undefined);
    expect(none.get('a')).to.equal(undefined);
    expect(none.stats()).to.deep.equal({ keys: 0, bytes: 0 });
    const small = new StateCache(1000);
    small.set('big', entry('x'.repeat(600)));
    expect(small.get('big')).to.equal(undefined);
  });

  it('refuses a size that is not a whole number of bytes', () => {
    expect(() => new StateCache(-1)).to.throw(RangeError, /whole number/);
    expect(() => new StateCache(1.5)).to.throw(RangeError, /whole number/);
  });

  it('answers like a map of the last value set, whenever it answers, and stays within its bound', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 40 }), value: fc.option(fc.string({ maxLength: 80 })) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4000 }), fc.array(op, { maxLength: 300 }), (maxBytes, ops) => {
        const cache = new StateCache(maxBytes);
        const model = new Map<string, string | null>();
        for (const o of ops) {
          const key = `key-${o.key}`;
          if (o.kind === 'set') {
            cache.set(key, o.value === null ? null : entry(o.value));
            model.set(key, o.value);
          } else if (o.kind === 'delete') {
            cache.delete(key);
            model.delete(key);
          } else {
            const got = cache.get(key);
            if (got !== undefined) expect(got === null ? null : text(got)).to.equal(model.get(key));
          }
          expect(cache.stats().bytes).to.be.at.most(maxBytes);
        }
      }),
    );
  });

  it('caches transaction statuses as copies', () => {
    const cache = new TxStatusCache(1 << 16);
    const status = { txId: 'tx-1', validationCode: 'VALID' as const, blockNumber: 3, txIndex: 1 };
    cache.set('tx-1', status);
    cache.set('tx-2', null);
    const got = cache.get('tx-1');
    expect(got).to.deep.equal(status);
    expect(got).not.to.equal(status);
    expect(cache.get('tx-2')).to.equal(null);
  });
});
