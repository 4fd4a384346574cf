import type { Services } from '../../services';
import { route, type RouteSpec, written } from '../route';
import { Approval } from '../schemas/approvals';
import { IdParams, Page } from '../schemas/common';
import {
  ApproveFinancingBody,
  Financing,
  FinancingPaymentBody,
  ListFinancingsQuery,
  RejectFinancingBody,
  RequestFinancingBody,
  SettleReceivableBody,
} from '../schemas/financings';
import { History, Receivable } from '../schemas/receivables';

const BANK_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'BUSINESS_RULE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'] as const;
const READ_ERRORS = ['NOT_FOUND', 'LEDGER_UNAVAILABLE'] as const;

export function financingRoutes({ financings }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/financings',
      summary: "Ask a bank to finance a voucher, receivable or warehouse receipt (its holder / creditor / owner); locks the asset",
      tag: 'financings',
      body: RequestFinancingBody,
      success: { status: 201, description: 'The REQUESTED financing', schema: Financing },
      errors: [...BANK_ERRORS, 'ALREADY_EXISTS', 'DOUBLE_FINANCING'],
      handle: async ({ body }, ctx) => written(await financings.request(ctx, body)),
    }),
    route({
      method: 'get',
      path: '/financings',
      summary: 'List financings visible to the caller (by applicant, bank or status)',
      tag: 'financings',
      query: ListFinancingsQuery,
      success: { status: 200, description: 'One page', schema: Page(Financing) },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => ({ body: await financings.list(ctx, query) }),
    }),
    route({
      method: 'get',
      path: '/financings/:id',
      summary: 'Read a financing (its applicant, its bank, AUDITOR, OPERATOR)',
      tag: 'financings',
      params: IdParams,
      success: { status: 200, description: 'The financing', schema: Financing },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await financings.get(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/financings/:id/history',
      summary: 'Every committed version of a financing',
      tag: 'financings',
      params: IdParams,
      success: { status: 200, description: 'Versions', schema: History },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await financings.history(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/financings/:id/approve',
      summary: 'Approve a requested financing with an advance and a rate (the bank); checks the caps and the circuit breaker',
      tag: 'financings',
      params: IdParams,
      body: ApproveFinancingBody,
      success: { status: 200, description: 'The APPROVED financing with its quoted discount and fee', schema: Financing },
      accepted: Approval,
      errors: [...BANK_ERRORS],
      handle: async ({ params, body }, ctx) => written(await financings.approve(ctx, params.id, body)),
    }),
    route({
      method: 'post',
      path: '/financings/:id/reject',
      summary: 'Reject a requested or approved financing (the bank); unlocks the asset',
      tag: 'financings',
      params: IdParams,
      body: RejectFinancingBody,
      success: { status: 200, description: 'The REJECTED financing', schema: Financing },
      errors: [...BANK_ERRORS],
      handle: async ({ params, body }, ctx) => written(await financings.reject(ctx, params.id, body.reason)),
    }),
    route({
      method: 'post',
      path: '/financings/:id/disburse',
      summary: 'Pay out an approved financing (the bank): vouchers and receivables pass to the bank, receipts are pledged to it',
      tag: 'financings',
      params: IdParams,
      body: FinancingPaymentBody,
      success: { status: 200, description: 'The DISBURSED financing with its final discount and fee', schema: Financing },
      errors: [...BANK_ERRORS],
      handle: async ({ params, body }, ctx) => written(await financings.disburse(ctx, params.id, body.paymentRef)),
    }),
    route({
      method: 'post',
      path: '/financings/:id/repay',
      summary: 'Record repayment of a pledge (the bank) and release the receipt; discounted assets are repaid by settlement',
      tag: 'financings',
      params: IdParams,
      body: FinancingPaymentBody,
      success: { status: 200, description: 'The REPAID financing', schema: Financing },
      errors: [...BANK_ERRORS],
      handle: async ({ params, body }, ctx) => written(await financings.repay(ctx, params.id, body.paymentRef)),
    }),
    route({
      method: 'post',
      path: '/receivables/:id/settle',
      summary: 'Pay a factored receivable on or after its due date (its debtor): the assignee bank is paid, the financing REPAID',
      tag: 'receivables',
      params: IdParams,
      body: SettleReceivableBody,
      success: { status: 200, description: 'The SETTLED receivable, naming who was paid', schema: Receivable },
      errors: [...BANK_ERRORS],
      handle: async ({ params, body }, ctx) => written(await financings.settleReceivable(ctx, params.id, body.paymentRef)),
    }),
  ];
}
