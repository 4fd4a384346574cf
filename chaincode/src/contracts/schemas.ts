import { z } from 'zod';
import { isValidUscc } from '../domain/uscc';
import { FINGERPRINT_KINDS, MEMBER_STATUSES } from '../domain/types';
import { LOT_ID_FORM, LOT_ID_RE } from '../domain/warehouse';
import { INDEXED_RECORD_KINDS } from '../ledger/specs';
import { requestIdSchema } from './base';

/**
 * Command shapes at the chaincode boundary. They check form (types, lengths,
 * character sets safe for composite keys); the domain checks meaning
 * (check characters, sums, dates, roles, states).
 */
export const memberId = z
  .string()
  .refine(isValidUscc, 'not a unified social credit code (18 characters with a valid check character)');
export const recordId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'ids are 1-128 characters of A-Z a-z 0-9 . _ -');
export const amount = z.string().regex(/^(0|[1-9][0-9]{0,18})$/, 'an amount is a string of integer minor units');
export const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD');
export const mspId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'not an MSP ID');
const text = (max: number) => z.string().trim().min(1).max(max).refine((s) => !/[\u0000\uDBFF]/.test(s), 'invalid character');
export const role = z.enum(['OPERATOR', 'CORE_ENTERPRISE', 'SUPPLIER', 'BANK', 'WAREHOUSE', 'AUDITOR']);
export const userRole = z.enum(['MAKER', 'CHECKER', 'ADMIN']);
export const documentRef = z.strictObject({
  kind: z.enum(['INVOICE', 'CONTRACT', 'DELIVERY_NOTE', 'OTHER']),
  fingerprint: z.string().regex(/^[0-9a-f]{64}$/, 'a fingerprint is 64 lowercase hex characters'),
});
/**
 * A registration's or a receipt's documents never travel in the command (which
 * is stored in the block): their canonical fields come in the proposal's
 * transient map under key `documents`, and the chaincode computes the
 * fingerprints. A `documents` field here, bare fingerprints or fields, is refused.
 */
const documentsInTransient = z
  .never({
    error:
      "documents are not taken in the command: send the documents' canonical fields in the proposal's transient map (key documents); the chaincode computes their fingerprints",
  })
  .optional();
const pageSize = z.number().int().min(1).max(200).optional();
const bookmark = z.string().max(2048).optional();
const rid = { requestId: requestIdSchema.optional() };

export const BootstrapCommand = z.strictObject({
  member: z.strictObject({ id: memberId, name: text(200), mspId }),
  ...rid,
});
export const RegisterMemberCommand = z.strictObject({
  id: memberId,
  name: text(200),
  mspId,
  roles: z.array(role).min(1).max(6),
  dualControlThreshold: amount.optional(),
  ...rid,
});
export const MemberStatusCommand = z.strictObject({ id: memberId, reason: text(500).optional(), ...rid });
export const AmendMemberCommand = z.strictObject({ id: memberId, name: text(200).optional(), mspId: mspId.optional(), reason: text(500).optional(), ...rid });
export const ListMembersQuery = z.strictObject({ role: role.optional(), status: z.enum(MEMBER_STATUSES).optional(), pageSize, bookmark });
export const ListIdentitiesQuery = z.strictObject({ memberId, pageSize, bookmark });
const identityId = z.string().min(8).max(1024).refine((s) => !/[\u0000]/.test(s), 'invalid character');
export const BindIdentityCommand = z.strictObject({
  memberId,
  mspId,
  identityId,
  userRole,
  ...rid,
});
export const AcceptBindingCommand = z.strictObject({ memberId, ...rid });
export const UnbindIdentityCommand = z.strictObject({
  memberId,
  mspId,
  identityId,
  reason: text(500).optional(),
  ...rid,
});
export const ById = z.strictObject({ id: recordId });
export const MemberById = z.strictObject({ id: memberId });
export const Empty = z.strictObject({});

/** A fingerprint to check: a document's, a goods lot's (LOT, claimed by warehouse receipts) or an invoice number's (INVOICE_NUMBER). */
export const fingerprintRef = z.strictObject({
  kind: z.enum(FINGERPRINT_KINDS),
  fingerprint: documentRef.shape.fingerprint,
});
export const CheckFingerprintsCommand = z.strictObject({ fingerprints: z.array(fingerprintRef).min(1).max(100) });

export const RegisterReceivableCommand = z.strictObject({
  id: recordId.optional(),
  debtor: memberId,
  amount,
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code').optional(),
  dueDate: date,
  documents: documentsInTransient,
  ...rid,
});
export const ReceivableActionCommand = z.strictObject({ id: recordId, reason: text(500).optional(), ...rid });
export const ListReceivablesQuery = z.strictObject({
  creditor: memberId.optional(),
  debtor: memberId.optional(),
  assignee: memberId.optional(),
  status: z.string().regex(/^[A-Z_]{1,32}$/).optional(),
  pageSize,
  bookmark,
});

export const IssueVoucherCommand = z.strictObject({
  receivableId: recordId,
  amount,
  maturityDate: date,
  id: recordId.optional(),
  ...rid,
});
export const TransferVoucherCommand = z.strictObject({ id: recordId, to: memberId, amount, ...rid });
export const SplitVoucherCommand = z.strictObject({ id: recordId, amounts: z.array(amount).min(1).max(64), ...rid });
export const SettleVoucherCommand = z.strictObject({ id: recordId, paymentRef: text(128), ...rid });
export const ListVouchersQuery = z.strictObject({
  holder: memberId.optional(),
  issuer: memberId.optional(),
  status: z.string().regex(/^[A-Z_]{1,32}$/).optional(),
  maturingFrom: date.optional(),
  maturingTo: date.optional(),
  pageSize,
  bookmark,
});

