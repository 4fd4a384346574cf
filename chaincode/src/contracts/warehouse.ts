import { Context, Info, Transaction } from 'fabric-contract-api';
import { lineageTargets, type FreezeTarget } from '../domain/controls';
import { DomainError } from '../domain/errors';
import { EVENTS } from '../domain/events';
import { enforcePledge, isLiveFinancing, liveFinancingParties, releasePledge, type Financing } from '../domain/financing';
import { claimFingerprint, releaseFingerprint } from '../domain/fingerprints';
import { isReader } from '../domain/members';
import type { FingerprintClaim, Member, TxInfo } from '../domain/types';
import { DOCUMENTS_TRANSIENT_KEY } from '../domain/receivables';
import {
  canReadReceipt,
  deliverReceipt,
  issueReceipt,
  lotDelivered,
  assertOwnersGoods,
  receiptDocumentsFrom,
  type ReceiptDocuments,
  splitReceipt,
  transferReceipt,
  type WarehouseReceipt,
} from '../domain/warehouse';
import { assertNotFrozen } from '../ledger/freezes';
import { partyPrefix, type Prefix, type Store } from '../ledger/store';
import { FinancingSpec, FingerprintSpec, MemberSpec, WarehouseReceiptIndex, WarehouseReceiptSpec } from '../ledger/specs';
import { required } from './access';
import { saveFinancing } from './credit-line';
import { ScfContract, transientJson } from './base';
import {
  ById,
  IssueReceiptCommand,
  ListReceiptsQuery,
  ReceiptActionCommand,
  ReleaseReceiptCommand,
  SplitReceiptCommand,
  TransferReceiptCommand,
} from './schemas';

/**
 * Warehouse receipts (仓单): issued by a warehouse for goods it stores (the
 * lot claimed in the fingerprint registry), transferred and split by the
 * owner, pledged through the financing contract, released or enforced by the
 * pledgee bank, and delivered by the warehouse. Every mutation checks the
 * freezes of the receipt (and of the receipts it was split from), its owner
 * and its counterparties.
 */
@Info({ title: 'warehouse', description: 'Warehouse receipts (仓单): issue, transfer, split, release, enforce, deliver' })
export class WarehouseContract extends ScfContract {
  constructor() {
    super('warehouse');
  }

  /**
   * Issues a receipt and claims its lot (computed from the caller and the
   * lotId). Supporting documents come as canonical fields in the proposal's
   * transient map (key `documents`); their fingerprints are recorded.
   */
  @Transaction()
  async Issue(ctx: Context, command: string): Promise<string> {
    return this.mutate(
      ctx,
      'warehouse:Issue',
      command,
      IssueReceiptCommand,
      async ({ store, actor, tx, transient }, cmd) => {
        const { refs: documents, movements } = transient as ReceiptDocuments;
        const id = cmd.id ?? `WRC-${tx.txId.slice(0, 16).toUpperCase()}`;
        if (await store.get<WarehouseReceipt>(WarehouseReceiptSpec.type, [id])) {
          throw new DomainError('ALREADY_EXISTS', `warehouse receipt ${id} already exists`);
        }
        const owner = await store.get<Member>(MemberSpec.type, [cmd.owner]);
        await assertNotFrozen(store, [{ type: 'MEMBER', id: cmd.owner }]);
        const receipt = issueReceipt({ ...cmd, id, documents }, actor, owner, tx);
        assertOwnersGoods(movements, receipt.owner, receipt.warehouse);
        const existing = await store.get<FingerprintClaim>(FingerprintSpec.type, ['LOT', receipt.lotFingerprint]);
        const claim = claimFingerprint(
          existing,
          { kind: 'LOT', fingerprint: receipt.lotFingerprint },
          { assetType: 'WAREHOUSE_RECEIPT', assetId: receipt.id },
          tx,
        );
        await store.save(FingerprintSpec, existing, claim);
        await store.save(WarehouseReceiptSpec, undefined, receipt);
        return {
          result: receipt,
          event: {
            name: EVENTS.WarehouseReceiptIssued,
            ids: { receiptId: receipt.id, warehouse: receipt.warehouse, owner: receipt.owner },
            changes: {
              status: receipt.status,
              commodity: receipt.commodity,
              quantity: receipt.quantity,
              unit: receipt.unit,
              valuation: receipt.valuation,
              lotFingerprint: receipt.lotFingerprint,
            },
          },
        };
      },
      (ctx) => receiptDocumentsFrom(transientJson(ctx, DOCUMENTS_TRANSIENT_KEY)),
    );
  }

