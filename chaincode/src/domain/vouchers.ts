import { DomainError } from './errors';
import { assertDate } from './dates';
import { newMeta, touch } from './meta';
import { assertActive, assertCounterparty, assertRole, isReader } from './members';
import { formatAmount, parseAmount, parsePositiveAmount, sum } from './money';
import { transitionReceivable } from './receivables';
import { nextStatus, type Transition } from './statemachine';
import type {
  Actor,
  IssueVoucherCommand,
  Member,
  Receivable,
  SettleVoucherCommand,
  TransferVoucherCommand,
  TxInfo,
  Voucher,
  VoucherStatus,
} from './types';
import { assertUscc } from './uscc';
import { assertArray, assertPattern, assertRecord, assertText, assetIdPattern, deriveId, invalid } from './validation';

/** Smallest piece: 1.00 CNY. */
export const MIN_PIECE = 100n;
/** Largest tier: a piece may change holder at most ten times from the root. */
export const MAX_TIER = 10;
/** Most children a split may create. */
export const MAX_SPLIT = 20;
export const MAX_PAYMENT_REF_LENGTH = 128;

export const VOUCHER_ACTIONS = [
  'TRANSFER_WHOLE',
  'TRANSFER_PART',
  'SPLIT',
  'REQUEST_FINANCING',
  'REJECT_FINANCING',
  'DISBURSE',
  'SETTLE',
] as const;
export type VoucherAction = (typeof VOUCHER_ACTIONS)[number];

/**
 * DESIGN 2.2, every transition once, plus FINANCING_PENDING --SETTLE-->
 * SETTLED: a financing the bank has not disbursed by maturity does not stop
 * the issuer paying the holder (the financing expires, see domain/financing).
 * SPLIT and SETTLED are final.
 */
export const VOUCHER_TRANSITIONS: readonly Transition<VoucherStatus, VoucherAction>[] = [
  { from: 'ACTIVE', action: 'TRANSFER_WHOLE', to: 'ACTIVE' },
  { from: 'ACTIVE', action: 'TRANSFER_PART', to: 'SPLIT' },
  { from: 'ACTIVE', action: 'SPLIT', to: 'SPLIT' },
  { from: 'ACTIVE', action: 'REQUEST_FINANCING', to: 'FINANCING_PENDING' },
  { from: 'FINANCING_PENDING', action: 'REJECT_FINANCING', to: 'ACTIVE' },
  { from: 'FINANCING_PENDING', action: 'DISBURSE', to: 'FINANCED' },
  { from: 'ACTIVE', action: 'SETTLE', to: 'SETTLED' },
  { from: 'FINANCING_PENDING', action: 'SETTLE', to: 'SETTLED' },
  { from: 'FINANCED', action: 'SETTLE', to: 'SETTLED' },
];

/** Root ids: `VCH-` and 1..60 letters, digits, `_`, `-`. Pieces append `.1`, `.2`, … per split. */
export const VOUCHER_ID_RE = assetIdPattern('VCH');

/** The voucher with the status `action` leads to; INVALID_STATE when the table has no such row. */
export function transitionVoucher(v: Voucher, action: VoucherAction, tx: TxInfo): Voucher {
  const to = nextStatus(VOUCHER_TRANSITIONS, `voucher ${v.id}`, v.status, action);
  return { ...touch(v, tx), status: to };
}

export function childId(parentId: string, n: number): string {
  return `${parentId}.${n}`;
}

/** Ids from the piece up to its root: `VCH-1.2.1` -> [`VCH-1.2.1`, `VCH-1.2`, `VCH-1`]. Root ids contain no `.`. */
export function lineageIds(pieceId: string): string[] {
  const parts = pieceId.split('.');
  const ids: string[] = [];
  for (let n = parts.length; n >= 1; n--) ids.push(parts.slice(0, n).join('.'));
  return ids;
}

/** From its maturity date on, the issuer may pay the holder. */
export function isMatured(v: Voucher, today: string): boolean {
  return today >= v.maturityDate;
}

