/** Roles that may read every record (DESIGN §4), hence every event. */
export const SEE_ALL: ReadonlySet<string> = new Set(['AUDITOR', 'OPERATOR']);

/**
 * True when `memberId` occurs as a whole string value anywhere in `value`
 * (ids, changes, nested `{from, to}`, children[]...). Decision: a recursive
 * search over the payload instead of a per-event field list, so a new event
 * or field naming a party is delivered to that party without a gateway change.
 * The event stream (GET /events) and webhooks scope events with it alike.
 */
export function mentionsMember(value: unknown, memberId: string, depth = 0): boolean {
  if (typeof value === 'string') return value === memberId;
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  const children = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return children.some((v) => mentionsMember(v, memberId, depth + 1));
}
