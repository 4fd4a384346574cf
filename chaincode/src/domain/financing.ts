import { DomainError } from './errors';
import { addDays, assertDate, daysBetween, todayOf } from './dates';
import { newMeta, touch } from './meta';
import { assertActive, assertCounterparty, assertRole, isReader, MAX_REASON_LENGTH } from './members';
import { formatAmount, parseAmount, parsePositiveAmount, roundHalfUpDiv } from './money';
import type { Encumbrance } from './provenance';
import { transitionReceivable } from './receivables';
import { lifecycleOrder, nextStatus, type Transition } from './statemachine';
import type { Actor, Member, MemberStatus, Meta, Receivable, TxInfo, Voucher } from './types';
import { type CreditLine, unusableReason } from './credit-lines';
import { assertUscc } from './uscc';
import { assertOneOf, assertPattern, assertRecord, assertString, assertText, assetIdPattern, deriveId, invalid, optionalText } from './validation';
import { MAX_PAYMENT_REF_LENGTH, transitionVoucher } from './vouchers';
import { transitionReceipt, type WarehouseReceipt } from './warehouse';

/*
 * Financing (DESIGN 2.4): a holder / creditor / owner asks a bank to finance
 * a voucher, a receivable or a warehouse receipt. Vouchers and receivables
 * are discounted with assignment (the bank becomes the holder / assignee and
 * is paid when the debtor settles); warehouse receipts are pledged.
 *
 * Decisions where DESIGN is silent:
 * - A financing is *live* while REQUESTED, APPROVED or DISBURSED; an asset
 *   names its live financing in `financingId`, and has at most one.
 * - Only the named bank approves, rejects, disburses and records repayment.
 * - The applicant may withdraw its request while it is REQUESTED (WITHDRAWN,
 *   final; a status DESIGN does not list): a bank that never answers must not
 *   keep the asset locked. Once the bank has approved, the decision is the
 *   bank's (reject or disburse) until the financing's dueDate: withdrawing an
 *   APPROVED financing before it is BUSINESS_RULE. From the dueDate on the
 *   bank can no longer disburse, so the applicant may withdraw an APPROVED
 *   financing too; otherwise a bank that approved and went silent would keep
 *   a receivable or a receipt locked for good (a voucher is also freed by
 *   its issuer's settlement, see EXPIRED below). The asset unlocks exactly as
 *   on rejection.
 * - The bank may approve less than was requested, never more.
 * - Vouchers and receivables are financed only before their maturity / due
 *   date (from that day on the debtor may pay): the financing's dueDate is
 *   that date. A pledge's dueDate is the loan term, chosen by the applicant.
 *   The rule holds at every step, not only at the request: from the dueDate
 *   on, the bank may no longer approve or disburse (BUSINESS_RULE), only
 *   reject. Otherwise a bank could discount a matured piece for 0 days, or
 *   advance a pledge on its last day and enforce it the next.
 * - A voucher whose financing the bank has not disbursed by maturity is
 *   still the issuer's to pay: from maturity the issuer may settle a
 *   FINANCING_PENDING piece, paying its holder (the applicant: nothing was
 *   advanced), and the REQUESTED / APPROVED financing is closed in the same
 *   transaction as EXPIRED (final; a status DESIGN does not list, chosen over
 *   REJECTED because the bank decided nothing). Without this the piece could
 *   not be settled, would count as overdue and trip its issuer's circuit
 *   breaker with no cure. A FINANCING_PENDING receivable needs no such path:
 *   it backs no voucher and an unfactored receivable is not settled on the
 *   ledger (receivable:Settle pays a FINANCED one only).
 * - The caps are checked at approval (quoting the terms as if disbursed that
 *   day; the quote is stored) and again, with the real date, at disbursement.
 * - The circuit breaker (issuer with an overdue voucher) stops approval and
 *   disbursement of voucher financing.
 * - Pledges: `discount` is the interest on the advance for the loan term,
 *   advance × annualRateBps × days / (10000 × 360), days = dueDate −
 *   disbursement date, recorded at disbursement and due with the principal;
 *   the 70% cap applies to the advance alone. The fee is tiered as for all
 *   financing.
 * - Repayment: a discounted voucher or receivable is repaid by its debtor's
 *   settlement (voucher:Settle / receivable:Settle mark the financing REPAID
 *   in the same transaction); `financing:Repay` is for pledges only: the bank
 *   records the repayment and the pledge is released (warehouse:Release does
 *   the same from the receipt's side). After the loan's dueDate without
 *   repayment the bank may enforce the pledge (warehouse:Enforce): the
 *   financing becomes ENFORCED (a status DESIGN does not list: the loan was
 *   not repaid, the bank took the goods).
 */

export const FINANCING_ASSET_TYPES = ['RECEIVABLE', 'VOUCHER', 'WAREHOUSE_RECEIPT'] as const;
export type FinancingAssetType = (typeof FINANCING_ASSET_TYPES)[number];

export const FINANCING_STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED', 'DISBURSED', 'REPAID', 'ENFORCED'] as const;
export type FinancingStatus = (typeof FINANCING_STATUSES)[number];

export const FINANCING_ACTIONS = ['APPROVE', 'REJECT', 'WITHDRAW', 'EXPIRE', 'DISBURSE', 'REPAY', 'ENFORCE'] as const;
export type FinancingAction = (typeof FINANCING_ACTIONS)[number];

/**
 * DESIGN 2.4 plus WITHDRAW (the applicant: before approval, or once an
 * approved financing can no longer be disbursed), EXPIRE (the
 * issuer settles an undisbursed voucher at maturity) and ENFORCE for pledges;
 * every transition once. REJECTED, WITHDRAWN, EXPIRED, REPAID and ENFORCED
 * are final.
 */
