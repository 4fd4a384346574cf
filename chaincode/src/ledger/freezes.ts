import { frozenError, type ActiveFreeze, type FreezeTarget } from '../domain/controls';
import type { RecordRef, Store } from './store';

/** While a freeze is in force, its target's key points at it: checking a target is one read. */
export const FROZEN_TYPE = 'FROZEN';

/** The attributes of a target's FROZEN key. */
const frozenAttrs = (target: FreezeTarget): string[] => [target.type, target.id];

export function activeFreeze(store: Store, target: FreezeTarget): Promise<ActiveFreeze | undefined> {
  return store.get<ActiveFreeze>(FROZEN_TYPE, frozenAttrs(target));
}

/**
 * FROZEN if any of the targets is frozen (the first found is named). `own`:
 * the targets are the caller itself, which may see the freeze's id and reason.
 */
export async function assertNotFrozen(store: Store, targets: readonly FreezeTarget[], options: { own?: boolean } = {}): Promise<void> {
  const found = await activeFreezes(store, targets);
  const first = found.findIndex((active) => active !== undefined);
  const target = targets[first];
  const active = found[first];
  if (target && active) throw frozenError(target, active, options.own === true);
}

/** The freeze in force on each target, in order (undefined where none): one batch of reads. */
export function activeFreezes(store: Store, targets: readonly FreezeTarget[]): Promise<Array<ActiveFreeze | undefined>> {
  return store.getMany<ActiveFreeze>(FROZEN_TYPE, targets.map(frozenAttrs));
}

/** The keys assertNotFrozen reads for `targets`, to read them ahead (Store.readAheadOf). */
export function freezeRefs(targets: readonly FreezeTarget[]): RecordRef[] {
  return targets.map((target) => [FROZEN_TYPE, frozenAttrs(target)]);
}
