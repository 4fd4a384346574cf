import type { Services } from '../../services';
import { route, type RouteSpec, written } from '../route';
import { Approval, ApprovalDecision, DecideApprovalBody, DualControlBody, ListApprovalsQuery } from '../schemas/approvals';
import { IdParams, MemberIdParams, Page } from '../schemas/common';
import { Member } from '../schemas/members';

/*
 * Dual control (双人授权, DESIGN.md section 1). Approving runs the stored
 * operation in the checker's transaction against the state as it is then, so
 * approve can answer any error of that operation (a voucher issuance, a
 * financing approval) besides its own.
 */
const DECIDE_ERRORS = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'] as const;

export function approvalRoutes({ approvals }: Services): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/approvals',
      summary: "List approvals of the caller's member (AUDITOR and OPERATOR may name another member)",
      tag: 'approvals',
      query: ListApprovalsQuery,
      success: { status: 200, description: 'One page', schema: Page(Approval) },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => ({ body: await approvals.list(ctx, query) }),
    }),
    route({
      method: 'get',
      path: '/approvals/:id',
      summary: "Read an approval (its member's identities, AUDITOR, OPERATOR)",
      tag: 'approvals',
      params: IdParams,
      success: { status: 200, description: 'The approval', schema: Approval },
      errors: ['NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await approvals.get(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/approvals/:id/approve',
      summary: 'Approve a PENDING approval (a CHECKER or ADMIN of its member, not the maker): executes the operation',
      tag: 'approvals',
      params: IdParams,
      body: DecideApprovalBody,
      success: { status: 200, description: "The APPROVED approval and the operation's result", schema: ApprovalDecision },
      errors: [...DECIDE_ERRORS, 'ALREADY_EXISTS', 'DOUBLE_FINANCING', 'BUSINESS_RULE'],
      handle: async ({ params, body }, ctx) => written(await approvals.approve(ctx, params.id, body.reason)),
    }),
    route({
      method: 'post',
      path: '/approvals/:id/reject',
      summary: 'Reject a PENDING approval (a CHECKER or ADMIN of its member, or the maker withdrawing it)',
      tag: 'approvals',
      params: IdParams,
      body: DecideApprovalBody,
      success: { status: 200, description: 'The REJECTED approval', schema: ApprovalDecision },
      errors: [...DECIDE_ERRORS],
      handle: async ({ params, body }, ctx) => written(await approvals.reject(ctx, params.id, body.reason)),
    }),
    route({
      method: 'post',
      path: '/members/:id/dual-control',
      summary: "Set a member's dual-control threshold, or switch it off with null (the member's ADMIN, or the OPERATOR)",
      tag: 'members',
      params: MemberIdParams,
      body: DualControlBody,
      success: { status: 200, description: 'The member with its new threshold', schema: Member },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ params, body }, ctx) => written(await approvals.setThreshold(ctx, params.id, body.threshold)),
    }),
  ];
}
