import { Context, Info, Transaction } from 'fabric-contract-api';
import { DomainError } from '../domain/errors';
import { EVENTS, type EventName } from '../domain/events';
import { claimFingerprint, type FingerprintRef, releaseFingerprint } from '../domain/fingerprints';
import { financingIds, liveFinancingParties, settleFactoredReceivable, type Financing } from '../domain/financing';
import { isReader } from '../domain/members';
import {
  cancelReceivable,
  canReadReceivable,
  confirmReceivable,
  DOCUMENTS_TRANSIENT_KEY,
  receivableDocumentsFrom,
  assertOwnInvoices,
  assertBackedByInvoices,
  type ReceivableDocuments,
  registerReceivable,
  rejectReceivable,
  verifyReceivableDocuments,
} from '../domain/receivables';
import type { Actor, FingerprintClaim, Member, Receivable, TxInfo } from '../domain/types';
import { partyPrefix, type Store } from '../ledger/store';
import { FinancingSpec, FingerprintSpec, MemberSpec, ReceivableIndex, ReceivableSpec } from '../ledger/specs';
import { operation, ScfContract, transientJson, type TxEnv } from './base';
import { assertNotFrozen } from '../ledger/freezes';
import type { FreezeTarget } from '../domain/controls';
import { visibleReceivable } from './access';
import { saveFinancing } from './credit-line';
import { ById, ListReceivablesQuery, ReceivableActionCommand, RegisterReceivableCommand, SettleReceivableCommand } from './schemas';

/**
 * The debtor confirms (确权): it acknowledges the debt, on which a bank may
 * then lend (factoring) or vouchers be issued, so it is two-step at or above
 * the debtor's dual-control threshold, as an issuance is (the receivable's
 * amount). One confirmation of a receivable awaits the checker at a time.
 */
export const ConfirmReceivableOperation = operation({
  name: 'receivable:Confirm',
  schema: ReceivableActionCommand,
  // A receivable that is not there compares as 0: the body then says NOT_FOUND,
  // as it does to a caller who may not read it (its dry run, above the threshold).
  dualControlAmount: async (cmd, { store }: TxEnv) => (await store.get<Receivable>(ReceivableSpec.type, [cmd.id]))?.amount ?? '0',
  // Read twice (the threshold, then the body): with the binding, in one message, on a peer that takes multi-key reads.
  readsAhead: (cmd) => [[ReceivableSpec.type, [cmd.id]]],
  approvalTarget: (cmd) => [cmd.id],
  body: async ({ store, actor, tx }, cmd) => {
    const before = await visibleReceivable(store, actor, cmd.id);
    await assertNotFrozen(store, receivableTargets(before));
    const after = confirmReceivable(before, actor, cmd.reason, tx);
    await store.save(ReceivableSpec, before, after);
    return statusOutcome(EVENTS.ReceivableConfirmed, before, after);
  },
});

@Info({ title: 'receivable', description: 'Receivables: registered by the creditor, confirmed by the debtor (确权)' })
export class ReceivableContract extends ScfContract {
  constructor() {
    super('receivable');
  }

  /**
   * Registers a receivable and claims every document fingerprint in the same
   * transaction. The documents come as canonical fields in the proposal's
   * transient map (key `documents`); the chaincode computes the fingerprints,
   * and only those reach the state and the block.
   */
  @Transaction()
  async Register(ctx: Context, command: string): Promise<string> {
    return this.mutate(
      ctx,
      'receivable:Register',
      command,
      RegisterReceivableCommand,
      async ({ store, actor, tx, transient }, cmd) => {
        const { refs: documents, invoiceNumbers, invoices } = transient as ReceivableDocuments;
        const id = cmd.id ?? `RCV-${tx.txId.slice(0, 16).toUpperCase()}`;
        if (await store.get<Receivable>(ReceivableSpec.type, [id])) {
          throw new DomainError('ALREADY_EXISTS', `receivable ${id} already exists`);
        }
        const debtor = await store.get<Member>(MemberSpec.type, [cmd.debtor]);
        await assertNotFrozen(store, [{ type: 'MEMBER', id: cmd.debtor }]);
        const receivable = registerReceivable({ ...cmd, id, documents, invoiceNumbers }, actor, debtor, tx);
        // The documents first, so that an identical invoice is named as such;
        // then each invoice by its number, which its variants share.
        for (const doc of claimsOf(receivable)) {
          const existing = await store.get<FingerprintClaim>(FingerprintSpec.type, [doc.kind, doc.fingerprint]);
          const claim = claimFingerprint(existing, doc, { assetType: 'RECEIVABLE', assetId: receivable.id }, tx);
          await store.save(FingerprintSpec, existing, claim);
        }
        // After the claims: an invoice someone holds already is DOUBLE_FINANCING, naming who.
        assertOwnInvoices(invoices, actor);
        assertBackedByInvoices(receivable.amount, invoices, tx);
        await store.save(ReceivableSpec, undefined, receivable);
        return {
          result: receivable,
          event: {
            name: EVENTS.ReceivableRegistered,
            ids: { receivableId: receivable.id, creditor: receivable.creditor, debtor: receivable.debtor },
            changes: { status: receivable.status, amount: receivable.amount, fingerprints: receivable.documents.map((d) => d.fingerprint) },
          },
        };
      },
      (ctx) => receivableDocumentsFrom(transientJson(ctx, DOCUMENTS_TRANSIENT_KEY)),
    );
  }

