import { z } from 'zod';
import { MEMBER_STATUSES, ROLES, USER_ROLES } from '../../../../chaincode/src/domain/types';
import { Bookmark, MemberId, MetaFields, Money, MspId, PageSize, Text } from './common';

export const Role = z.enum(ROLES);
export const UserRole = z.enum(USER_ROLES);

export const RegisterMemberBody = z
  .strictObject({
    id: MemberId,
    name: Text(200),
    mspId: MspId,
    roles: z
      .array(Role)
      .min(1)
      .max(ROLES.length)
      .refine((r) => new Set(r).size === r.length, 'roles must not repeat'),
    dualControlThreshold: Money.optional(),
  })
  .openapi('RegisterMember');

export const ListMembersQuery = z
  .strictObject({
    role: Role.optional(),
    status: z.enum(MEMBER_STATUSES).optional(),
    pageSize: PageSize.optional().openapi({ type: 'integer', description: 'Members read per page, 1-200 (50 by default): a page filtered by role or status may hold fewer and still have a bookmark' }),
    bookmark: Bookmark.optional(),
  })
  .openapi('ListMembersQuery');

export const ListIdentitiesQuery = z
  .strictObject({ pageSize: PageSize.optional(), bookmark: Bookmark.optional() })
  .openapi('ListIdentitiesQuery');

export const AmendMemberBody = z
  .strictObject({
    name: Text(200).optional(),
    mspId: MspId.optional().openapi({ description: 'Only while no identity is bound to the member (unbind them first)' }),
    reason: Text(500).optional().openapi({ description: 'Kept in the MemberAmended event' }),
  })
  .refine((b) => b.name !== undefined || b.mspId !== undefined, 'name a new name, a new mspId, or both')
  .openapi('AmendMember');

export const MemberStatusBody = z.strictObject({ reason: Text(500).optional() }).openapi('MemberStatusChange');

/** An identity named by its certificate (the gateway derives the id the chaincode will see) or by that id directly. */
const namedIdentity = {
  mspId: MspId,
  certificate: z.string().min(1).max(16_384).optional().openapi({ description: 'PEM X.509 certificate' }),
  identityId: z.string().min(8).max(1024).optional().openapi({ description: 'ClientIdentity.getID() of the certificate' }),
};
const oneName = (b: { certificate?: string | undefined; identityId?: string | undefined }): boolean => (b.certificate === undefined) !== (b.identityId === undefined);
const ONE_NAME = { message: 'give exactly one of certificate or identityId', path: ['certificate'] };

export const BindIdentityBody = z
  .strictObject({ ...namedIdentity, userRole: UserRole })
  .refine(oneName, ONE_NAME)
  .openapi('BindIdentity');

export const UnbindIdentityBody = z
  .strictObject({ ...namedIdentity, reason: Text(500).optional() })
  .refine(oneName, ONE_NAME)
  .openapi('UnbindIdentity');

export const Member = z
  .looseObject({
    id: MemberId,
    name: z.string(),
    mspId: z.string(),
    roles: z.array(Role),
    status: z.enum(MEMBER_STATUSES),
    dualControlThreshold: Money.optional(),
    statusReason: z.string().optional(),
    ...MetaFields,
  })
  .openapi('Member');

export const IdentityBinding = z
  .looseObject({
    mspId: z.string(),
    identityId: z.string(),
    memberId: MemberId,
    userRole: UserRole,
    pendingAcceptance: z.literal(true).optional().openapi({
      description: "Present on a binding the member's own ADMIN made that the identity has not accepted yet (POST /members/{id}/identities/accept, as that identity): until then it acts as nobody (403)",
    }),
    acceptedAt: z.string().optional().openapi({ description: 'When the identity accepted the binding offered to it' }),
    ...MetaFields,
  })
  .openapi('IdentityBinding');

export const UnboundIdentity = IdentityBinding.extend({
  unboundAt: z.string(),
  unboundTxId: z.string(),
  reason: z.string().optional(),
}).openapi('UnboundIdentity');

export const WhoAmI = z.object({ member: Member, identity: IdentityBinding }).openapi('WhoAmI');

export const BindingOffer = z
  .object({ identity: IdentityBinding, member: Member.pick({ id: true, name: true, roles: true, status: true }) })
  .openapi('BindingOffer');
