import { z } from 'zod';
import { FINGERPRINT_KINDS } from '../../../../chaincode/src/domain/types';
import { DateOnly, Fingerprint, Money } from './common';

const Ident = z.string().min(1).max(128);

export const FingerprintDocument = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('INVOICE'),
      sellerTaxId: Ident,
      invoiceCode: z.string().max(128).default('').openapi({ description: 'Empty for fully digital invoices' }),
      invoiceNumber: Ident,
      amount: Money,
      issueDate: DateOnly,
    }),
    z.strictObject({ kind: z.literal('CONTRACT'), partyA: Ident, partyB: Ident, contractNumber: Ident, amount: Money, signDate: DateOnly }),
    z.strictObject({ kind: z.literal('DELIVERY_NOTE'), shipperId: Ident, consigneeId: Ident, noteNumber: Ident, deliveryDate: DateOnly }),
    z.strictObject({ kind: z.literal('LOT'), warehouseId: Ident, lotId: Ident }),
    z.strictObject({ kind: z.literal('OTHER'), issuerId: Ident, reference: Ident }),
  ])
  .openapi('FingerprintDocument');

export const FingerprintBody = z.strictObject({ documents: z.array(FingerprintDocument).min(1).max(50) }).openapi('FingerprintRequest');

export const FingerprintResult = z
  .object({
    documents: z.array(z.object({ kind: z.enum(FINGERPRINT_KINDS), canonical: z.string(), fingerprint: Fingerprint })),
  })
  .openapi('FingerprintResult');

export const FingerprintRef = z.strictObject({ kind: z.enum(FINGERPRINT_KINDS), fingerprint: Fingerprint });

export const CheckFingerprintsBody = z.strictObject({ fingerprints: z.array(FingerprintRef).min(1).max(100) }).openapi('CheckFingerprints');

export const FingerprintStatus = z
  .array(
    z.looseObject({
      kind: z.enum(FINGERPRINT_KINDS),
      fingerprint: Fingerprint,
      claimed: z.boolean(),
      assetType: z.string().optional(),
      assetId: z.string().optional(),
    }),
  )
  .openapi('FingerprintStatus');