/**
 * Not SETTLED after its maturity date. A SPLIT piece is not itself owed (its
 * children are), so it is never overdue.
 */
export function isOverdue(v: Voucher, today: string): boolean {
  return v.status !== 'SETTLED' && v.status !== 'SPLIT' && today > v.maturityDate;
}

function assertMinPiece(amount: bigint, what: string): void {
  if (amount < MIN_PIECE) throw new DomainError('BUSINESS_RULE', `${what} ${amount} is below the minimum piece ${MIN_PIECE}`);
}

/**
 * A root voucher issued by the receivable's debtor (an active
 * CORE_ENTERPRISE) to its creditor. The receivable must be CONFIRMED (a
 * FINANCING_PENDING or FINANCED one cannot back a voucher); the amount is at
 * least MIN_PIECE and at most what is not yet vouchered, and leaves either
 * nothing or at least MIN_PIECE unvouchered; maturityDate is today or later.
 * The receivable's voucheredAmount grows, and it becomes VOUCHERED when fully
 * vouchered. Dual control is decided by the contracts layer
 * (requiresDualControl) before calling this.
 */
export function issueVoucher(
  rcv: Receivable,
  cmd: IssueVoucherCommand,
  actor: Actor,
  tx: TxInfo,
): { voucher: Voucher; receivable: Receivable } {
  assertActive(actor);
  assertRole(actor, 'CORE_ENTERPRISE');
  if (actor.member.id !== rcv.debtor) {
    throw new DomainError('FORBIDDEN', `only the debtor ${rcv.debtor} may issue vouchers against receivable ${rcv.id}`);
  }
  const c = assertRecord(cmd, 'command');
  const id =
    c.id === undefined || c.id === null
      ? deriveId('VCH', tx.txId)
      : assertPattern(c.id, VOUCHER_ID_RE, 'id', 'VCH- followed by 1..60 letters, digits, "_" or "-"');
  const amount = parsePositiveAmount(c.amount, 'amount');
  const maturityDate = assertDate(c.maturityDate, 'maturityDate');

  const total = parseAmount(rcv.amount, 'receivable.amount');
  const vouchered = parseAmount(rcv.voucheredAmount, 'receivable.voucheredAmount');
  const remaining = total - vouchered;
  const receivable = transitionReceivable(rcv, amount === remaining ? 'ISSUE_VOUCHER_FULL' : 'ISSUE_VOUCHER_PART', tx);
  assertMinPiece(amount, 'voucher amount');
  if (amount > remaining) {
    throw new DomainError('BUSINESS_RULE', `voucher amount ${amount} exceeds the unvouchered ${remaining} of receivable ${rcv.id}`);
  }
  // Decision: an issue may not strand a remainder smaller than the minimum
  // piece, which no later voucher could cover.
  if (remaining - amount > 0n && remaining - amount < MIN_PIECE) {
    throw new DomainError(
      'BUSINESS_RULE',
      `voucher amount ${amount} would leave ${remaining - amount} of receivable ${rcv.id} unvouchered, below the minimum piece ${MIN_PIECE}`,
    );
  }
  if (maturityDate < tx.today) throw new DomainError('BUSINESS_RULE', `maturityDate ${maturityDate} is before today ${tx.today}`);

  const voucher: Voucher = {
    docType: 'voucher',
    id,
    rootId: id,
    tier: 0,
    issuer: rcv.debtor,
    holder: rcv.creditor,
    amount: formatAmount(amount),
    currency: rcv.currency,
    maturityDate,
    receivableId: rcv.id,
    status: 'ACTIVE',
    ...newMeta(tx),
  };
  return { voucher, receivable: { ...receivable, voucheredAmount: formatAmount(vouchered + amount) } };
}