export const FINANCING_TRANSITIONS: readonly Transition<FinancingStatus, FinancingAction>[] = [
  { from: 'REQUESTED', action: 'APPROVE', to: 'APPROVED' },
  { from: 'REQUESTED', action: 'REJECT', to: 'REJECTED' },
  { from: 'REQUESTED', action: 'WITHDRAW', to: 'WITHDRAWN' },
  { from: 'REQUESTED', action: 'EXPIRE', to: 'EXPIRED' },
  { from: 'APPROVED', action: 'REJECT', to: 'REJECTED' },
  { from: 'APPROVED', action: 'WITHDRAW', to: 'WITHDRAWN' },
  { from: 'APPROVED', action: 'EXPIRE', to: 'EXPIRED' },
  { from: 'APPROVED', action: 'DISBURSE', to: 'DISBURSED' },
  { from: 'DISBURSED', action: 'REPAY', to: 'REPAID' },
  { from: 'DISBURSED', action: 'ENFORCE', to: 'ENFORCED' },
];

export const LIVE_FINANCING_STATUSES: readonly FinancingStatus[] = ['REQUESTED', 'APPROVED', 'DISBURSED'];

/**
 * The order lists of one party's financings read the statuses in (lifecycleOrder):
 * a financing approved or disbursed while its bank pages through them is met
 * again under its new status, never missed.
 */
export const FINANCING_LIFECYCLE: readonly FinancingStatus[] = lifecycleOrder(FINANCING_STATUSES, FINANCING_TRANSITIONS);

export const FINANCING_ID_RE = assetIdPattern('FIN');
/** Annual rates are whole basis points, 0 to 100% a year. */
export const MAX_ANNUAL_RATE_BPS = 10_000;
/** Discount day basis: 360 days a year (money-market convention). */
export const DAY_BASIS = 360n;
/** Pledges lend at most this percentage of the receipt's valuation. */
export const PLEDGE_CAP_PERCENT = 70n;
/**
 * A pledge's loan term ends at most this many days after the request (a
 * year, a leap day included): the goods stay locked in the warehouse for the
 * term, so it is the term of a working-capital loan on stock, not open-ended.
 */
export const MAX_PLEDGE_TERM_DAYS = 366;
/**
 * Days a bank has, from its approval, to disburse: after them the applicant
 * may withdraw the approved financing (a bank that approves and goes silent
 * does not keep the asset locked until the due date).
 */
export const DISBURSE_WITHIN_DAYS = 10;
/** Platform fee tiers on the advance (minor units): below 5,000,000.00 CNY; up to 20,000,000.00 inclusive; above. */
export const FEE_TIER_1_BELOW = 500_000_000n;
export const FEE_TIER_2_UP_TO = 2_000_000_000n;
export const FEE_BPS = { BELOW_5M: 180n, FROM_5M_TO_20M: 150n, ABOVE_20M: 120n } as const;

export interface FinancingAssetRef {
  type: FinancingAssetType;
  id: string;
}

export type Financing = {
  docType: 'financing';
  id: string;
  asset: FinancingAssetRef;
  applicant: string;
  bank: string;
  currency: string;
  /** The voucher's or receivable's face amount, or the receipt's valuation, at the request. */
  faceAmount: string;
  requestedAmount: string;
  /** Voucher: its maturity date; receivable: its due date; pledge: the end of the loan term. */
  dueDate: string;
  status: FinancingStatus;
  /** Set at approval. */
  advanceAmount?: string;
  /** The bank's FINANCING credit line the approval reserved the advance on (domain credit-lines), when the bank has one to the obligor. */
  creditLineId?: string;
  annualRateBps?: number;
  approvedAt?: string;
  /** Quoted at approval, fixed at disbursement. */
  discount?: string;
  fee?: string;
  days?: number;
  /** The disbursement's payment reference and time. */
  paymentRef?: string;
  disbursedAt?: string;
  /** The repayment's reference (the settlement's, for a discounted asset) and time. */
  repaymentRef?: string;
  repaidAt?: string;
  rejectionReason?: string;
  rejectedAt?: string;
  /** Set when the applicant withdraws (the reason only when one was given). */
  withdrawalReason?: string;
  withdrawnAt?: string;
  /** Set when the issuer settled the undisbursed voucher at maturity (EXPIRED). */
  expiredAt?: string;
  enforcedAt?: string;
} & Meta;

/** The asset a financing is on, loaded by the contracts layer. */
export type FinancedAsset =
  | { type: 'VOUCHER'; record: Voucher }
  | { type: 'RECEIVABLE'; record: Receivable }
  | { type: 'WAREHOUSE_RECEIPT'; record: WarehouseReceipt };

export interface RequestFinancingCommand {
  id?: string;
  asset: FinancingAssetRef;
  bank: string;
  requestedAmount: string;
  dueDate?: string;
}

export interface ApproveFinancingCommand {
  advanceAmount: string;
  annualRateBps: number;
}

/** Facts about the ledger the domain cannot read itself. */
export interface FinancingChecks {
  /** The voucher's issuer has an overdue voucher (circuit breaker, 熔断). */
  issuerOverdue: boolean;
  /** The applicant's member status, read for the steps that extend credit (approve, disburse). */
  applicantStatus?: MemberStatus | undefined;
  /** The credit line the approval reserved the advance on (creditLineId), read for disbursement. */
  creditLine?: CreditLine | undefined;
  /** A pledged receipt's warehouse's member status, read for the steps that extend credit. */
  warehouseStatus?: MemberStatus | undefined;
}

// ---- arithmetic ----

/** The platform fee rate on an advance, in basis points (flat on the whole advance, by tier). */
export function platformFeeBps(advance: bigint): bigint {
  if (advance < FEE_TIER_1_BELOW) return FEE_BPS.BELOW_5M;
  if (advance <= FEE_TIER_2_UP_TO) return FEE_BPS.FROM_5M_TO_20M;
  return FEE_BPS.ABOVE_20M;
}

