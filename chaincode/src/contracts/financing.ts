import { Context, Info, Transaction } from 'fabric-contract-api';
import type { z } from 'zod';
import { lineageTargets, type FreezeTarget } from '../domain/controls';
import { DomainError } from '../domain/errors';
import { EVENTS, type EventName } from '../domain/events';
import {
  approveFinancing,
  canReadFinancing,
  disburseFinancing,
  rejectFinancing,
  repayFinancing,
  requestFinancing,
  withdrawFinancing,
  FINANCING_LIFECYCLE,
  type FinancedAsset,
  type Financing,
  type FinancingAssetRef,
  type FinancingChecks,
} from '../domain/financing';
import { isReader } from '../domain/members';
import type { Actor, Member, Receivable, TxInfo, Voucher } from '../domain/types';
import type { WarehouseReceipt } from '../domain/warehouse';
import { assertNotFrozen, freezeRefs } from '../ledger/freezes';
import { type Prefix, statusPrefixes, type Store } from '../ledger/store';
import { AssetRecordType, CreditLineSpec, FinancingIndex, FinancingSpec, MemberSpec, ReceivableSpec, VoucherSpec, WarehouseReceiptSpec } from '../ledger/specs';
import type { CreditLine } from '../domain/credit-lines';
import { required } from './access';
import { saveFinancing, withFinancingLine } from './credit-line';
import { operation, ScfContract, type TxEnv } from './base';
import { readableReceivable, receivableTargets } from './receivable';
import {
  ApproveFinancingCommand,
  ById,
  FinancingPaymentCommand,
  ListFinancingsQuery,
  RejectFinancingCommand,
  RequestFinancingCommand,
  WithdrawFinancingCommand,
} from './schemas';
import { issuerOverdue, readableVoucher, voucherTargets } from './voucher';
import { pledgeableTargets, visibleReceipt } from './warehouse';

/**
 * The bank approves with an advance and a rate. Subject to dual control: at
 * or above the bank's threshold, the maker's call records an approval that a
 * checker of the bank executes (DESIGN 1).
 */
export const ApproveFinancingOperation = operation({
  name: 'financing:Approve',
  schema: ApproveFinancingCommand,
  dualControlAmount: (cmd) => cmd.advanceAmount,
  // One set of terms awaits the checker at a time.
  approvalTarget: (cmd) => [cmd.id],
  body: async (env, cmd) => {
    const { store, actor, tx } = env;
    const { before, asset } = await loadForParty(env, cmd.id);
    const approved = approveFinancing(before, asset, { advanceAmount: cmd.advanceAmount, annualRateBps: cmd.annualRateBps }, actor, tx, await checksFor(store, before, asset, tx.today, true));
    // The advance is reserved on the bank's line to the obligor, if it has one, in this transaction.
    const after = await withFinancingLine(store, approved, asset);
    await saveFinancing(store, before, after, tx);
    return {
      result: after,
      event: {
        name: EVENTS.FinancingApproved,
        ids: idsOf(after),
        changes: {
          status: { from: before.status, to: after.status },
          advanceAmount: after.advanceAmount,
          annualRateBps: after.annualRateBps,
          discount: after.discount,
          fee: after.fee,
        },
      },
    };
  },
});

@Info({ title: 'financing', description: 'Financing of vouchers, receivables (discounting with assignment) and warehouse receipts (pledge)' })
export class FinancingContract extends ScfContract {
  constructor() {
    super('financing');
  }

