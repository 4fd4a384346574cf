import type { Services } from '../../services';
import { route, type RouteSpec, written } from '../route';
import { MemberIdParams } from '../schemas/common';
import { BindIdentityBody, IdentityBinding, Member, MemberStatusBody, RegisterMemberBody, UnbindIdentityBody, UnboundIdentity, WhoAmI } from '../schemas/members';

export function memberRoutes({ members }: Services): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/members',
      summary: 'Register a member (OPERATOR)',
      tag: 'members',
      body: RegisterMemberBody,
      success: { status: 201, description: 'The registered member', schema: Member },
      errors: ['FORBIDDEN', 'ALREADY_EXISTS', 'BUSINESS_RULE', 'FROZEN', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ body }, ctx) => written(await members.register(ctx, body)),
    }),
    route({
      method: 'get',
      path: '/me',
      summary: "The caller's member and identity binding",
      tag: 'members',
      success: { status: 200, description: 'Who the bearer token is on the ledger', schema: WhoAmI },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async (_input, ctx) => ({ body: await members.whoAmI(ctx) }),
    }),
    route({
      method: 'get',
      path: '/members/:id',
      summary: 'Read a member',
      tag: 'members',
      params: MemberIdParams,
      success: { status: 200, description: 'The member', schema: Member },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'LEDGER_UNAVAILABLE'],
      handle: async ({ params }, ctx) => ({ body: await members.get(ctx, params.id) }),
    }),
    route({
      method: 'post',
      path: '/members/:id/suspend',
      summary: 'Suspend a member (OPERATOR)',
      tag: 'members',
      params: MemberIdParams,
      body: MemberStatusBody,
      success: { status: 200, description: 'The suspended member', schema: Member },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ params, body }, ctx) => written(await members.suspend(ctx, params.id, body.reason)),
    }),
    route({
      method: 'post',
      path: '/members/:id/reinstate',
      summary: 'Reinstate a suspended member (OPERATOR)',
      tag: 'members',
      params: MemberIdParams,
      body: MemberStatusBody,
      success: { status: 200, description: 'The reinstated member', schema: Member },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ params, body }, ctx) => written(await members.reinstate(ctx, params.id, body.reason)),
    }),
    route({
      method: 'post',
      path: '/members/:id/identities',
      summary: "Bind an X.509 identity to a member (an ADMIN of the OPERATOR; the member's ADMIN for a MAKER)",
      tag: 'members',
      params: MemberIdParams,
      body: BindIdentityBody,
      success: { status: 201, description: 'The binding', schema: IdentityBinding },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'ALREADY_EXISTS', 'INVALID_STATE', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ params, body }, ctx) => written(await members.bindIdentity(ctx, params.id, body)),
    }),
    route({
      method: 'post',
      path: '/members/:id/identities/unbind',
      summary: "Unbind an identity from its member: refused everywhere from then on (an ADMIN of the OPERATOR; the member's ADMIN for a MAKER; never oneself)",
      tag: 'members',
      params: MemberIdParams,
      body: UnbindIdentityBody,
      success: { status: 200, description: 'The binding as it was, with when and why it ended', schema: UnboundIdentity },
      errors: ['FORBIDDEN', 'NOT_FOUND', 'BUSINESS_RULE', 'LEDGER_UNAVAILABLE', 'COMMIT_TIMEOUT'],
      handle: async ({ params, body }, ctx) => written(await members.unbindIdentity(ctx, params.id, body)),
    }),
  ];
}