/** The platform fee on an advance, rounded half up to the fen. */
export function platformFee(advance: bigint): bigint {
  if (advance < 0n) throw new DomainError('BUSINESS_RULE', `advance ${advance} is negative`);
  return roundHalfUpDiv(advance * platformFeeBps(advance), 10_000n);
}

/** round_half_up(base × annualRateBps × days / (10000 × 360)); negative days count as zero. */
export function discountFor(base: bigint, annualRateBps: number, days: number): bigint {
  assertRate(annualRateBps);
  if (!Number.isSafeInteger(days)) throw invalid('days', 'must be an integer');
  const d = BigInt(Math.max(0, days));
  return roundHalfUpDiv(base * BigInt(annualRateBps) * d, 10_000n * DAY_BASIS);
}

/** The largest pledge advance on a valuation: 70%, rounded down to the fen. */
export function maxPledgeAdvance(valuation: bigint): bigint {
  return (valuation * PLEDGE_CAP_PERCENT) / 100n;
}

/** advance ≤ 70% of valuation, in integers (advance × 100 ≤ valuation × 70). */
export function withinPledgeCap(advance: bigint, valuation: bigint): boolean {
  return advance * 100n <= valuation * PLEDGE_CAP_PERCENT;
}

export interface FinancingTerms {
  days: number;
  discount: bigint;
  fee: bigint;
}

/**
 * The terms of an advance disbursed `on` a date: days to `dueDate` (≥ 0), the
 * discount (on the face for a voucher or receivable, on the advance for a
 * pledge) and the fee. No cap is checked here (assertWithinCaps).
 */
export function quoteTerms(assetType: FinancingAssetType, face: bigint, advance: bigint, annualRateBps: number, dueDate: string, on: string): FinancingTerms {
  const days = Math.max(0, daysBetween(on, dueDate));
  const base = assetType === 'WAREHOUSE_RECEIPT' ? advance : face;
  return { days, discount: discountFor(base, annualRateBps, days), fee: platformFee(advance) };
}

/**
 * Vouchers and receivables: advance + discount + fee ≤ face. Pledges:
 * advance ≤ 70% of valuation. BUSINESS_RULE otherwise.
 */
export function assertWithinCaps(assetType: FinancingAssetType, face: bigint, advance: bigint, terms: FinancingTerms): void {
  if (assetType === 'WAREHOUSE_RECEIPT') {
    if (!withinPledgeCap(advance, face)) {
      throw new DomainError(
        'BUSINESS_RULE',
        `advance ${advance} exceeds ${PLEDGE_CAP_PERCENT}% of valuation ${face} (at most ${maxPledgeAdvance(face)})`,
      );
    }
    return;
  }
  const total = advance + terms.discount + terms.fee;
  if (total > face) {
    throw new DomainError(
      'BUSINESS_RULE',
      `advance ${advance} + discount ${terms.discount} + fee ${terms.fee} = ${total} exceeds the face amount ${face}`,
    );
  }
}

function assertRate(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_ANNUAL_RATE_BPS) {
    throw invalid('annualRateBps', `must be a whole number of basis points from 0 to ${MAX_ANNUAL_RATE_BPS}`);
  }
  return value;
}

// ---- the asset side ----

export function describeAsset(asset: FinancedAsset | FinancingAssetRef): string {
  const type = 'record' in asset ? asset.type : asset.type;
  const id = 'record' in asset ? asset.record.id : asset.id;
  return `${type === 'WAREHOUSE_RECEIPT' ? 'warehouse receipt' : type.toLowerCase()} ${id}`;
}

/** Who may ask for financing on the asset: the voucher's holder, the receivable's creditor, the receipt's owner. */
export function assetParty(asset: FinancedAsset): string {
  switch (asset.type) {
    case 'VOUCHER':
      return asset.record.holder;
    case 'RECEIVABLE':
      return asset.record.creditor;
    case 'WAREHOUSE_RECEIPT':
      return asset.record.owner;
  }
}

function assetFace(asset: FinancedAsset): bigint {
  return asset.type === 'WAREHOUSE_RECEIPT'
    ? parseAmount(asset.record.valuation, 'receipt.valuation')
    : parseAmount(asset.record.amount, `${asset.type.toLowerCase()}.amount`);
}

type AssetStep = 'REQUEST' | 'REJECT' | 'DISBURSE';

/** Moves the asset through its own transition table (INVALID_STATE naming it when not allowed). */
function stepAsset(asset: FinancedAsset, step: AssetStep, tx: TxInfo): FinancedAsset {
  switch (asset.type) {
    case 'VOUCHER': {
      const action = step === 'REQUEST' ? 'REQUEST_FINANCING' : step === 'REJECT' ? 'REJECT_FINANCING' : 'DISBURSE';
      return { type: 'VOUCHER', record: transitionVoucher(asset.record, action, tx) };
    }
    case 'RECEIVABLE': {
      const action = step === 'REQUEST' ? 'REQUEST_FINANCING' : step === 'REJECT' ? 'REJECT_FINANCING' : 'DISBURSE';
      return { type: 'RECEIVABLE', record: transitionReceivable(asset.record, action, tx) };
    }
    case 'WAREHOUSE_RECEIPT': {
      const action = step === 'REQUEST' ? 'REQUEST_PLEDGE' : step === 'REJECT' ? 'REJECT_PLEDGE' : 'DISBURSE';
      return { type: 'WAREHOUSE_RECEIPT', record: transitionReceipt(asset.record, action, tx) };
    }
  }
}

const PENDING: Record<FinancingAssetType, string> = {
  VOUCHER: 'FINANCING_PENDING',
  RECEIVABLE: 'FINANCING_PENDING',
  WAREHOUSE_RECEIPT: 'PLEDGE_PENDING',
};
const DISBURSED: Record<FinancingAssetType, string> = { VOUCHER: 'FINANCED', RECEIVABLE: 'FINANCED', WAREHOUSE_RECEIPT: 'PLEDGED' };

