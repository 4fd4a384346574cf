import type { IdentityBinding, Member, Receivable, Voucher, FingerprintClaim } from '../domain/types';
import type { Approval, Freeze } from '../domain/controls';
import type { CreditLine } from '../domain/credit-lines';
import type { Financing } from '../domain/financing';
import type { WarehouseReceipt } from '../domain/warehouse';
import { monthAndDay, RecordType, type RecordSpec } from './keys';

/** Records, their keys and their composite-key indexes (the id is always the last attribute). */
export const MemberSpec: RecordSpec<Member> = {
  type: RecordType.MEMBER,
  key: (m) => [m.id],
  indexes: [],
};

export const IdentityIndex = {
  /** A member's identities (in force, and offered not yet accepted); an unbound identity's entry goes with its binding. */
  MEMBER: 'IDX_IDN_MEMBER',
} as const;

export const IdentitySpec: RecordSpec<IdentityBinding> = {
  type: RecordType.IDENTITY,
  key: (i) => [i.mspId, i.identityId],
  keyParts: 2,
  indexes: [{ name: IdentityIndex.MEMBER, attrs: (i) => [i.memberId, i.mspId, i.identityId] }],
};

export const FingerprintSpec: RecordSpec<FingerprintClaim> = {
  type: RecordType.FINGERPRINT,
  key: (f) => [f.kind, f.fingerprint],
  indexes: [],
};

export const ReceivableIndex = {
  CREDITOR: 'IDX_RCV_CREDITOR',
  DEBTOR: 'IDX_RCV_DEBTOR',
  STATUS: 'IDX_RCV_STATUS',
  /**
   * Factored receivables by the bank they are assigned to (set on disbursement, never changed):
   * no status in the key, so the entry stays put from FINANCED to SETTLED.
   */
  ASSIGNEE: 'IDX_RCV_ASSIGNEE',
  /**
   * A creditor's (a debtor's) receivables whatever their status. Nothing in the key
   * changes while the receivable lives, so a list by party without a status, paged
   * while factoring requests come and go (CONFIRMED to FINANCING_PENDING and back),
   * meets each receivable exactly once.
   */
  CREDITOR_ALL: 'IDX_RCV_CREDITOR_ALL',
  DEBTOR_ALL: 'IDX_RCV_DEBTOR_ALL',
} as const;

export const ReceivableSpec: RecordSpec<Receivable> = {
  type: RecordType.RECEIVABLE,
  key: (r) => [r.id],
  indexes: [
    { name: ReceivableIndex.CREDITOR, attrs: (r) => [r.creditor, r.status, r.id] },
    { name: ReceivableIndex.DEBTOR, attrs: (r) => [r.debtor, r.status, r.id] },
    { name: ReceivableIndex.STATUS, attrs: (r) => [r.status, r.id] },
    { name: ReceivableIndex.ASSIGNEE, attrs: (r) => (r.assignee !== undefined ? [r.assignee, r.id] : undefined) },
    { name: ReceivableIndex.CREDITOR_ALL, attrs: (r) => [r.creditor, r.id] },
    { name: ReceivableIndex.DEBTOR_ALL, attrs: (r) => [r.debtor, r.id] },
  ],
};

export const VoucherIndex = {
  HOLDER: 'IDX_VCH_HOLDER',
  ISSUER: 'IDX_VCH_ISSUER',
  STATUS: 'IDX_VCH_STATUS',
  MATURITY: 'IDX_VCH_MATURITY',
  ROOT: 'IDX_VCH_ROOT',
  /**
   * Unsettled pieces by issuer and maturity: the first entry tells whether the issuer is overdue.
   * No status in the key, so a piece's entry stays put while it goes between ACTIVE,
   * FINANCING_PENDING and FINANCED: voucher:Maturities walks it for what a member issued.
   */
  DUE: 'IDX_VCH_DUE',
  /**
   * Unsettled pieces by holder. No status in the key (as DUE), so a report paging through
   * it while a financing is requested, rejected or disbursed meets each piece once:
   * voucher:Maturities walks it for what a member holds.
   */
  HELD: 'IDX_VCH_HELD',
} as const;

