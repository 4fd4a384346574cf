import { expect } from 'chai';
import fc from 'fast-check';
import {
  cpuCores,
  invalidRate,
  median,
  pairedRatio,
  percentile,
  ratio,
  spread,
  summariseLatencies,
  throughput,
} from '../../../scripts/bench/stats';

describe('bench statistics', () => {
  describe('percentile (nearest rank)', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100

    it('picks the value at the nearest rank of a list of 1..100', () => {
      expect(percentile(hundred, 50)).to.equal(50);
      expect(percentile(hundred, 95)).to.equal(95);
      expect(percentile(hundred, 99)).to.equal(99);
      expect(percentile(hundred, 99.5)).to.equal(100);
    });

    it('gives the minimum at p0 and the maximum at p100', () => {
      expect(percentile([7, 3, 9], 0)).to.equal(3);
      expect(percentile([7, 3, 9], 100)).to.equal(9);
    });

    it('does not depend on the order of the input and leaves it unchanged', () => {
      const input = [5, 1, 4, 2, 3];
      expect(percentile(input, 50)).to.equal(3);
      expect(input).to.deep.equal([5, 1, 4, 2, 3]);
    });

    it('rounds the rank up on small samples rather than interpolating', () => {
      // 4 values: rank ceil(0.5 * 4) = 2 → the second smallest, not 2.5.
      expect(percentile([1, 2, 3, 4], 50)).to.equal(2);
      expect(percentile([1, 2, 3, 4], 95)).to.equal(4);
    });

    it('always answers one of the observed values, never below the minimum nor above the maximum', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0, max: 100, noNaN: true }), (values, p) => {
          const v = percentile(values, p);
          expect(values).to.include(v);
          expect(v).to.be.at.least(Math.min(...values));
          expect(v).to.be.at.most(Math.max(...values));
        }),
      );
    });

    it('never decreases as p grows', () => {
      fc.assert(
        fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 40 }), fc.double({ min: 0, max: 100, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true }), (values, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(percentile(values, lo)).to.be.at.most(percentile(values, hi));
        }),
      );
    });

    it('refuses an empty list, a non-finite value and p outside 0..100', () => {
      expect(() => percentile([], 50)).to.throw(RangeError, 'no values');
      expect(() => percentile([1, Number.NaN], 50)).to.throw(RangeError, 'not a finite number');
      expect(() => percentile([1, 2], -1)).to.throw(RangeError, 'within 0..100');
      expect(() => percentile([1, 2], 101)).to.throw(RangeError, 'within 0..100');
    });
  });

  describe('median', () => {
    it('is the middle value of an odd count and the mean of the two middle values of an even count', () => {
      expect(median([9, 1, 5])).to.equal(5);
      expect(median([4, 1, 3, 2])).to.equal(2.5);
    });

    it('refuses an empty list', () => {
      expect(() => median([])).to.throw(RangeError);
    });
  });

  describe('latency summary', () => {
    it('reports count, min, mean, p50, p95, p99 and max of the latencies', () => {
      const ms = Array.from({ length: 200 }, (_, i) => (i + 1) / 2); // 0.5 .. 100
      expect(summariseLatencies(ms)).to.deep.equal({ count: 200, min: 0.5, mean: 50.25, p50: 50, p95: 95, p99: 99, max: 100 });
    });

    it('agrees with percentile for any sample', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 60 }), (ms) => {
          const s = summariseLatencies(ms);
          expect([s.p50, s.p95, s.p99]).to.deep.equal([percentile(ms, 50), percentile(ms, 95), percentile(ms, 99)]);
          expect(s.min).to.be.at.most(s.p50);
          expect(s.p99).to.be.at.most(s.max);
        }),
      );
    });
  });

  describe('throughput and CPU', () => {
    it('divides operations by wall seconds', () => {
      expect(throughput(500, 250)).to.equal(2000);
      expect(throughput(0, 1000)).to.equal(0);
    });

    it('refuses a zero or negative wall time and a fractional operation count', () => {
      expect(() => throughput(10, 0)).to.throw(RangeError, 'wall time must be positive');
      expect(() => throughput(10, -5)).to.throw(RangeError);
      expect(() => throughput(1.5, 100)).to.throw(RangeError, 'whole number');
    });

    it('counts user plus system CPU microseconds per millisecond of wall time, in cores', () => {
      // 1.5 s of CPU over 1 s of wall: one and a half cores busy.
      expect(cpuCores({ user: 1_200_000, system: 300_000 }, 1000)).to.equal(1.5);
      expect(() => cpuCores({ user: 1, system: 1 }, 0)).to.throw(RangeError);
      expect(() => cpuCores({ user: -1, system: 0 }, 10)).to.throw(RangeError, 'non-negative');
    });
  });

  describe('invalid rate', () => {
    it('is the share of ordered transactions committed with a read conflict', () => {
      expect(invalidRate({ VALID: 1, MVCC_READ_CONFLICT: 63 })).to.equal(63 / 64);
      expect(invalidRate({ VALID: 90, MVCC_READ_CONFLICT: 6, PHANTOM_READ_CONFLICT: 4 })).to.equal(0.1);
    });

    it('leaves out transactions that failed endorsement and so were never ordered', () => {
      expect(invalidRate({ VALID: 3, MVCC_READ_CONFLICT: 1, REJECTED: 96 })).to.equal(0.25);
    });

    it('is 0 when everything committed valid or nothing was ordered', () => {
      expect(invalidRate({ VALID: 640 })).to.equal(0);
      expect(invalidRate({ REJECTED: 5 })).to.equal(0);
      expect(invalidRate({})).to.equal(0);
    });

    it('refuses a count that is not a whole number', () => {
      expect(() => invalidRate({ VALID: -1 })).to.throw(RangeError);
      expect(() => invalidRate({ VALID: 2.5 })).to.throw(RangeError);
    });
  });

  describe('ratios', () => {
    it('divides the numerator by the denominator', () => {
      expect(ratio(750, 3000)).to.equal(0.25);
      expect(ratio(0, 3)).to.equal(0);
    });

    it('refuses a zero, negative or non-finite denominator and a negative numerator', () => {
      expect(() => ratio(1, 0)).to.throw(RangeError, 'denominator must be positive');
      expect(() => ratio(1, -2)).to.throw(RangeError);
      expect(() => ratio(1, Number.POSITIVE_INFINITY)).to.throw(RangeError);
      expect(() => ratio(-1, 2)).to.throw(RangeError, 'numerator');
    });

    it('pairs numerator and denominator repeat by repeat, then takes the median of the ratios', () => {
      // Repeat 2 is slower for both phases: pairing cancels it, the ratio stays 0.5.
      const r = pairedRatio([500, 250, 510], [1000, 500, 1000]);
      expect(r.values).to.deep.equal([0.5, 0.5, 0.51]);
      expect(r.median).to.equal(0.5);
      expect([r.min, r.max]).to.deep.equal([0.5, 0.51]);
    });

    it('differs from the ratio of medians when repeats drift, which is why it pairs', () => {
      const num = [100, 300, 200];
      const den = [200, 200, 1000];
      expect(pairedRatio(num, den).median).to.equal(0.5);
      expect(median(num) / median(den)).to.equal(1);
    });

    it('refuses series of different lengths', () => {
      expect(() => pairedRatio([1, 2], [1])).to.throw(RangeError, '2 numerators but 1 denominators');
    });

    it('reports the spread of repeated values', () => {
      expect(spread([3, 1, 2])).to.deep.equal({ median: 2, min: 1, max: 3, values: [3, 1, 2] });
    });
  });
});
