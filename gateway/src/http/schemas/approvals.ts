import { z } from 'zod';
import { MemberId, MetaFields, Money, RecordId } from './common';

/** A maker's request awaiting a checker (dual control, 双人授权). Routes for deciding come with financing. */
export const Approval = z
  .looseObject({
    id: RecordId,
    memberId: MemberId,
    transaction: z.string(),
    command: z.record(z.string(), z.unknown()),
    amount: Money,
    threshold: Money,
    status: z.enum(['PENDING', 'APPROVED', 'REJECTED']),
    maker: z.string(),
    ...MetaFields,
  })
  .openapi('Approval');
