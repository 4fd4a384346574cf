import { Context, Info, Transaction } from 'fabric-contract-api';
import type { z } from 'zod';
import {
  adjustCreditLine,
  canReadCreditLine,
  closeCreditLine,
  creditLineObligor,
  financingReservation,
  grantCreditLine,
  reinstateCreditLine,
  releaseCreditLine,
  suspendCreditLine,
  useCreditLine,
  viewCreditLine,
  voucherReservation,
  type CreditLine,
  type CreditLineKind,
} from '../domain/credit-lines';
import { DomainError } from '../domain/errors';
import { EVENTS, type EventName } from '../domain/events';
import type { FinancedAsset, Financing } from '../domain/financing';
import { isReader } from '../domain/members';
import { formatAmount, parseAmount } from '../domain/money';
import type { Actor, Member, TxInfo, Voucher } from '../domain/types';
import { deriveId } from '../domain/validation';
import type { Prefix, Store } from '../ledger/store';
import { CREDIT_LINE_PAIR_TYPE, CreditLineIndex, CreditLineSpec, creditLinePairKey, FinancingSpec, MemberSpec } from '../ledger/specs';
import { required } from './access';
import { operation, ScfContract, type TxEnv } from './base';
import { AdjustCreditLineCommand, ById, CreditLineActionCommand, GrantCreditLineCommand, ListCreditLinesQuery } from './schemas';

/** The pointer a pair's key holds (ledger/specs creditLinePairKey). */
interface PairPointer {
  lineId: string;
}

/** The line that governs (kind, obligor, granter), whatever its status, or undefined when the pair never had one. */
export async function pairLine(store: Store, kind: CreditLineKind, obligor: string, granter: string): Promise<CreditLine | undefined> {
  const pointer = await store.get<PairPointer>(CREDIT_LINE_PAIR_TYPE, creditLinePairKey(kind, obligor, granter));
  return pointer ? required<CreditLine>(store, CreditLineSpec.type, pointer.lineId, 'credit line') : undefined;
}

/**
 * Moves a step's reservation on a line from `before` to `after` (amounts):
 * more is taken with useCreditLine (refused past the headroom, or on a line
 * that cannot take new use), less is released. The line's key is read and
 * written only when the amount changes, so splits and transfers never touch it.
 */
async function moveReservation(
  store: Store,
  lineId: string | undefined,
  before: bigint,
  after: bigint,
  currency: string,
  what: string,
  tx: TxInfo,
): Promise<void> {
  if (lineId === undefined || before === after) return;
  const line = await required<CreditLine>(store, CreditLineSpec.type, lineId, 'credit line');
  const next = after > before ? useCreditLine(line, after - before, currency, what, tx) : releaseCreditLine(line, before - after, tx);
  await store.save(CreditLineSpec, line, next);
}

/** A new root voucher, naming its issuer's ISSUANCE line when there is one (domain credit-lines: no line, no limit). */
export async function withIssuanceLine(store: Store, root: Voucher): Promise<Voucher> {
  const line = await pairLine(store, 'ISSUANCE', root.issuer, '');
  return line ? { ...root, creditLineId: line.id } : root;
}

/** An approved financing, naming the bank's FINANCING line to the obligor when there is one. */
export async function withFinancingLine(store: Store, fin: Financing, asset: FinancedAsset): Promise<Financing> {
  const line = await pairLine(store, 'FINANCING', creditLineObligor(asset), fin.bank);
  return line ? { ...fin, creditLineId: line.id } : fin;
}

/** Saves a voucher piece and moves its reservation on its issuer's line (issue takes, settlement releases). */
export async function saveVoucherUse(store: Store, before: Voucher | undefined, after: Voucher, tx: TxInfo): Promise<void> {
  const what = before ? `settling voucher ${after.id}` : `issuing voucher ${after.id}`;
  await moveReservation(store, after.creditLineId, before ? voucherReservation(before) : 0n, voucherReservation(after), after.currency, what, tx);
}

