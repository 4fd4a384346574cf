import { z } from 'zod';
import { FINANCING_ASSET_TYPES, FINANCING_STATUSES, MAX_ANNUAL_RATE_BPS } from '../../../../chaincode/src/domain/financing';
import { Bookmark, DateOnly, MemberId, MetaFields, Money, PositiveMoney, PageSize, RecordId, Text } from './common';

export const FinancingAssetType = z.enum(FINANCING_ASSET_TYPES);
export const FinancingStatus = z.enum(FINANCING_STATUSES);

export const FinancingAssetRef = z.strictObject({ type: FinancingAssetType, id: RecordId }).openapi('FinancingAsset');

export const RequestFinancingBody = z
  .strictObject({
    asset: FinancingAssetRef,
    bank: MemberId,
    requestedAmount: PositiveMoney,
    dueDate: DateOnly.optional().openapi({
      description: "Warehouse receipt pledges: the end of the loan term (required). Vouchers and receivables: absent, or the asset's own maturity / due date",
    }),
    id: RecordId.optional().openapi({ description: 'Optional; derived from the transaction id when absent' }),
  })
  .openapi('RequestFinancing');

export const ApproveFinancingBody = z
  .strictObject({
    advanceAmount: PositiveMoney,
    annualRateBps: z
      .number()
      .int('annualRateBps is a whole number of basis points')
      .min(0)
      .max(MAX_ANNUAL_RATE_BPS)
      .openapi({ description: 'Annual rate in basis points (350 = 3.50% a year)', example: 350 }),
  })
  .openapi('ApproveFinancing', { description: 'At or above the bank\'s dual-control threshold the answer is 202 with an approval for a checker' });

export const RejectFinancingBody = z.strictObject({ reason: Text(500) }).openapi('RejectFinancing');

export const WithdrawFinancingBody = z
  .strictObject({ reason: Text(500).optional() })
  .openapi('WithdrawFinancing', { description: 'The applicant withdraws a REQUESTED financing; the reason is optional' });

/** Disbursement and (pledge) repayment carry the payment's reference. */
export const FinancingPaymentBody = z.strictObject({ paymentRef: Text(128) }).openapi('FinancingPayment');

export const ListFinancingsQuery = z.strictObject({
  applicant: MemberId.optional(),
  bank: MemberId.optional(),
  status: FinancingStatus.optional(),
  pageSize: PageSize.optional(),
  bookmark: Bookmark.optional(),
});

export const Financing = z
  .looseObject({
    id: RecordId,
    asset: z.object({ type: FinancingAssetType, id: RecordId }),
    applicant: MemberId,
    bank: MemberId,
    currency: z.string(),
    faceAmount: Money,
    requestedAmount: Money,
    dueDate: z.string(),
    status: FinancingStatus,
    advanceAmount: Money.optional(),
    annualRateBps: z.number().int().optional(),
    discount: Money.optional(),
    fee: Money.optional(),
    days: z.number().int().optional(),
    paymentRef: z.string().optional(),
    repaymentRef: z.string().optional(),
    rejectionReason: z.string().optional(),
    withdrawalReason: z.string().optional(),
    ...MetaFields,
  })
  .openapi('Financing');

export const SettleReceivableBody = z.strictObject({ paymentRef: Text(128) }).openapi('SettleReceivable');
