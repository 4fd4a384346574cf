import { DomainError } from './errors';
import { assertDate } from './dates';
import type { FinancedAsset, Financing } from './financing';
import { newMeta, touch } from './meta';
import { assertCounterparty, assertMayWrite, hasRole, isReader, MAX_REASON_LENGTH } from './members';
import { formatAmount, parseAmount, parsePositiveAmount } from './money';
import { nextStatus, type Transition } from './statemachine';
import type { Actor, Member, Meta, TxInfo, Voucher } from './types';
import { assertCurrency, DEFAULT_CURRENCY } from './receivables';
import { assertUscc } from './uscc';
import { assertOneOf, assertPattern, assertRecord, assetIdPattern, deriveId, invalid, optionalText } from './validation';

/*
 * Credit lines (授信, DESIGN 8): money moves inside limits. The OPERATOR
 * grants a core enterprise an ISSUANCE line (the vouchers it may have
 * outstanding); a BANK grants a member a FINANCING line (its exposure to that
 * obligor). A line's `used` is the sum of its live reservations, taken in the
 * same transaction as the step that uses it and released by the step that
 * ends it:
 * - voucher:Issue reserves the root amount on the issuer's ISSUANCE line; each
 *   piece's settlement releases that piece's amount (pieces carry the line id).
 * - financing:Approve reserves the advance on the bank's FINANCING line to the
 *   obligor whose credit the financing relies on (creditLineObligor); rejection,
 *   withdrawal and expiry release it, disbursement keeps it (and is refused
 *   while the line is suspended, closed or expired: financing.ts
 *   assertLineDrawable), repayment (by settlement, financing:Repay or
 *   warehouse:Release) and enforcement release it.
 *
 * Decisions where DESIGN is silent:
 * - **No line, no limit; a line, always its limit.** A step is checked against
 *   a line only when the granter has granted that obligor a line of that kind
 *   (at most one ISSUANCE line per core enterprise, at most one FINANCING line
 *   per bank and obligor). A pair that never had a line is not limited by the
 *   ledger: the bank's (or operator's) credit decision stays outside it, as
 *   before lines existed, so a ledger running before this change keeps working
 *   and vouchers issued then carry no reservation. Once a pair has a line it is
 *   governed by it for good: a suspended, expired, not yet valid or CLOSED line
 *   refuses new use (closing does not fall back to "no limit"); a new grant after
 *   closing replaces it.
 * - Use needs an ACTIVE line with validFrom ≤ the tx date ≤ validTo (UTC dates
 *   of the transaction timestamp) and the asset's currency; otherwise, and when
 *   the use would pass the limit, BUSINESS_RULE naming the line, its limit, use
 *   and headroom. Only the obligor (issuing) and the granter (approving) ever
 *   take use, and both may read the line, so the detail reveals nothing.
 * - Releases are never refused: a suspended, expired or closed line still runs
 *   off what is outstanding on it.
 * - Granting, adjusting (limit and/or validTo) are dual-controlled at the
 *   granter (the amount compared with its threshold: the limit granted; for an
 *   adjustment the larger of the old and new limit, so reducing a large line is
 *   two-step too). Suspend, reinstate and close are single-step: they only stop
 *   or resume new use and the disbursement of what was approved on the line,
 *   and a bank must be able to stop lending at once.
 * - A line is never reduced below `used` (BUSINESS_RULE). Closing is allowed
 *   with use outstanding: the line is final, its use runs off.
 * - Only the granter changes a line; the obligor, who may read it, is
 *   FORBIDDEN; anyone else gets NOT_FOUND (the contracts layer).
 */

export const CREDIT_LINE_KINDS = ['ISSUANCE', 'FINANCING'] as const;
export type CreditLineKind = (typeof CREDIT_LINE_KINDS)[number];

export const CREDIT_LINE_STATUSES = ['ACTIVE', 'SUSPENDED', 'CLOSED'] as const;
export type CreditLineStatus = (typeof CREDIT_LINE_STATUSES)[number];

export const CREDIT_LINE_ACTIONS = ['ADJUST', 'SUSPEND', 'REINSTATE', 'CLOSE'] as const;
export type CreditLineAction = (typeof CREDIT_LINE_ACTIONS)[number];

