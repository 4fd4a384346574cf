/** Roles that may read every record (DESIGN §4), hence every event. */
export const SEE_ALL: ReadonlySet<string> = new Set(['AUDITOR', 'OPERATOR']);

/**
 * The fields of an event's `changes` that hold a member id: a voucher
 * transfer's recipient (`to`), a piece's `holder` and a receipt's `owner`
 * (each a value or a `{from, to}` move, and each child of a split),
 * whoever a settlement paid (`paidTo`) and whoever took delivery
 * (`deliveredTo`). Every other field of `changes` is a value, not a party:
 * a reason, a payment reference, a commodity or an amount a caller typed.
 */
const PARTY_FIELDS: ReadonlySet<string> = new Set(['to', 'holder', 'owner', 'paidTo', 'deliveredTo']);

/** The party ids in one value of a party field: the id, or both ends of a `{from, to}` move. */
function partyIds(value: unknown): unknown[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const move = value as { from?: unknown; to?: unknown };
    return [move.from, move.to];
  }
  return [value];
}

/** Every string in `value`, nested objects and arrays included (`ids` holds ids only). */
function strings(value: unknown, out: unknown[], depth = 0): unknown[] {
  if (typeof value === 'string') out.push(value);
  else if (value !== null && typeof value === 'object' && depth <= 8) {
    for (const v of Array.isArray(value) ? value : Object.values(value as Record<string, unknown>)) strings(v, out, depth + 1);
  }
  return out;
}

/**
 * True when the event payload names `memberId` as a party: the caller
 * (`actor.memberId`), any value in `ids` (the records and parties the
 * transaction wrote, which the chaincode fills), or a party field of
 * `changes` (PARTY_FIELDS). Never free text: a bank rejecting a request with a
 * reason that spells another member's id does not show that member the
 * event (it was shown before: the search took every string of the payload).
 * The event stream (GET /events) and webhooks scope events with it alike.
 */
export function mentionsMember(payload: unknown, memberId: string): boolean {
  if (payload === null || typeof payload !== 'object') return false;
  const p = payload as { actor?: { memberId?: unknown }; ids?: unknown; changes?: unknown };
  if (p.actor?.memberId === memberId) return true;
  if (strings(p.ids, []).includes(memberId)) return true;
  if (p.changes === null || typeof p.changes !== 'object') return false;
  for (const [field, value] of Object.entries(p.changes as Record<string, unknown>)) {
    if (PARTY_FIELDS.has(field) && partyIds(value).includes(memberId)) return true;
    if (field === 'children' && Array.isArray(value)) {
      for (const child of value) {
        if (child !== null && typeof child === 'object' && ['holder', 'owner'].some((f) => (child as Record<string, unknown>)[f] === memberId)) return true;
      }
    }
  }
  return false;
}