/** Saves a financing and moves its reservation on the bank's line (approval takes, every end releases). */
export async function saveFinancing(store: Store, before: Financing | undefined, after: Financing, tx: TxInfo): Promise<void> {
  await store.save(FinancingSpec, before, after);
  const held = before ? financingReservation(before) : 0n;
  await moveReservation(store, after.creditLineId, held, financingReservation(after), after.currency, `approving financing ${after.id}`, tx);
}

/** A line the caller may read; NOT_FOUND otherwise (absent and hidden look the same). */
async function visibleLine(store: Store, actor: Actor, id: string): Promise<CreditLine> {
  const line = await store.get<CreditLine>(CreditLineSpec.type, [id]);
  if (!line || !canReadCreditLine(actor, line)) throw new DomainError('NOT_FOUND', `credit line ${id} not found`);
  return line;
}

function lineOutcome(name: EventName, before: CreditLine | undefined, after: CreditLine, changes: object = {}) {
  return {
    result: viewCreditLine(after),
    event: {
      name,
      ids: { creditLineId: after.id, granter: after.granter, obligor: after.obligor },
      changes: {
        ...(before ? { status: { from: before.status, to: after.status } } : { status: after.status }),
        kind: after.kind,
        limit: before && before.limit !== after.limit ? { from: before.limit, to: after.limit } : after.limit,
        used: after.used,
        ...changes,
      },
    },
  };
}

/** The granter grants a line; two-step at or above its dual-control threshold (the limit). */
export const GrantCreditLineOperation = operation({
  name: 'creditLine:Grant',
  schema: GrantCreditLineCommand,
  dualControlAmount: (cmd) => cmd.limit,
  // A pair has one line: one grant of it awaits the checker at a time.
  approvalTarget: (cmd) => [cmd.kind, cmd.obligor],
  body: async ({ store, actor, tx }, cmd) => {
    const id = cmd.id ?? deriveId('CRL', tx.txId);
    if (await store.get<CreditLine>(CreditLineSpec.type, [id])) throw new DomainError('ALREADY_EXISTS', `credit line ${id} already exists`);
    const granter = cmd.granter ?? actor.member.id;
    const obligor = await store.get<Member>(MemberSpec.type, [cmd.obligor]);
    // The pair's line is looked up under the caller's own name: grantCreditLine
    // refuses a granter other than the caller before it is compared.
    const current = granter === actor.member.id ? await pairLine(store, cmd.kind, cmd.obligor, granter) : undefined;
    const line = grantCreditLine({ ...cmd, id }, actor, obligor, current, tx);
    await store.save(CreditLineSpec, undefined, line);
    await store.put(CREDIT_LINE_PAIR_TYPE, creditLinePairKey(line.kind, line.obligor, line.granter), { lineId: line.id } satisfies PairPointer);
    return lineOutcome(EVENTS.CreditLineGranted, undefined, line, { validFrom: line.validFrom, validTo: line.validTo, currency: line.currency });
  },
});

/** The granter raises or reduces the limit and/or moves validTo; two-step at or above its threshold (the larger of the old and new limit). */
export const AdjustCreditLineOperation = operation({
  name: 'creditLine:Adjust',
  schema: AdjustCreditLineCommand,
  dualControlAmount: async (cmd, { store }: TxEnv) => {
    const line = await store.get<CreditLine>(CreditLineSpec.type, [cmd.id]);
    const asked = cmd.limit === undefined ? 0n : parseAmount(cmd.limit, 'limit');
    const current = line ? parseAmount(line.limit, 'line.limit') : 0n;
    return formatAmount(asked > current ? asked : current);
  },
  approvalTarget: (cmd) => [cmd.id],
  body: async ({ store, actor, tx }, cmd) => {
    const before = await visibleLine(store, actor, cmd.id);
    const after = adjustCreditLine(before, { ...(cmd.limit !== undefined ? { limit: cmd.limit } : {}), ...(cmd.validTo !== undefined ? { validTo: cmd.validTo } : {}) }, actor, tx);
    await store.save(CreditLineSpec, before, after);
    return lineOutcome(EVENTS.CreditLineAdjusted, before, after, before.validTo !== after.validTo ? { validTo: { from: before.validTo, to: after.validTo } } : {});
  },
});

