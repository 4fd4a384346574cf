import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { currencyRefusal } from '../../../../chaincode/src/domain/currencies';
import { z } from 'zod';
import { ERROR_CODES } from '../../../../chaincode/src/domain/errors';
import { checkCharOf, isValidUscc } from '../../../../chaincode/src/domain/uscc';
import { isCalendarDate } from '../../../../chaincode/src/domain/canonical';

extendZodWithOpenApi(z);

/*
 * Building blocks of the request and response schemas. Requests are strict
 * (unknown fields are rejected), so a typo never silently drops a field.
 */

export const MemberId = z
  .string()
  .regex(/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/, 'a unified social credit code: 18 characters, upper case, no I O S V Z')
  .superRefine((code, ctx) => {
    const valid: boolean = isValidUscc(code);
    if (!valid) ctx.addIssue({ code: 'custom', message: `the check character of the unified social credit code is wrong: expected ${checkCharOf(code.slice(0, 17))}, not ${code.charAt(17)}` });
  })
  .openapi({ description: 'Unified social credit code (GB 32100-2015), check character verified', example: '91310000100000001A' });

export const RecordId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'ids are 1-128 characters of A-Z a-z 0-9 . _ -')
  .openapi({ example: 'VCH-7f3a9c21d04e.1' });

export const Money = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,18})$/, 'money is a string of integer minor units (fen): digits only, no sign, no leading zeros, at most 19 digits')
  .openapi({ description: 'Integer minor units (fen) as a decimal string', example: '150000' });

/** Money a request moves or asks for: at least one minor unit, so every field problem is reported at once, not a zero later by the chaincode. */
export const PositiveMoney = Money.refine((v) => v !== '0', 'must be at least 1 minor unit');

export const DateOnly = z
  .string()
  .refine(isCalendarDate, 'a date is a calendar date YYYY-MM-DD')
  .openapi({ description: 'Calendar date YYYY-MM-DD', example: '2025-06-30', format: 'date' });

export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code')
  .superRefine((code, ctx) => {
    const refusal = /^[A-Z]{3}$/.test(code) ? currencyRefusal(code) : undefined;
    if (refusal !== undefined) ctx.addIssue({ code: 'custom', message: refusal });
  })
  .openapi({ example: 'CNY' });

export const MspId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an MSP ID').openapi({ example: 'PlatformMSP' });

export const Fingerprint = z.string().regex(/^[0-9a-f]{64}$/, 'a fingerprint is 64 lowercase hex characters (SHA-256)');

/** Free text: trimmed, 1..max characters, no control characters. */
export const Text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

export const Bookmark = z.string().max(2048).openapi({ description: 'Opaque position returned by the previous page' });

export const PageSize = z
  .string()
  .regex(/^\d{1,3}$/, 'pageSize is a whole number')
  .transform(Number)
  .pipe(z.number().int().min(1).max(200))
  .openapi({ type: 'integer', description: '1-200, default chosen by the ledger' });

export const IdParams = z.strictObject({ id: RecordId });
export const MemberIdParams = z.strictObject({ id: MemberId });
export const TxIdParams = z.strictObject({ txId: z.string().regex(/^[0-9a-f]{64}$/, 'a transaction id is 64 lowercase hex characters') });

/** Audit fields every record carries. */
export const MetaFields = {
  createdAt: z.string(),
  updatedAt: z.string(),
  createdTxId: z.string(),
  updatedTxId: z.string(),
  createdBy: MemberId.optional(),
  updatedBy: MemberId.optional(),
};

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum([...ERROR_CODES, 'INTERNAL']),
    detail: z.string(),
    txId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details (application/problem+json)' });

export const Page = <T extends z.ZodType>(record: T) =>
  z.object({ records: z.array(record), bookmark: z.string().describe('Empty when there are no more records') });
