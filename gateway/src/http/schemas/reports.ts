import { z } from 'zod';
import { AGEING_BUCKETS } from '../../reports/compute';
import { Currency, DateOnly, MemberId, Money } from './common';

export const LadderQuery = z.strictObject({ issuer: MemberId.optional() });
/** Ageing and exposure take no parameters: anything given is a mistake, 400. */
export const NoQuery = z.strictObject({});

const asOf = DateOnly.openapi({ description: "The ledger's date the report is computed for" });

export const MaturityLadderReport = z
  .object({
    asOf,
    rows: z.array(
      z.object({
        period: z.enum(['WEEK', 'MONTH']),
        start: DateOnly.openapi({ description: "The period's first day (a week starts on Monday)" }),
        issuer: MemberId,
        currency: Currency,
        count: z.number().int(),
        amount: Money,
      }),
    ),
    totals: z.array(z.object({ issuer: MemberId, currency: Currency, count: z.number().int(), amount: Money })),
  })
  .openapi('MaturityLadderReport', { description: 'Outstanding vouchers (ACTIVE, FINANCING_PENDING, FINANCED) by maturity week and month, per issuer' });

export const AgeingReport = z
  .object({
    asOf,
    rows: z.array(z.object({ assetType: z.enum(['VOUCHER', 'RECEIVABLE']), bucket: z.enum(AGEING_BUCKETS), currency: Currency, count: z.number().int(), amount: Money })),
    totals: z.array(z.object({ bucket: z.enum(AGEING_BUCKETS), currency: Currency, count: z.number().int(), amount: Money })),
  })
  .openapi('AgeingReport', {
    description:
      'Outstanding vouchers (by maturity) and amounts still owed directly on receivables (by due date), by days overdue: CURRENT (not past due), 1-30, 31-60, 61-90, OVER_90',
  });

export const ExposureReport = z
  .object({
    asOf,
    creditLines: z.boolean().openapi({ description: 'Whether credit lines were looked up; when false the credit-line fields are absent' }),
    rows: z.array(
      z.object({
        bank: MemberId,
        obligor: z.string().openapi({ description: "Who repays: the voucher's issuer, the receivable's debtor, a pledge's applicant" }),
        currency: Currency,
        count: z.number().int(),
        financed: Money.openapi({ description: 'Sum of the advances of DISBURSED financings' }),
        face: Money,
        creditLine: z.object({ id: z.string(), limit: Money, used: Money, currency: Currency }).optional(),
        headroom: z.string().optional().openapi({ description: "the credit line's headroom, limit − used (used holds approved advances not yet disbursed too); negative when a limit was lowered below the use" }),
      }),
    ),
  })
  .openapi('ExposureReport', { description: 'Outstanding financed amounts per bank and obligor' });