/**
 * An asset that is pending, financed or pledged, or a receivable whose value
 * already travels as vouchers, cannot be financed again: DOUBLE_FINANCING
 * naming the live financing (and its bank when `current` is known) or the
 * vouchered amount.
 */
export function assertUnencumbered(asset: FinancedAsset, current?: Financing): void {
  const status: string = asset.record.status;
  if (status === PENDING[asset.type] || status === DISBURSED[asset.type]) {
    const bank = current && current.id === asset.record.financingId ? ` with bank ${current.bank}` : '';
    const holder =
      asset.type === 'VOUCHER'
        ? `; held by ${asset.record.holder}`
        : asset.type === 'RECEIVABLE'
          ? asset.record.assignee !== undefined ? `; assigned to ${asset.record.assignee}` : ''
          : asset.record.pledgee !== undefined ? `; pledged to ${asset.record.pledgee}` : '';
    throw new DomainError(
      'DOUBLE_FINANCING',
      `${describeAsset(asset)} is already ${status} under financing ${asset.record.financingId ?? '(unknown)'}${bank}${holder}`,
    );
  }
  if (asset.type === 'RECEIVABLE') {
    const vouchered = parseAmount(asset.record.voucheredAmount, 'receivable.voucheredAmount');
    if (vouchered > 0n) {
      throw new DomainError(
        'DOUBLE_FINANCING',
        `receivable ${asset.record.id} already backs vouchers for ${vouchered}: its holders finance the vouchers, not the receivable`,
      );
    }
  }
}

/** The asset must be locked by this financing in the status the financing's own status implies. */
function assertLockedBy(fin: Financing, asset: FinancedAsset, expected: 'PENDING' | 'DISBURSED'): void {
  const status = expected === 'PENDING' ? PENDING[asset.type] : DISBURSED[asset.type];
  if (
    fin.asset.type !== asset.type ||
    fin.asset.id !== asset.record.id ||
    asset.record.financingId !== fin.id ||
    asset.record.status !== status
  ) {
    throw new DomainError(
      'BUSINESS_RULE',
      `financing ${fin.id} (${fin.status}) does not hold ${describeAsset(asset)} (${asset.record.status}, financing ${asset.record.financingId ?? 'none'})`,
    );
  }
}

function withFinancingId(asset: FinancedAsset, financingId: string | undefined): FinancedAsset {
  const record = { ...asset.record };
  if (financingId === undefined) delete record.financingId;
  else record.financingId = financingId;
  return { type: asset.type, record } as FinancedAsset;
}

// ---- the financing side ----

export function isLiveFinancing(f: Financing): boolean {
  return LIVE_FINANCING_STATUSES.includes(f.status);
}

/** The members who may read the asset because of a live financing on it: applicant and bank. */
export function liveFinancingParties(f: Financing | undefined): string[] {
  return f && isLiveFinancing(f) ? [f.applicant, f.bank] : [];
}

/** A live financing as a provenance encumbrance (undefined when it is not live). */
export function financingEncumbrance(f: Financing | undefined): Encumbrance | undefined {
  if (!f || !isLiveFinancing(f)) return undefined;
  return { type: 'FINANCING', id: f.id, status: f.status, party: f.bank, txId: f.updatedTxId, at: f.updatedAt };
}

export function canReadFinancing(actor: Actor, f: Financing): boolean {
  const me = actor.member.id;
  return me === f.applicant || me === f.bank || isReader(actor);
}

export function transitionFinancing(f: Financing, action: FinancingAction, tx: TxInfo): Financing {
  const to = nextStatus(FINANCING_TRANSITIONS, `financing ${f.id}`, f.status, action);
  return { ...touch(f, tx), status: to };
}

/** The caller is an active BANK member and the financing's bank; FORBIDDEN otherwise. */
function assertBankOf(f: Financing, actor: Actor, what: string): void {
  assertActive(actor);
  assertRole(actor, 'BANK');
  if (actor.member.id !== f.bank) throw new DomainError('FORBIDDEN', `only the bank ${f.bank} may ${what} financing ${f.id}`);
}

function assertPaymentRef(value: unknown, field = 'paymentRef'): string {
  return assertText(value, field, MAX_PAYMENT_REF_LENGTH);
}

/**
 * A new REQUESTED financing by the asset's holder / creditor / owner (an
 * active SUPPLIER) at `bankMember` (loaded from cmd.bank), and the asset
 * locked (FINANCING_PENDING / PLEDGE_PENDING) naming it. `current` is the
 * financing the asset already names, if any (to name its bank in the error).
 * An encumbered asset is DOUBLE_FINANCING for anyone who can see it, before
 * the holder check: after assignment the former holder asking again learns
 * the asset is financed (and by whom), not merely that it is not the holder.
 */