/** The holder (an active SUPPLIER) acting on an ACTIVE piece before its maturity date. */
function assertHolderMayMove(v: Voucher, actor: Actor, what: string): void {
  assertActive(actor);
  assertRole(actor, 'SUPPLIER');
  if (actor.member.id !== v.holder) throw new DomainError('FORBIDDEN', `only the holder ${v.holder} may ${what} voucher ${v.id}`);
}

function assertNotMatured(v: Voucher, tx: TxInfo, what: string): void {
  // Decision: from the maturity date on the issuer may settle, so the piece
  // stays with its holder: no transfer or split on or after that date.
  if (isMatured(v, tx.today)) {
    throw new DomainError('BUSINESS_RULE', `voucher ${v.id} matured on ${v.maturityDate}: cannot ${what} it on ${tx.today}`);
  }
}

/**
 * Record ids are at most 128 characters (the command schemas accept no
 * more), so a piece split so deep that its children's ids would be longer is
 * refused: such a child could never be named again, to settle it or anything
 * else, and would stay unsettled for ever.
 */
export const MAX_VOUCHER_ID_LENGTH = 128;

function newChild(parent: Voucher, n: number, holder: string, tier: number, amount: bigint, tx: TxInfo): Voucher {
  const id = childId(parent.id, n);
  if (id.length > MAX_VOUCHER_ID_LENGTH) {
    throw new DomainError('BUSINESS_RULE', `voucher ${parent.id} is split too deep: child ids would exceed ${MAX_VOUCHER_ID_LENGTH} characters`);
  }
  return {
    docType: 'voucher',
    id,
    rootId: parent.rootId,
    parentId: parent.id,
    tier,
    issuer: parent.issuer,
    holder,
    amount: formatAmount(amount),
    currency: parent.currency,
    maturityDate: parent.maturityDate,
    receivableId: parent.receivableId,
    status: 'ACTIVE',
    ...(parent.creditLineId !== undefined ? { creditLineId: parent.creditLineId } : {}),
    ...newMeta(tx),
  };
}

function splitInto(v: Voucher, children: Voucher[], action: 'TRANSFER_PART' | 'SPLIT', tx: TxInfo): Voucher {
  return { ...transitionVoucher(v, action, tx), childIds: children.map((c) => c.id) };
}

/**
 * Transfer by the holder (an active SUPPLIER) of an ACTIVE piece, before its
 * maturity date, to `recipient` (loaded by the contracts layer from cmd.to).
 * - Only SUPPLIER members may receive vouchers (decision: banks take vouchers
 *   by financing, not by transfer; core enterprises pay them), the recipient
 *   must be ACTIVE, and neither the holder nor the issuer.
 * - Whole amount: the same piece, new holder, tier + 1; `children` is empty.
 * - Part: the piece becomes SPLIT; `<id>.1` (amount, recipient, tier + 1) and
 *   `<id>.2` (remainder, holder, same tier); both at least MIN_PIECE.
 * - tier + 1 above MAX_TIER is BUSINESS_RULE.
 */
export function transferVoucher(
  v: Voucher,
  cmd: TransferVoucherCommand,
  actor: Actor,
  recipient: Member | undefined,
  tx: TxInfo,
): { voucher: Voucher; children: Voucher[] } {
  assertHolderMayMove(v, actor, 'transfer');
  const c = assertRecord(cmd, 'command');
  const to = assertUscc(c.to, 'to');
  const amount = parsePositiveAmount(c.amount, 'amount');
  const pieceAmount = parseAmount(v.amount, 'voucher.amount');
  const whole = amount === pieceAmount;
  nextStatus(VOUCHER_TRANSITIONS, `voucher ${v.id}`, v.status, whole ? 'TRANSFER_WHOLE' : 'TRANSFER_PART');
  assertNotMatured(v, tx, 'transfer');
  if (to === v.holder) throw new DomainError('BUSINESS_RULE', `voucher ${v.id} is already held by ${to}`);
  if (to === v.issuer) throw new DomainError('BUSINESS_RULE', `voucher ${v.id} cannot be transferred to its issuer ${to}`);
  assertCounterparty(recipient, to, 'SUPPLIER', 'recipient');
  if (amount > pieceAmount) throw new DomainError('BUSINESS_RULE', `transfer amount ${amount} exceeds voucher ${v.id} amount ${pieceAmount}`);
  const tier = v.tier + 1;
  if (tier > MAX_TIER) throw new DomainError('BUSINESS_RULE', `transfer would make voucher ${v.id} tier ${tier}, above the maximum ${MAX_TIER}`);

  if (whole) return { voucher: { ...transitionVoucher(v, 'TRANSFER_WHOLE', tx), holder: to, tier }, children: [] };

  const remainder = pieceAmount - amount;
  assertMinPiece(amount, 'transfer amount');
  assertMinPiece(remainder, 'remainder');
  const children = [newChild(v, 1, to, tier, amount, tx), newChild(v, 2, v.holder, v.tier, remainder, tx)];
  const parent = splitInto(v, children, 'TRANSFER_PART', tx);
  assertVoucherInvariants(parent, children);
  return { voucher: parent, children };
}