  /** The asset's holder / creditor / owner asks a bank; the asset is locked until rejection, withdrawal or disbursement. */
  @Transaction()
  async Request(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, {
      name: 'financing:Request',
      schema: RequestFinancingCommand,
      readsAhead: (cmd) => [
        [AssetRecordType[cmd.asset.type], [cmd.asset.id]],
        [MemberSpec.type, [cmd.bank]],
        ...(cmd.id !== undefined ? [[FinancingSpec.type, [cmd.id]] as const] : []),
        ...freezeRefs([...assetTargetsById(cmd.asset), { type: 'MEMBER', id: cmd.bank }]),
      ],
      body: async ({ store, actor, tx }, cmd) => {
        const id = cmd.id ?? `FIN-${tx.txId.slice(0, 16).toUpperCase()}`;
        if (await store.get<Financing>(FinancingSpec.type, [id])) throw new DomainError('ALREADY_EXISTS', `financing ${id} already exists`);
        const asset = await visibleAsset(store, actor, cmd.asset);
        const bank = await store.get<Member>(MemberSpec.type, [cmd.bank]);
        await assertNotFrozen(store, [...assetTargets(asset), { type: 'MEMBER', id: actor.member.id }, { type: 'MEMBER', id: cmd.bank }]);
        const current = asset.record.financingId ? await store.get<Financing>(FinancingSpec.type, [asset.record.financingId]) : undefined;
        const { financing, asset: locked } = requestFinancing({ ...cmd, id }, asset, actor, bank, tx, current);
        await store.save(FinancingSpec, undefined, financing);
        await saveAsset(store, asset, locked);
        return {
          result: financing,
          event: {
            name: EVENTS.FinancingRequested,
            ids: idsOf(financing),
            changes: { status: financing.status, requestedAmount: financing.requestedAmount, dueDate: financing.dueDate, assetStatus: locked.record.status },
          },
        };
      },
    });
  }

  @Transaction()
  async Approve(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, ApproveFinancingOperation);
  }

  /** The bank rejects a requested or approved financing; the asset unlocks. */
  @Transaction()
  async Reject(ctx: Context, command: string): Promise<string> {
    return this.step(
      ctx,
      'financing:Reject',
      command,
      RejectFinancingCommand,
      EVENTS.FinancingRejected,
      rejectFinancing,
      (_f, cmd) => ({ reason: cmd.reason }),
    );
  }

  /**
   * The applicant withdraws a request the bank has not approved, or an
   * approved financing from its due date (when the bank can no longer
   * disburse it); the asset unlocks as on rejection. Freezes are checked as
   * for the bank's steps.
   */
  @Transaction()
  async Withdraw(ctx: Context, command: string): Promise<string> {
    return this.step(
      ctx,
      'financing:Withdraw',
      command,
      WithdrawFinancingCommand,
      EVENTS.FinancingWithdrawn,
      withdrawFinancing,
      (f) => (f.withdrawalReason !== undefined ? { reason: f.withdrawalReason } : {}),
    );
  }

  /** The bank pays the advance: vouchers and receivables are assigned to it, receipts pledged to it. */
  @Transaction()
  async Disburse(ctx: Context, command: string): Promise<string> {
    return this.step(
      ctx,
      'financing:Disburse',
      command,
      FinancingPaymentCommand,
      EVENTS.FinancingDisbursed,
      disburseFinancing,
      (f) => ({ advanceAmount: f.advanceAmount, discount: f.discount, fee: f.fee, days: f.days, paymentRef: f.paymentRef }),
      true,
    );
  }

  /** Pledges only: the bank records repayment and the pledge is released (vouchers and receivables are repaid by settlement). */
  @Transaction()
  async Repay(ctx: Context, command: string): Promise<string> {
    return this.step(
      ctx,
      'financing:Repay',
      command,
      FinancingPaymentCommand,
      EVENTS.FinancingRepaid,
      repayFinancing,
      (f) => ({ repaymentRef: f.repaymentRef }),
    );
  }

  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => visibleFinancing(store, actor, cmd.id));
  }

  /**
   * By applicant, bank or status (the first given picks the index, the rest
   * filter). Without a filter a member sees the financings it applied for,
   * then those at it as the bank; auditors and operators must name one.
   */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListFinancingsQuery, async ({ store, actor }, q) => {
      // One party's financings, status by status in lifecycle order (not the index's
      // alphabetical one), so none is missed when its status moves on during a walk.
      const byParty = (index: string, party: string) => statusPrefixes(index, party, q.status ? [q.status] : FINANCING_LIFECYCLE);
      let prefixes: Prefix[];
      if (q.applicant) prefixes = byParty(FinancingIndex.APPLICANT, q.applicant);
      else if (q.bank) prefixes = byParty(FinancingIndex.BANK, q.bank);
      else if (q.status) prefixes = [{ index: FinancingIndex.STATUS, attrs: [q.status] }];
      else if (!isReader(actor)) {
        prefixes = [...byParty(FinancingIndex.APPLICANT, actor.member.id), ...byParty(FinancingIndex.BANK, actor.member.id)];
      } else throw new DomainError('VALIDATION_FAILED', 'name an applicant, bank or status to list financings');
      return store.page(FinancingSpec, prefixes, q.pageSize, q.bookmark, (f) =>
        canReadFinancing(actor, f) && (!q.bank || f.bank === q.bank) && (!q.status || f.status === q.status),
      );
    });
  }

  @Transaction(false)
  async History(ctx: Context, command: string): Promise<string> {
    return this.historyOf(ctx, command, ById, FinancingSpec.type, visibleFinancing);
  }

  /**
   * A step on an existing financing (reject, withdraw, disburse, repay): load
   * it and its asset for a party (freeze-checked), apply the domain step, save
   * both, and emit one event with the status move, the step's own fields and
   * the asset's new status.
   */
  private step<S extends z.ZodType<{ id: string }>>(
    ctx: Context,
    transaction: string,
    raw: string,
    schema: S,
    name: EventName,
    apply: (before: Financing, asset: FinancedAsset, cmd: z.infer<S>, actor: Actor, tx: TxInfo, checks: FinancingChecks) => { financing: Financing; asset: FinancedAsset },
    fields: (after: Financing, cmd: z.infer<S>) => Record<string, unknown>,
    /** The step extends credit (disbursement): the applicant's status is read for the checks. */
    extendsCredit = false,
  ): Promise<string> {
    return this.mutate(ctx, transaction, raw, schema, async (env, cmd) => {
      const { before, asset } = await loadForParty(env, cmd.id);
      const { financing, asset: after } = apply(before, asset, cmd, env.actor, env.tx, await checksFor(env.store, before, asset, env.tx.today, extendsCredit));
      await saveFinancing(env.store, before, financing, env.tx);
      await saveAsset(env.store, asset, after);
      return {
        result: financing,
        event: {
          name,
          ids: idsOf(financing),
          changes: { status: { from: before.status, to: financing.status }, ...fields(financing, cmd), assetStatus: after.record.status },
        },
      };
    });
  }
}