  /**
   * Whether documents, given by their canonical fields in the proposal's
   * transient map (key `documents`), hash to fingerprints this receivable
   * claims: the check behind the debtor's confirmation (确权). Its creditor
   * and debtor only; NOT_FOUND to anyone else.
   */
  @Transaction(false)
  async VerifyDocuments(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      const rcv = await store.get<Receivable>(ReceivableSpec.type, [cmd.id]);
      if (!rcv) throw new DomainError('NOT_FOUND', `receivable ${cmd.id} not found`);
      return verifyReceivableDocuments(rcv, actor, transientJson(ctx, DOCUMENTS_TRANSIENT_KEY));
    });
  }

  @Transaction()
  async Confirm(ctx: Context, command: string): Promise<string> {
    return this.run(ctx, command, ConfirmReceivableOperation);
  }

  /** Rejection releases the document fingerprints, so a corrected receivable can claim them. */
  @Transaction()
  async Reject(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'receivable:Reject', command, ReceivableActionCommand, async ({ store, actor, tx }, cmd) => {
      const before = await visibleReceivable(store, actor, cmd.id);
      await assertNotFrozen(store, receivableTargets(before));
      const after = rejectReceivable(before, actor, cmd.reason, tx);
      await releaseClaims(store, after, tx);
      await store.save(ReceivableSpec, before, after);
      return statusOutcome(EVENTS.ReceivableRejected, before, after);
    });
  }

  @Transaction()
  async Cancel(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'receivable:Cancel', command, ReceivableActionCommand, async ({ store, actor, tx }, cmd) => {
      const before = await visibleReceivable(store, actor, cmd.id);
      await assertNotFrozen(store, receivableTargets(before));
      const after = cancelReceivable(before, actor, tx);
      await releaseClaims(store, after, tx);
      await store.save(ReceivableSpec, before, after);
      return statusOutcome(EVENTS.ReceivableCancelled, before, after);
    });
  }

  /**
   * The debtor pays a factored (FINANCED) receivable on or after its due date
   * to the bank it was assigned to; the financing is REPAID in the same
   * transaction. (A vouchered receivable is paid through its vouchers.)
   */
  @Transaction()
  async Settle(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'receivable:Settle', command, SettleReceivableCommand, async ({ store, actor, tx }, cmd) => {
      const before = await visibleReceivable(store, actor, cmd.id);
      const finBefore = before.financingId ? await store.get<Financing>(FinancingSpec.type, [before.financingId]) : undefined;
      const payee = before.assignee ?? finBefore?.bank;
      await assertNotFrozen(store, payee === undefined ? receivableTargets(before) : [...receivableTargets(before), { type: 'MEMBER', id: payee }]);
      const { receivable, financing } = settleFactoredReceivable(before, finBefore, { paymentRef: cmd.paymentRef }, actor, tx);
      await store.save(ReceivableSpec, before, receivable);
      await saveFinancing(store, finBefore, financing, tx);
      return {
        result: receivable,
        event: {
          name: EVENTS.ReceivableSettled,
          ids: { receivableId: receivable.id, creditor: receivable.creditor, debtor: receivable.debtor, ...financingIds(financing) },
          changes: {
            status: { from: before.status, to: receivable.status },
            paidTo: receivable.settledTo ?? null,
            amount: receivable.amount,
            paymentRef: cmd.paymentRef,
            financingStatus: financing.status,
          },
        },
      };
    });
  }

  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => readableReceivable(store, actor, cmd.id));
  }

  /**
   * Lists by creditor, debtor, assignee (the bank a factored receivable is
   * assigned to) or status (in that order of preference for the index; other
   * filters apply to the rows). Without a filter, a member sees receivables
   * where it is creditor, then debtor, then (a bank) those factored to it;
   * auditors and operators must name a filter.
   */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListReceivablesQuery, async ({ store, actor }, q) => {
      const asCreditor = (party: string) => partyPrefix(ReceivableIndex.CREDITOR, ReceivableIndex.CREDITOR_ALL, party, q.status);
      const asDebtor = (party: string) => partyPrefix(ReceivableIndex.DEBTOR, ReceivableIndex.DEBTOR_ALL, party, q.status);
      const prefixes = q.creditor
        ? [asCreditor(q.creditor)]
        : q.debtor
          ? [asDebtor(q.debtor)]
          : q.assignee
            ? [{ index: ReceivableIndex.ASSIGNEE, attrs: [q.assignee] }]
            : q.status
              ? [{ index: ReceivableIndex.STATUS, attrs: [q.status] }]
              : isReader(actor)
                ? []
                : // A member's own: as creditor, as debtor, then (a bank) those factored to it.
                  [asCreditor(actor.member.id), asDebtor(actor.member.id), { index: ReceivableIndex.ASSIGNEE, attrs: [actor.member.id] }];
      if (prefixes.length === 0) {
        throw new DomainError('VALIDATION_FAILED', 'name a creditor, debtor, assignee or status to list receivables');
      }
      // A receivable under two of these (creditor and assignee, say) is met under the first (Store.page).
      return store.page(ReceivableSpec, prefixes, q.pageSize, q.bookmark, (r) =>
        canReadReceivable(actor, r) &&
        (!q.debtor || r.debtor === q.debtor) &&
        (!q.assignee || r.assignee === q.assignee) &&
        (!q.status || r.status === q.status),
      );
    });
  }

  @Transaction(false)
  async History(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      await readableReceivable(store, actor, cmd.id);
      return { id: cmd.id, versions: await store.history<Receivable>(ReceivableSpec.type, [cmd.id]) };
    });
  }
}