  /** The owner hands the whole receipt to another supplier (split first to pass on part of it). */
  @Transaction()
  async Transfer(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'warehouse:Transfer', command, TransferReceiptCommand, async ({ store, actor, tx }, cmd) => {
      const before = await visibleReceipt(store, actor, cmd.id);
      const recipient = await store.get<Member>(MemberSpec.type, [cmd.to]);
      if (!recipient) throw new DomainError('NOT_FOUND', `member ${cmd.to} not found`);
      await assertNotFrozen(store, [...receiptTargets(before), { type: 'MEMBER', id: cmd.to }]);
      const after = transferReceipt(before, { to: cmd.to }, actor, recipient, tx);
      await store.save(WarehouseReceiptSpec, before, after);
      return {
        result: after,
        event: {
          name: EVENTS.WarehouseReceiptTransferred,
          ids: { receiptId: after.id, rootId: after.rootId, warehouse: after.warehouse },
          changes: { owner: { from: before.owner, to: after.owner } },
        },
      };
    });
  }

  /** The owner splits by quantity into `<id>.1 … <id>.n`; valuation pro rata, the remainder to the last. */
  @Transaction()
  async Split(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'warehouse:Split', command, SplitReceiptCommand, async ({ store, actor, tx }, cmd) => {
      const before = await visibleReceipt(store, actor, cmd.id);
      await assertNotFrozen(store, receiptTargets(before));
      const { receipt, children } = splitReceipt(before, cmd.quantities, actor, tx);
      await store.save(WarehouseReceiptSpec, before, receipt);
      for (const child of children) await store.save(WarehouseReceiptSpec, undefined, child);
      return {
        result: { receipt, children },
        event: {
          name: EVENTS.WarehouseReceiptSplit,
          ids: { receiptId: receipt.id, rootId: receipt.rootId, childIds: children.map((c) => c.id), warehouse: receipt.warehouse },
          changes: {
            status: { from: before.status, to: receipt.status },
            children: children.map((c) => ({ id: c.id, quantity: c.quantity, valuation: c.valuation })),
          },
        },
      };
    });
  }

  /**
   * The issuing warehouse records delivery of the goods to the owner. When no
   * piece of the lot is left undelivered, the lot fingerprint is released so
   * new goods under that lot number can be receipted again.
   */
  @Transaction()
  async Deliver(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'warehouse:Deliver', command, ReceiptActionCommand, async ({ store, actor, tx }, cmd) => {
      const before = await visibleReceipt(store, actor, cmd.id);
      await assertNotFrozen(store, receiptTargets(before));
      const after = deliverReceipt(before, actor, tx);
      const lotReleased = await releaseLotIfDelivered(store, after, tx);
      await store.save(WarehouseReceiptSpec, before, after);
      return {
        result: after,
        event: {
          name: EVENTS.WarehouseReceiptDelivered,
          ids: { receiptId: after.id, rootId: after.rootId, warehouse: after.warehouse },
          changes: { status: { from: before.status, to: after.status }, deliveredTo: after.deliveredTo, lotReleased },
        },
      };
    });
  }

  /** The pledgee bank releases the pledge: the receipt is ACTIVE again and its financing REPAID. */
  @Transaction()
  async Release(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'warehouse:Release', command, ReleaseReceiptCommand, async ({ store, actor, tx }, cmd) => {
      const { receipt: before, financing: finBefore } = await readableReceipt(store, actor, cmd.id);
      await assertNotFrozen(store, pledgeTargets(before, finBefore));
      const { receipt, financing } = releasePledge(before, finBefore, cmd.paymentRef, actor, tx);
      await saveFinancing(store, finBefore, financing, tx);
      await store.save(WarehouseReceiptSpec, before, receipt);
      return {
        result: { receipt, financing },
        event: {
          name: EVENTS.WarehouseReceiptReleased,
          // Not the warehouse: the repayment's reference is the bank's and the owner's.
          ids: { receiptId: receipt.id, financingId: financing.id, bank: financing.bank, owner: receipt.owner },
          changes: { status: { from: before.status, to: receipt.status }, financingStatus: financing.status, repaymentRef: financing.repaymentRef ?? null },
        },
      };
    });
  }

  /** After default (the loan's due date passed, not repaid) the pledgee bank takes the receipt. */
  @Transaction()
  async Enforce(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'warehouse:Enforce', command, ReceiptActionCommand, async ({ store, actor, tx }, cmd) => {
      const { receipt: before, financing: finBefore } = await readableReceipt(store, actor, cmd.id);
      await assertNotFrozen(store, pledgeTargets(before, finBefore));
      const { receipt, financing } = enforcePledge(before, finBefore, actor, tx);
      await saveFinancing(store, finBefore, financing, tx);
      await store.save(WarehouseReceiptSpec, before, receipt);
      return {
        result: { receipt, financing },
        event: {
          name: EVENTS.WarehouseReceiptEnforced,
          ids: { receiptId: receipt.id, financingId: financing.id, bank: financing.bank, warehouse: receipt.warehouse },
          changes: { status: { from: before.status, to: receipt.status }, owner: { from: before.owner, to: receipt.owner }, financingStatus: financing.status },
        },
      };
    });
  }

  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => (await readableReceipt(store, actor, cmd.id)).receipt);
  }

  /**
   * By owner, warehouse, pledgee or status (the first given picks the index,
   * the rest filter). Without a filter a member sees the receipts it owns,
   * then those it issued, then (a bank) those pledged to it; auditors and
   * operators must name one.
   */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListReceiptsQuery, async ({ store, actor }, q) => {
      const asOwner = (party: string) => partyPrefix(WarehouseReceiptIndex.OWNER, WarehouseReceiptIndex.OWNER_ALL, party, q.status);
      const asWarehouse = (party: string) => partyPrefix(WarehouseReceiptIndex.WAREHOUSE, WarehouseReceiptIndex.WAREHOUSE_ALL, party, q.status);
      const pledgedTo = (bank: string): Prefix => ({ index: WarehouseReceiptIndex.PLEDGEE, attrs: [bank] });
      const me = actor.member.id;
      let prefixes: Prefix[];
      if (q.owner) prefixes = [asOwner(q.owner)];
      else if (q.warehouse) prefixes = [asWarehouse(q.warehouse)];
      else if (q.pledgee) prefixes = [pledgedTo(q.pledgee)];
      else if (q.status) prefixes = [{ index: WarehouseReceiptIndex.STATUS, attrs: [q.status] }];
      // A member's own: those it owns, those it issued, then (a bank) those pledged to it.
      else if (!isReader(actor)) prefixes = [asOwner(me), asWarehouse(me), pledgedTo(me)];
      else throw new DomainError('VALIDATION_FAILED', 'name an owner, warehouse, pledgee or status to list warehouse receipts');
      // A receipt under two of these is met under the first (Store.page).
      return store.page(WarehouseReceiptSpec, prefixes, q.pageSize, q.bookmark, (r) =>
        canReadReceipt(actor, r) &&
        (!q.warehouse || r.warehouse === q.warehouse) &&
        (!q.pledgee || r.pledgee === q.pledgee) &&
        (!q.status || r.status === q.status),
      );
    });
  }

  @Transaction(false)
  async History(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      await readableReceipt(store, actor, cmd.id);
      return { id: cmd.id, versions: await store.history<WarehouseReceipt>(WarehouseReceiptSpec.type, [cmd.id]) };
    });
  }
}