/**
 * Split by the holder (an active SUPPLIER) of an ACTIVE piece before its
 * maturity date into 2..MAX_SPLIT children `<id>.1 … <id>.n`, in the order of
 * `amounts`, each at least MIN_PIECE, summing exactly to the piece; the
 * children stay with the holder at the same tier and the piece becomes SPLIT.
 */
export function splitVoucher(
  v: Voucher,
  amounts: readonly string[],
  actor: Actor,
  tx: TxInfo,
): { voucher: Voucher; children: Voucher[] } {
  assertHolderMayMove(v, actor, 'split');
  const values = assertArray(amounts, 'amounts').map((a, i) => parsePositiveAmount(a, `amounts[${i}]`));
  nextStatus(VOUCHER_TRANSITIONS, `voucher ${v.id}`, v.status, 'SPLIT');
  assertNotMatured(v, tx, 'split');
  if (values.length < 2 || values.length > MAX_SPLIT) {
    throw new DomainError('BUSINESS_RULE', `a split makes 2 to ${MAX_SPLIT} pieces, not ${values.length}`);
  }
  values.forEach((a, i) => assertMinPiece(a, `amounts[${i}]`));
  const pieceAmount = parseAmount(v.amount, 'voucher.amount');
  const total = sum(values);
  if (total !== pieceAmount) {
    throw new DomainError('BUSINESS_RULE', `split amounts sum to ${total}, not to voucher ${v.id} amount ${pieceAmount}`);
  }
  const children = values.map((a, i) => newChild(v, i + 1, v.holder, v.tier, a, tx));
  const parent = splitInto(v, children, 'SPLIT', tx);
  assertVoucherInvariants(parent, children);
  return { voucher: parent, children };
}

/**
 * Settlement by the issuer (an active CORE_ENTERPRISE) on or after maturity of
 * an ACTIVE, FINANCING_PENDING or FINANCED piece: it becomes SETTLED,
 * recording the holder it paid, the payment reference and the time. The
 * backing receivable's settledAmount grows; it becomes SETTLED when it is
 * VOUCHERED and fully paid. A FINANCED piece is held by its bank, which is
 * paid (its financing is REPAID by the caller, repaidBySettlement). A
 * FINANCING_PENDING piece is still held by the applicant, which is paid; it
 * stops naming its financing, which the caller closes as EXPIRED
 * (expiredBySettlement) in the same transaction.
 */
