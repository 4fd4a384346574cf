import { expect } from 'chai';
import fc from 'fast-check';
import { formatAmount, parseAmount, parsePositiveAmount, roundHalfUpDiv, sum } from '../../../chaincode/src/domain/money';
import { expectDomainError } from './fixtures';

describe('domain/money', () => {
  describe('parseAmount', () => {
    const accepted: [string, bigint][] = [
      ['0', 0n],
      ['1', 1n],
      ['150000', 150000n],
      ['9999999999999999999', 9999999999999999999n],
      ['1000000000000000000', 1000000000000000000n],
    ];
    for (const [text, value] of accepted) {
      it(`reads "${text}" as ${value} minor units`, () => {
        expect(parseAmount(text, 'amount')).to.equal(value);
      });
    }

    const rejected: [string, unknown][] = [
      ['an empty string', ''],
      ['a float', '1.5'],
      ['a trailing decimal point', '100.'],
      ['a plus sign', '+100'],
      ['a minus sign', '-100'],
      ['a leading zero', '0100'],
      ['two zeros', '00'],
      ['an exponent', '1e5'],
      ['surrounding whitespace', ' 100'],
      ['a thousands separator', '1,000'],
      ['twenty digits', '10000000000000000000'],
      ['full-width digits', '１００'],
      ['hex', '0x10'],
      ['a JSON number', 100],
      ['a bigint', 100n],
      ['null', null],
      ['undefined', undefined],
    ];
    for (const [what, input] of rejected) {
      it(`rejects ${what} with VALIDATION_FAILED naming the field`, () => {
        expectDomainError(() => parseAmount(input, 'receivable.amount'), 'VALIDATION_FAILED', 'receivable.amount');
      });
    }

    it('round-trips every integer of up to 19 digits through formatAmount', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 9999999999999999999n }), (n) => {
          expect(parseAmount(formatAmount(n), 'a')).to.equal(n);
        }),
      );
    });
  });

  describe('parsePositiveAmount', () => {
    it('accepts 1 and rejects 0', () => {
      expect(parsePositiveAmount('1', 'amount')).to.equal(1n);
      expectDomainError(() => parsePositiveAmount('0', 'amount'), 'VALIDATION_FAILED', 'at least 1');
    });
  });

  describe('formatAmount', () => {
    it('writes minor units as a plain decimal string', () => {
      expect(formatAmount(0n)).to.equal('0');
      expect(formatAmount(150000n)).to.equal('150000');
    });
    it('refuses negative amounts', () => {
      expectDomainError(() => formatAmount(-1n), 'BUSINESS_RULE', 'negative');
    });
    it('refuses amounts longer than 19 digits', () => {
      expectDomainError(() => formatAmount(10n ** 19n), 'BUSINESS_RULE', '19 digits');
    });
  });

  describe('sum', () => {
    it('adds bigints exactly, beyond the float range', () => {
      expect(sum([])).to.equal(0n);
      expect(sum([9007199254740993n, 1n, 2n])).to.equal(9007199254740996n);
    });
  });

  describe('roundHalfUpDiv', () => {
    const cases: [bigint, bigint, bigint][] = [
      [10n, 4n, 3n], // 2.5 -> 3
      [9n, 4n, 2n], // 2.25 -> 2
      [11n, 4n, 3n], // 2.75 -> 3
      [1n, 2n, 1n], // 0.5 -> 1
      [1n, 3n, 0n],
      [0n, 7n, 0n],
      [12n, 4n, 3n],
      [-10n, 4n, -3n], // halves away from zero
      [-9n, 4n, -2n],
      [10n, -4n, -3n],
    ];
    for (const [n, d, q] of cases) {
      it(`rounds ${n}/${d} to ${q}`, () => {
        expect(roundHalfUpDiv(n, d)).to.equal(q);
      });
    }
    it('rounds a discount the way DESIGN 2.4 computes it', () => {
      // face 1,000,000.00 CNY at 4.35% for 90 days: 100000000 * 435 * 90 / 3600000 = 1087500 exactly
      expect(roundHalfUpDiv(100000000n * 435n * 90n, 10000n * 360n)).to.equal(1087500n);
      // 333.33 CNY at 4.35% for 31 days: 33333 * 435 * 31 / 3600000 = 124.86... fen -> 125 fen
      expect(roundHalfUpDiv(33333n * 435n * 31n, 3600000n)).to.equal(125n);
    });
    it('matches floor(n/d + 1/2) for non-negative numerators', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), (n, d) => {
          const q = roundHalfUpDiv(n, d);
          // q is the nearest integer to n/d and a tie goes up: -d/2 <= n - q*d < d/2
          const twice = 2n * (n - q * d);
          expect(twice >= -d && twice < d, `${n}/${d} -> ${q}`).to.equal(true);
        }),
      );
    });
    it('refuses a zero denominator', () => {
      expectDomainError(() => roundHalfUpDiv(1n, 0n), 'BUSINESS_RULE', 'zero');
    });
  });
});