export function requestFinancing(
  cmd: RequestFinancingCommand,
  asset: FinancedAsset,
  actor: Actor,
  bankMember: Member | undefined,
  tx: TxInfo,
  current?: Financing,
): { financing: Financing; asset: FinancedAsset } {
  assertActive(actor);
  assertUnencumbered(asset, current);
  const applicant = actor.member.id;
  const party = assetParty(asset);
  if (applicant !== party) {
    const label = asset.type === 'VOUCHER' ? 'holder' : asset.type === 'RECEIVABLE' ? 'creditor' : 'owner';
    throw new DomainError('FORBIDDEN', `only the ${label} ${party} may request financing on ${describeAsset(asset)}`);
  }
  assertRole(actor, 'SUPPLIER');
  const c = assertRecord(cmd, 'command');
  const id =
    c.id === undefined || c.id === null
      ? deriveId('FIN', tx.txId)
      : assertPattern(c.id, FINANCING_ID_RE, 'id', 'FIN- followed by 1..60 letters, digits, "_" or "-"');
  const ref = assertRecord(c.asset, 'asset');
  const assetType = assertOneOf(ref.type, FINANCING_ASSET_TYPES, 'asset.type');
  const assetId = assertString(ref.id, 'asset.id');
  if (assetType !== asset.type || assetId !== asset.record.id) {
    throw invalid('asset', `${assetType} ${assetId} does not match the loaded ${describeAsset(asset)}`);
  }
  const bank = assertUscc(c.bank, 'bank');
  const requested = parsePositiveAmount(c.requestedAmount, 'requestedAmount');
  const dueDateArg = c.dueDate === undefined || c.dueDate === null ? undefined : assertDate(c.dueDate, 'dueDate');

  const locked = stepAsset(asset, 'REQUEST', tx);
  if (bank === applicant) throw new DomainError('BUSINESS_RULE', `${applicant} cannot finance its own asset`);
  // The warehouse vouches for the goods: lending on them itself, it would be
  // its own guarantor (and own them on enforcement).
  if (asset.type === 'WAREHOUSE_RECEIPT' && bank === asset.record.warehouse) {
    throw new DomainError('BUSINESS_RULE', `${bank} is the warehouse of ${describeAsset(asset)}: a warehouse cannot lend on goods it holds`);
  }
  assertCounterparty(bankMember, bank, 'BANK', 'bank');

  const face = assetFace(asset);
  let dueDate: string;
  if (asset.type === 'WAREHOUSE_RECEIPT') {
    if (dueDateArg === undefined) throw invalid('dueDate', 'is required for a warehouse receipt pledge: it ends the loan term');
    if (dueDateArg <= tx.today) throw new DomainError('BUSINESS_RULE', `dueDate ${dueDateArg} must be after today ${tx.today}`);
    const latest = addDays(tx.today, MAX_PLEDGE_TERM_DAYS);
    if (dueDateArg > latest) {
      throw new DomainError('BUSINESS_RULE', `dueDate ${dueDateArg} is more than ${MAX_PLEDGE_TERM_DAYS} days away: a pledge's loan term ends by ${latest}`);
    }
    if (!withinPledgeCap(requested, face)) {
      throw new DomainError(
        'BUSINESS_RULE',
        `requestedAmount ${requested} exceeds ${PLEDGE_CAP_PERCENT}% of valuation ${face} (at most ${maxPledgeAdvance(face)})`,
      );
    }
    dueDate = dueDateArg;
  } else {
    const term = asset.type === 'VOUCHER' ? asset.record.maturityDate : asset.record.dueDate;
    if (dueDateArg !== undefined && dueDateArg !== term) {
      throw invalid('dueDate', `must be absent or ${term}, the date ${describeAsset(asset)} falls due`);
    }
    if (tx.today >= term) {
      throw new DomainError('BUSINESS_RULE', `${describeAsset(asset)} falls due on ${term}: too late to finance it on ${tx.today}`);
    }
    if (requested > face) throw new DomainError('BUSINESS_RULE', `requestedAmount ${requested} exceeds the face amount ${face}`);
    dueDate = term;
  }
  const financing: Financing = {
    docType: 'financing',
    id,
    asset: { type: asset.type, id: asset.record.id },
    applicant,
    bank,
    currency: asset.record.currency,
    faceAmount: formatAmount(face),
    requestedAmount: formatAmount(requested),
    dueDate,
    status: 'REQUESTED',
    ...newMeta(tx),
  };
  return { financing, asset: withFinancingId(locked, id) };
}

/**
 * No new credit reaches a suspended member (PRODUCT 1.3, the white list): a
 * bank can neither approve nor disburse a financing whose applicant was
 * suspended after it asked. It can still reject it, and what is already
 * lent is repaid, released or enforced as usual.
 */
function assertApplicantActive(fin: Financing, checks: FinancingChecks): void {
  if (checks.applicantStatus === undefined) throw new Error(`the applicant's status was not read for financing ${fin.id}`);
  if (checks.applicantStatus !== 'ACTIVE') {
    throw new DomainError(
      'BUSINESS_RULE',
      `applicant ${fin.applicant} is ${checks.applicantStatus}: no credit to a suspended member (financing ${fin.id} can be rejected, or wait for reinstatement)`,
    );
  }
}

/**
 * No new credit on the paper of a suspended warehouse (PRODUCT 1.3, the white
 * list): its receipts back nothing new, as a frozen warehouse's do not. What
 * is already lent is repaid, released or enforced as usual.
 */
function assertWarehouseActive(fin: Financing, asset: FinancedAsset, checks: FinancingChecks): void {
  if (asset.type !== 'WAREHOUSE_RECEIPT') return;
  if (checks.warehouseStatus === undefined) throw new Error(`the warehouse's status was not read for financing ${fin.id}`);
  if (checks.warehouseStatus !== 'ACTIVE') {
    throw new DomainError(
      'BUSINESS_RULE',
      `warehouse ${asset.record.warehouse} of receipt ${asset.record.id} is ${checks.warehouseStatus}: its receipts back no new credit (financing ${fin.id} can be rejected, or wait for reinstatement)`,
    );
  }
}

/**
 * A disbursement draws on the reservation the approval took on the bank's
 * line, so the line must still be usable: a bank that suspends or closes a
 * line stops the money going out at once, not only new approvals (the
 * advance stays reserved; the bank rejects the financing to release it, or
 * reinstates the line and disburses). Expired likewise. No line, no check.
 */
function assertLineDrawable(fin: Financing, checks: FinancingChecks, tx: TxInfo): void {
  if (fin.creditLineId === undefined) return;
  if (checks.creditLine?.id !== fin.creditLineId) throw new Error(`credit line ${fin.creditLineId} of financing ${fin.id} was not read`);
  const unusable = unusableReason(checks.creditLine, tx.today);
  if (unusable !== undefined) {
    throw new DomainError(
      'BUSINESS_RULE',
      `CREDIT_LINE_UNAVAILABLE: credit line ${fin.creditLineId} ${unusable}: no disbursement on it (reject financing ${fin.id} to release its reservation, or reinstate the line)`,
    );
  }
}

