import { DomainError } from './errors';

/** One row of a transition table: from `from`, `action` leads to `to`. Each (from, action) appears once. */
export interface Transition<S extends string, A extends string> {
  readonly from: S;
  readonly action: A;
  readonly to: S;
}

export function findTransition<S extends string, A extends string>(
  table: readonly Transition<S, A>[],
  from: S,
  action: A,
): Transition<S, A> | undefined {
  return table.find((t) => t.from === from && t.action === action);
}

/**
 * The status `action` leads to from `from`, or INVALID_STATE naming the asset,
 * the current status, the action and the from -> to pairs where it is legal.
 */
export function nextStatus<S extends string, A extends string>(
  table: readonly Transition<S, A>[],
  asset: string,
  from: S,
  action: A,
): S {
  const t = findTransition(table, from, action);
  if (t) return t.to;
  const legal = table.filter((row) => row.action === action).map((row) => `${row.from} -> ${row.to}`);
  const hint = legal.length > 0 ? ` (${action} is allowed only as ${legal.join(', ')})` : '';
  throw new DomainError('INVALID_STATE', `${asset} is ${from}: cannot ${action}${hint}`);
}

/**
 * The statuses in an order no transition goes back in: each before every
 * status it leads to. A paged list that reads one status after another in
 * this order never misses a record whose status changes during the walk (it
 * moves to a status still to come, and may then be met twice: once as it
 * was, once as it is); in any other order, a record moving to a status
 * already read is missed. Ties keep the order of `statuses`. INVALID_STATE
 * (a defect) when a transition leads back: then no such order exists.
 */
export function lifecycleOrder<S extends string, A extends string>(statuses: readonly S[], table: readonly Transition<S, A>[]): S[] {
  const order: S[] = [];
  const placed = new Set<S>();
  while (order.length < statuses.length) {
    // The first status every transition into which comes from a status already placed.
    const next = statuses.find((s) => !placed.has(s) && table.every((t) => t.to !== s || t.from === s || placed.has(t.from)));
    if (next === undefined) {
      const left = statuses.filter((s) => !placed.has(s));
      throw new DomainError('INVALID_STATE', `the transitions between ${left.join(', ')} go back: they have no lifecycle order`);
    }
    order.push(next);
    placed.add(next);
  }
  return order;
}
