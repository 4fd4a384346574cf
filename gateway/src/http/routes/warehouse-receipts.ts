import type { Services } from '../../services';
import { route, type RouteSpec, written } from '../route';
import { IdParams, Page } from '../schemas/common';
import { EmptyBody, History } from '../schemas/receivables';
import {
  IssueReceiptBody,
  ListReceiptsQuery,
  ReceiptWithChildren,
  ReceiptWithFinancing,
  ReleaseReceiptBody,
  SplitReceiptBody,
  TransferReceiptBody,
  WarehouseReceipt,
} from '../schemas/warehouse-receipts';

const WRITE_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'BUSINESS_RULE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'] as const;
const READ_ERRORS = ['NOT_FOUND', 'LEDGER_UNAVAILABLE'] as const;

/** Pledging a receipt is a financing: `POST /financings` with `asset.type` WAREHOUSE_RECEIPT. */
export function warehouseReceiptRoutes({ warehouseReceipts }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/warehouse-receipts',
      summary: 'Issue a receipt for goods the warehouse stores (WAREHOUSE); claims the lot',
      tag: 'warehouse-receipts',
      body: IssueReceiptBody,
      success: { status: 201, description: 'The ACTIVE receipt, owned by the named supplier', schema: WarehouseReceipt },
      errors: [...WRITE_ERRORS, 'ALREADY_EXISTS', 'DOUBLE_FINANCING'],
      handle: async ({ body }, ctx) => written(await warehouseReceipts.issue(ctx, body)),
    }),
    route({
      method: 'get',
      path: '/warehouse-receipts',
      summary: 'List receipts visible to the caller (by owner, warehouse or status)',
      tag: 'warehouse-receipts',
      query: ListReceiptsQuery,
      success: { status: 200, description: 'One page', schema: Page(WarehouseReceipt) },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => ({ body: await warehouseReceipts.list(ctx, query) }),
    }),
    route({
      method: 'get',
      path: '/warehouse-receipts/:id',
      summary: 'Read a receipt (owner, warehouse, pledgee or financing bank, AUDITOR, OPERATOR)',
      tag: 'warehouse-receipts',
      params: IdParams,
      success: { status: 200, description: 'The receipt', schema: WarehouseReceipt },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await warehouseReceipts.get(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/warehouse-receipts/:id/history',
      summary: 'Every committed version of a receipt',
      tag: 'warehouse-receipts',
      params: IdParams,
      success: { status: 200, description: 'Versions', schema: History },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await warehouseReceipts.history(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/warehouse-receipts/:id/transfer',
      summary: 'Hand the whole receipt to another supplier (its owner)',
      tag: 'warehouse-receipts',
      params: IdParams,
      body: TransferReceiptBody,
      success: { status: 200, description: 'The receipt with its new owner', schema: WarehouseReceipt },
      errors: [...WRITE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await warehouseReceipts.transfer(ctx, params.id, body.to)),
    }),
    route({
      method: 'post',
      path: '/warehouse-receipts/:id/split',
      summary: 'Split by quantity into 2-20 receipts kept by the owner; valuation pro rata, remainder to the last',
      tag: 'warehouse-receipts',
      params: IdParams,
      body: SplitReceiptBody,
      success: { status: 200, description: 'The SPLIT receipt and its children', schema: ReceiptWithChildren },
      errors: [...WRITE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await warehouseReceipts.split(ctx, params.id, body.quantities)),
    }),
    route({
      method: 'post',
      path: '/warehouse-receipts/:id/deliver',
      summary: 'Record delivery of the goods to the owner (提货; the issuing warehouse); final',
      tag: 'warehouse-receipts',
      params: IdParams,
      body: EmptyBody,
      success: { status: 200, description: 'The DELIVERED receipt', schema: WarehouseReceipt },
      errors: [...WRITE_ERRORS],
      handle: async ({ params }, ctx) => written(await warehouseReceipts.deliver(ctx, params.id)),
    }),
    route({
      method: 'post',
      path: '/warehouse-receipts/:id/release',
      summary: 'Release a pledge (the pledgee bank): the receipt is ACTIVE again, its financing REPAID',
      tag: 'warehouse-receipts',
      params: IdParams,
      body: ReleaseReceiptBody,
      success: { status: 200, description: 'The released receipt and its repaid financing', schema: ReceiptWithFinancing },
      errors: [...WRITE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await warehouseReceipts.release(ctx, params.id, body.paymentRef)),
    }),
    route({
      method: 'post',
      path: '/warehouse-receipts/:id/enforce',
      summary: "Enforce a pledge in default, after the loan's due date (the pledgee bank): the bank becomes the owner",
      tag: 'warehouse-receipts',
      params: IdParams,
      body: EmptyBody,
      success: { status: 200, description: 'The receipt now owned by the bank, and its ENFORCED financing', schema: ReceiptWithFinancing },
      errors: [...WRITE_ERRORS],
      handle: async ({ params }, ctx) => written(await warehouseReceipts.enforce(ctx, params.id)),
    }),
  ];
}
