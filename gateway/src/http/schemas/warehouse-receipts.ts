import { z } from 'zod';
import { LOT_ID_FORM, LOT_ID_RE, MAX_QUANTITY, RECEIPT_STATUSES } from '../../../../chaincode/src/domain/warehouse';
import { Financing } from './financings';
import { Bookmark, Currency, MemberId, MetaFields, Money, PositiveMoney, PageSize, RecordId, Text } from './common';
import { DocumentFields } from './fingerprints';
import { DocumentRef } from './receivables';

export const ReceiptStatus = z.enum(RECEIPT_STATUSES);

const Quantity = z
  .number()
  .int('a quantity is a whole number of units')
  .min(1)
  .max(MAX_QUANTITY)
  .openapi({ description: 'Whole units of `unit`', example: 500 });

export const IssueReceiptBody = z
  .strictObject({
    owner: MemberId,
    commodity: Text(100).openapi({ example: 'hot-rolled steel coil' }),
    grade: Text(50).openapi({ example: 'Q235B' }),
    quantity: Quantity,
    unit: Text(16).openapi({ example: 't' }),
    location: Text(200).openapi({ example: 'Qingdao Qianwan bonded zone, shed 7' }),
    // Not trimmed: the pattern below is what the OpenAPI document promises.
    lotId: z
      .string()
      .regex(LOT_ID_RE, LOT_ID_FORM)
      .openapi({ description: "The warehouse's lot number; warehouse + lot is claimed, so the same goods cannot back two receipts", example: 'QD-2025-0417' }),
    valuation: PositiveMoney,
    currency: Currency.optional(),
    documents: z
      .array(DocumentFields)
      .max(50)
      .optional()
      .openapi({
        description:
          "Supporting documents (inspection, insurance) by their canonical fields: the ledger records their fingerprints (not claimed); the fields reach no block and no state",
      }),
    id: RecordId.optional().openapi({ description: 'Optional root id; derived from the transaction id when absent' }),
  })
  .openapi('IssueWarehouseReceipt');

export const TransferReceiptBody = z.strictObject({ to: MemberId }).openapi('TransferWarehouseReceipt');

export const SplitReceiptBody = z
  // The form is checked here; the count (2-20) and the sum are business rules the chaincode owns (422).
  .strictObject({ quantities: z.array(Quantity).min(1).max(64) })
  .openapi('SplitWarehouseReceipt', { description: '2 to 20 quantities that sum exactly to the receipt (422 otherwise)' });

export const ReleaseReceiptBody = z
  .strictObject({ paymentRef: Text(128).optional().openapi({ description: "The loan repayment's reference, if any" }) })
  .openapi('ReleaseWarehouseReceipt');

export const ListReceiptsQuery = z.strictObject({
  owner: MemberId.optional(),
  warehouse: MemberId.optional(),
  pledgee: MemberId.optional().openapi({ description: 'The bank a receipt is pledged to (PLEDGED receipts only)' }),
  status: ReceiptStatus.optional(),
  pageSize: PageSize.optional(),
  bookmark: Bookmark.optional(),
});

export const WarehouseReceipt = z
  .looseObject({
    id: RecordId,
    rootId: RecordId,
    parentId: RecordId.optional(),
    warehouse: MemberId,
    owner: MemberId,
    commodity: z.string(),
    grade: z.string(),
    quantity: z.number().int(),
    unit: z.string(),
    location: z.string(),
    lotId: z.string(),
    lotFingerprint: z.string(),
    valuation: Money,
    currency: z.string(),
    documents: z.array(DocumentRef),
    status: ReceiptStatus,
    pledgee: MemberId.optional(),
    financingId: RecordId.optional(),
    childIds: z.array(RecordId).optional(),
    deliveredTo: MemberId.optional(),
    deliveredAt: z.string().optional(),
    ...MetaFields,
  })
  .openapi('WarehouseReceipt');

export const ReceiptWithChildren = z.object({ receipt: WarehouseReceipt, children: z.array(WarehouseReceipt) }).openapi('WarehouseReceiptWithChildren');
export const ReceiptWithFinancing = z.object({ receipt: WarehouseReceipt, financing: Financing }).openapi('WarehouseReceiptWithFinancing');
