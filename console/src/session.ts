import { signal } from '@preact/signals';
import type { BindingOffer, IdentityBinding, Member } from '../../chaincode/src/domain/types';
import type { DemoSignIn } from '../../gateway/src/http/console';
import { ApiError, get } from './api';

/** Who the token is on the ledger (GET /me), once signed in. */
export interface WhoAmI {
  member: Member;
  identity: IdentityBinding;
}

export const me = signal<WhoAmI | undefined>(undefined);

/** The binding a member's ADMIN offered this identity, when /me refused it for that (GET /me/offer). */
export const offer = signal<BindingOffer | undefined>(undefined);

/** Who the token is; when it is only offered a binding, `offer` says by whom before this throws. */
export async function loadMe(): Promise<WhoAmI> {
  try {
    const who = await get<WhoAmI>('/me');
    me.value = who;
    return who;
  } catch (err) {
    if (err instanceof ApiError && err.problem.code === 'FORBIDDEN') offer.value = await get<BindingOffer>('/me/offer').catch(() => undefined);
    throw err;
  }
}

/** The caller's member id (the views are shown only once /me answered). */
export const myId = (): string => me.value?.member.id ?? '';

export type { DemoSignIn };

/** The demo identities, when the gateway runs the demo; [] otherwise. */
export async function demoIdentities(): Promise<DemoSignIn[]> {
  const res = await fetch('/console/demo-identities', { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!res.ok) return [];
  return ((await res.json()) as { identities: DemoSignIn[] }).identities;
}