export function settleVoucher(
  v: Voucher,
  rcv: Receivable,
  cmd: SettleVoucherCommand,
  actor: Actor,
  tx: TxInfo,
): { voucher: Voucher; receivable: Receivable } {
  assertActive(actor);
  assertRole(actor, 'CORE_ENTERPRISE');
  if (actor.member.id !== v.issuer) throw new DomainError('FORBIDDEN', `only the issuer ${v.issuer} may settle voucher ${v.id}`);
  const c = assertRecord(cmd, 'command');
  const paymentRef = assertText(c.paymentRef, 'paymentRef', MAX_PAYMENT_REF_LENGTH);
  if (rcv.id !== v.receivableId) throw invalid('receivable', `${rcv.id} does not back voucher ${v.id} (${v.receivableId})`);
  const voucher = transitionVoucher(v, 'SETTLE', tx);
  if (!isMatured(v, tx.today)) {
    throw new DomainError('BUSINESS_RULE', `voucher ${v.id} matures on ${v.maturityDate}: cannot settle it on ${tx.today}`);
  }
  const amount = parseAmount(v.amount, 'voucher.amount');
  const total = parseAmount(rcv.amount, 'receivable.amount');
  const vouchered = parseAmount(rcv.voucheredAmount, 'receivable.voucheredAmount');
  const settled = parseAmount(rcv.settledAmount, 'receivable.settledAmount') + amount;
  if (settled > vouchered) {
    throw new DomainError('BUSINESS_RULE', `settling ${v.id} would pay ${settled} on receivable ${rcv.id}, above its vouchered ${vouchered}`);
  }
  const last = rcv.status === 'VOUCHERED' && settled === total;
  const receivable = transitionReceivable(rcv, last ? 'SETTLE_LAST_VOUCHER' : 'SETTLE_VOUCHER', tx);
  const paid: Voucher = { ...voucher, settledTo: v.holder, paymentRef, settledAt: tx.now };
  if (v.status === 'FINANCING_PENDING') delete paid.financingId;
  return {
    voucher: paid,
    receivable: { ...receivable, settledAmount: formatAmount(settled) },
  };
}

/**
 * Holder, issuer, AUDITOR, OPERATOR, and `extraParties` (the bank of a live
 * financing on the piece, supplied by the financing layer). Everyone else gets NOT_FOUND.
 */
export function canReadVoucher(actor: Actor, v: Voucher, extraParties: readonly string[] = []): boolean {
  const me = actor.member.id;
  return me === v.holder || me === v.issuer || isReader(actor) || extraParties.includes(me);
}

/** Pieces still to be paid at maturity: a SPLIT piece is owed through its children, a SETTLED one is paid. */
export const OUTSTANDING_VOUCHER_STATUSES = ['ACTIVE', 'FINANCING_PENDING', 'FINANCED'] as const satisfies readonly VoucherStatus[];
/** What an outstanding piece ends as (split into children, or paid); neither changes again. */
export const FINAL_VOUCHER_STATUSES = ['SPLIT', 'SETTLED'] as const satisfies readonly VoucherStatus[];
const OUTSTANDING: ReadonlySet<VoucherStatus> = new Set(OUTSTANDING_VOUCHER_STATUSES);

export function isOutstanding(v: Voucher): boolean {
  return OUTSTANDING.has(v.status);
}

/** Outstanding pieces that share a maturity date, issuer and currency: how many, and their amount. */
export interface MaturityFigure {
  maturityDate: string;
  issuer: string;
  currency: string;
  count: number;
  /** Sum of the pieces' amounts, minor units. */
  amount: string;
}

/**
 * The maturity figures of `pieces` (those outstanding; others are left out),
 * sorted by maturity date, issuer, currency (code-unit order): what the
 * maturity ladder and the ageing report are computed from, with no piece's
 * holder or id. Figures from several pages add up with `addMaturityFigures`.
 */
export function maturityFigures(pieces: readonly Voucher[]): MaturityFigure[] {
  return addMaturityFigures(pieces.filter(isOutstanding).map((v) => ({ maturityDate: v.maturityDate, issuer: v.issuer, currency: v.currency, count: 1, amount: v.amount })));
}

