import { z } from 'zod';
import { MAX_CANONICAL_FIELD } from '../../../../chaincode/src/domain/canonical';
import { FINGERPRINT_KINDS } from '../../../../chaincode/src/domain/types';
import { LOT_ID_FORM, LOT_ID_RE } from '../../../../chaincode/src/domain/warehouse';
import { DateOnly, Fingerprint, Money } from './common';

const Ident = z.string().min(1).max(MAX_CANONICAL_FIELD);

const InvoiceFields = z.strictObject({
  kind: z.literal('INVOICE'),
  sellerTaxId: Ident,
  invoiceCode: z.string().max(MAX_CANONICAL_FIELD).default('').openapi({ description: 'Empty for fully digital invoices' }),
  invoiceNumber: Ident,
  amount: Money,
  issueDate: DateOnly,
});
const ContractFields = z.strictObject({ kind: z.literal('CONTRACT'), partyA: Ident, partyB: Ident, contractNumber: Ident, amount: Money, signDate: DateOnly });
const DeliveryNoteFields = z.strictObject({ kind: z.literal('DELIVERY_NOTE'), shipperId: Ident, consigneeId: Ident, noteNumber: Ident, deliveryDate: DateOnly });
/** A lot number as warehouse-receipt issue takes it (never trimmed), so the preview refuses what the issue would. */
const LotFields = z.strictObject({ kind: z.literal('LOT'), warehouseId: Ident, lotId: z.string().regex(LOT_ID_RE, LOT_ID_FORM) });
const OtherFields = z.strictObject({ kind: z.literal('OTHER'), issuerId: Ident, reference: Ident });

export const FingerprintDocument = z
  .discriminatedUnion('kind', [InvoiceFields, ContractFields, DeliveryNoteFields, LotFields, OtherFields])
  .openapi('FingerprintDocument');

/**
 * A document as a receivable or a receipt carries it: its canonical fields
 * (README, "Fingerprints: canonical forms"). The gateway passes them to the
 * chaincode in the proposal's transient map; the chaincode computes and
 * claims the fingerprints, and the fields reach no block and no state.
 */
export const DocumentFields = z
  .discriminatedUnion('kind', [InvoiceFields, ContractFields, DeliveryNoteFields, OtherFields])
  .openapi('DocumentFields', {
    description: "A document's canonical fields; the ledger computes its fingerprint (a bare fingerprint is not accepted)",
  });

export const FingerprintBody = z.strictObject({ documents: z.array(FingerprintDocument).min(1).max(50) }).openapi('FingerprintRequest');

export const FingerprintResult = z
  .object({
    documents: z.array(
      z.object({
        kind: z.enum(FINGERPRINT_KINDS),
        canonical: z.string(),
        fingerprint: Fingerprint,
        invoiceNumber: z.object({ canonical: z.string(), fingerprint: Fingerprint }).optional().openapi({
          description: "An invoice's INVOICE_NUMBER fingerprint (seller, code and number only), which the ledger claims beside the invoice's: check it too to find a variant of a claimed invoice",
        }),
      }),
    ),
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
