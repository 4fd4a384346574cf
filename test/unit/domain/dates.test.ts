import { expect } from 'chai';
import fc from 'fast-check';
import {
  addDays,
  assertDate,
  assertInstant,
  compareDates,
  daysBetween,
  isValidDate,
  todayOf,
  txInfoFrom,
} from '../../../chaincode/src/domain/dates';
import { expectDomainError } from './fixtures';

describe('domain/dates', () => {
  describe('assertDate', () => {
    for (const d of ['2025-03-01', '2024-02-29', '2000-02-29', '1999-12-31', '2025-04-30', '0001-01-01', '9999-12-31']) {
      it(`accepts the calendar date ${d}`, () => {
        expect(assertDate(d, 'dueDate')).to.equal(d);
      });
    }
    const bad: [string, unknown][] = [
      ['a non-leap 29 February', '2023-02-29'],
      ['29 February of a century year', '1900-02-29'],
      ['31 April', '2025-04-31'],
      ['month 13', '2025-13-01'],
      ['month 00', '2025-00-10'],
      ['day 00', '2025-01-00'],
      ['year 0000', '0000-01-01'],
      ['single-digit month', '2025-3-01'],
      ['slashes', '2025/03/01'],
      ['a time part', '2025-03-01T00:00:00Z'],
      ['compact form', '20250301'],
      ['surrounding space', ' 2025-03-01'],
      ['a number', 20250301],
      ['null', null],
    ];
    for (const [what, input] of bad) {
      it(`rejects ${what} with VALIDATION_FAILED naming the field`, () => {
        expectDomainError(() => assertDate(input, 'dueDate'), 'VALIDATION_FAILED', 'dueDate');
        expect(isValidDate(input)).to.equal(false);
      });
    }
  });

  describe('daysBetween and addDays', () => {
    const cases: [string, string, number][] = [
      ['2025-03-01', '2025-03-01', 0],
      ['2025-02-28', '2025-03-01', 1],
      ['2024-02-28', '2024-03-01', 2],
      ['2025-03-01', '2025-02-28', -1],
      ['2024-01-01', '2025-01-01', 366],
      ['1970-01-01', '2000-01-01', 10957],
      ['2025-01-01', '2025-12-31', 364],
    ];
    for (const [from, to, days] of cases) {
      it(`counts ${days} days from ${from} to ${to}`, () => {
        expect(daysBetween(from, to)).to.equal(days);
        expect(addDays(from, days)).to.equal(to);
      });
    }
    it('agrees with UTC day arithmetic over a wide range of dates', () => {
      const day = 86_400_000;
      fc.assert(
        fc.property(fc.integer({ min: -700_000, max: 2_900_000 }), fc.integer({ min: -5000, max: 5000 }), (a, delta) => {
          const from = new Date(a * day).toISOString().slice(0, 10);
          const to = new Date((a + delta) * day).toISOString().slice(0, 10);
          expect(daysBetween(from, to)).to.equal(delta);
          expect(addDays(from, delta)).to.equal(to);
        }),
      );
    });
    it('rejects malformed dates instead of computing with them', () => {
      expectDomainError(() => daysBetween('2025-02-30', '2025-03-01'), 'VALIDATION_FAILED');
      expectDomainError(() => addDays('2025-03-01', 1.5), 'VALIDATION_FAILED');
    });
  });

  describe('compareDates', () => {
    it('orders dates', () => {
      expect(compareDates('2025-03-01', '2025-03-02')).to.equal(-1);
      expect(compareDates('2025-03-02', '2025-03-02')).to.equal(0);
      expect(compareDates('2026-01-01', '2025-12-31')).to.equal(1);
    });
  });

  describe('instants and tx info', () => {
    it('takes the UTC date of an ISO instant', () => {
      expect(todayOf('2025-03-01T23:59:59.999Z')).to.equal('2025-03-01');
      expect(todayOf('2025-03-02T00:00:00Z')).to.equal('2025-03-02');
    });
    for (const bad of ['2025-03-01T08:00:00+08:00', '2025-03-01 08:00:00Z', '2025-02-30T08:00:00Z', '2025-03-01T24:00:00Z', '2025-03-01']) {
      it(`rejects the instant "${bad}" (UTC Z form only)`, () => {
        expectDomainError(() => assertInstant(bad, 'now'), 'VALIDATION_FAILED', 'now');
      });
    }
    it('builds TxInfo from the tx id and timestamp', () => {
      expect(txInfoFrom('abc123', '2025-03-01T08:30:00.123456789Z')).to.deep.equal({
        txId: 'abc123',
        now: '2025-03-01T08:30:00.123456789Z',
        today: '2025-03-01',
      });
    });
    it('refuses an empty tx id', () => {
      expectDomainError(() => txInfoFrom('', '2025-03-01T08:30:00Z'), 'VALIDATION_FAILED', 'txId');
    });
  });
});
