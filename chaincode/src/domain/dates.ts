import { DomainError } from './errors';
import type { TxInfo } from './types';

/**
 * Calendar dates are `YYYY-MM-DD` strings; instants are ISO 8601 UTC strings.
 * All arithmetic is integer day counts: no Date object, no clock, no time zone.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parts(s: string): [number, number, number] | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return [year, month, day];
}

export function isValidDate(value: unknown): value is string {
  return typeof value === 'string' && parts(value) !== undefined;
}

/** Strict `YYYY-MM-DD` that exists in the calendar (2024-02-29 yes, 2023-02-29 no). Returns the date. */
export function assertDate(value: unknown, field: string): string {
  if (!isValidDate(value)) {
    const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeof value;
    throw new DomainError('VALIDATION_FAILED', `${field} must be a calendar date YYYY-MM-DD (got ${shown})`);
  }
  return value;
}

/** Days since 1970-01-01 in the proleptic Gregorian calendar (era arithmetic, 400-year cycles). */
function dayNumber(date: string): number {
  const p = parts(date);
  if (!p) throw new DomainError('VALIDATION_FAILED', `"${date}" is not a calendar date YYYY-MM-DD`);
  const [year, month, day] = p;
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Inverse of dayNumber. */
function dateOfDayNumber(n: number): string {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The date `days` after `date` (before, when negative); fails outside years 0001..9999. */
export function addDays(date: string, days: number): string {
  if (!Number.isSafeInteger(days)) throw new DomainError('VALIDATION_FAILED', 'days must be an integer');
  return assertDate(dateOfDayNumber(dayNumber(date) + days), 'date');
}

/** -1, 0 or 1. `YYYY-MM-DD` strings order lexically, so this is a string comparison on validated dates. */
export function compareDates(a: string, b: string): number {
  assertDate(a, 'date');
  assertDate(b, 'date');
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strict ISO 8601 UTC instant (`2025-03-01T08:30:00Z`, optional fraction), with a real date and time. */
export function assertInstant(value: unknown, field: string): string {
  const m = typeof value === 'string' ? INSTANT_RE.exec(value) : null;
  if (!m || !isValidDate(m[1]) || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) {
    throw new DomainError('VALIDATION_FAILED', `${field} must be an ISO 8601 UTC instant like 2025-03-01T08:30:00Z`);
  }
  return value as string;
}

/** The UTC calendar date of an ISO 8601 UTC instant. */
export function todayOf(isoInstant: string): string {
  return assertInstant(isoInstant, 'instant').slice(0, 10);
}

/** The transaction facts the domain needs, from the tx id and the tx timestamp as an ISO UTC instant. */
export function txInfoFrom(txId: string, isoInstant: string): TxInfo {
  if (typeof txId !== 'string' || txId.length === 0) throw new DomainError('VALIDATION_FAILED', 'txId must be a non-empty string');
  return { txId, now: assertInstant(isoInstant, 'tx timestamp'), today: todayOf(isoInstant) };
}
