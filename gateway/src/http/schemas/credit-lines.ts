import { z } from 'zod';
import { CREDIT_LINE_KINDS, CREDIT_LINE_STATUSES } from '../../../../chaincode/src/domain/credit-lines';
import { Bookmark, Currency, DateOnly, MemberId, MetaFields, Money, PositiveMoney, PageSize, RecordId, Text } from './common';

export const CreditLineKind = z.enum(CREDIT_LINE_KINDS).openapi({
  description: 'ISSUANCE: granted by the OPERATOR to a core enterprise, used by its vouchers. FINANCING: granted by a bank to an obligor, used by its financings relying on that obligor',
});
export const CreditLineStatus = z.enum(CREDIT_LINE_STATUSES);

export const GrantCreditLineBody = z
  .strictObject({
    kind: CreditLineKind,
    obligor: MemberId.openapi({ description: 'The core enterprise (ISSUANCE), or the member whose credit the bank takes (FINANCING)' }),
    limit: PositiveMoney,
    validTo: DateOnly,
    validFrom: DateOnly.optional().openapi({ description: "Absent: the transaction's date" }),
    granter: MemberId.optional().openapi({ description: "Absent: the caller's member; naming another member is 403" }),
    currency: Currency.optional(),
    id: RecordId.optional().openapi({ description: 'Optional (CRL-…); derived from the transaction id when absent' }),
  })
  .openapi('GrantCreditLine', { description: "At or above the granter's dual-control threshold the answer is 202 with an approval for a checker" });

export const AdjustCreditLineBody = z
  .strictObject({ limit: PositiveMoney.optional(), validTo: DateOnly.optional() })
  .refine((b) => b.limit !== undefined || b.validTo !== undefined, 'name a new limit, a new validTo, or both')
  .openapi('AdjustCreditLine', {
    description: "Raise or reduce the limit (never below what is used) and/or move validTo. Two-step at or above the granter's threshold (the larger of the old and new limit)",
  });

export const CreditLineActionBody = z.strictObject({ reason: Text(500).optional() }).openapi('CreditLineAction');

export const ListCreditLinesQuery = z.strictObject({
  granter: MemberId.optional(),
  obligor: MemberId.optional(),
  kind: CreditLineKind.optional(),
  pageSize: PageSize.optional(),
  bookmark: Bookmark.optional(),
});

export const CreditLine = z
  .looseObject({
    id: RecordId,
    granter: MemberId,
    obligor: MemberId,
    kind: CreditLineKind,
    limit: Money,
    used: Money.openapi({ description: 'The sum of the live reservations on the line' }),
    headroom: Money.openapi({ description: 'limit − used' }),
    currency: z.string(),
    validFrom: z.string(),
    validTo: z.string(),
    status: CreditLineStatus,
    statusReason: z.string().optional(),
    closedAt: z.string().optional(),
    ...MetaFields,
  })
  .openapi('CreditLine');
