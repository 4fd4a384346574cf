import { Context, Info, Transaction } from 'fabric-contract-api';
import { DomainError } from '../domain/errors';
import { EVENTS, type EventName } from '../domain/events';
import { financingReservation } from '../domain/credit-lines';
import { assertCounterparty, hasRole, isReader } from '../domain/members';
import { buildProvenance, type Encumbrance } from '../domain/provenance';
import { expiredBySettlement, financingEncumbrance, financingIds, isLiveFinancing, liveFinancingParties, repaidBySettlement, type Financing } from '../domain/financing';
import { assertNotFactored } from '../domain/receivables';
import type { Actor, Member, Receivable, Voucher } from '../domain/types';
import {
  canReadVoucher,
  FINAL_VOUCHER_STATUSES,
  isOutstanding,
  isOverdue,
  issueVoucher,
  maturityFigures,
  settleVoucher,
  splitVoucher,
  transferVoucher,
  voucherTree,
} from '../domain/vouchers';
import { monthAndDay } from '../ledger/keys';
import { MAX_SCAN_KEYS, type Prefix, statusPrefixes, type Store } from '../ledger/store';
import { FinancingSpec, FreezeSpec, MemberSpec, ReceivableSpec, VoucherIndex, VoucherSpec } from '../ledger/specs';
import { operation, ScfContract } from './base';
import { activeFreezes, assertNotFrozen, freezeRefs } from '../ledger/freezes';
import { canReadFreeze, lineageTargets, type ActiveFreeze, type Freeze, type FreezeTarget } from '../domain/controls';
import { required, visibleReceivable, visibleVoucher } from './access';
import { pairLine, saveFinancing, saveVoucherUse, withIssuanceLine } from './credit-line';
import {
  ById,
  IssueVoucherCommand,
  ListVouchersQuery,
  SettleVoucherCommand,
  VoucherMaturitiesQuery,
  SplitVoucherCommand,
  TransferVoucherCommand,
} from './schemas';

export const IssueOperation = operation({
  name: 'voucher:Issue',
  schema: IssueVoucherCommand,
  dualControlAmount: (cmd) => cmd.amount,
  body: async ({ store, actor, tx }, cmd) => {
    const id = cmd.id ?? `VCH-${tx.txId.slice(0, 16).toUpperCase()}`;
    if (await store.get<Voucher>(VoucherSpec.type, [id])) throw new DomainError('ALREADY_EXISTS', `voucher ${id} already exists`);
    const before = await visibleReceivable(store, actor, cmd.receivableId);
    await assertNotFrozen(store, [
      { type: 'RECEIVABLE', id: before.id },
      { type: 'MEMBER', id: before.creditor },
    ]);
    // A receivable being factored or factored is financed already: DOUBLE_FINANCING, not a plain state error.
    assertNotFactored(before);
    const issued = issueVoucher(before, { amount: cmd.amount, maturityDate: cmd.maturityDate, id }, actor, tx);
    // Nothing new reaches a suspended member (PRODUCT 1.3): the creditor is named as any counterparty is.
    assertCounterparty(await store.get<Member>(MemberSpec.type, [before.creditor]), before.creditor, 'SUPPLIER', 'creditor');
    const { receivable } = issued;
    // The root amount is reserved on the issuer's ISSUANCE line, if it has one, in this transaction.
    const voucher = await withIssuanceLine(store, issued.voucher);
    await store.save(ReceivableSpec, before, receivable);
    await store.save(VoucherSpec, undefined, voucher);
    await saveVoucherUse(store, undefined, voucher, tx);
    return {
      result: voucher,
      event: {
        name: EVENTS.VoucherIssued,
        ids: {
          voucherId: voucher.id,
          receivableId: receivable.id,
          issuer: voucher.issuer,
          holder: voucher.holder,
          ...(voucher.creditLineId !== undefined ? { creditLineId: voucher.creditLineId } : {}),
        },
        changes: { amount: voucher.amount, maturityDate: voucher.maturityDate, receivableStatus: receivable.status },
      },
    };
  },
});

@Info({ title: 'voucher', description: 'Credit vouchers (电子债权凭证): issue, transfer, split, settle, trace' })
export class VoucherContract extends ScfContract {
  constructor() {
    super('voucher');
  }

