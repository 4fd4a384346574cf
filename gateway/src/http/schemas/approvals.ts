import { z } from 'zod';
import { APPROVAL_STATUSES } from '../../../../chaincode/src/domain/controls';
import { Bookmark, MemberId, MetaFields, Money, PageSize, RecordId, Text } from './common';

export const ApprovalStatus = z.enum(APPROVAL_STATUSES);

/** A maker's request awaiting a checker (dual control, 双人授权). */
export const Approval = z
  .looseObject({
    id: RecordId,
    memberId: MemberId,
    transaction: z.string().openapi({ description: 'The operation it executes when approved, e.g. voucher:Issue', example: 'voucher:Issue' }),
    command: z.record(z.string(), z.unknown()),
    amount: Money,
    threshold: Money,
    status: ApprovalStatus,
    maker: z.string(),
    checker: z.string().optional(),
    reason: z.string().optional(),
    decidedAt: z.string().optional(),
    ...MetaFields,
  })
  .openapi('Approval');

export const ListApprovalsQuery = z.strictObject({
  status: ApprovalStatus.optional(),
  memberId: MemberId.optional().openapi({ description: "Whose approvals (AUDITOR, OPERATOR); others see their own member's" }),
  pageSize: PageSize.optional(),
  bookmark: Bookmark.optional(),
});

export const DecideApprovalBody = z.strictObject({ reason: Text(500).optional() }).openapi('DecideApproval');

export const ApprovalDecision = z
  .object({
    approval: Approval,
    result: z.unknown().optional().openapi({ description: "Approve only: the executed operation's result (e.g. the issued voucher)" }),
  })
  .openapi('ApprovalDecision');

/** `null` switches dual control off. */
export const DualControlBody = z
  .strictObject({
    threshold: Money.refine((v) => v !== '0', 'a threshold is at least 1 minor unit; send null to switch dual control off').nullable(),
  })
  .openapi('DualControl');