/** A freeze on a receipt covers the receipts split from it: the receipt, each ancestor, and its owner. */
export function receiptTargets(r: WarehouseReceipt): FreezeTarget[] {
  return [...lineageTargets('WAREHOUSE_RECEIPT', r.id), { type: 'MEMBER', id: r.owner }];
}

/**
 * Everything a freeze on which stops a receipt being pledged, released or
 * enforced: the receipt with its ancestors, its owner, and the warehouse
 * that issued it (a court freezing a warehouse over duplicate receipts stops
 * lending on its receipts, as a frozen issuer stops it on its vouchers).
 */
export function pledgeableTargets(r: WarehouseReceipt): FreezeTarget[] {
  return [...receiptTargets(r), { type: 'MEMBER', id: r.warehouse }];
}

function pledgeTargets(r: WarehouseReceipt, fin: Financing | undefined): FreezeTarget[] {
  const bank = fin?.bank ?? r.pledgee;
  return bank === undefined ? pledgeableTargets(r) : [...pledgeableTargets(r), { type: 'MEMBER', id: bank }];
}

/**
 * A receipt the caller may see with the financing it names (parties of a
 * live financing on it may read it). NOT_FOUND for missing and invisible alike.
 */
export async function readableReceipt(
  store: Store,
  actor: Parameters<typeof canReadReceipt>[0],
  id: string,
): Promise<{ receipt: WarehouseReceipt; financing: Financing | undefined }> {
  const receipt = await store.get<WarehouseReceipt>(WarehouseReceiptSpec.type, [id]);
  const financing = receipt?.financingId ? await store.get<Financing>(FinancingSpec.type, [receipt.financingId]) : undefined;
  if (!receipt || !canReadReceipt(actor, receipt, liveFinancingParties(financing))) {
    throw new DomainError('NOT_FOUND', `warehouse receipt ${id} not found`);
  }
  return { receipt, financing: financing && isLiveFinancing(financing) ? financing : undefined };
}

export async function visibleReceipt(store: Store, actor: Parameters<typeof canReadReceipt>[0], id: string): Promise<WarehouseReceipt> {
  return (await readableReceipt(store, actor, id)).receipt;
}

/** Releases the lot fingerprint when `delivered` was the last undelivered piece of its lot. Returns whether it did. */
async function releaseLotIfDelivered(store: Store, delivered: WarehouseReceipt, tx: TxInfo): Promise<boolean> {
  const ids = await store.ids({ index: WarehouseReceiptIndex.ROOT, attrs: [delivered.rootId] });
  const pieces: WarehouseReceipt[] = [];
  for (const id of ids) {
    pieces.push(id === delivered.id ? delivered : await required<WarehouseReceipt>(store, WarehouseReceiptSpec.type, id, 'warehouse receipt'));
  }
  if (!lotDelivered(pieces)) return false;
  const claim = await store.get<FingerprintClaim>(FingerprintSpec.type, ['LOT', delivered.lotFingerprint]);
  if (!claim || claim.status !== 'CLAIMED' || claim.assetId !== delivered.rootId) return false;
  await store.save(FingerprintSpec, claim, releaseFingerprint(claim, tx, { assetType: 'WAREHOUSE_RECEIPT', assetId: delivered.rootId }));
  return true;
}