/** Every transition once. CLOSED is final. Use and release are not status moves (useCreditLine, releaseCreditLine). */
export const CREDIT_LINE_TRANSITIONS: readonly Transition<CreditLineStatus, CreditLineAction>[] = [
  { from: 'ACTIVE', action: 'ADJUST', to: 'ACTIVE' },
  { from: 'SUSPENDED', action: 'ADJUST', to: 'SUSPENDED' },
  { from: 'ACTIVE', action: 'SUSPEND', to: 'SUSPENDED' },
  { from: 'SUSPENDED', action: 'REINSTATE', to: 'ACTIVE' },
  { from: 'ACTIVE', action: 'CLOSE', to: 'CLOSED' },
  { from: 'SUSPENDED', action: 'CLOSE', to: 'CLOSED' },
];

export const CREDIT_LINE_ID_RE = assetIdPattern('CRL');

export type CreditLine = {
  docType: 'creditLine';
  id: string;
  granter: string;
  obligor: string;
  kind: CreditLineKind;
  limit: string;
  /** The sum of the live reservations on the line. */
  used: string;
  currency: string;
  validFrom: string;
  validTo: string;
  status: CreditLineStatus;
  /** Why it was suspended; present only while SUSPENDED. */
  statusReason?: string;
  closedAt?: string;
} & Meta;

/** A line as reads return it: with its headroom (limit − used). */
export type CreditLineView = CreditLine & { headroom: string };

export interface GrantCreditLineCommand {
  id?: string;
  kind: CreditLineKind;
  /** Absent: the caller's member. Naming another member is FORBIDDEN. */
  granter?: string;
  obligor: string;
  limit: string;
  currency?: string;
  /** Absent: the transaction's date. */
  validFrom?: string;
  validTo: string;
}

export interface AdjustCreditLineCommand {
  limit?: string;
  validTo?: string;
}

// ---- arithmetic and reads ----

export function headroomOf(line: CreditLine): bigint {
  return parseAmount(line.limit, 'line.limit') - parseAmount(line.used, 'line.used');
}

export function viewCreditLine(line: CreditLine): CreditLineView {
  return { ...line, headroom: formatAmount(headroomOf(line)) };
}

/** The granter, the obligor, AUDITOR and OPERATOR. */
export function canReadCreditLine(actor: Actor, line: CreditLine): boolean {
  return actor.member.id === line.granter || actor.member.id === line.obligor || isReader(actor);
}

function describe(line: CreditLine): string {
  return `credit line ${line.id} (${line.kind} of ${line.granter} to ${line.obligor})`;
}

/** Why the line cannot take new use on `today`, or undefined when it can. */
export function unusableReason(line: CreditLine, today: string): string | undefined {
  if (line.status !== 'ACTIVE') return `is ${line.status}`;
  if (today < line.validFrom) return `is valid from ${line.validFrom}`;
  if (today > line.validTo) return `expired on ${line.validTo}`;
  return undefined;
}

// ---- who may do what ----

/** The granter's own active identity; the obligor (who may read the line) is FORBIDDEN. */
function assertGranter(line: CreditLine, actor: Actor, what: string): void {
  assertMayWrite(actor);
  if (actor.member.id !== line.granter) {
    throw new DomainError('FORBIDDEN', `only the granter ${line.granter} may ${what} credit line ${line.id}`);
  }
}

function assertLimit(value: unknown): bigint {
  return parsePositiveAmount(value, 'limit');
}

// ---- transitions ----

/**
 * A new ACTIVE line with nothing used. ISSUANCE: granted by the OPERATOR to a
 * CORE_ENTERPRISE. FINANCING: granted by a BANK to another member (the obligor
 * whose credit its financings rely on). `granter`, when given, must be the
 * caller's member: nobody grants in another member's name. `current` is the
 * pair's line, if any; a pair has one line until it is CLOSED (ALREADY_EXISTS).
 */