async function visibleFinancing(store: Store, actor: Actor, id: string): Promise<Financing> {
  const f = await store.get<Financing>(FinancingSpec.type, [id]);
  if (!f || !canReadFinancing(actor, f)) throw new DomainError('NOT_FOUND', `financing ${id} not found`);
  return f;
}

/** The asset as the applicant sees it, parties of a live financing on it included (NOT_FOUND when it cannot). */
async function visibleAsset(store: Store, actor: Actor, ref: FinancingAssetRef): Promise<FinancedAsset> {
  switch (ref.type) {
    case 'VOUCHER':
      return { type: 'VOUCHER', record: (await readableVoucher(store, actor, ref.id)).piece };
    case 'RECEIVABLE':
      return { type: 'RECEIVABLE', record: await readableReceivable(store, actor, ref.id) };
    case 'WAREHOUSE_RECEIPT':
      return { type: 'WAREHOUSE_RECEIPT', record: await visibleReceipt(store, actor, ref.id) };
  }
}

/** The asset a financing is on (an internal link: it must exist). */
async function assetOf(store: Store, f: Financing): Promise<FinancedAsset> {
  switch (f.asset.type) {
    case 'VOUCHER':
      return { type: 'VOUCHER', record: await required<Voucher>(store, VoucherSpec.type, f.asset.id, 'voucher') };
    case 'RECEIVABLE':
      return { type: 'RECEIVABLE', record: await required<Receivable>(store, ReceivableSpec.type, f.asset.id, 'receivable') };
    case 'WAREHOUSE_RECEIPT':
      return { type: 'WAREHOUSE_RECEIPT', record: await required<WarehouseReceipt>(store, WarehouseReceiptSpec.type, f.asset.id, 'warehouse receipt') };
  }
}