  /** The receivable's debtor issues a root voucher to the creditor; two-step at or above the dual-control threshold. */
  @Transaction()
  async Issue(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, IssueOperation);
  }

  /** Whole amount: the holder changes. Part: the piece splits into `<id>.1` (to the recipient) and `<id>.2`. */
  @Transaction()
  async Transfer(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, {
      name: 'voucher:Transfer',
      schema: TransferVoucherCommand,
      readsAhead: (cmd) => [
        [VoucherSpec.type, [cmd.id]],
        [MemberSpec.type, [cmd.to]],
        ...freezeRefs([...lineageTargets('VOUCHER', cmd.id), { type: 'MEMBER', id: cmd.to }]),
      ],
      body: async ({ store, actor, tx }, cmd) => {
        const before = await visibleVoucher(store, actor, cmd.id);
        const recipient = await store.get<Member>(MemberSpec.type, [cmd.to]);
        if (!recipient) throw new DomainError('NOT_FOUND', `member ${cmd.to} not found`);
        await assertNotFrozen(store, [...pieceTargets(before), { type: 'MEMBER', id: cmd.to }]);
        const { voucher, children } = transferVoucher(before, { to: cmd.to, amount: cmd.amount }, actor, recipient, tx);
        await saveMove(store, before, voucher, children);
        return moveOutcome(EVENTS.VoucherTransferred, before, voucher, children, { to: cmd.to, amount: cmd.amount });
      },
    });
  }

  @Transaction()
  async Split(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, {
      name: 'voucher:Split',
      schema: SplitVoucherCommand,
      readsAhead: (cmd) => [[VoucherSpec.type, [cmd.id]], ...freezeRefs(lineageTargets('VOUCHER', cmd.id))],
      body: async ({ store, actor, tx }, cmd) => {
        const before = await visibleVoucher(store, actor, cmd.id);
        await assertNotFrozen(store, pieceTargets(before));
        const { voucher, children } = splitVoucher(before, cmd.amounts, actor, tx);
        await saveMove(store, before, voucher, children);
        return moveOutcome(EVENTS.VoucherSplit, before, voucher, children, { amounts: cmd.amounts });
      },
    });
  }

  /**
   * The issuer pays the current holder at or after maturity. A FINANCED piece
   * is held by its bank, which is paid, and its financing is REPAID in the
   * same transaction. A FINANCING_PENDING piece (the bank never disbursed) is
   * paid to its holder, the applicant, and its financing is EXPIRED in the
   * same transaction; the financing's bank is then a party to the step, so a
   * freeze on it refuses the settlement too.
   */
  @Transaction()
  async Settle(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'voucher:Settle', command, SettleVoucherCommand, async ({ store, actor, tx }, cmd) => {
      const before = await visibleVoucher(store, actor, cmd.id);
      const closes = before.status === 'FINANCED' || before.status === 'FINANCING_PENDING';
      const finBefore = closes ? await required<Financing>(store, FinancingSpec.type, before.financingId ?? '(none)', 'financing') : undefined;
      const bank = finBefore && finBefore.bank !== before.holder ? [{ type: 'MEMBER' as const, id: finBefore.bank }] : [];
      await assertNotFrozen(store, [...voucherTargets(before), ...bank]);
      const rcvBefore = await required<Receivable>(store, ReceivableSpec.type, before.receivableId, 'receivable');
      const { voucher, receivable } = settleVoucher(before, rcvBefore, { paymentRef: cmd.paymentRef }, actor, tx);
      let financing: Financing | undefined;
      if (finBefore) {
        const asset = { type: 'VOUCHER' as const, record: before };
        financing =
          before.status === 'FINANCED' ? repaidBySettlement(finBefore, asset, cmd.paymentRef, tx) : expiredBySettlement(finBefore, asset, tx);
        await saveFinancing(store, finBefore, financing, tx);
      }
      await store.save(VoucherSpec, before, voucher);
      await saveVoucherUse(store, before, voucher, tx);
      await store.save(ReceivableSpec, rcvBefore, receivable);
      return {
        result: voucher,
        event: {
          name: EVENTS.VoucherSettled,
          ids: {
            voucherId: voucher.id,
            rootId: voucher.rootId,
            receivableId: receivable.id,
            issuer: voucher.issuer,
            // The bank of a financing this settlement repays or closes as EXPIRED is told
            // (its pipeline and the line it reserved the advance on, released here).
            ...(financing ? financingIds(financing) : {}),
          },
          changes: {
            paidTo: voucher.settledTo ?? voucher.holder,
            amount: voucher.amount,
            paymentRef: cmd.paymentRef,
            receivableStatus: receivable.status,
            ...(financing ? { financingStatus: financing.status } : {}),
          },
        },
      };
    });
  }

  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => (await readableVoucher(store, actor, cmd.id)).piece);
  }

  /**
   * Lists pieces by holder, issuer, maturity range or status (the first of
   * these given picks the index; the rest filter rows). Without a filter a
   * member sees the pieces it holds; auditors and operators must name one.
   */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListVouchersQuery, async ({ store, actor }, q) => {
      if (q.maturingFrom && q.maturingTo && q.maturingFrom > q.maturingTo) {
        throw new DomainError('VALIDATION_FAILED', 'maturingFrom is after maturingTo');
      }
      // One party's pieces without a status: the outstanding ones from an index with
      // no status in its key (a piece's financing requested, rejected or disbursed
      // during a walk keeps its place), then the final statuses, which a piece only
      // moves on to: a walk misses none (DESIGN: lists are paged, not snapshots).
      const byParty = (index: string, outstanding: string, party: string): Prefix[] =>
        q.status ? statusPrefixes(index, party, [q.status]) : [{ index: outstanding, attrs: [party] }, ...statusPrefixes(index, party, FINAL_VOUCHER_STATUSES)];
      let prefixes: Prefix[];
      if (q.holder) prefixes = byParty(VoucherIndex.HOLDER, VoucherIndex.HELD, q.holder);
      else if (q.issuer) prefixes = byParty(VoucherIndex.ISSUER, VoucherIndex.DUE, q.issuer);
      else if (q.maturingFrom && q.maturingTo) prefixes = monthPrefixes(q.maturingFrom, q.maturingTo);
      else if (q.status) prefixes = [{ index: VoucherIndex.STATUS, attrs: [q.status] }];
      else if (!isReader(actor)) prefixes = byParty(VoucherIndex.HOLDER, VoucherIndex.HELD, actor.member.id);
      else throw new DomainError('VALIDATION_FAILED', 'name a holder, issuer, status or maturity range to list vouchers');
      return store.page(
        VoucherSpec,
        prefixes,
        q.pageSize,
        q.bookmark,
        async (v) =>
          (!q.issuer || v.issuer === q.issuer) &&
          (!q.status || v.status === q.status) &&
          (!q.maturingFrom || v.maturityDate >= q.maturingFrom) &&
          (!q.maturingTo || v.maturityDate <= q.maturingTo) &&
          (await mayReadVoucher(store, actor, v)),
      );
    });
  }

  /**
   * The maturity figures (domain: maturityFigures) of the outstanding pieces
   * the caller may see, reading at most pageSize keys (default and most
   * MAX_SCAN_KEYS) per call: what the maturity ladder and ageing reports sum,
   * without shipping every record. An auditor or operator reads the voucher
   * records themselves in key order (a range query that returns the values:
   * no index entry and no read per piece); any other member reads the pieces
   * it holds, then those it issued and does not hold (so none counts twice),
   * through the HELD and DUE indexes: they hold only unsettled pieces and no
   * status, so a piece whose financing is requested, rejected or disbursed
   * between two calls keeps its place and is met once (an index keyed by
   * status would move it to a prefix read before or after: counted twice or
   * not at all). A page may have no figures and still a bookmark, and two
   * pages may each have a figure for one (date, issuer, currency): the caller
   * adds them up.
   */
  @Transaction(false)
  async Maturities(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, VoucherMaturitiesQuery, async ({ store, actor }, q) => {
      const me = actor.member.id;
      const keys = q.pageSize ?? MAX_SCAN_KEYS;
      const visible = async (v: Voucher) => isOutstanding(v) && (await mayReadVoucher(store, actor, v));
      const page = isReader(actor)
        ? await store.scan(VoucherSpec, { records: true, prefix: { index: VoucherSpec.type, attrs: [] } }, keys, q.bookmark, visible)
        : await store.scan(
            VoucherSpec,
            {
              records: false,
              prefixes: [
                { index: VoucherIndex.HELD, attrs: [me] },
                { index: VoucherIndex.DUE, attrs: [me] },
              ],
            },
            keys,
            q.bookmark,
            async (v, prefix) => (prefix.index === VoucherIndex.HELD || v.holder !== me) && (await visible(v)),
          );
      return { figures: maturityFigures(page.records), bookmark: page.bookmark };
    });
  }

  /** Lineage to the root, the root's issuance, the confirmed receivable, encumbrances, and a verdict for the asker. */
  @Transaction(false)
  async Provenance(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor, tx }, cmd) => {
      const { piece, financing } = await readableVoucher(store, actor, cmd.id);
      const lineage = await lineageOf(store, piece);
      const receivable = await required<Receivable>(store, ReceivableSpec.type, piece.receivableId, 'receivable');
      const freezes = await freezeEncumbrances(store, actor, voucherTargets(piece));
      const live = financingEncumbrance(financing);
      const line = hasRole(actor, 'BANK') ? await pairLine(store, 'FINANCING', piece.issuer, actor.member.id) : undefined;
      return buildProvenance({
        piece,
        lineage,
        receivable,
        encumbrances: live ? [live, ...freezes] : freezes,
        asker: actor,
        today: tx.today,
        issuerOverdue: await issuerOverdue(store, piece.issuer, tx.today),
        frozen: freezes.length > 0,
        ...(line ? { askerLine: { line, heldForPiece: financing?.creditLineId === line.id ? financingReservation(financing) : 0n } } : {}),
      });
    });
  }

  @Transaction(false)
  async History(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      await readableVoucher(store, actor, cmd.id);
      return { id: cmd.id, versions: await store.history<Voucher>(VoucherSpec.type, [cmd.id]) };
    });
  }

  /**
   * The whole tree of the piece's root, to whoever may read some piece of it;
   * holders only of the pieces the caller may read (domain: voucherTree).
   */
  @Transaction(false)
  async Tree(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      const asked = await store.get<Voucher>(VoucherSpec.type, [cmd.id]);
      if (!asked) throw new DomainError('NOT_FOUND', `voucher ${cmd.id} not found`);
      const ids = await store.ids({ index: VoucherIndex.ROOT, attrs: [asked.rootId] });
      const pieces: Voucher[] = [];
      const readable = new Set<string>();
      for (const id of ids) {
        const piece = await required<Voucher>(store, VoucherSpec.type, id, 'voucher');
        pieces.push(piece);
        if (await mayReadVoucher(store, actor, piece)) readable.add(id);
      }
      return { root: voucherTree(pieces, asked.rootId, readable, cmd.id) };
    });
  }
}