const UNSETTLED: ReadonlySet<string> = new Set(['ACTIVE', 'FINANCING_PENDING', 'FINANCED']);

export const VoucherSpec: RecordSpec<Voucher> = {
  type: RecordType.VOUCHER,
  key: (v) => [v.id],
  indexes: [
    { name: VoucherIndex.HOLDER, attrs: (v) => [v.holder, v.status, v.id] },
    { name: VoucherIndex.ISSUER, attrs: (v) => [v.issuer, v.status, v.id] },
    { name: VoucherIndex.STATUS, attrs: (v) => [v.status, v.id] },
    { name: VoucherIndex.MATURITY, attrs: (v) => [...monthAndDay(v.maturityDate), v.id] },
    { name: VoucherIndex.ROOT, attrs: (v) => [v.rootId, v.id] },
    { name: VoucherIndex.DUE, attrs: (v) => (UNSETTLED.has(v.status) ? [v.issuer, v.maturityDate, v.id] : undefined) },
    { name: VoucherIndex.HELD, attrs: (v) => (UNSETTLED.has(v.status) ? [v.holder, v.id] : undefined) },
  ],
};

export const ApprovalIndex = { MEMBER: 'IDX_APR_MEMBER' } as const;

export const ApprovalSpec: RecordSpec<Approval> = {
  type: 'APR',
  key: (a) => [a.id],
  indexes: [{ name: ApprovalIndex.MEMBER, attrs: (a) => [a.memberId, a.status, a.id] }],
};

export const FreezeIndex = { TARGET: 'IDX_FRZ_TARGET', STATUS: 'IDX_FRZ_STATUS' } as const;

export const FreezeSpec: RecordSpec<Freeze> = {
  type: 'FRZ',
  key: (f) => [f.id],
  indexes: [
    { name: FreezeIndex.TARGET, attrs: (f) => [f.target.type, f.target.id, f.id] },
    { name: FreezeIndex.STATUS, attrs: (f) => [f.status, f.id] },
  ],
};

export const FinancingIndex = {
  APPLICANT: 'IDX_FIN_APPLICANT',
  BANK: 'IDX_FIN_BANK',
  STATUS: 'IDX_FIN_STATUS',
  /** Every financing ever requested on an asset. */
  ASSET: 'IDX_FIN_ASSET',
} as const;

export const FinancingSpec: RecordSpec<Financing> = {
  type: 'FIN',
  key: (f) => [f.id],
  indexes: [
    { name: FinancingIndex.APPLICANT, attrs: (f) => [f.applicant, f.status, f.id] },
    { name: FinancingIndex.BANK, attrs: (f) => [f.bank, f.status, f.id] },
    { name: FinancingIndex.STATUS, attrs: (f) => [f.status, f.id] },
    { name: FinancingIndex.ASSET, attrs: (f) => [f.asset.type, f.asset.id, f.id] },
  ],
};

export const WarehouseReceiptIndex = {
  OWNER: 'IDX_WRC_OWNER',
  WAREHOUSE: 'IDX_WRC_WAREHOUSE',
  STATUS: 'IDX_WRC_STATUS',
  /** Every piece of a lot, by the root receipt: tells when the whole lot is delivered. */
  ROOT: 'IDX_WRC_ROOT',
  /**
   * An owner's (a warehouse's) receipts whatever their status, as the receivables'
   * CREDITOR_ALL: a pledge ending (back to ACTIVE) during a paged list moves no entry.
   * The owner's entry moves when the receipt is passed on, as the receipt leaves the list.
   */
  OWNER_ALL: 'IDX_WRC_OWNER_ALL',
  WAREHOUSE_ALL: 'IDX_WRC_WAREHOUSE_ALL',
  /** Pledged receipts by the bank they are pledged to: an entry from disbursement until the pledge is released or enforced. */
  PLEDGEE: 'IDX_WRC_PLEDGEE',
} as const;

