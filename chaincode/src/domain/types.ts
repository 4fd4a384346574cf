/**
 * Records and commands of the ledger core (DESIGN.md sections 1 and 2).
 * Money is a decimal string of integer minor units in every record; the domain
 * parses it to bigint for arithmetic (money.ts). Optional fields are absent,
 * never `undefined`, so a record survives a JSON round trip unchanged.
 */

export const ROLES = ['OPERATOR', 'CORE_ENTERPRISE', 'SUPPLIER', 'BANK', 'WAREHOUSE', 'AUDITOR'] as const;
export type Role = (typeof ROLES)[number];

export const USER_ROLES = ['MAKER', 'CHECKER', 'ADMIN'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const MEMBER_STATUSES = ['ACTIVE', 'SUSPENDED'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];

/** Audit fields every record carries. */
export interface Meta {
  createdAt: string;
  updatedAt: string;
  createdTxId: string;
  updatedTxId: string;
  /** The member whose transaction created / last changed the record (absent when the domain runs without a caller). */
  createdBy?: string;
  updatedBy?: string;
}

/** What the contracts layer knows about the running transaction. */
export interface TxInfo {
  txId: string;
  /** ISO 8601 UTC instant of the transaction timestamp. */
  now: string;
  /** YYYY-MM-DD, the UTC date of `now`. */
  today: string;
  /** The calling member, stamped on the records the transaction writes. */
  actor?: string;
}

export type Member = {
  docType: 'member';
  /** Unified social credit code (GB 32100-2015). */
  id: string;
  name: string;
  mspId: string;
  roles: Role[];
  status: MemberStatus;
  /** Minor units; absent means dual control is off. */
  dualControlThreshold?: string;
  /** Why the member was suspended; present only while SUSPENDED. */
  statusReason?: string;
} & Meta;

export type IdentityBinding = {
  docType: 'identity';
  mspId: string;
  /** `ctx.clientIdentity.getID()` */
  identityId: string;
  memberId: string;
  userRole: UserRole;
  /**
   * Who first bound this identity (a later change of role keeps it): the
   * binder's identity and member. Whoever binds a certificate may hold its
   * key, so dual control counts an identity its own member's ADMIN bound as
   * that ADMIN's too (decideApproval). Absent on bindings written before it
   * existed.
   */
  boundBy?: IdentityRef & { memberId: string };
  /**
   * Present (true) on a binding a member's own ADMIN made and the identity
   * has not accepted yet (acceptBinding): it acts as nobody until it does.
   * The binder proves nothing about who holds the identity's key, and a
   * member's ADMIN must not be able to take an identity of a shared MSP that
   * another member, or the operator, means to bind. Bindings by the operator,
   * which vets whom it binds, take effect at once, as before.
   */
  pendingAcceptance?: true;
  /** When the identity accepted the binding (member:AcceptBinding). */
  acceptedAt?: string;
} & Meta;

/** What member:Offer answers an identity whose binding awaits its acceptance: the binding, and who offers it. */
export interface BindingOffer {
  identity: IdentityBinding;
  member: Pick<Member, 'id' | 'name' | 'roles' | 'status'>;
}

/** A Fabric identity by name: its MSP and `getID()`. */
export interface IdentityRef {
  mspId: string;
  identityId: string;
}

/** The caller of a transaction, resolved from its X.509 identity and the on-chain binding. */
export interface Actor {
  member: Member;
  identity: IdentityBinding;
}

export const DOCUMENT_KINDS = ['INVOICE', 'CONTRACT', 'DELIVERY_NOTE', 'OTHER'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * Kinds a fingerprint can be claimed under: the document kinds, LOT, the
 * goods lot behind a warehouse receipt (warehouse + lotId, DESIGN 2.3), and
 * INVOICE_NUMBER, an invoice by its number alone (seller + code + number,
 * whatever its amount and date), which every receivable claims beside the
 * invoice's own fingerprint: its seller cannot register the invoice again
 * with another amount or issue date.
 */
export const FINGERPRINT_KINDS = [...DOCUMENT_KINDS, 'LOT', 'INVOICE_NUMBER'] as const;
export type FingerprintKind = (typeof FINGERPRINT_KINDS)[number];

export interface DocumentRef {
  kind: DocumentKind;
  /** Lowercase hex SHA-256 of the document's canonical form. */
  fingerprint: string;
}

export const RECEIVABLE_STATUSES = [
  'PENDING',
  'CONFIRMED',
  'REJECTED',
  'CANCELLED',
  'VOUCHERED',
  'FINANCING_PENDING',
  'FINANCED',
  'SETTLED',
] as const;
export type ReceivableStatus = (typeof RECEIVABLE_STATUSES)[number];

export type Receivable = {
  docType: 'receivable';
  id: string;
  creditor: string;
  debtor: string;
  amount: string;
  currency: string;
  dueDate: string;
  documents: DocumentRef[];
  /**
   * The INVOICE_NUMBER fingerprints it claims, one per invoice among its
   * documents (released with the documents'). Absent on receivables
   * registered before these claims existed.
   */
  invoiceNumbers?: string[];
  /** Sum of the root vouchers issued against this receivable. */
  voucheredAmount: string;
  /**
   * What the debtor has paid on it: the sum of its voucher pieces settled, or
   * the whole amount once a factored receivable is settled.
   */
  settledAmount: string;
  status: ReceivableStatus;
  confirmedTxId?: string;
  confirmedAt?: string;
  /** What the debtor said when it confirmed (its payables reference, say), when it said anything. */
  confirmationReason?: string;
  rejectionReason?: string;
  /** The financing (factoring) on it: present while one is live, and kept once it is repaid by settlement. */
  financingId?: string;
  /** The bank it was assigned to when the factoring was disbursed. */
  assignee?: string;
  /** Present once a factored receivable is SETTLED: who was paid (the assignee), the reference and the time. */
  settledTo?: string;
  paymentRef?: string;
  settledAt?: string;
} & Meta;

export const VOUCHER_STATUSES = ['ACTIVE', 'SPLIT', 'FINANCING_PENDING', 'FINANCED', 'SETTLED'] as const;
export type VoucherStatus = (typeof VOUCHER_STATUSES)[number];

export type Voucher = {
  docType: 'voucher';
  id: string;
  rootId: string;
  /** Absent on a root. */
  parentId?: string;
  /** 0 for a root; grows by one each time the piece changes holder. */
  tier: number;
  issuer: string;
  holder: string;
  amount: string;
  currency: string;
  maturityDate: string;
  /** The backing receivable (copied onto every piece of the tree). */
  receivableId: string;
  status: VoucherStatus;
  /** Present once SPLIT: the ids of the children, in order. */
  childIds?: string[];
  /** The financing on the piece: present while one is live, and kept once it is repaid by settlement. */
  financingId?: string;
  /**
   * The issuer's ISSUANCE credit line the root's issue reserved on (domain
   * credit-lines), copied to every piece: settling a piece releases its amount there.
   */
  creditLineId?: string;
  /** Present once SETTLED: who was paid (the holder at that moment). */
  settledTo?: string;
  paymentRef?: string;
  settledAt?: string;
} & Meta;

export const FINGERPRINT_ASSET_TYPES = ['RECEIVABLE', 'WAREHOUSE_RECEIPT'] as const;
export type FingerprintAssetType = (typeof FINGERPRINT_ASSET_TYPES)[number];

export const FINGERPRINT_STATUSES = ['CLAIMED', 'RELEASED'] as const;
export type FingerprintStatus = (typeof FINGERPRINT_STATUSES)[number];

export type FingerprintClaim = {
  docType: 'fingerprint';
  kind: FingerprintKind;
  fingerprint: string;
  assetType: FingerprintAssetType;
  assetId: string;
  status: FingerprintStatus;
} & Meta;

// ---- commands (the JSON a transaction receives; validated by the domain) ----

export interface RegisterMemberCommand {
  id: string;
  name: string;
  mspId: string;
  roles: Role[];
  dualControlThreshold?: string;
}

export interface BootstrapCommand {
  member: { id: string; name: string; mspId: string };
}

export interface BindIdentityCommand {
  memberId: string;
  mspId: string;
  identityId: string;
  userRole: UserRole;
}

export interface RegisterReceivableCommand {
  /** Optional; derived from the tx id when absent. */
  id?: string;
  debtor: string;
  amount: string;
  /** ISO 4217, default CNY. */
  currency?: string;
  dueDate: string;
  documents: DocumentRef[];
  /** The INVOICE_NUMBER fingerprints of its invoices, computed with the documents'. */
  invoiceNumbers?: string[];
}

export interface IssueVoucherCommand {
  /** Optional; derived from the tx id when absent. */
  id?: string;
  amount: string;
  maturityDate: string;
}

export interface TransferVoucherCommand {
  to: string;
  amount: string;
}

export interface SettleVoucherCommand {
  paymentRef: string;
}
