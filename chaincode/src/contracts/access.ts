import { DomainError } from '../domain/errors';
import { canReadReceivable } from '../domain/receivables';
import { canReadVoucher } from '../domain/vouchers';
import type { Actor, Receivable, Voucher } from '../domain/types';
import type { Store } from '../ledger/store';
import { ReceivableSpec, VoucherSpec } from '../ledger/specs';

/**
 * Loads a record the caller may see. A record that does not exist and one the
 * caller may not read give the same NOT_FOUND (DESIGN.md section 4), so ids
 * leak nothing.
 */
export async function visibleVoucher(store: Store, actor: Actor, id: string): Promise<Voucher> {
  const v = await store.get<Voucher>(VoucherSpec.type, [id]);
  if (!v || !canReadVoucher(actor, v)) throw new DomainError('NOT_FOUND', `voucher ${id} not found`);
  return v;
}

export async function visibleReceivable(store: Store, actor: Actor, id: string): Promise<Receivable> {
  const r = await store.get<Receivable>(ReceivableSpec.type, [id]);
  if (!r || !canReadReceivable(actor, r)) throw new DomainError('NOT_FOUND', `receivable ${id} not found`);
  return r;
}

/** Loads a record that must exist (an internal link, e.g. a piece's parent). */
export async function required<T>(store: Store, type: string, id: string, what: string): Promise<T> {
  const r = await store.get<T>(type, [id]);
  if (!r) throw new Error(`ledger inconsistency: ${what} ${id} is referenced but missing`);
  return r;
}
