import { z } from 'zod';
import { INDEXED_RECORD_KINDS } from '../../../../chaincode/src/ledger/specs';
import { Bookmark } from './common';

export const IndexRepairBody = z
  .strictObject({
    kind: z.enum(INDEXED_RECORD_KINDS).openapi({ description: 'Which records to check' }),
    bookmark: Bookmark.optional().openapi({ description: 'From the previous step; absent to start' }),
    pageSize: z.number().int().min(1).max(100).optional().openapi({ description: 'Records per step, 1-100 (default 100)' }),
  })
  .openapi('IndexRepairStep');

export const IndexRepair = z
  .object({
    kind: z.enum(INDEXED_RECORD_KINDS),
    checked: z.number().int().describe('Records checked in this step'),
    repaired: z.record(z.string(), z.number().int()).describe('Index entries written, per index (IDX_…)'),
    repairedIds: z.array(z.string()).describe('The records that lacked an entry (an identity binding as mspId/identityId)'),
    gone: z.array(z.string()).describe('Records listed for this step and deleted before it ran (an identity unbound meanwhile): skipped'),
    bookmark: z.string().describe('Send it back for the next step; empty when every record of the kind has been checked'),
  })
  .openapi('IndexRepair');
