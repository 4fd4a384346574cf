import type { Context } from 'fabric-contract-api';
import { DomainError } from '../domain/errors';
import { offerNotAccepted } from '../domain/members';
import type { Actor, IdentityBinding, Member } from '../domain/types';
import { RecordType } from './keys';
import type { RecordRef, Store } from './store';

/** The calling X.509 identity as Fabric names it: MSP ID and getID(). */
export function callerOf(ctx: Context): { mspId: string; identityId: string } {
  return { mspId: ctx.clientIdentity.getMSPID(), identityId: ctx.clientIdentity.getID() };
}

/**
 * What to read together with the caller's own records, on a peer that takes
 * multi-key reads (Store.readAheadOf): `withBinding` beside the identity
 * binding (keys named by the command alone), `withMember` beside the member
 * the binding names (keys named by the member id). Elsewhere it changes
 * nothing: each key is read when it is asked for.
 */
export interface ReadAlong {
  readonly withBinding?: readonly RecordRef[];
  readonly withMember?: (memberId: string) => readonly RecordRef[];
}

/** The key of the caller's identity binding. */
export function bindingRef(ctx: Context): RecordRef {
  const { mspId, identityId } = callerOf(ctx);
  return [RecordType.IDENTITY, [mspId, identityId]];
}

/**
 * Who is calling: the member and user role bound on chain to the caller's
 * certificate. Never taken from transaction arguments.
 */
export async function resolveActor(store: Store, ctx: Context, along?: ReadAlong): Promise<Actor> {
  const actor = await boundActor(store, ctx, along);
  if (!actor) {
    const offered = await store.get<IdentityBinding>(...bindingRef(ctx)); // read again only on the way to an error
    if (offered) throw offerNotAccepted(offered);
    const { mspId, identityId } = callerOf(ctx);
    throw new DomainError('FORBIDDEN', `identity ${identityId} of ${mspId} is not bound to any member`);
  }
  return actor;
}

/**
 * The caller as resolveActor finds it, or undefined when its identity is
 * bound to no member, or only offered to one (pendingAcceptance: it acts as
 * nobody until it accepts). The member can be read only once the binding names
 * it, so these are two reads one after the other; `along` lets each carry
 * what the transaction reads next, so that a transaction's reads take two
 * messages to the peer instead of three.
 */
export async function boundActor(store: Store, ctx: Context, along?: ReadAlong): Promise<Actor | undefined> {
  const binding = bindingRef(ctx);
  if (along?.withBinding) await store.readAheadOf([binding, ...along.withBinding]);
  const identity = await store.get<IdentityBinding>(...binding);
  if (!identity || identity.pendingAcceptance) return undefined;
  if (along?.withMember) await store.readAheadOf([[RecordType.MEMBER, [identity.memberId]], ...along.withMember(identity.memberId)]);
  const member = await store.get<Member>(RecordType.MEMBER, [identity.memberId]);
  if (!member) {
    throw new DomainError('FORBIDDEN', `identity is bound to member ${identity.memberId}, which does not exist`);
  }
  // A binding's MSP is its member's (bindIdentity). One of another MSP is left
  // from before the operator moved the member (member:Amend on a ledger whose
  // identity index was not repaired): it acts for nobody.
  if (identity.mspId !== member.mspId) {
    throw new DomainError(
      'FORBIDDEN',
      `identity ${identity.identityId} of ${identity.mspId} is bound to member ${member.id}, which is now of ${member.mspId}: the operator binds it again, or unbinds it`,
    );
  }
  return { member, identity };
}
