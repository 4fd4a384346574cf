import type { Services } from '../../services';
import { route, type RouteSpec, written } from '../route';
import { Approval } from '../schemas/approvals';
import { IdParams, Page } from '../schemas/common';
import { AdjustCreditLineBody, CreditLine, CreditLineActionBody, GrantCreditLineBody, ListCreditLinesQuery } from '../schemas/credit-lines';
import { History } from '../schemas/receivables';

/*
 * Credit lines (授信, DESIGN.md section 8). Issuing a voucher and approving a
 * financing use them in the chaincode: a step past a line's headroom, or on a
 * suspended, expired or closed line, is 422 BUSINESS_RULE naming the line.
 */
const WRITE_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'BUSINESS_RULE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'] as const;
const READ_ERRORS = ['NOT_FOUND', 'LEDGER_UNAVAILABLE'] as const;

const STATUS_CHANGES = [
  { action: 'Suspend', path: 'suspend', summary: 'Suspend a line (its granter): new use stops at once, outstanding use is untouched', to: 'SUSPENDED' },
  { action: 'Reinstate', path: 'reinstate', summary: 'Reinstate a suspended line (its granter)', to: 'ACTIVE' },
  { action: 'Close', path: 'close', summary: 'Close a line for good (its granter): no new use; outstanding use still runs off', to: 'CLOSED' },
] as const;

export function creditLineRoutes({ creditLines }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/credit-lines',
      summary: 'Grant a credit line: ISSUANCE (the OPERATOR, to a core enterprise) or FINANCING (a bank, to an obligor)',
      tag: 'credit-lines',
      body: GrantCreditLineBody,
      success: { status: 201, description: 'The ACTIVE line', schema: CreditLine },
      accepted: Approval,
      errors: [...WRITE_ERRORS, 'ALREADY_EXISTS'],
      handle: async ({ body }, ctx) => written(await creditLines.grant(ctx, body)),
    }),
    route({
      method: 'get',
      path: '/credit-lines',
      summary: 'List credit lines with use and headroom, by granter or obligor (without either: those the caller granted or holds)',
      tag: 'credit-lines',
      query: ListCreditLinesQuery,
      success: { status: 200, description: 'One page', schema: Page(CreditLine) },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => ({ body: await creditLines.list(ctx, query) }),
    }),
    route({
      method: 'get',
      path: '/credit-lines/:id',
      summary: 'Read a credit line with its use and headroom (its granter, its obligor, AUDITOR, OPERATOR)',
      tag: 'credit-lines',
      params: IdParams,
      success: { status: 200, description: 'The line', schema: CreditLine },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await creditLines.get(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/credit-lines/:id/history',
      summary: 'Every committed version of a credit line (each use and release included)',
      tag: 'credit-lines',
      params: IdParams,
      success: { status: 200, description: 'Versions', schema: History },
      errors: [...READ_ERRORS],
      handle: async ({ params }, ctx) => ({ body: await creditLines.history(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/credit-lines/:id/adjust',
      summary: 'Raise or reduce the limit (never below use) and/or move validTo (its granter)',
      tag: 'credit-lines',
      params: IdParams,
      body: AdjustCreditLineBody,
      success: { status: 200, description: 'The adjusted line', schema: CreditLine },
      accepted: Approval,
      errors: [...WRITE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await creditLines.adjust(ctx, params.id, body)),
    }),
    ...STATUS_CHANGES.map((c) =>
      route({
        method: 'post',
        path: `/credit-lines/:id/${c.path}`,
        summary: c.summary,
        tag: 'credit-lines',
        params: IdParams,
        body: CreditLineActionBody,
        success: { status: 200, description: `The ${c.to} line`, schema: CreditLine },
        errors: [...WRITE_ERRORS],
        handle: async ({ params, body }, ctx) => written(await creditLines.change(ctx, params.id, c.action, body.reason)),
      }),
    ),
  ];
}