export function grantCreditLine(
  cmd: GrantCreditLineCommand,
  actor: Actor,
  obligor: Member | undefined,
  current: CreditLine | undefined,
  tx: TxInfo,
): CreditLine {
  assertMayWrite(actor);
  const c = assertRecord(cmd, 'command');
  const kind = assertOneOf(c.kind, CREDIT_LINE_KINDS, 'kind');
  const granter = c.granter === undefined ? actor.member.id : assertUscc(c.granter, 'granter');
  if (granter !== actor.member.id) {
    throw new DomainError('FORBIDDEN', `member ${actor.member.id} cannot grant a credit line in the name of ${granter}`);
  }
  const role = kind === 'ISSUANCE' ? 'OPERATOR' : 'BANK';
  if (!hasRole(actor, role)) throw new DomainError('FORBIDDEN', `${kind} credit lines are granted by a member with role ${role}; ${granter} has not`);
  const obligorId = assertUscc(c.obligor, 'obligor');
  if (obligorId === granter) throw new DomainError('BUSINESS_RULE', `member ${granter} cannot grant a credit line to itself`);
  const who = kind === 'ISSUANCE' ? assertCounterparty(obligor, obligorId, 'CORE_ENTERPRISE', 'obligor') : assertObligor(obligor, obligorId);
  const id = c.id === undefined ? deriveId('CRL', tx.txId) : assertPattern(c.id, CREDIT_LINE_ID_RE, 'id', 'CRL- followed by 1..60 letters, digits, "_" or "-"');
  const limit = assertLimit(c.limit);
  const currency = c.currency === undefined ? DEFAULT_CURRENCY : assertCurrency(c.currency);
  const validFrom = c.validFrom === undefined ? tx.today : assertDate(c.validFrom, 'validFrom');
  const validTo = assertDate(c.validTo, 'validTo');
  if (validTo < validFrom) throw invalid('validTo', `${validTo} is before validFrom ${validFrom}`);
  if (validTo < tx.today) throw new DomainError('BUSINESS_RULE', `a credit line valid to ${validTo} would be expired when granted on ${tx.today}`);
  if (current && current.status !== 'CLOSED') {
    throw new DomainError('ALREADY_EXISTS', `${describe(current)} is ${current.status}: adjust it, or close it before granting another`);
  }
  return {
    docType: 'creditLine',
    id,
    granter,
    obligor: who.id,
    kind,
    limit: formatAmount(limit),
    used: '0',
    currency,
    validFrom,
    validTo,
    status: 'ACTIVE',
    ...newMeta(tx),
  };
}

/**
 * A FINANCING line's obligor: an active member a financing can rely on
 * (creditLineObligor): a CORE_ENTERPRISE (the vouchers it issued, the
 * receivables it owes) or a SUPPLIER (the receipts it pledges). A line to
 * anyone else (a bank, a warehouse, an auditor) could never be used.
 */
function assertObligor(member: Member | undefined, id: string): Member {
  if (!member) throw new DomainError('NOT_FOUND', `obligor ${id} is not a member`);
  if (member.status !== 'ACTIVE') throw new DomainError('BUSINESS_RULE', `obligor ${id} is ${member.status}`);
  if (!hasRole(member, 'CORE_ENTERPRISE') && !hasRole(member, 'SUPPLIER')) {
    throw new DomainError(
      'BUSINESS_RULE',
      `obligor ${id} (${member.roles.join(', ')}) owes nothing a financing relies on: a FINANCING line's obligor is a CORE_ENTERPRISE (vouchers it issued, receivables it owes) or a SUPPLIER (receipts it pledges)`,
    );
  }
  return member;
}

/** The granter raises or reduces the limit (never below `used`) and/or moves validTo. */
export function adjustCreditLine(line: CreditLine, cmd: AdjustCreditLineCommand, actor: Actor, tx: TxInfo): CreditLine {
  assertGranter(line, actor, 'adjust');
  const c = assertRecord(cmd, 'command');
  if (c.limit === undefined && c.validTo === undefined) throw invalid('command', 'name a new limit, a new validTo, or both');
  const status = nextStatus(CREDIT_LINE_TRANSITIONS, `credit line ${line.id}`, line.status, 'ADJUST');
  const limit = c.limit === undefined ? parseAmount(line.limit, 'line.limit') : assertLimit(c.limit);
  const used = parseAmount(line.used, 'line.used');
  if (limit < used) {
    throw new DomainError('BUSINESS_RULE', `${describe(line)} has ${used} in use: its limit cannot go below that (asked ${limit})`);
  }
  const validTo = c.validTo === undefined ? line.validTo : assertDate(c.validTo, 'validTo');
  if (validTo < line.validFrom) throw invalid('validTo', `${validTo} is before validFrom ${line.validFrom}`);
  return { ...touch(line, tx), status, limit: formatAmount(limit), validTo };
}