/**
 * A receivable the caller may read, the parties of a live financing on it
 * included (the bank deciding on a factoring request must see it).
 */
export async function readableReceivable(store: Store, actor: Actor, id: string): Promise<Receivable> {
  const r = await store.get<Receivable>(ReceivableSpec.type, [id]);
  const fin = r?.financingId ? await store.get<Financing>(FinancingSpec.type, [r.financingId]) : undefined;
  if (!r || !canReadReceivable(actor, r, liveFinancingParties(fin))) throw new DomainError('NOT_FOUND', `receivable ${id} not found`);
  return r;
}

/** A receivable and both its parties. */
export function receivableTargets(r: Receivable): FreezeTarget[] {
  return [
    { type: 'RECEIVABLE', id: r.id },
    { type: 'MEMBER', id: r.creditor },
    { type: 'MEMBER', id: r.debtor },
  ];
}

/** Every registry key a receivable claims: its documents' fingerprints, then its invoices' numbers. */
function claimsOf(receivable: Receivable): FingerprintRef[] {
  return [...receivable.documents, ...(receivable.invoiceNumbers ?? []).map((fingerprint) => ({ kind: 'INVOICE_NUMBER' as const, fingerprint }))];
}

async function releaseClaims(store: Store, receivable: Receivable, tx: TxInfo): Promise<void> {
  for (const doc of claimsOf(receivable)) {
    const claim = await store.get<FingerprintClaim>(FingerprintSpec.type, [doc.kind, doc.fingerprint]);
    if (claim && claim.assetId === receivable.id && claim.status === 'CLAIMED') {
      await store.save(FingerprintSpec, claim, releaseFingerprint(claim, tx));
    }
  }
}

function statusOutcome(name: EventName, before: Receivable, after: Receivable) {
  return {
    result: after,
    event: {
      name,
      ids: { receivableId: after.id, creditor: after.creditor, debtor: after.debtor },
      changes: { status: { from: before.status, to: after.status } },
    },
  };
}
