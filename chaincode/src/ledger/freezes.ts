import { frozenError, type ActiveFreeze, type FreezeTarget } from '../domain/controls';
import type { Store } from './store';

/** While a freeze is in force, its target's key points at it: checking a target is one read. */
export const FROZEN_TYPE = 'FROZEN';

export function activeFreeze(store: Store, target: FreezeTarget): Promise<ActiveFreeze | undefined> {
  return store.get<ActiveFreeze>(FROZEN_TYPE, [target.type, target.id]);
}

/**
 * FROZEN if any of the targets is frozen (the first found is named). `own`:
 * the targets are the caller itself, which may see the freeze's id and reason.
 */
export async function assertNotFrozen(store: Store, targets: readonly FreezeTarget[], options: { own?: boolean } = {}): Promise<void> {
  for (const target of targets) {
    const active = await activeFreeze(store, target);
    if (active) throw frozenError(target, active, options.own === true);
  }
}
