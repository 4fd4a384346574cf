import { DomainError } from './errors';

/**
 * Shape checks for command fields. Commands arrive as parsed JSON, so every
 * field is checked at run time even where the TypeScript type says more.
 * All failures are VALIDATION_FAILED and name the field.
 */

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function invalid(field: string, why: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `${field} ${why}`);
}

export function assertString(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  return value;
}

/**
 * Free text (names, reasons, payment references): trimmed, 1..max characters,
 * no control characters. Returns the trimmed text.
 */
export function assertText(value: unknown, field: string, max: number): string {
  const s = assertString(value, field).trim();
  if (s.length === 0) throw invalid(field, 'must not be empty');
  if (s.length > max) throw invalid(field, `must be at most ${max} characters`);
  if (CONTROL_CHARS.test(s)) throw invalid(field, 'must not contain control characters');
  return s;
}

/** Optional free text: absent (undefined or null) stays absent. */
export function optionalText(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  return assertText(value, field, max);
}

export function assertOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalid(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function assertPattern(value: unknown, pattern: RegExp, field: string, what: string): string {
  const s = assertString(value, field);
  if (!pattern.test(s)) throw invalid(field, `must be ${what}`);
  return s;
}

export function assertArray(value: unknown, field: string): unknown[] {
  if (!Array.isArray(value)) throw invalid(field, 'must be an array');
  return value;
}

export function assertRecord(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(field, 'must be an object');
  return value as Record<string, unknown>;
}

/** Asset ids chosen by clients: a fixed prefix, then letters, digits, `_` or `-` (no `.`: it separates voucher pieces). */
export function assetIdPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}-[A-Za-z0-9_-]{1,60}$`);
}

/**
 * An id derived from the transaction id when the client chose none:
 * `<PREFIX>-<first 20 alphanumerics of the tx id>`. One transaction creates at
 * most one record of each prefix, and the contracts layer still checks the key
 * is free (ALREADY_EXISTS), so a truncated tx id is unique enough.
 */
export function deriveId(prefix: string, txId: string): string {
  const tail = txId.replace(/[^A-Za-z0-9]/g, '').slice(0, 20);
  if (tail.length === 0) throw invalid('txId', 'has no characters to derive an id from');
  return `${prefix}-${tail}`;
}