/** A freeze on a piece covers everything split from it: the piece and each ancestor up to the root. */
function pieceTargets(v: Voucher): FreezeTarget[] {
  return lineageTargets('VOUCHER', v.id);
}

/**
 * Everything a freeze on which stops a piece being financed or settled, and
 * shows in its provenance: the piece with its ancestors, its holder, its
 * issuer (the obligor) and the receivable it stands on (settling writes it).
 */
export function voucherTargets(v: Voucher): FreezeTarget[] {
  return [...pieceTargets(v), { type: 'MEMBER', id: v.holder }, { type: 'MEMBER', id: v.issuer }, { type: 'RECEIVABLE', id: v.receivableId }];
}

/**
 * A piece the caller may read, with the live financing it names: the
 * applicant and the bank of a live financing may read the piece (the bank
 * deciding on a request reads its provenance). NOT_FOUND otherwise.
 */
export async function readableVoucher(store: Store, actor: Actor, id: string): Promise<{ piece: Voucher; financing: Financing | undefined }> {
  const piece = await store.get<Voucher>(VoucherSpec.type, [id]);
  const financing = piece ? await liveFinancingOf(store, piece) : undefined;
  if (!piece || !canReadVoucher(actor, piece, liveFinancingParties(financing))) throw new DomainError('NOT_FOUND', `voucher ${id} not found`);
  return { piece, financing };
}

