import { DomainError } from './errors';

/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015. 18 characters
 * from a 31-character set (digits and capitals without I, O, Z, S, V):
 *   1     registration authority (登记管理部门代码)
 *   2     organisation type (机构类别代码)
 *   3-8   administrative division of the registering office (GB/T 2260): digits
 *   9-17  organisation identifier (主体标识码)
 *   18    check character: weights 3^i mod 31 over positions 1..17,
 *         check = (31 - sum mod 31) mod 31, mapped back through the charset.
 * Codes are matched in canonical upper case only: they are world-state keys.
 */

export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const USCC_WEIGHTS: readonly number[] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

const C = '[0-9A-HJ-NPQRTUWXY]';
const FIRST17_RE = new RegExp(`^${C}{2}[0-9]{6}${C}{9}$`);
const USCC_RE = new RegExp(`^${C}{2}[0-9]{6}${C}{10}$`);

/** The check character of the first 17 characters, or undefined when they are malformed. */
export function checkCharOf(first17: string): string | undefined {
  if (!FIRST17_RE.test(first17)) return undefined;
  let total = 0;
  for (let i = 0; i < 17; i++) total += USCC_CHARSET.indexOf(first17.charAt(i)) * (USCC_WEIGHTS[i] ?? 0);
  return USCC_CHARSET.charAt((31 - (total % 31)) % 31);
}

export function isValidUscc(code: unknown): code is string {
  return typeof code === 'string' && USCC_RE.test(code) && checkCharOf(code.slice(0, 17)) === code.charAt(17);
}

/** Returns the code, or throws VALIDATION_FAILED saying whether the format or the check character is wrong. */
export function assertUscc(code: unknown, field: string): string {
  if (typeof code !== 'string') throw new DomainError('VALIDATION_FAILED', `${field} must be a unified social credit code (string)`);
  if (!USCC_RE.test(code)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `${field} "${code.slice(0, 40)}" is not a unified social credit code: 18 characters, upper case, digits 3-8 numeric, no I, O, Z, S or V`,
    );
  }
  const expected = checkCharOf(code.slice(0, 17));
  if (expected !== code.charAt(17)) {
    throw new DomainError('VALIDATION_FAILED', `${field} "${code}" has a wrong check character (expected ${expected})`);
  }
  return code;
}

/** Completes 17 well-formed characters into a valid code (for demo data and tests). */
export function withCheckChar(first17: string): string {
  const check = checkCharOf(first17);
  if (check === undefined) {
    throw new DomainError('VALIDATION_FAILED', `"${first17}" is not the first 17 characters of a unified social credit code`);
  }
  return first17 + check;
}