/** voucher:Maturities: pageSize counts keys read, not figures returned (up to MAX_SCAN_KEYS). */
export const VoucherMaturitiesQuery = z.strictObject({
  pageSize: z.number().int().min(1).max(1000).optional(),
  bookmark,
});

export const DecideApprovalCommand = z.strictObject({ id: recordId, reason: text(500).optional(), ...rid });
export const ListApprovalsQuery = z.strictObject({
  memberId: memberId.optional(),
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED']).optional(),
  pageSize,
  bookmark,
});
export const freezeTarget = z.strictObject({
  type: z.enum(['MEMBER', 'RECEIVABLE', 'VOUCHER', 'WAREHOUSE_RECEIPT']),
  id: recordId,
});
export const FreezeCommand = z.strictObject({ id: recordId.optional(), target: freezeTarget, reason: text(500), ...rid });
export const UnfreezeCommand = z.strictObject({ id: recordId, reason: text(500).optional(), ...rid });
export const ListFreezesQuery = z.strictObject({
  target: freezeTarget.optional(),
  status: z.enum(['ACTIVE', 'LIFTED']).optional(),
  pageSize,
  bookmark,
});
export const DualControlCommand = z.strictObject({ id: memberId, threshold: amount.nullable(), ...rid });

export const SettleReceivableCommand = z.strictObject({ id: recordId, paymentRef: text(128), ...rid });

export const financingAssetType = z.enum(['RECEIVABLE', 'VOUCHER', 'WAREHOUSE_RECEIPT']);
export const RequestFinancingCommand = z.strictObject({
  asset: z.strictObject({ type: financingAssetType, id: recordId }),
  bank: memberId,
  requestedAmount: amount,
  /** Required for a warehouse receipt pledge (the end of the loan term); a voucher's or receivable's is its own due date. */
  dueDate: date.optional(),
  id: recordId.optional(),
  ...rid,
});
export const ApproveFinancingCommand = z.strictObject({
  id: recordId,
  advanceAmount: amount,
  annualRateBps: z.number().int().min(0).max(10_000),
  ...rid,
});
export const RejectFinancingCommand = z.strictObject({ id: recordId, reason: text(500), ...rid });
/** The applicant withdraws its REQUESTED financing; the reason is optional. */
export const WithdrawFinancingCommand = z.strictObject({ id: recordId, reason: text(500).optional(), ...rid });
export const FinancingPaymentCommand = z.strictObject({ id: recordId, paymentRef: text(128), ...rid });
export const ListFinancingsQuery = z.strictObject({
  applicant: memberId.optional(),
  bank: memberId.optional(),
  status: z.enum(['REQUESTED', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DISBURSED', 'REPAID', 'ENFORCED']).optional(),
  pageSize,
  bookmark,
});

const quantity = z.number().int().min(1).max(1_000_000_000_000);
export const IssueReceiptCommand = z.strictObject({
  owner: memberId,
  commodity: text(100),
  grade: text(50),
  quantity,
  unit: text(16),
  location: text(200),
  lotId: z.string().regex(LOT_ID_RE, LOT_ID_FORM),
  valuation: amount,
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code').optional(),
  documents: documentsInTransient,
  id: recordId.optional(),
  ...rid,
});
export const TransferReceiptCommand = z.strictObject({ id: recordId, to: memberId, ...rid });
export const SplitReceiptCommand = z.strictObject({ id: recordId, quantities: z.array(quantity).min(1).max(64), ...rid });
export const ReceiptActionCommand = z.strictObject({ id: recordId, ...rid });
export const ReleaseReceiptCommand = z.strictObject({ id: recordId, paymentRef: text(128).optional(), ...rid });
export const ListReceiptsQuery = z.strictObject({
  owner: memberId.optional(),
  warehouse: memberId.optional(),
  pledgee: memberId.optional(),
  status: z.enum(['ACTIVE', 'SPLIT', 'PLEDGE_PENDING', 'PLEDGED', 'DELIVERED']).optional(),
  pageSize,
  bookmark,
});

export const creditLineKind = z.enum(['ISSUANCE', 'FINANCING']);
export const GrantCreditLineCommand = z.strictObject({
  id: recordId.optional(),
  kind: creditLineKind,
  granter: memberId.optional(),
  obligor: memberId,
  limit: amount,
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code').optional(),
  validFrom: date.optional(),
  validTo: date,
  ...rid,
});
export const AdjustCreditLineCommand = z.strictObject({ id: recordId, limit: amount.optional(), validTo: date.optional(), ...rid });
export const CreditLineActionCommand = z.strictObject({ id: recordId, reason: text(500).optional(), ...rid });
export const ListCreditLinesQuery = z.strictObject({
  granter: memberId.optional(),
  obligor: memberId.optional(),
  kind: creditLineKind.optional(),
  pageSize,
  bookmark,
});

export const indexedRecordKind = z.enum(INDEXED_RECORD_KINDS);
/** At most 100 keys a page: what one RepairIndexes takes. */
export const ListRecordKeysQuery = z.strictObject({ kind: indexedRecordKind, pageSize: z.number().int().min(1).max(100).optional(), bookmark });
/** A record's key: its id, or for an identity binding its MSP id and identity id. */
const recordKey = z.array(z.string().min(1).max(1024)).min(1).max(2);
/** At most 100 records per transaction: up to 7 index keys each, read in one or a few messages. */
export const RepairIndexesCommand = z.strictObject({
  kind: indexedRecordKind,
  keys: z
    .array(recordKey)
    .min(1)
    .max(100)
    .refine((keys) => new Set(keys.map((k) => JSON.stringify(k))).size === keys.length, 'keys must not repeat'),
  ...rid,
});