/** The read rule of readableVoucher for a piece in hand (the tree and lists use it, so every path agrees). */
export async function mayReadVoucher(store: Store, actor: Actor, piece: Voucher): Promise<boolean> {
  return canReadVoucher(actor, piece) || canReadVoucher(actor, piece, liveFinancingParties(await liveFinancingOf(store, piece)));
}

async function liveFinancingOf(store: Store, piece: Voucher): Promise<Financing | undefined> {
  const found = piece.financingId ? await store.get<Financing>(FinancingSpec.type, [piece.financingId]) : undefined;
  return found && isLiveFinancing(found) ? found : undefined;
}

/**
 * The freezes in force on any of the targets, as provenance encumbrances:
 * who ordered each and when only to a caller who may read the freeze (the
 * operator, auditors, the frozen member); anyone else learns that the
 * piece is encumbered by a freeze, as a refusal would tell it (423), and
 * nothing of the order.
 */
async function freezeEncumbrances(store: Store, actor: Actor, targets: readonly FreezeTarget[]): Promise<Encumbrance[]> {
  const active = (await activeFreezes(store, targets)).filter((a): a is ActiveFreeze => a !== undefined);
  const freezes = await store.getMany<Freeze>(FreezeSpec.type, active.map((a) => [a.freezeId]));
  return active.map((a, i) => {
    const f = freezes[i];
    return {
      type: 'FREEZE',
      id: a.freezeId,
      status: f?.status ?? 'ACTIVE',
      ...(f && canReadFreeze(actor, f) ? { party: f.orderedBy, txId: f.createdTxId, at: f.createdAt } : {}),
    };
  });
}

