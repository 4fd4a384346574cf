import { z } from 'zod';
import { VOUCHER_STATUSES } from '../../../../chaincode/src/domain/types';
import { Bookmark, DateOnly, MemberId, MetaFields, Money, PositiveMoney, PageSize, RecordId, Text } from './common';

export const IssueVoucherBody = z
  .strictObject({
    receivableId: RecordId,
    amount: PositiveMoney,
    maturityDate: DateOnly,
    id: RecordId.optional().openapi({ description: 'Optional root id; derived from the transaction id when absent' }),
  })
  .openapi('IssueVoucher');

export const TransferVoucherBody = z.strictObject({ to: MemberId, amount: PositiveMoney }).openapi('TransferVoucher');

export const SplitVoucherBody = z
  // The form is checked here; the count (2-20) and the sum are business rules
  // the chaincode owns (422 BUSINESS_RULE).
  .strictObject({ amounts: z.array(PositiveMoney).min(1).max(64) })
  .openapi('SplitVoucher', { description: '2 to 20 parts that sum exactly to the piece (422 otherwise)' });

export const SettleVoucherBody = z.strictObject({ paymentRef: Text(128) }).openapi('SettleVoucher');

export const VoucherStatus = z.enum(VOUCHER_STATUSES);

export const ListVouchersQuery = z
  .strictObject({
    holder: MemberId.optional(),
    issuer: MemberId.optional(),
    status: VoucherStatus.optional(),
    maturingFrom: DateOnly.optional(),
    maturingTo: DateOnly.optional(),
    pageSize: PageSize.optional(),
    bookmark: Bookmark.optional(),
  })
  .refine((q) => !q.maturingFrom || !q.maturingTo || q.maturingFrom <= q.maturingTo, {
    message: 'maturingFrom must not be after maturingTo',
    path: ['maturingFrom'],
  });

export const Voucher = z
  .looseObject({
    id: RecordId,
    rootId: RecordId,
    parentId: RecordId.optional(),
    tier: z.number().int(),
    issuer: MemberId,
    holder: MemberId,
    amount: Money,
    currency: z.string(),
    maturityDate: z.string(),
    receivableId: RecordId,
    status: VoucherStatus,
    childIds: z.array(RecordId).optional(),
    settledTo: MemberId.optional(),
    paymentRef: z.string().optional(),
    ...MetaFields,
  })
  .openapi('Voucher');

export const VoucherWithChildren = z.object({ voucher: Voucher, children: z.array(Voucher) }).openapi('VoucherWithChildren');

export const Provenance = z.looseObject({}).openapi('Provenance', {
  description:
    "Lineage, issuance, backing receivable, encumbrances and a financeability verdict (DESIGN.md section 4); for a bank with a FINANCING line to the issuer, creditLine {id, status, limit, used, headroom, advanceWithin}: the largest advance on this piece the line allows now",
});
export const VoucherTree = z.looseObject({ root: z.looseObject({}) }).openapi('VoucherTree');
