/**
 * Chaincode event names (PastTense), one per mutating transaction. The payload
 * is EventPayload, marshalled with sorted keys. Every event name lives here.
 */
export const EVENTS = {
  LedgerBootstrapped: 'LedgerBootstrapped',
  MemberRegistered: 'MemberRegistered',
  MemberSuspended: 'MemberSuspended',
  MemberReinstated: 'MemberReinstated',
  MemberAmended: 'MemberAmended',
  IdentityBound: 'IdentityBound',
  IdentityUnbound: 'IdentityUnbound',
  IdentityBindingAccepted: 'IdentityBindingAccepted',
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
  CreditLineGranted: 'CreditLineGranted',
  CreditLineAdjusted: 'CreditLineAdjusted',
  CreditLineSuspended: 'CreditLineSuspended',
  CreditLineReinstated: 'CreditLineReinstated',
  CreditLineClosed: 'CreditLineClosed',
  IndexesRepaired: 'IndexesRepaired',
} as const;

export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** The payload of every chaincode event, marshalled with sorted keys. */
export interface EventPayload {
  /** The ids of the records the transaction wrote, by role (e.g. `voucherId`, `childIds`). */
  ids: Record<string, string | string[]>;
  /** Who called: the member, and the Fabric identity it acted through. */
  actor: { memberId: string; mspId: string; identityId: string };
  /** What changed: new values, or `{from, to}` for a status move. */
  changes: object;
  txId: string;
}
