import type { BindingOffer, IdentityBinding, Member, MemberStatus, Role, UserRole } from '../../../chaincode/src/domain/types';
import { identityIdOf } from '../ledger/identity-id';
import type { CallContext, LedgerCalls, Page, Written } from './calls';

export interface RegisterMemberInput {
  id: string;
  name: string;
  mspId: string;
  roles: Role[];
  dualControlThreshold?: string | undefined;
}

export interface BindIdentityInput {
  mspId: string;
  certificate?: string | undefined;
  identityId?: string | undefined;
  userRole: UserRole;
}

export interface UnbindIdentityInput {
  mspId: string;
  certificate?: string | undefined;
  identityId?: string | undefined;
  reason?: string | undefined;
}

/** What an unbinding answers: the binding as it was, and when and why it ended. */
export type UnboundIdentity = IdentityBinding & { unboundAt: string; unboundTxId: string; reason?: string };

/** The id the chaincode sees for an identity named by its certificate or by that id. */
function identityIdFrom(input: { mspId: string; certificate?: string | undefined; identityId?: string | undefined }): string {
  return input.certificate !== undefined ? identityIdOf(input.mspId, input.certificate) : (input.identityId as string);
}

export class MemberService {
  constructor(private readonly calls: LedgerCalls) {}

  register(ctx: CallContext, input: RegisterMemberInput): Promise<Written<Member>> {
    return this.calls.write(ctx, 'member:Register', input);
  }

  /** The members, in id order (OPERATOR, AUDITOR): of one role or status if asked. */
  list(ctx: CallContext, filter: { role?: Role | undefined; status?: MemberStatus | undefined; pageSize?: number | undefined; bookmark?: string | undefined }): Promise<Page<Member>> {
    return this.calls.list(ctx, 'member:List', filter);
  }

  get(ctx: CallContext, id: string): Promise<Member> {
    return this.calls.read(ctx, 'member:Get', { id });
  }

  /** Who can sign for a member: its identities in force and offered (OPERATOR, AUDITOR, the member's ADMIN). */
  identities(ctx: CallContext, memberId: string, page: { pageSize?: number | undefined; bookmark?: string | undefined }): Promise<Page<IdentityBinding>> {
    return this.calls.list(ctx, 'member:Identities', { memberId, ...page });
  }

  whoAmI(ctx: CallContext): Promise<{ member: Member; identity: IdentityBinding }> {
    return this.calls.read(ctx, 'member:WhoAmI', {});
  }

  suspend(ctx: CallContext, id: string, reason?: string): Promise<Written<Member>> {
    return this.calls.write(ctx, 'member:Suspend', { id, reason });
  }

  reinstate(ctx: CallContext, id: string, reason?: string): Promise<Written<Member>> {
    return this.calls.write(ctx, 'member:Reinstate', { id, reason });
  }

  /** The operator corrects a member's name or MSP (the MSP only while no identity is bound to it). */
  amend(ctx: CallContext, id: string, change: { name?: string | undefined; mspId?: string | undefined; reason?: string | undefined }): Promise<Written<Member>> {
    return this.calls.write(ctx, 'member:Amend', { id, ...change });
  }

  bindIdentity(ctx: CallContext, memberId: string, input: BindIdentityInput): Promise<Written<IdentityBinding>> {
    return this.calls.write(ctx, 'member:BindIdentity', { memberId, mspId: input.mspId, identityId: identityIdFrom(input), userRole: input.userRole });
  }

  /** The binding offered to the caller, and who offers it (member:Offer): 404 when none. */
  offer(ctx: CallContext): Promise<BindingOffer> {
    return this.calls.read(ctx, 'member:Offer', {});
  }

  /** The caller accepts the binding to `memberId` its ADMIN offered it (member:AcceptBinding). */
  acceptBinding(ctx: CallContext, memberId: string): Promise<Written<IdentityBinding>> {
    return this.calls.write(ctx, 'member:AcceptBinding', { memberId });
  }

  unbindIdentity(ctx: CallContext, memberId: string, input: UnbindIdentityInput): Promise<Written<UnboundIdentity>> {
    return this.calls.write(ctx, 'member:UnbindIdentity', { memberId, mspId: input.mspId, identityId: identityIdFrom(input), reason: input.reason });
  }
}
