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
