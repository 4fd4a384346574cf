import { headroomOf, unusableReason, type CreditLine } from './credit-lines';
import { DomainError } from './errors';
import { hasRole } from './members';
import { formatAmount, parseAmount } from './money';
import type { Actor, DocumentRef, Receivable, ReceivableStatus, Voucher, VoucherStatus } from './types';
import { childId, isMatured, MAX_TIER } from './vouchers';

/** Why a piece is not financeable now, in the order they are reported. */
export const REASON_CODES = [
  'LINEAGE_BROKEN',
  'RECEIVABLE_NOT_CONFIRMED',
  'NOT_ACTIVE',
  'ALREADY_FINANCED',
  'MATURED',
  'ISSUER_OVERDUE',
  'FROZEN',
  'CREDIT_LINE_UNAVAILABLE',
  'CREDIT_LINE_EXCEEDED',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/**
 * A current encumbrance on the piece, as the financing / freeze layers
 * describe it. Only live ones are passed in (a rejected or repaid financing,
 * a lifted freeze, are not encumbrances).
 */
export interface Encumbrance {
  type: 'FINANCING' | 'FREEZE';
  id: string;
  status: string;
  /** FINANCING: the bank. FREEZE: the member that ordered it. */
  party?: string;
  txId?: string;
  at?: string;
}

/** Financing statuses in which the financing is still the asking bank's own open request. */
const OPEN_FINANCING_STATUSES = ['REQUESTED', 'APPROVED'];

export interface ProvenanceStep {
  id: string;
  holder: string;
  amount: string;
  tier: number;
  status: VoucherStatus;
  /** The last transaction that changed this piece, and its time. */
  txId: string;
  at: string;
  /** The transaction that created this piece (issue, split or transfer of part), and its time. */
  createdTxId: string;
  createdAt: string;
}

export interface Provenance {
  voucherId: string;
  rootId: string;
  /** From the piece (first) to the root (last). */
  lineage: ProvenanceStep[];
  issuance: {
    voucherId: string;
    issuer: string;
    /** The receivable's creditor, to whom the root was issued. */
    to: string;
    amount: string;
    currency: string;
    maturityDate: string;
    txId: string;
    at: string;
  };
  receivable: {
    id: string;
    debtor: string;
    creditor: string;
    amount: string;
    currency: string;
    dueDate: string;
    status: ReceivableStatus;
    confirmedTxId?: string;
    confirmedAt?: string;
    documents: DocumentRef[];
  };
  encumbrances: Encumbrance[];
  verdict: { financeable: boolean; reasons: ReasonCode[] };
  /**
   * For a bank asking, its FINANCING line to the piece's issuer, when it has
   * one: the line's figures and `advanceWithin`, the largest advance on this
   * piece the line allows now (its headroom, plus what its own live
   * financing of the piece already holds, at most the piece's amount; 0 when
   * the line takes no new use, or none in the piece's currency).
   * CREDIT_LINE_EXCEEDED says the whole piece is beyond the line; an advance
   * up to `advanceWithin` is still within it (and within the request).
   */
  creditLine?: { id: string; status: string; limit: string; used: string; headroom: string; advanceWithin: string };
}

export interface ProvenanceInput {
  piece: Voucher;
  /** piece … root, each the parent of the one before. */
  lineage: readonly Voucher[];
  receivable: Receivable;
  encumbrances: readonly Encumbrance[];
  asker: Actor;
  today: string;
  /** The issuer has an overdue voucher (circuit breaker, 熔断). */
  issuerOverdue: boolean;
  /** The piece, its holder or its issuer is frozen (司法冻结). */
  frozen?: boolean;
  /**
   * The asking bank's FINANCING line to the piece's issuer, when it has one, and
   * what its own live financing of this piece already holds on it (counted as
   * headroom: that is the request the bank is deciding on).
   */
  askerLine?: { line: CreditLine; heldForPiece: bigint };
}

function broken(detail: string): DomainError {
  return new DomainError('BUSINESS_RULE', `lineage broken: ${detail}`);
}

/**
 * The lineage runs from a piece to its root: each step is a child of the next
 * (parentId, id `<parent>.n`, listed in the parent's childIds, parent SPLIT,
 * tier not above the child's), all share one rootId, and the last step is the
 * root (no parent, its own rootId) backed by `receivableId`. A root is issued at
 * tier 0 but, like any piece, moves one tier down with each whole transfer, so
 * its current tier is not checked. BUSINESS_RULE otherwise.
 */
export function assertLineage(lineage: readonly Voucher[], receivableId: string): void {
  const root = lineage[lineage.length - 1];
  if (!root) throw broken('empty lineage');
  lineage.forEach((step, i) => {
    if (step.rootId !== root.id) throw broken(`${step.id} traces to ${step.rootId}, the lineage ends at ${root.id}`);
    if (step.tier < 0 || step.tier > MAX_TIER) throw broken(`${step.id} has tier ${step.tier}`);
    const parent = lineage[i + 1];
    if (!parent) return;
    if (step.parentId !== parent.id) throw broken(`${step.id} has parent ${step.parentId ?? '(none)'}, the lineage says ${parent.id}`);
    const n = (parent.childIds ?? []).indexOf(step.id);
    if (parent.status !== 'SPLIT' || n < 0 || step.id !== childId(parent.id, n + 1)) {
      throw broken(`${parent.id} does not list ${step.id} as a child`);
    }
    if (parent.tier > step.tier) throw broken(`${step.id} tier ${step.tier} is below its parent's ${parent.tier}`);
  });
  if (root.parentId !== undefined || root.rootId !== root.id) throw broken(`${root.id} is not a root`);
  if (root.receivableId !== receivableId) throw broken(`root ${root.id} is backed by ${root.receivableId}, not ${receivableId}`);
}

function reasonsFor(input: ProvenanceInput): ReasonCode[] {
  const { piece, lineage, receivable, encumbrances, asker, today } = input;
  const reasons = new Set<ReasonCode>();
  try {
    if (lineage[0]?.id !== piece.id) throw broken(`lineage does not start at ${piece.id}`);
    assertLineage(lineage, receivable.id);
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    reasons.add('LINEAGE_BROKEN');
  }
  const confirmed = receivable.confirmedTxId !== undefined && ['CONFIRMED', 'VOUCHERED', 'SETTLED'].includes(receivable.status);
  if (!confirmed) reasons.add('RECEIVABLE_NOT_CONFIRMED');

  // The asking bank's own open request does not count against the piece:
  // that is the request it is deciding on.
  const askerId = asker.member.id;
  const ownOpen = (e: Encumbrance) =>
    e.type === 'FINANCING' && e.party === askerId && hasRole(asker, 'BANK') && OPEN_FINANCING_STATUSES.includes(e.status);
  const financings = encumbrances.filter((e) => e.type === 'FINANCING');
  if (financings.some((e) => !ownOpen(e))) reasons.add('ALREADY_FINANCED');
  if (piece.status === 'FINANCED') reasons.add('ALREADY_FINANCED');
  if (piece.status === 'FINANCING_PENDING' && !financings.some(ownOpen)) reasons.add('ALREADY_FINANCED');
  if (piece.status === 'SPLIT' || piece.status === 'SETTLED') reasons.add('NOT_ACTIVE');

  if (isMatured(piece, today)) reasons.add('MATURED');
  if (input.issuerOverdue) reasons.add('ISSUER_OVERDUE');
  if (input.frozen === true || encumbrances.some((e) => e.type === 'FREEZE')) reasons.add('FROZEN');
  // The asking bank's own limit on the issuer (domain credit-lines): a line
  // that takes no new use, or has less headroom than the piece's face.
  const own = ownLine(input);
  if (own) {
    if (unusableFor(own.line, input) !== undefined) reasons.add('CREDIT_LINE_UNAVAILABLE');
    else if (headroomOf(own.line) + own.heldForPiece < BigInt(piece.amount)) reasons.add('CREDIT_LINE_EXCEEDED');
  }
  return REASON_CODES.filter((r) => reasons.has(r));
}

/**
 * The provenance of a piece for the asker (DESIGN section 4). The verdict is
 * financeable only when there is no reason against it. A broken lineage is
 * reported as LINEAGE_BROKEN rather than thrown, so that the asker sees what
 * the ledger holds.
 */
export function buildProvenance(input: ProvenanceInput): Provenance {
  const { piece, lineage, receivable, encumbrances } = input;
  const root = lineage[lineage.length - 1] ?? piece;
  const reasons = reasonsFor(input);
  return {
    voucherId: piece.id,
    rootId: piece.rootId,
    lineage: lineage.map((v) => ({
      id: v.id,
      holder: v.holder,
      amount: v.amount,
      tier: v.tier,
      status: v.status,
      txId: v.updatedTxId,
      at: v.updatedAt,
      createdTxId: v.createdTxId,
      createdAt: v.createdAt,
    })),
    issuance: {
      voucherId: root.id,
      issuer: root.issuer,
      to: receivable.creditor,
      amount: root.amount,
      currency: root.currency,
      maturityDate: root.maturityDate,
      txId: root.createdTxId,
      at: root.createdAt,
    },
    receivable: {
      id: receivable.id,
      debtor: receivable.debtor,
      creditor: receivable.creditor,
      amount: receivable.amount,
      currency: receivable.currency,
      dueDate: receivable.dueDate,
      status: receivable.status,
      ...(receivable.confirmedTxId !== undefined ? { confirmedTxId: receivable.confirmedTxId } : {}),
      ...(receivable.confirmedAt !== undefined ? { confirmedAt: receivable.confirmedAt } : {}),
      documents: receivable.documents.map((d) => ({ kind: d.kind, fingerprint: d.fingerprint })),
    },
    encumbrances: encumbrances.map((e) => ({ ...e })),
    verdict: { financeable: reasons.length === 0, reasons },
    ...(askersLine(input) ?? {}),
  };
}

/** The asking bank's FINANCING line to the issuer, when the asker is a bank and the line its own. */
function ownLine(input: ProvenanceInput): ProvenanceInput['askerLine'] {
  const own = input.askerLine;
  return own && hasRole(input.asker, 'BANK') && own.line.granter === input.asker.member.id ? own : undefined;
}

/** Why the line takes no use for this piece (useCreditLine refuses it): closed, suspended, out of its dates, or in another currency. */
function unusableFor(line: CreditLine, input: ProvenanceInput): string | undefined {
  return unusableReason(line, input.today) ?? (line.currency !== input.piece.currency ? `is in ${line.currency}, not ${input.piece.currency}` : undefined);
}

/** The asking bank's own line to the issuer, as Provenance.creditLine describes it. */
function askersLine(input: ProvenanceInput): Pick<Provenance, 'creditLine'> | undefined {
  const own = ownLine(input);
  if (!own) return undefined;
  const { line, heldForPiece } = own;
  const headroom = headroomOf(line);
  const within = unusableFor(line, input) !== undefined ? 0n : headroom + heldForPiece;
  const amount = parseAmount(input.piece.amount, 'piece.amount');
  return {
    creditLine: {
      id: line.id,
      status: line.status,
      limit: line.limit,
      used: line.used,
      headroom: formatAmount(headroom),
      advanceWithin: formatAmount(within < 0n ? 0n : within > amount ? amount : within),
    },
  };
}