function assertNotBroken(fin: Financing, asset: FinancedAsset, checks: FinancingChecks): void {
  if (asset.type === 'VOUCHER' && checks.issuerOverdue) {
    throw new DomainError(
      'BUSINESS_RULE',
      `ISSUER_OVERDUE: issuer ${asset.record.issuer} of voucher ${asset.record.id} has an overdue voucher; no financing on its vouchers until it pays (financing ${fin.id})`,
    );
  }
}

/**
 * Approval and disbursement happen strictly before the financing's dueDate
 * (the voucher's maturity, the receivable's due date, the end of the loan
 * term): BUSINESS_RULE on or after it.
 */
function assertBeforeDue(fin: Financing, what: 'approve' | 'disburse', tx: TxInfo): void {
  if (tx.today < fin.dueDate) return;
  const term =
    fin.asset.type === 'VOUCHER'
      ? `voucher ${fin.asset.id} matures`
      : fin.asset.type === 'RECEIVABLE'
        ? `receivable ${fin.asset.id} falls due`
        : `its loan term ends`;
  throw new DomainError(
    'BUSINESS_RULE',
    `financing ${fin.id} is due on ${fin.dueDate} (${term}): too late to ${what} it on ${tx.today}`,
  );
}

/**
 * The bank approves a REQUESTED financing with an advance (at most the
 * requested amount) and an annual rate, strictly before the financing's
 * dueDate. The circuit breaker and the caps are checked; the terms are quoted
 * as if disbursed today and stored.
 */
export function approveFinancing(
  fin: Financing,
  asset: FinancedAsset,
  cmd: ApproveFinancingCommand,
  actor: Actor,
  tx: TxInfo,
  checks: FinancingChecks,
): Financing {
  assertBankOf(fin, actor, 'approve');
  const c = assertRecord(cmd, 'command');
  const advance = parsePositiveAmount(c.advanceAmount, 'advanceAmount');
  const rate = assertRate(c.annualRateBps);
  const next = transitionFinancing(fin, 'APPROVE', tx);
  assertLockedBy(fin, asset, 'PENDING');
  assertBeforeDue(fin, 'approve', tx);
  assertApplicantActive(fin, checks);
  assertWarehouseActive(fin, asset, checks);
  const requested = parseAmount(fin.requestedAmount, 'financing.requestedAmount');
  if (advance > requested) {
    throw new DomainError('BUSINESS_RULE', `advanceAmount ${advance} exceeds the requested ${requested} of financing ${fin.id}`);
  }
  assertNotBroken(fin, asset, checks);
  const face = assetFace(asset);
  const terms = quoteTerms(asset.type, face, advance, rate, fin.dueDate, tx.today);
  assertWithinCaps(asset.type, face, advance, terms);
  return {
    ...next,
    advanceAmount: formatAmount(advance),
    annualRateBps: rate,
    approvedAt: tx.now,
    days: terms.days,
    discount: formatAmount(terms.discount),
    fee: formatAmount(terms.fee),
  };
}

/** The bank rejects a REQUESTED or APPROVED financing with a reason; the asset unlocks. */
export function rejectFinancing(
  fin: Financing,
  asset: FinancedAsset,
  cmd: { reason: string },
  actor: Actor,
  tx: TxInfo,
): { financing: Financing; asset: FinancedAsset } {
  assertBankOf(fin, actor, 'reject');
  const reason = assertText(assertRecord(cmd, 'command').reason, 'reason', MAX_REASON_LENGTH);
  const next = transitionFinancing(fin, 'REJECT', tx);
  assertLockedBy(fin, asset, 'PENDING');
  const unlocked = withFinancingId(stepAsset(asset, 'REJECT', tx), undefined);
  return { financing: { ...next, rejectionReason: reason, rejectedAt: tx.now }, asset: unlocked };
}

const approvedOn = (fin: Financing, today: string): string => (fin.approvedAt === undefined ? today : todayOf(fin.approvedAt));

/**
 * The day from which the applicant may withdraw a financing: at once while
 * REQUESTED; once APPROVED, the bank's for DISBURSE_WITHIN_DAYS from the
 * approval, or until the due date if that comes first. (The console offers
 * Withdraw from this day.)
 */
export function withdrawableFrom(fin: Financing, today: string): string {
  if (fin.status !== 'APPROVED') return today;
  const lapse = addDays(approvedOn(fin, today), DISBURSE_WITHIN_DAYS);
  return lapse < fin.dueDate ? lapse : fin.dueDate;
}

/**
 * The applicant (an active member, whatever its roles now) withdraws its
 * REQUESTED financing, with an optional reason; the asset unlocks exactly as
 * on rejection (its own table's reject-financing step, financingId removed).
 * Anyone else is FORBIDDEN (the contracts layer answers NOT_FOUND first to
 * those who cannot see the financing). An APPROVED financing is the bank's
 * to decide (reject or disburse) for DISBURSE_WITHIN_DAYS from its approval
 * (or until its dueDate, if sooner): withdrawing it meanwhile is
 * BUSINESS_RULE; from then on the applicant may withdraw it like a request,
 * so a bank that approves and goes silent does not keep the asset locked.
 * DISBURSED and final statuses are INVALID_STATE.
 */
