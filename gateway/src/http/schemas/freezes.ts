import { z } from 'zod';
import { FREEZE_STATUSES, FREEZE_TARGET_TYPES } from '../../../../chaincode/src/domain/controls';
import { isValidUscc } from '../../../../chaincode/src/domain/uscc';
import { Bookmark, MemberId, MetaFields, PageSize, RecordId, Text } from './common';

export const FreezeTargetType = z.enum(FREEZE_TARGET_TYPES);
export const FreezeStatus = z.enum(FREEZE_STATUSES);

const memberTargetIssue = 'a MEMBER target is a unified social credit code with a valid check character';

export const FreezeTarget = z
  .strictObject({ type: FreezeTargetType, id: RecordId })
  .refine((t) => t.type !== 'MEMBER' || isValidUscc(t.id), { message: memberTargetIssue, path: ['id'] })
  .openapi('FreezeTarget');

export const CreateFreezeBody = z
  .strictObject({
    target: FreezeTarget,
    reason: Text(500).openapi({ description: 'The court order or other ground, kept on the ledger', example: '(2025) Hu 0115 Zhi Bao 123' }),
    id: RecordId.optional().openapi({ description: 'Optional; derived from the transaction id when absent' }),
  })
  .openapi('CreateFreeze');

/** The reason for lifting may come in a JSON body or, for clients that send no body on DELETE, as `?reason=`. */
export const LiftFreezeBody = z.strictObject({ reason: Text(500).optional() }).openapi('LiftFreeze');
export const LiftFreezeQuery = z.strictObject({ reason: Text(500).optional() });

export const ListFreezesQuery = z
  .strictObject({
    targetType: FreezeTargetType.optional(),
    targetId: RecordId.optional(),
    status: FreezeStatus.optional(),
    pageSize: PageSize.optional(),
    bookmark: Bookmark.optional(),
  })
  .refine((q) => (q.targetType === undefined) === (q.targetId === undefined), {
    message: 'give targetType and targetId together',
    path: ['targetId'],
  })
  .refine((q) => q.targetType !== 'MEMBER' || q.targetId === undefined || isValidUscc(q.targetId), {
    message: memberTargetIssue,
    path: ['targetId'],
  });

export const Freeze = z
  .looseObject({
    id: RecordId,
    target: z.object({ type: FreezeTargetType, id: z.string() }),
    reason: z.string(),
    status: FreezeStatus,
    orderedBy: MemberId,
    liftedBy: MemberId.optional(),
    liftReason: z.string().optional(),
    liftedAt: z.string().optional(),
    ...MetaFields,
  })
  .openapi('Freeze');
