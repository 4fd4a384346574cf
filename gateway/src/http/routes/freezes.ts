import type { Services } from '../../services';
import { RequestValidationError } from '../problem';
import { route, type RouteSpec, written } from '../route';
import { IdParams, Page } from '../schemas/common';
import { CreateFreezeBody, Freeze, ListFreezesQuery, LiftFreezeBody, LiftFreezeQuery } from '../schemas/freezes';
import { History } from '../schemas/receivables';

/*
 * Judicial freezes (司法冻结): the OPERATOR freezes a member or an asset on a
 * court order; while in force, every write touching it answers 423 FROZEN.
 * Lifting is DELETE on the freeze: the record stays (status LIFTED) and its
 * history shows who froze and lifted it, and why.
 */
export function freezeRoutes({ freezes }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/freezes',
      summary: 'Freeze a member or an asset (OPERATOR)',
      tag: 'freezes',
      body: CreateFreezeBody,
      success: { status: 201, description: 'The ACTIVE freeze', schema: Freeze },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'ALREADY_EXISTS', 'BUSINESS_RULE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ body }, ctx) => written(await freezes.freeze(ctx, body)),
    }),
    route({
      method: 'get',
      path: '/freezes',
      summary: 'List freezes of one target, or by status (OPERATOR, AUDITOR; a frozen member sees its own)',
      tag: 'freezes',
      query: ListFreezesQuery,
      success: { status: 200, description: 'One page', schema: Page(Freeze) },
      errors: ['FORBIDDEN', 'LEDGER_UNAVAILABLE'],
      handle: async ({ query }, ctx) => {
        const { targetType, targetId, ...rest } = query;
        const target = targetType !== undefined && targetId !== undefined ? { type: targetType, id: targetId } : undefined;
        return { body: await freezes.list(ctx, { ...rest, target }) };
      },
    }),
    route({
      method: 'get',
      path: '/freezes/:id',
      summary: 'Read a freeze',
      tag: 'freezes',
      params: IdParams,
      success: { status: 200, description: 'The freeze', schema: Freeze },
      errors: ['NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await freezes.get(ctx, params.id) }),
    }),
    route({
      method: 'get',
      path: '/freezes/:id/history',
      summary: 'Every committed version of a freeze (who ordered and lifted it, when, why)',
      tag: 'freezes',
      params: IdParams,
      success: { status: 200, description: 'Versions', schema: History },
      errors: ['NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await freezes.history(ctx, params.id) }),
    }),
    route({
      method: 'delete',
      path: '/freezes/:id',
      summary: 'Lift a freeze (OPERATOR), with an optional reason in the body or as ?reason=',
      tag: 'freezes',
      params: IdParams,
      query: LiftFreezeQuery,
      body: LiftFreezeBody,
      success: { status: 200, description: 'The LIFTED freeze', schema: Freeze },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ params, query, body }, ctx) => {
        if (query.reason !== undefined && body.reason !== undefined && query.reason !== body.reason) {
          throw new RequestValidationError([{ path: 'query.reason', message: 'give the reason once: in the body or in the query' }]);
        }
        return written(await freezes.lift(ctx, params.id, body.reason ?? query.reason));
      },
    }),
  ];
}
