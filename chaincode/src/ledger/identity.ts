import type { Context } from 'fabric-contract-api';
import { DomainError } from '../domain/errors';
import type { Actor, IdentityBinding, Member } from '../domain/types';
import { RecordType } from './keys';
import type { Store } from './store';

/** The calling X.509 identity as Fabric names it: MSP ID and getID(). */
export function callerOf(ctx: Context): { mspId: string; identityId: string } {
  return { mspId: ctx.clientIdentity.getMSPID(), identityId: ctx.clientIdentity.getID() };
}

/**
 * Who is calling: the member and user role bound on chain to the caller's
 * certificate. Never taken from transaction arguments.
 */
export async function resolveActor(store: Store, ctx: Context): Promise<Actor> {
  const actor = await boundActor(store, ctx);
  if (!actor) {
    const { mspId, identityId } = callerOf(ctx);
    throw new DomainError('FORBIDDEN', `identity ${identityId} of ${mspId} is not bound to any member`);
  }
  return actor;
}

/** The caller as resolveActor finds it, or undefined when its identity is bound to no member. */
export async function boundActor(store: Store, ctx: Context): Promise<Actor | undefined> {
  const { mspId, identityId } = callerOf(ctx);
  const identity = await store.get<IdentityBinding>(RecordType.IDENTITY, [mspId, identityId]);
  if (!identity) return undefined;
  const member = await store.get<Member>(RecordType.MEMBER, [identity.memberId]);
  if (!member) {
    throw new DomainError('FORBIDDEN', `identity is bound to member ${identity.memberId}, which does not exist`);
  }
  return { member, identity };
}
