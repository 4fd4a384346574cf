import { Context, Info, Transaction } from 'fabric-contract-api';
import { canReadApproval, decideApproval, type Approval, type ApprovalAction } from '../domain/controls';
import { DomainError } from '../domain/errors';
import { EVENTS } from '../domain/events';
import { isReader } from '../domain/members';
import type { IdentityBinding, IdentityRef } from '../domain/types';
import { ApprovalIndex, ApprovalSpec, IdentitySpec } from '../ledger/specs';
import { operationNamed, parseCommand, ScfContract, type TxEnv } from './base';
import { ById, DecideApprovalCommand, ListApprovalsQuery } from './schemas';

/**
 * Dual control (双人授权): a CHECKER or ADMIN of the maker's member, other
 * than the maker, approves (executing the stored operation in this
 * transaction, against the state as it is now) or rejects.
 */
@Info({ title: 'approval', description: 'Maker-checker approvals of operations above a member threshold' })
export class ApprovalContract extends ScfContract {
  constructor() {
    super('approval');
  }

  @Transaction()
  async Approve(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'approval:Approve', command, DecideApprovalCommand, async (env, cmd) => {
      const { before, after } = await decide(env, cmd.id, 'APPROVE', cmd.reason);
      const op = operationNamed(before.transaction);
      if (!op) throw new Error(`approval ${before.id} names unknown operation ${before.transaction}`);
      const outcome = await op.body(env, parseCommand(op.schema, JSON.stringify(before.command)));
      await env.store.save(ApprovalSpec, before, after);
      return {
        result: { approval: after, result: outcome.result },
        // The one event of this transaction is the operation's own, naming the approval.
        event: { ...outcome.event, ids: { ...outcome.event.ids, approvalId: after.id } },
      };
    });
  }

  @Transaction()
  async Reject(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'approval:Reject', command, DecideApprovalCommand, async (env, cmd) => {
      const { before, after } = await decide(env, cmd.id, 'REJECT', cmd.reason);
      await env.store.save(ApprovalSpec, before, after);
      return {
        result: { approval: after },
        event: {
          name: EVENTS.ApprovalRejected,
          ids: { approvalId: after.id, memberId: after.memberId },
          changes: { status: { from: before.status, to: after.status }, reason: after.reason ?? null },
        },
      };
    });
  }

  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      const a = await store.get<Approval>(ApprovalSpec.type, [cmd.id]);
      if (!a || !canReadApproval(actor, a)) throw new DomainError('NOT_FOUND', `approval ${cmd.id} not found`);
      return a;
    });
  }

  /** A member's approvals (auditors and operators may name the member). */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListApprovalsQuery, async ({ store, actor }, q) => {
      const memberId = q.memberId ?? actor.member.id;
      if (memberId !== actor.member.id && !isReader(actor)) {
        return { records: [], bookmark: '', fetchedCount: 0 };
      }
      const attrs = q.status ? [memberId, q.status] : [memberId];
      return store.page(ApprovalSpec, [{ index: ApprovalIndex.MEMBER, attrs }], q.pageSize, q.bookmark, (a) => canReadApproval(actor, a));
    });
  }
}

async function decide(env: TxEnv, id: string, action: ApprovalAction, reason: string | undefined) {
  const before = await env.store.get<Approval>(ApprovalSpec.type, [id]);
  if (!before || !canReadApproval(env.actor, before)) throw new DomainError('NOT_FOUND', `approval ${id} not found`);
  // The maker's binding, for the one-person check (approving only): the maker
  // is of the approval's member, so of its MSP.
  const makerBinding = action === 'APPROVE' ? await env.store.get<IdentityBinding>(IdentitySpec.type, [env.actor.member.mspId, before.maker]) : undefined;
  const binders =
    makerBinding === undefined ? undefined : { maker: await bindersOf(env.store, makerBinding), checker: await bindersOf(env.store, env.actor.identity) };
  const after = decideApproval(before, action, env.actor, reason, env.tx, makerBinding, binders);
  if (action === 'APPROVE' && makerBinding?.memberId !== before.memberId) {
    // Unbound since (it may be bound elsewhere now): nobody can tell any more
    // whose person made the request, so it lapses; a checker rejects it.
    throw new DomainError('INVALID_STATE', `the maker of approval ${before.id} is no longer bound to member ${before.memberId}: reject it, and ask again`);
  }
  return { before, after };
}

/**
 * Every identity of the binding's own member up the chain of who bound whom
 * (boundBy), nearest first: whoever bound an identity may hold its key, and
 * so may whoever bound that one. Stops at a binder of another member (the
 * operator vets whom it binds), one no longer bound, or after MAX_BINDERS.
 */
const MAX_BINDERS = 16;
async function bindersOf(store: TxEnv['store'], binding: IdentityBinding): Promise<IdentityRef[]> {
  const out: IdentityRef[] = [];
  let by = binding.boundBy;
  while (by && by.memberId === binding.memberId && out.length < MAX_BINDERS && !out.some((x) => x.mspId === by!.mspId && x.identityId === by!.identityId)) {
    if (by.mspId === binding.mspId && by.identityId === binding.identityId) break;
    out.push({ mspId: by.mspId, identityId: by.identityId });
    const next: IdentityBinding | undefined = await store.get<IdentityBinding>(IdentitySpec.type, [by.mspId, by.identityId]);
    by = next?.memberId === binding.memberId ? next.boundBy : undefined;
  }
  return out;
}