export function withdrawFinancing(
  fin: Financing,
  asset: FinancedAsset,
  cmd: { reason?: string | undefined },
  actor: Actor,
  tx: TxInfo,
): { financing: Financing; asset: FinancedAsset } {
  assertActive(actor);
  if (actor.member.id !== fin.applicant) {
    throw new DomainError('FORBIDDEN', `only the applicant ${fin.applicant} may withdraw financing ${fin.id}`);
  }
  const reason = optionalText(assertRecord(cmd, 'command').reason, 'reason', MAX_REASON_LENGTH);
  const next = transitionFinancing(fin, 'WITHDRAW', tx);
  assertLockedBy(fin, asset, 'PENDING');
  if (fin.status === 'APPROVED') {
    const from = withdrawableFrom(fin, tx.today);
    if (tx.today < from) {
      throw new DomainError(
        'BUSINESS_RULE',
        `financing ${fin.id} was approved by ${fin.bank} on ${approvedOn(fin, tx.today)}: it is the bank's to disburse or reject until ${from}, when the applicant may withdraw it (today ${tx.today})`,
      );
    }
  }
  const unlocked = withFinancingId(stepAsset(asset, 'REJECT', tx), undefined);
  return {
    financing: { ...next, withdrawnAt: tx.now, ...(reason !== undefined ? { withdrawalReason: reason } : {}) },
    asset: unlocked,
  };
}

/**
 * The bank disburses an APPROVED financing, strictly before its dueDate. The
 * terms are fixed with today's date (so at least one day) and the caps and
 * circuit breaker checked again. A voucher passes to the
 * bank (holder = bank, FINANCED; its tier is unchanged: assignment to the
 * financing bank is not a pass down the supply chain), a receivable is
 * assigned to it (FINANCED, assignee = bank), a receipt is pledged to it
 * (PLEDGED, pledgee = bank).
 */
export function disburseFinancing(
  fin: Financing,
  asset: FinancedAsset,
  cmd: { paymentRef: string },
  actor: Actor,
  tx: TxInfo,
  checks: FinancingChecks,
): { financing: Financing; asset: FinancedAsset } {
  assertBankOf(fin, actor, 'disburse');
  const paymentRef = assertPaymentRef(assertRecord(cmd, 'command').paymentRef);
  const next = transitionFinancing(fin, 'DISBURSE', tx);
  assertLockedBy(fin, asset, 'PENDING');
  assertBeforeDue(fin, 'disburse', tx);
  assertApplicantActive(fin, checks);
  assertWarehouseActive(fin, asset, checks);
  assertNotBroken(fin, asset, checks);
  assertLineDrawable(fin, checks, tx);
  const advance = parseAmount(fin.advanceAmount, 'financing.advanceAmount');
  const face = assetFace(asset);
  const terms = quoteTerms(asset.type, face, advance, fin.annualRateBps ?? -1, fin.dueDate, tx.today);
  assertWithinCaps(asset.type, face, advance, terms);

  const stepped = stepAsset(asset, 'DISBURSE', tx);
  const moved: FinancedAsset =
    stepped.type === 'VOUCHER'
      ? { type: 'VOUCHER', record: { ...stepped.record, holder: fin.bank } }
      : stepped.type === 'RECEIVABLE'
        ? { type: 'RECEIVABLE', record: { ...stepped.record, assignee: fin.bank } }
        : { type: 'WAREHOUSE_RECEIPT', record: { ...stepped.record, pledgee: fin.bank } };
  return {
    financing: {
      ...next,
      days: terms.days,
      discount: formatAmount(terms.discount),
      fee: formatAmount(terms.fee),
      paymentRef,
      disbursedAt: tx.now,
    },
    asset: moved,
  };
}

function repaid(fin: Financing, repaymentRef: string, tx: TxInfo): Financing {
  return { ...transitionFinancing(fin, 'REPAY', tx), repaymentRef, repaidAt: tx.now };
}

/**
 * The pledgee bank releases a PLEDGED receipt (warehouse:Release, or
 * financing:Repay with the repayment's reference): the receipt is ACTIVE
 * again with no pledgee, the financing REPAID. `fin` is the financing the
 * receipt names (undefined when it names none).
 */
export function releasePledge(
  receipt: WarehouseReceipt,
  fin: Financing | undefined,
  repaymentRef: string | undefined,
  actor: Actor,
  tx: TxInfo,
): { receipt: WarehouseReceipt; financing: Financing } {
  assertPledgee(receipt, fin, actor, 'release');
  const ref = repaymentRef === undefined ? undefined : assertPaymentRef(repaymentRef, 'paymentRef');
  const released = transitionReceipt(receipt, 'RELEASE', tx);
  if (!fin) throw new DomainError('BUSINESS_RULE', `warehouse receipt ${receipt.id} is PLEDGED but names no financing`);
  const next = transitionFinancing(fin, 'REPAY', tx);
  assertLockedBy(fin, { type: 'WAREHOUSE_RECEIPT', record: receipt }, 'DISBURSED');
  const out: WarehouseReceipt = { ...released };
  delete out.pledgee;
  delete out.financingId;
  return { receipt: out, financing: { ...next, repaidAt: tx.now, ...(ref !== undefined ? { repaymentRef: ref } : {}) } };
}

/** The caller is an active BANK member and the receipt's pledgee (the bank of the financing it names); FORBIDDEN otherwise. */
function assertPledgee(receipt: WarehouseReceipt, fin: Financing | undefined, actor: Actor, what: string): void {
  assertActive(actor);
  assertRole(actor, 'BANK');
  const bank = fin?.bank ?? receipt.pledgee;
  if (actor.member.id !== bank) {
    throw new DomainError('FORBIDDEN', `only the pledgee ${bank ?? '(none)'} may ${what} warehouse receipt ${receipt.id}`);
  }
}

/**
 * financing:Repay. Pledges only: the bank records the repayment and releases
 * the pledge. A discounted voucher or receivable is repaid by its debtor's
 * settlement, never directly (BUSINESS_RULE).
 */
