import { DomainError } from './errors';

/**
 * Money: an integer count of minor units (fen). Records carry it as a decimal
 * string ("150000" = 1,500.00 CNY); arithmetic is done on bigint, never float.
 */

/** At most 19 digits: comfortably above any real amount, and bounded so that products stay small. */
export const MAX_AMOUNT_DIGITS = 19;
const AMOUNT_RE = /^(0|[1-9][0-9]{0,18})$/;

/**
 * Parses a decimal string of minor units. Rejects non-strings (numbers
 * included: a JSON number may already have lost precision), empty strings,
 * signs, decimal points, exponents, whitespace, leading zeros and more than
 * 19 digits, with VALIDATION_FAILED naming the field. Zero is accepted.
 */
export function parseAmount(value: unknown, field: string): bigint {
  if (typeof value !== 'string') {
    throw new DomainError('VALIDATION_FAILED', `${field} must be a decimal string of minor units`);
  }
  if (!AMOUNT_RE.test(value)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `${field} must be a non-negative integer of minor units without sign, decimal point or leading zeros, at most ${MAX_AMOUNT_DIGITS} digits (got "${value.slice(0, 40)}")`,
    );
  }
  return BigInt(value);
}

/** As parseAmount, and at least 1. */
export function parsePositiveAmount(value: unknown, field: string): bigint {
  const n = parseAmount(value, field);
  if (n < 1n) throw new DomainError('VALIDATION_FAILED', `${field} must be at least 1`);
  return n;
}

/** The record form of an amount. Refuses negatives and values too long to parse back. */
export function formatAmount(value: bigint): string {
  if (value < 0n) throw new DomainError('BUSINESS_RULE', `amount ${value} is negative`);
  const s = value.toString();
  if (s.length > MAX_AMOUNT_DIGITS) throw new DomainError('BUSINESS_RULE', `amount ${s} exceeds ${MAX_AMOUNT_DIGITS} digits`);
  return s;
}

export function sum(values: readonly bigint[]): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/**
 * numerator / denominator rounded to the nearest integer, halves away from
 * zero ("round half up" on the magnitude, as money is rounded).
 */
export function roundHalfUpDiv(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new DomainError('BUSINESS_RULE', 'division by zero');
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const magnitude = (2n * n + d) / (2n * d);
  return negative ? -magnitude : magnitude;
}