/** Record type 'WRC' is also what the freeze contract looks warehouse receipts up under. */
export const WarehouseReceiptSpec: RecordSpec<WarehouseReceipt> = {
  type: 'WRC',
  key: (r) => [r.id],
  indexes: [
    { name: WarehouseReceiptIndex.OWNER, attrs: (r) => [r.owner, r.status, r.id] },
    { name: WarehouseReceiptIndex.WAREHOUSE, attrs: (r) => [r.warehouse, r.status, r.id] },
    { name: WarehouseReceiptIndex.STATUS, attrs: (r) => [r.status, r.id] },
    { name: WarehouseReceiptIndex.ROOT, attrs: (r) => [r.rootId, r.id] },
    { name: WarehouseReceiptIndex.OWNER_ALL, attrs: (r) => [r.owner, r.id] },
    { name: WarehouseReceiptIndex.WAREHOUSE_ALL, attrs: (r) => [r.warehouse, r.id] },
    { name: WarehouseReceiptIndex.PLEDGEE, attrs: (r) => (r.pledgee !== undefined ? [r.pledgee, r.id] : undefined) },
  ],
};

export const CreditLineIndex = {
  GRANTER: 'IDX_CRL_GRANTER',
  OBLIGOR: 'IDX_CRL_OBLIGOR',
} as const;

/**
 * Credit lines. A line's use is one write to its own key (never a global
 * one): approvals against one busy line conflict with each other at commit
 * (MVCC), and with nothing else. Index entries hold only attributes that never
 * change (granter, obligor, kind), so using a line rewrites no index key.
 */
export const CreditLineSpec: RecordSpec<CreditLine> = {
  type: 'CRL',
  key: (l) => [l.id],
  indexes: [
    { name: CreditLineIndex.GRANTER, attrs: (l) => [l.granter, l.kind, l.id] },
    { name: CreditLineIndex.OBLIGOR, attrs: (l) => [l.obligor, l.kind, l.id] },
  ],
};

/**
 * The line that governs a pair: (ISSUANCE, obligor) — the operator is the only
 * granter of issuance lines — or (FINANCING, obligor, bank). Written when a
 * line is granted, read by every step that may use one: one key per pair.
 */
export const CREDIT_LINE_PAIR_TYPE = 'CRL_PAIR';

export function creditLinePairKey(kind: CreditLine['kind'], obligor: string, granter: string): string[] {
  return kind === 'ISSUANCE' ? [kind, obligor] : [kind, obligor, granter];
}

/** The record type of each kind of asset a freeze or a financing names. */
export const AssetRecordType = {
  RECEIVABLE: ReceivableSpec.type,
  VOUCHER: VoucherSpec.type,
  WAREHOUSE_RECEIPT: WarehouseReceiptSpec.type,
} as const;

/**
 * The kinds of record that have indexes, by the name maintenance:RepairIndexes
 * takes: what a ledger written before an index existed can be repaired for.
 */
export const INDEXED_RECORDS = {
  IDENTITY: IdentitySpec,
  RECEIVABLE: ReceivableSpec,
  VOUCHER: VoucherSpec,
  FINANCING: FinancingSpec,
  WAREHOUSE_RECEIPT: WarehouseReceiptSpec,
  APPROVAL: ApprovalSpec,
  FREEZE: FreezeSpec,
  CREDIT_LINE: CreditLineSpec,
} as const;

export type IndexedRecordKind = keyof typeof INDEXED_RECORDS;
export const INDEXED_RECORD_KINDS = Object.keys(INDEXED_RECORDS) as [IndexedRecordKind, ...IndexedRecordKind[]];
