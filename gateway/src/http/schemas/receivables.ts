import { z } from 'zod';
import { DOCUMENT_KINDS, RECEIVABLE_STATUSES } from '../../../../chaincode/src/domain/types';
import { Bookmark, Currency, DateOnly, Fingerprint, MemberId, MetaFields, Money, PositiveMoney, PageSize, RecordId, Text } from './common';
import { DocumentFields } from './fingerprints';

export const DocumentRef = z.strictObject({ kind: z.enum(DOCUMENT_KINDS), fingerprint: Fingerprint }).openapi('DocumentRef');

export const RegisterReceivableBody = z
  .strictObject({
    id: RecordId.optional().openapi({ description: 'Optional; derived from the transaction id when absent' }),
    debtor: MemberId,
    amount: PositiveMoney,
    currency: Currency.optional(),
    dueDate: DateOnly,
    documents: z
      .array(DocumentFields)
      .min(1)
      .max(50)
      .refine((d) => d.some((x) => x.kind === 'INVOICE'), 'at least one document must be an INVOICE')
      .openapi({
        description:
          "The documents' canonical fields (at least one INVOICE). The ledger computes and claims their fingerprints; the fields are sent in the proposal's transient map and reach no block and no state",
      }),
  })
  .openapi('RegisterReceivable');

export const VerifyDocumentsBody = z
  .strictObject({ documents: z.array(DocumentFields).min(1).max(50) })
  .openapi('VerifyDocuments');

export const DocumentVerification = z
  .object({
    receivableId: RecordId,
    documents: z.array(z.object({ kind: z.enum(DOCUMENT_KINDS), fingerprint: Fingerprint, matches: z.boolean() })),
    allMatch: z.boolean().openapi({ description: 'Every document given hashes to a fingerprint the receivable claims' }),
    complete: z.boolean().openapi({ description: "Every fingerprint the receivable claims was matched by a document given" }),
  })
  .openapi('DocumentVerification');

export const ReasonBody = z.strictObject({ reason: Text(500).optional() }).openapi('Reason');
export const EmptyBody = z.strictObject({}).openapi('Empty');

export const ReceivableStatus = z.enum(RECEIVABLE_STATUSES);

export const ListReceivablesQuery = z.strictObject({
  creditor: MemberId.optional(),
  debtor: MemberId.optional(),
  assignee: MemberId.optional().openapi({ description: 'The bank a factored receivable is assigned to' }),
  status: ReceivableStatus.optional(),
  pageSize: PageSize.optional(),
  bookmark: Bookmark.optional(),
});

export const Receivable = z
  .looseObject({
    id: RecordId,
    creditor: MemberId,
    debtor: MemberId,
    amount: Money,
    currency: z.string(),
    dueDate: z.string(),
    documents: z.array(DocumentRef),
    voucheredAmount: Money,
    status: ReceivableStatus,
    ...MetaFields,
  })
  .openapi('Receivable');

export const HistoryVersion = z.object({
  txId: z.string(),
  timestamp: z.string(),
  isDelete: z.boolean(),
  /** The member whose transaction wrote this version; null for a delete. */
  actor: MemberId.nullable(),
  record: z.unknown(),
});
export const History = z.object({ id: RecordId, versions: z.array(HistoryVersion) }).openapi('History');