@Info({ title: 'creditLine', description: 'Credit lines (授信): issuance lines of core enterprises, banks\' financing lines to obligors' })
export class CreditLineContract extends ScfContract {
  constructor() {
    super('creditLine');
  }

  @Transaction()
  async Grant(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, GrantCreditLineOperation);
  }

  @Transaction()
  async Adjust(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, AdjustCreditLineOperation);
  }

  /** New use stops at once; outstanding use is untouched. */
  @Transaction()
  async Suspend(ctx: Context, command: string): Promise<string> {
    return this.step(ctx, 'creditLine:Suspend', command, CreditLineActionCommand, EVENTS.CreditLineSuspended, (l, cmd, actor, tx) =>
      suspendCreditLine(l, cmd.reason, actor, tx),
    );
  }

  @Transaction()
  async Reinstate(ctx: Context, command: string): Promise<string> {
    return this.step(ctx, 'creditLine:Reinstate', command, CreditLineActionCommand, EVENTS.CreditLineReinstated, (l, _cmd, actor, tx) =>
      reinstateCreditLine(l, actor, tx),
    );
  }

  /** Final: no new use; outstanding use runs off. */
  @Transaction()
  async Close(ctx: Context, command: string): Promise<string> {
    return this.step(ctx, 'creditLine:Close', command, CreditLineActionCommand, EVENTS.CreditLineClosed, (l, cmd, actor, tx) =>
      closeCreditLine(l, cmd.reason, actor, tx),
    );
  }

  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => viewCreditLine(await visibleLine(store, actor, cmd.id)));
  }

  /**
   * By granter or obligor (the first given picks the index, the rest filter),
   * with use and headroom. Without either a member sees the lines it granted,
   * then those granted to it; auditors and operators must name one.
   */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListCreditLinesQuery, async ({ store, actor }, q) => {
      const kind = q.kind ? [q.kind] : [];
      let prefixes: Prefix[];
      if (q.granter) prefixes = [{ index: CreditLineIndex.GRANTER, attrs: [q.granter, ...kind] }];
      else if (q.obligor) prefixes = [{ index: CreditLineIndex.OBLIGOR, attrs: [q.obligor, ...kind] }];
      else if (!isReader(actor)) {
        prefixes = [
          { index: CreditLineIndex.GRANTER, attrs: [actor.member.id, ...kind] },
          { index: CreditLineIndex.OBLIGOR, attrs: [actor.member.id, ...kind] },
        ];
      } else throw new DomainError('VALIDATION_FAILED', 'name a granter or an obligor to list credit lines');
      const page = await store.page(CreditLineSpec, prefixes, q.pageSize, q.bookmark, (l) =>
        canReadCreditLine(actor, l) && (!q.obligor || l.obligor === q.obligor) && (!q.kind || l.kind === q.kind),
      );
      return { ...page, records: page.records.map(viewCreditLine) };
    });
  }

  @Transaction(false)
  async History(ctx: Context, command: string): Promise<string> {
    return this.historyOf(ctx, command, ById, CreditLineSpec.type, visibleLine);
  }

  /** A single-step change of a line by its granter: load (NOT_FOUND to non-readers), apply, save, one event. */
  private step<S extends z.ZodType<{ id: string }>>(
    ctx: Context,
    transaction: string,
    raw: string,
    schema: S,
    name: EventName,
    apply: (line: CreditLine, cmd: z.infer<S>, actor: Actor, tx: TxInfo) => CreditLine,
  ): Promise<string> {
    return this.mutate(ctx, transaction, raw, schema, async ({ store, actor, tx }, cmd) => {
      const before = await visibleLine(store, actor, cmd.id);
      const after = apply(before, cmd, actor, tx);
      await store.save(CreditLineSpec, before, after);
      return lineOutcome(name, before, after, after.statusReason !== undefined ? { reason: after.statusReason } : {});
    });
  }
}
