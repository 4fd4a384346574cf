import type { Services } from '../../services';
import { route, type RouteSpec, written } from '../route';
import { IdParams, Page } from '../schemas/common';
import { Approval } from '../schemas/approvals';
import { History } from '../schemas/receivables';
import {
  IssueVoucherBody,
  ListVouchersQuery,
  Provenance,
  SettleVoucherBody,
  SplitVoucherBody,
  TransferVoucherBody,
  Voucher,
  VoucherTree,
  VoucherWithChildren,
} from '../schemas/vouchers';

const WRITE_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'BUSINESS_RULE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'] as const;
const READ_ERRORS = ['NOT_FOUND', 'LEDGER_UNAVAILABLE'] as const;

export function voucherRoutes({ vouchers }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/vouchers',
      summary: 'Issue a root voucher against a confirmed receivable (its debtor)',
      tag: 'vouchers',
      body: IssueVoucherBody,
      success: { status: 201, description: 'The ACTIVE root voucher, held by the creditor', schema: Voucher },
      accepted: Approval,
      errors: [...WRITE_ERRORS, 'ALREADY_EXISTS', 'DOUBLE_FINANCING'],
      handle: async ({ body }, ctx) => written(await vouchers.issue(ctx, body)),
    }),
    route({
      method: 'get',
      path: '/vouchers',
      summary: 'List voucher pieces visible to the caller',
      tag: 'vouchers',
      query: ListVouchersQuery,
      success: { status: 200, description: 'One page', schema: Page(Voucher) },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => ({ body: await vouchers.list(ctx, query) }),
    }),
    route({
      method: 'get',
      path: '/vouchers/:id',
      summary: 'Read a voucher piece',
      tag: 'vouchers',
      params: IdParams,
      success: { status: 200, description: 'The piece', schema: Voucher },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await vouchers.get(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/vouchers/:id/transfer',
      summary: 'Transfer all or part of a piece (its holder)',
      tag: 'vouchers',
      params: IdParams,
      body: TransferVoucherBody,
      success: { status: 200, description: 'The piece after the transfer and any children created', schema: VoucherWithChildren },
      errors: [...WRITE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await vouchers.transfer(ctx, params.id, body.to, body.amount)),
    }),
    route({
      method: 'post',
      path: '/vouchers/:id/split',
      summary: 'Split a piece into 2-20 children kept by the holder',
      tag: 'vouchers',
      params: IdParams,
      body: SplitVoucherBody,
      success: { status: 200, description: 'The SPLIT piece and its children', schema: VoucherWithChildren },
      errors: [...WRITE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await vouchers.split(ctx, params.id, body.amounts)),
    }),
    route({
      method: 'post',
      path: '/vouchers/:id/settle',
      summary: 'Settle a piece on or after maturity (its issuer); records who was paid',
      tag: 'vouchers',
      params: IdParams,
      body: SettleVoucherBody,
      success: { status: 200, description: 'The SETTLED piece', schema: Voucher },
      errors: [...WRITE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await vouchers.settle(ctx, params.id, body.paymentRef)),
    }),
    route({
      method: 'get',
      path: '/vouchers/:id/provenance',
      summary: 'Lineage to the root, backing receivable, encumbrances and a financeability verdict',
      tag: 'vouchers',
      params: IdParams,
      success: { status: 200, description: 'Provenance', schema: Provenance },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await vouchers.provenance(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/vouchers/:id/history',
      summary: 'Every committed version of a piece',
      tag: 'vouchers',
      params: IdParams,
      success: { status: 200, description: 'Versions', schema: History },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await vouchers.history(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/vouchers/:id/tree',
      summary: 'The tree of the root this piece belongs to (to whoever may read some piece of it; holder "" where the caller may not read that piece)',
      tag: 'vouchers',
      params: IdParams,
      success: { status: 200, description: 'The tree', schema: VoucherTree },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await vouchers.tree(ctx, params.id) }),
    }),
  ];
}
