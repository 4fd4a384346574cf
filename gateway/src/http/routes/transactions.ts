import { z } from 'zod';
import type { Services } from '../../services';
import { route, type RouteSpec } from '../route';
import { TxIdParams } from '../schemas/common';

const TransactionStatus = z
  .object({
    txId: z.string(),
    blockNumber: z.number().int(),
    validationCode: z.string().describe('VALID, MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT, ...'),
    valid: z.boolean(),
  })
  .openapi('TransactionStatus');

export function transactionRoutes({ ledger }: Services): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/transactions/:txId',
      summary: 'Commit status of a submitted transaction (e.g. after a 504 COMMIT_TIMEOUT)',
      tag: 'ledger',
      params: TxIdParams,
      success: { status: 200, description: 'The transaction committed, valid or not', schema: TransactionStatus },
      errors: ['NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }) => ({ body: await ledger.transaction(params.txId) }),
    }),
  ];
}
