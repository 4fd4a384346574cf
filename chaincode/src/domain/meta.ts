import type { Meta, TxInfo } from './types';

/** Audit fields of a record created in this transaction. */
export function newMeta(tx: TxInfo): Meta {
  const meta: Meta = { createdAt: tx.now, updatedAt: tx.now, createdTxId: tx.txId, updatedTxId: tx.txId };
  if (tx.actor !== undefined) {
    meta.createdBy = tx.actor;
    meta.updatedBy = tx.actor;
  }
  return meta;
}

/** A copy of `record` marked as updated by this transaction. */
export function touch<T extends Meta>(record: T, tx: TxInfo): T {
  return { ...record, updatedAt: tx.now, updatedTxId: tx.txId, ...(tx.actor !== undefined ? { updatedBy: tx.actor } : {}) };
}

/** The record without its audit fields (for comparisons and event payloads). */
export const META_FIELDS: readonly (keyof Meta)[] = ['createdAt', 'updatedAt', 'createdTxId', 'updatedTxId'];