export function repayFinancing(
  fin: Financing,
  asset: FinancedAsset,
  cmd: { paymentRef: string },
  actor: Actor,
  tx: TxInfo,
): { financing: Financing; asset: FinancedAsset } {
  assertBankOf(fin, actor, 'record repayment of');
  const paymentRef = assertPaymentRef(assertRecord(cmd, 'command').paymentRef);
  transitionFinancing(fin, 'REPAY', tx);
  if (asset.type !== 'WAREHOUSE_RECEIPT') {
    throw new DomainError(
      'BUSINESS_RULE',
      `financing ${fin.id} is repaid when ${asset.type === 'VOUCHER' ? 'its issuer settles' : 'its debtor settles'} ${describeAsset(asset)} (${asset.type === 'VOUCHER' ? 'voucher:Settle' : 'receivable:Settle'})`,
    );
  }
  const { receipt, financing } = releasePledge(asset.record, fin, paymentRef, actor, tx);
  return { financing, asset: { type: 'WAREHOUSE_RECEIPT', record: receipt } };
}

/**
 * The pledgee bank enforces a pledge in default: after the loan's dueDate
 * with the financing still DISBURSED (not repaid). The receipt is ACTIVE
 * again, owned by the bank, with no pledgee; the financing is ENFORCED.
 */
export function enforcePledge(
  receipt: WarehouseReceipt,
  fin: Financing | undefined,
  actor: Actor,
  tx: TxInfo,
): { receipt: WarehouseReceipt; financing: Financing } {
  assertPledgee(receipt, fin, actor, 'enforce');
  const enforced = transitionReceipt(receipt, 'ENFORCE', tx);
  if (!fin) throw new DomainError('BUSINESS_RULE', `warehouse receipt ${receipt.id} is PLEDGED but names no financing`);
  const next = transitionFinancing(fin, 'ENFORCE', tx);
  assertLockedBy(fin, { type: 'WAREHOUSE_RECEIPT', record: receipt }, 'DISBURSED');
  if (tx.today <= fin.dueDate) {
    throw new DomainError('BUSINESS_RULE', `financing ${fin.id} is not in default until its due date ${fin.dueDate} has passed: enforce from the day after (today ${tx.today})`);
  }
  const out: WarehouseReceipt = { ...enforced, owner: fin.bank };
  delete out.pledgee;
  delete out.financingId;
  return { receipt: out, financing: { ...next, enforcedAt: tx.now } };
}

/**
 * What the event of an asset's settlement names of the financing it repays or
 * closes: the financing and its bank, so the bank is told (GET /events and
 * webhooks show a member the events that name it), an EXPIRED request included.
 */
export function financingIds(fin: Financing): { financingId: string; bank: string } {
  return { financingId: fin.id, bank: fin.bank };
}

/**
 * The financing of a discounted voucher or receivable is REPAID by the
 * settlement of the asset (same transaction), recording the settlement's
 * payment reference.
 */
export function repaidBySettlement(fin: Financing, asset: FinancedAsset, paymentRef: string, tx: TxInfo): Financing {
  if (asset.type === 'WAREHOUSE_RECEIPT') throw new DomainError('BUSINESS_RULE', `a pledge is repaid by financing:Repay, not by settlement`);
  const next = repaid(fin, assertPaymentRef(paymentRef), tx);
  if (fin.asset.type !== asset.type || fin.asset.id !== asset.record.id || asset.record.financingId !== fin.id) {
    throw new DomainError('BUSINESS_RULE', `financing ${fin.id} is not on ${describeAsset(asset)}`);
  }
  return next;
}

/**
 * The issuer settles a FINANCING_PENDING voucher on or after its maturity
 * (voucher:Settle): the financing it names, still REQUESTED or APPROVED (the
 * bank never disbursed), is closed as EXPIRED in the same transaction. The
 * holder, who applied and received nothing, is paid (settleVoucher); the
 * piece no longer names the financing. BUSINESS_RULE for a pledge, before
 * the dueDate, or when the financing is not the one holding the asset;
 * INVALID_STATE from any other status.
 */
export function expiredBySettlement(fin: Financing, asset: FinancedAsset, tx: TxInfo): Financing {
  if (asset.type === 'WAREHOUSE_RECEIPT') throw new DomainError('BUSINESS_RULE', `a pledge is not closed by settlement`);
  const next = transitionFinancing(fin, 'EXPIRE', tx);
  assertLockedBy(fin, asset, 'PENDING');
  if (tx.today < fin.dueDate) {
    throw new DomainError('BUSINESS_RULE', `financing ${fin.id} runs until ${fin.dueDate}: it does not expire on ${tx.today}`);
  }
  return { ...next, expiredAt: tx.now };
}

/**
 * The debtor (an active CORE_ENTERPRISE) settles a FINANCED (factored)
 * receivable on or after its due date, paying the assignee bank: the
 * receivable is SETTLED (settledAmount = amount, settledTo = assignee) and
 * its financing REPAID. `fin` is the financing the receivable names.
 */
export function settleFactoredReceivable(
  rcv: Receivable,
  fin: Financing | undefined,
  cmd: { paymentRef: string },
  actor: Actor,
  tx: TxInfo,
): { receivable: Receivable; financing: Financing } {
  assertActive(actor);
  assertRole(actor, 'CORE_ENTERPRISE');
  if (actor.member.id !== rcv.debtor) throw new DomainError('FORBIDDEN', `only the debtor ${rcv.debtor} may settle receivable ${rcv.id}`);
  const paymentRef = assertPaymentRef(assertRecord(cmd, 'command').paymentRef);
  const next = transitionReceivable(rcv, 'SETTLE', tx);
  if (!fin || rcv.assignee === undefined) throw new DomainError('BUSINESS_RULE', `receivable ${rcv.id} is FINANCED but names no financing`);
  if (tx.today < rcv.dueDate) {
    throw new DomainError('BUSINESS_RULE', `receivable ${rcv.id} falls due on ${rcv.dueDate}: cannot settle it on ${tx.today}`);
  }
  const financing = repaidBySettlement(fin, { type: 'RECEIVABLE', record: rcv }, paymentRef, tx);
  return {
    receivable: { ...next, settledAmount: rcv.amount, settledTo: rcv.assignee, paymentRef, settledAt: tx.now },
    financing,
  };
}