/** Figures with the same maturity date, issuer and currency summed into one, sorted as maturityFigures sorts. */
export function addMaturityFigures(figures: readonly MaturityFigure[]): MaturityFigure[] {
  const sums = new Map<string, { figure: MaturityFigure; amount: bigint }>();
  for (const f of figures) {
    const key = `${f.maturityDate}\u0000${f.issuer}\u0000${f.currency}`;
    const s = sums.get(key);
    if (s) {
      s.figure.count += f.count;
      s.amount += BigInt(f.amount);
    } else {
      sums.set(key, { figure: { ...f }, amount: BigInt(f.amount) });
    }
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...sums.values()]
    // A sum may have more digits than one record's amount: no formatAmount bound here.
    .map((s) => ({ ...s.figure, amount: String(s.amount) }))
    .sort((a, b) => cmp(a.maturityDate, b.maturityDate) || cmp(a.issuer, b.issuer) || cmp(a.currency, b.currency));
}

/** A node of a root voucher's tree: `holder` is '' where the caller may not read the piece. */
export interface TreeNode {
  id: string;
  holder: string;
  amount: string;
  tier: number;
  status: string;
  children: TreeNode[];
}

/**
 * The tree of a root voucher, by one read rule: whoever may read some piece
 * of the tree (by canReadVoucher, with the live-financing parties, as a GET of
 * that piece decides) sees the whole tree, whichever of its pieces it asks
 * with, root included; each piece's holder is shown exactly where the caller
 * may read that piece. Ids, amounts, tiers and statuses of the others are the
 * shape of the tree the caller's own piece belongs to. Nobody else learns the
 * tree exists: NOT_FOUND, as for a piece. `readable` is the set of pieces the
 * caller may read (the contracts layer evaluates the rule, which needs the
 * financings).
 */
export function voucherTree(pieces: readonly Voucher[], rootId: string, readable: ReadonlySet<string>, askedFor: string): TreeNode {
  if (!pieces.some((p) => readable.has(p.id))) throw new DomainError('NOT_FOUND', `voucher ${askedFor} not found`);
  const byId = new Map(pieces.map((p) => [p.id, p]));
  const build = (id: string): TreeNode => {
    const v = byId.get(id);
    if (!v) throw new Error(`ledger inconsistency: piece ${id} of root ${rootId} is missing`);
    return {
      id: v.id,
      holder: readable.has(v.id) ? v.holder : '',
      amount: v.amount,
      tier: v.tier,
      status: v.status,
      children: (v.childIds ?? []).map(build),
    };
  };
  return build(rootId);
}

function broken(detail: string): DomainError {
  return new DomainError('BUSINESS_RULE', `voucher invariant violated: ${detail}`);
}

/**
 * The invariants of a split as it is made (transfer of part, or split):
 * the parent is SPLIT and lists exactly these children; there are 2..MAX_SPLIT
 * of them with ids `<parent>.1 …`, the parent's root, issuer, currency,
 * maturity and receivable, ACTIVE, each at least MIN_PIECE, summing exactly to
 * the parent; a child keeps the parent's tier and holder, or goes to another
 * holder at tier + 1 (never above MAX_TIER).
 */