/**
 * A financing the caller may see (NOT_FOUND otherwise), its asset, and the
 * freeze check over the asset and both parties: the same for the bank's steps
 * and the applicant's withdrawal.
 */
async function loadForParty({ store, actor }: TxEnv, id: string): Promise<{ before: Financing; asset: FinancedAsset }> {
  const before = await visibleFinancing(store, actor, id);
  const asset = await assetOf(store, before);
  await assertNotFrozen(store, [
    ...assetTargets(asset),
    { type: 'MEMBER', id: before.applicant },
    { type: 'MEMBER', id: before.bank },
  ]);
  return { before, asset };
}

/** The freeze targets of an asset that its id alone names (assetTargets adds the parties once it is read). */
function assetTargetsById(ref: FinancingAssetRef): FreezeTarget[] {
  return ref.type === 'RECEIVABLE' ? [{ type: 'RECEIVABLE', id: ref.id }] : lineageTargets(ref.type, ref.id);
}

/** Freeze targets of an asset: the asset (a piece or receipt with every ancestor), its parties, and a piece's receivable. */
function assetTargets(asset: FinancedAsset): FreezeTarget[] {
  switch (asset.type) {
    case 'VOUCHER':
      return voucherTargets(asset.record);
    case 'RECEIVABLE':
      return receivableTargets(asset.record);
    case 'WAREHOUSE_RECEIPT':
      return pledgeableTargets(asset.record);
  }
}

async function saveAsset(store: Store, before: FinancedAsset, after: FinancedAsset): Promise<void> {
  if (before.type === 'VOUCHER' && after.type === 'VOUCHER') await store.save(VoucherSpec, before.record, after.record);
  else if (before.type === 'RECEIVABLE' && after.type === 'RECEIVABLE') await store.save(ReceivableSpec, before.record, after.record);
  else if (before.type === 'WAREHOUSE_RECEIPT' && after.type === 'WAREHOUSE_RECEIPT') {
    await store.save(WarehouseReceiptSpec, before.record, after.record);
  } else throw new Error(`asset changed type from ${before.type} to ${after.type}`);
}

/** What approve and disburse check besides the records they step; the applicant's status only for the steps that extend credit. */
async function checksFor(store: Store, fin: Financing, asset: FinancedAsset, today: string, extendsCredit: boolean): Promise<FinancingChecks> {
  const [overdue, applicant, creditLine, warehouse] = await Promise.all([
    asset.type === 'VOUCHER' ? issuerOverdue(store, asset.record.issuer, today) : false,
    extendsCredit ? store.get<Member>(MemberSpec.type, [fin.applicant]) : undefined,
    // The line an approved financing reserved on: disbursement is refused while it is unusable.
    extendsCredit && fin.creditLineId !== undefined ? store.get<CreditLine>(CreditLineSpec.type, [fin.creditLineId]) : undefined,
    // A suspended warehouse's receipts back no new credit.
    extendsCredit && asset.type === 'WAREHOUSE_RECEIPT' ? store.get<Member>(MemberSpec.type, [asset.record.warehouse]) : undefined,
  ]);
  return { issuerOverdue: overdue, applicantStatus: applicant?.status, creditLine, warehouseStatus: warehouse?.status };
}

/**
 * The ids a financing's events carry: its parties only. A pledge's events
 * carry the loan's terms, which are the applicant's and the bank's
 * (canReadFinancing): the receipt's warehouse sees the pledge on the receipt
 * (PLEDGE_PENDING, PLEDGED with its pledgee), not in these events.
 */
function idsOf(f: Financing): Record<string, string> {
  return { financingId: f.id, assetType: f.asset.type, assetId: f.asset.id, applicant: f.applicant, bank: f.bank };
}
