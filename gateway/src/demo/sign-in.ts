import type { DemoSignIn } from '../http/console';
import type { LedgerRuntime } from '../runtime';
import { DEMO_IDENTITIES, DEMO_MEMBERS } from './plan';

/**
 * The demo identities the console offers at sign-in, with their tokens: the
 * same table `npm start` prints (and keeps in identities.json). Only for a
 * gateway running the demo; identities without a token are left out.
 */
export function demoSignIns(runtime: Pick<LedgerRuntime, 'tokens'>): DemoSignIn[] {
  return DEMO_IDENTITIES.flatMap((d) => {
    const token = runtime.tokens.get(d.label);
    const member = DEMO_MEMBERS.find((m) => m.key === d.member);
    if (!token || !member) return [];
    return [{ label: d.label, memberId: member.id, memberName: member.name, roles: [...member.roles], userRole: d.userRole, token }];
  });
}