async function saveMove(store: Store, before: Voucher, after: Voucher, children: readonly Voucher[]): Promise<void> {
  await store.save(VoucherSpec, before, after);
  for (const child of children) await store.save(VoucherSpec, undefined, child);
}

function moveOutcome(name: EventName, before: Voucher, after: Voucher, children: Voucher[], request: object) {
  return {
    result: { voucher: after, children },
    event: {
      name,
      ids: { voucherId: after.id, rootId: after.rootId, childIds: children.map((c) => c.id) },
      changes: {
        ...request,
        status: { from: before.status, to: after.status },
        holder: { from: before.holder, to: after.holder },
        children: children.map((c) => ({ id: c.id, holder: c.holder, amount: c.amount, tier: c.tier })),
      },
    },
  };
}

/** The piece, its parent, …, the root (each link checked by the domain's provenance). */
async function lineageOf(store: Store, piece: Voucher): Promise<Voucher[]> {
  const out = [piece];
  let current = piece;
  while (current.parentId !== undefined) {
    current = await required<Voucher>(store, VoucherSpec.type, current.parentId, 'parent voucher');
    out.push(current);
    if (out.length > 256) throw new Error(`ledger inconsistency: lineage of ${piece.id} does not end`);
  }
  return out;
}

/** Overdue when the issuer's earliest unsettled maturity is before today: one index entry read. */
export async function issuerOverdue(store: Store, issuer: string, today: string): Promise<boolean> {
  const first = await store.firstId({ index: VoucherIndex.DUE, attrs: [issuer] });
  if (first === undefined) return false;
  return isOverdue(await required<Voucher>(store, VoucherSpec.type, first, 'voucher'), today);
}

/** One prefix per calendar month from `from` to `to`; rows are then filtered to the exact days. */
function monthPrefixes(from: string, to: string): Prefix[] {
  const [fromMonth] = monthAndDay(from);
  const [toMonth] = monthAndDay(to);
  const out: Prefix[] = [];
  let [y, m] = fromMonth.split('-').map(Number) as [number, number];
  for (let month = fromMonth; month <= toMonth; ) {
    out.push({ index: VoucherIndex.MATURITY, attrs: [month] });
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
    month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    if (out.length > 120) throw new DomainError('VALIDATION_FAILED', 'a maturity range spans at most 120 months');
  }
  return out;
}
