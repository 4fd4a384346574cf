import type { TxTimestamp } from './types';

/** What a caller may pass as a transaction time. */
export type TimestampInput = string | { seconds: number | { toString(): string }; nanos: number };

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Reads an ISO 8601 instant (`2024-05-01T08:30:00.123456789Z`, offset allowed,
 * up to nanosecond digits) or a `{seconds, nanos}` pair into a normalised
 * timestamp. Anything else is refused with a clear error.
 */
export function parseTimestamp(input: TimestampInput): TxTimestamp {
  if (typeof input === 'string') return parseIso(input);
  if (input === null || typeof input !== 'object') {
    throw new Error('timestamp must be an ISO 8601 string or {seconds, nanos}');
  }
  const seconds = typeof input.seconds === 'number' ? input.seconds : Number(String(input.seconds));
  const { nanos } = input;
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new Error(`timestamp seconds must be a non-negative integer, got ${String(input.seconds)}`);
  }
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
    throw new Error(`timestamp nanos must be an integer from 0 to 999999999, got ${String(nanos)}`);
  }
  return { seconds, nanos };
}

function parseIso(text: string): TxTimestamp {
  const m = ISO_INSTANT.exec(text);
  if (!m) throw new Error(`timestamp [${text}] is not an ISO 8601 instant with a time zone`);
  const [, y, mo, d, h, mi, s, fraction, zone] = m as unknown as [string, string, string, string, string, string, string, string | undefined, string];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utcMs);
  if (
    month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 ||
    check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day
  ) {
    throw new Error(`timestamp [${text}] is not a valid date and time`);
  }
  let offsetSeconds = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offH = Number(zone.slice(1, 3));
    const offM = Number(zone.slice(4, 6));
    if (offH > 23 || offM > 59) throw new Error(`timestamp [${text}] has an invalid offset`);
    offsetSeconds = sign * (offH * 3600 + offM * 60);
  }
  const seconds = utcMs / 1000 - offsetSeconds;
  if (seconds < 0) throw new Error(`timestamp [${text}] is before 1970`);
  const nanos = fraction === undefined ? 0 : Number(fraction.padEnd(9, '0'));
  return { seconds, nanos };
}

/** The instant as a Date, truncated to the millisecond. */
export function timestampToDate(ts: TxTimestamp): Date {
  return new Date(ts.seconds * 1000 + Math.floor(ts.nanos / 1_000_000));
}

/**
 * The Date google-protobuf's Timestamp.toDate() gives, which fabric-shim's
 * getDateTimestamp() returns: `new Date(seconds * 1000 + nanos / 1000000)`.
 * The sum is a float, so a time within about 120 ns of the next millisecond
 * (e.g. 999999999 ns) rounds up to it; otherwise Date truncates.
 */
export function protobufTimestampToDate(ts: TxTimestamp): Date {
  return new Date(ts.seconds * 1000 + ts.nanos / 1_000_000);
}

/** ISO 8601 UTC with milliseconds, e.g. `2024-05-01T08:30:00.123Z`. */
export function timestampToIso(ts: TxTimestamp): string {
  return timestampToDate(ts).toISOString();
}
