import { META_FIELDS } from './meta';

/**
 * Chaincode event names (PastTense), one per mutating transaction. The payload
 * is `{ids, actor, changes}` (EventPayload), marshalled with sorted keys.
 * Names for the financing, warehouse, approval and freeze contracts are
 * reserved here so that every event name lives in one place.
 */
export const EVENTS = {
  LedgerBootstrapped: 'LedgerBootstrapped',
  MemberRegistered: 'MemberRegistered',
  MemberSuspended: 'MemberSuspended',
  MemberReinstated: 'MemberReinstated',
  IdentityBound: 'IdentityBound',
  MemberDualControlSet: 'MemberDualControlSet',
  ReceivableRegistered: 'ReceivableRegistered',
  ReceivableConfirmed: 'ReceivableConfirmed',
  ReceivableRejected: 'ReceivableRejected',
  ReceivableCancelled: 'ReceivableCancelled',
  ReceivableSettled: 'ReceivableSettled',
  VoucherIssued: 'VoucherIssued',
  VoucherTransferred: 'VoucherTransferred',
  VoucherSplit: 'VoucherSplit',
  VoucherSettled: 'VoucherSettled',
  FinancingRequested: 'FinancingRequested',
  FinancingApproved: 'FinancingApproved',
  FinancingRejected: 'FinancingRejected',
  FinancingWithdrawn: 'FinancingWithdrawn',
  FinancingDisbursed: 'FinancingDisbursed',
  FinancingRepaid: 'FinancingRepaid',
  WarehouseReceiptIssued: 'WarehouseReceiptIssued',
  WarehouseReceiptTransferred: 'WarehouseReceiptTransferred',
  WarehouseReceiptSplit: 'WarehouseReceiptSplit',
  WarehouseReceiptDelivered: 'WarehouseReceiptDelivered',
  WarehouseReceiptReleased: 'WarehouseReceiptReleased',
  WarehouseReceiptEnforced: 'WarehouseReceiptEnforced',
  ApprovalRequested: 'ApprovalRequested',
  ApprovalApproved: 'ApprovalApproved',
  ApprovalRejected: 'ApprovalRejected',
  AssetFrozen: 'AssetFrozen',
  AssetUnfrozen: 'AssetUnfrozen',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

export interface EventPayload {
  /** The ids of the records the transaction wrote (e.g. parent and children). */
  ids: string[];
  /** The calling member's id. */
  actor: string;
  /** The fields that changed, with their new values (null when removed). */
  changes: Record<string, unknown>;
}

export interface DomainEvent {
  name: EventName;
  payload: EventPayload;
}

export function domainEvent(name: EventName, ids: readonly string[], actor: string, changes: Record<string, unknown>): DomainEvent {
  return { name, payload: { ids: [...ids], actor, changes } };
}

/**
 * The fields of `after` that differ from `before` (all of them when `before`
 * is undefined), compared by JSON value, audit fields left out; a field that
 * `after` dropped maps to null.
 */
export function changedFields(before: object | undefined, after: object): Record<string, unknown> {
  const skip = new Set<string>(META_FIELDS);
  const a = after as Record<string, unknown>;
  const b = (before ?? {}) as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
  for (const k of keys) {
    if (skip.has(k)) continue;
    const next = a[k];
    if (JSON.stringify(b[k]) === JSON.stringify(next)) continue;
    changes[k] = next === undefined ? null : next;
  }
  return changes;
}