/** ACTIVE -> SUSPENDED: new use stops at once; what is outstanding is untouched. */
export function suspendCreditLine(line: CreditLine, reason: string | undefined, actor: Actor, tx: TxInfo): CreditLine {
  assertGranter(line, actor, 'suspend');
  const why = optionalText(reason, 'reason', MAX_REASON_LENGTH);
  const status = nextStatus(CREDIT_LINE_TRANSITIONS, `credit line ${line.id}`, line.status, 'SUSPEND');
  return { ...touch(line, tx), status, ...(why !== undefined ? { statusReason: why } : {}) };
}

export function reinstateCreditLine(line: CreditLine, actor: Actor, tx: TxInfo): CreditLine {
  assertGranter(line, actor, 'reinstate');
  const status = nextStatus(CREDIT_LINE_TRANSITIONS, `credit line ${line.id}`, line.status, 'REINSTATE');
  const next: CreditLine = { ...touch(line, tx), status };
  delete next.statusReason;
  return next;
}

/** ACTIVE or SUSPENDED -> CLOSED (final): no new use ever; outstanding use still runs off. */
export function closeCreditLine(line: CreditLine, reason: string | undefined, actor: Actor, tx: TxInfo): CreditLine {
  assertGranter(line, actor, 'close');
  const why = optionalText(reason, 'reason', MAX_REASON_LENGTH);
  const status = nextStatus(CREDIT_LINE_TRANSITIONS, `credit line ${line.id}`, line.status, 'CLOSE');
  const next: CreditLine = { ...touch(line, tx), status, closedAt: tx.now, ...(why !== undefined ? { statusReason: why } : {}) };
  if (why === undefined) delete next.statusReason;
  return next;
}

/**
 * Takes `amount` of the line for `what` (e.g. "issuing voucher VCH-1"):
 * BUSINESS_RULE when the line cannot take new use (status, validity), is in
 * another currency, or has less headroom than `amount`; the detail names the
 * line, its limit, use and headroom.
 */
export function useCreditLine(line: CreditLine, amount: bigint, currency: string, what: string, tx: TxInfo): CreditLine {
  const unusable = unusableReason(line, tx.today);
  if (unusable !== undefined) {
    throw new DomainError('BUSINESS_RULE', `CREDIT_LINE_UNAVAILABLE: ${describe(line)} ${unusable}: no new use (${what})`);
  }
  if (currency !== line.currency) {
    throw new DomainError('BUSINESS_RULE', `CREDIT_LINE_UNAVAILABLE: ${describe(line)} is in ${line.currency}, not ${currency}: no use in another currency (${what})`);
  }
  const headroom = headroomOf(line);
  if (amount > headroom) {
    throw new DomainError(
      'BUSINESS_RULE',
      `CREDIT_LINE_EXCEEDED: ${what} needs ${amount} of ${describe(line)}, whose headroom is ${headroom} (limit ${line.limit}, used ${line.used})`,
    );
  }
  return { ...touch(line, tx), used: formatAmount(parseAmount(line.used, 'line.used') + amount) };
}

/** Gives back `amount` of the line's use, whatever its status. More than is used is a ledger inconsistency. */
export function releaseCreditLine(line: CreditLine, amount: bigint, tx: TxInfo): CreditLine {
  const used = parseAmount(line.used, 'line.used');
  if (amount > used) throw new Error(`ledger inconsistency: releasing ${amount} from ${describe(line)}, which has only ${used} in use`);
  return { ...touch(line, tx), used: formatAmount(used - amount) };
}

// ---- what a step reserves ----

/** Whose credit a financing relies on: the voucher's issuer, the receivable's debtor, the receipt's owner (pledgor). */
export function creditLineObligor(asset: FinancedAsset): string {
  switch (asset.type) {
    case 'VOUCHER':
      return asset.record.issuer;
    case 'RECEIVABLE':
      return asset.record.debtor;
    case 'WAREHOUSE_RECEIPT':
      return asset.record.owner;
  }
}

/** What a financing holds on its line: the advance while APPROVED or DISBURSED, when it reserved on a line. */
export function financingReservation(f: Financing): bigint {
  if (f.creditLineId === undefined || (f.status !== 'APPROVED' && f.status !== 'DISBURSED')) return 0n;
  return parseAmount(f.advanceAmount, 'financing.advanceAmount');
}

/** What a voucher piece holds on its issuer's line: its amount until it is settled (a SPLIT piece's children hold it). */
export function voucherReservation(v: Voucher): bigint {
  if (v.creditLineId === undefined || v.status === 'SPLIT' || v.status === 'SETTLED') return 0n;
  return parseAmount(v.amount, 'voucher.amount');
}