export function assertVoucherInvariants(parent: Voucher, children: readonly Voucher[]): void {
  if (parent.status !== 'SPLIT') throw broken(`parent ${parent.id} is ${parent.status}, not SPLIT`);
  const ids = children.map((c) => c.id);
  if (JSON.stringify(parent.childIds ?? []) !== JSON.stringify(ids)) {
    throw broken(`parent ${parent.id} lists children [${(parent.childIds ?? []).join(', ')}], not [${ids.join(', ')}]`);
  }
  if (children.length < 2 || children.length > MAX_SPLIT) throw broken(`${children.length} children (2..${MAX_SPLIT})`);
  children.forEach((c, i) => {
    if (c.id !== childId(parent.id, i + 1)) throw broken(`child ${i + 1} of ${parent.id} has id ${c.id}`);
    if (c.parentId !== parent.id) throw broken(`${c.id} points to parent ${c.parentId ?? '(none)'}`);
    if (c.rootId !== parent.rootId) throw broken(`${c.id} traces to root ${c.rootId}, its parent to ${parent.rootId}`);
    for (const f of ['issuer', 'currency', 'maturityDate', 'receivableId'] as const) {
      if (c[f] !== parent[f]) throw broken(`${c.id} ${f} ${c[f]} differs from its parent's ${parent[f]}`);
    }
    if (c.status !== 'ACTIVE') throw broken(`new piece ${c.id} is ${c.status}`);
    if (parseAmount(c.amount, `${c.id}.amount`) < MIN_PIECE) throw broken(`${c.id} amount ${c.amount} is below ${MIN_PIECE}`);
    const sameHands = c.tier === parent.tier && c.holder === parent.holder;
    const passedOn = c.tier === parent.tier + 1 && c.holder !== parent.holder;
    if (!sameHands && !passedOn) throw broken(`${c.id} tier ${c.tier} with holder ${c.holder} (parent tier ${parent.tier}, holder ${parent.holder})`);
    if (c.tier > MAX_TIER) throw broken(`${c.id} tier ${c.tier} above ${MAX_TIER}`);
  });
  const total = sum(children.map((c) => parseAmount(c.amount, `${c.id}.amount`)));
  const parentAmount = parseAmount(parent.amount, `${parent.id}.amount`);
  if (total !== parentAmount) throw broken(`children of ${parent.id} sum to ${total}, not ${parentAmount}`);
}

/**
 * Invariants of a whole tree (every piece of one root, in any order): one
 * root (no parent, its own rootId; issued at tier 0, its tier grows if it is
 * transferred whole like any piece); every other piece's parent is a SPLIT piece of the tree
 * that lists it; tiers never decrease down the tree nor exceed MAX_TIER;
 * children sum to their parent; the pieces that are not SPLIT (ACTIVE,
 * FINANCING_PENDING, FINANCED, SETTLED) sum to the root amount.
 */
export function assertTreeInvariants(pieces: readonly Voucher[]): void {
  const byId = new Map(pieces.map((p) => [p.id, p]));
  if (byId.size !== pieces.length) throw broken('a piece appears twice');
  const roots = pieces.filter((p) => p.parentId === undefined);
  const root = roots[0];
  if (!root || roots.length !== 1) throw broken(`${roots.length} roots in one tree`);
  if (root.rootId !== root.id) throw broken(`root ${root.id} has rootId ${root.rootId}`);
  for (const p of pieces) {
    if (p.rootId !== root.id) throw broken(`${p.id} traces to root ${p.rootId}, not ${root.id}`);
    if (p.tier > MAX_TIER) throw broken(`${p.id} tier ${p.tier} above ${MAX_TIER}`);
    if (p.parentId !== undefined) {
      const parent = byId.get(p.parentId);
      if (!parent) throw broken(`${p.id} points to missing parent ${p.parentId}`);
      if (parent.status !== 'SPLIT' || !(parent.childIds ?? []).includes(p.id)) throw broken(`${parent.id} does not list ${p.id} as a child`);
      if (p.tier < parent.tier) throw broken(`${p.id} tier ${p.tier} below its parent's ${parent.tier}`);
    }
    if (p.status === 'SPLIT') {
      const kids = (p.childIds ?? []).map((id) => byId.get(id));
      if (kids.length < 2 || kids.some((k) => k === undefined)) throw broken(`SPLIT piece ${p.id} is missing children`);
      const total = sum(kids.map((k) => parseAmount(k?.amount, `${k?.id}.amount`)));
      if (total !== parseAmount(p.amount, `${p.id}.amount`)) throw broken(`children of ${p.id} sum to ${total}, not ${p.amount}`);
    }
  }
  const live = sum(pieces.filter((p) => p.status !== 'SPLIT').map((p) => parseAmount(p.amount, `${p.id}.amount`)));
  if (live !== parseAmount(root.amount, `${root.id}.amount`)) throw broken(`pieces of ${root.id} sum to ${live}, not ${root.amount}`);
}
