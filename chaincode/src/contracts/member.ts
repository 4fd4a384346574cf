import { Context, Info, Transaction } from 'fabric-contract-api';
import { setDualControlThreshold } from '../domain/controls';
import { DomainError } from '../domain/errors';
import { EVENTS, type EventName } from '../domain/events';
import {
  acceptBinding,
  assertBoundTo,
  assertMayBindIdentity,
  assertMayListMembers,
  amendMember,
  assertMayListIdentities,
  assertMayUnbind,
  assertNotAuditor,
  assertOperator,
  assertRole,
  bindIdentity,
  bootstrapOperator,
  memberAsSeenBy,
  reinstateMember,
  registerMember,
  suspendMember,
} from '../domain/members';
import type { BindingOffer, IdentityBinding, Member } from '../domain/types';
import { bindingRef, boundActor, callerOf, resolveActor } from '../ledger/identity';
import { assertNotFrozen } from '../ledger/freezes';
import { DEFAULT_PAGE_SIZE, Store } from '../ledger/store';
import { IdentityIndex, IdentitySpec, MemberSpec } from '../ledger/specs';
import { marshalString } from '../ledger/codec';
import { ScfContract, parseCommand, txInfoOf } from './base';
import {
  AcceptBindingCommand,
  BindIdentityCommand,
  DualControlCommand,
  AmendMemberCommand,
  BootstrapCommand,
  Empty,
  ListIdentitiesQuery,
  ListMembersQuery,
  MemberById,
  MemberStatusCommand,
  RegisterMemberCommand,
  UnbindIdentityCommand,
} from './schemas';

/** The one key Bootstrap writes, once: it makes a second Bootstrap fail. */
const BOOTSTRAP_TYPE = 'BOOTSTRAP';

/** The event of a binding made, accepted or removed: the same ids and fields for each. */
function identityEvent(name: EventName, b: IdentityBinding, changes: object = {}) {
  return {
    name,
    ids: { memberId: b.memberId, identityId: b.identityId },
    changes: { mspId: b.mspId, userRole: b.userRole, ...changes },
  };
}

@Info({ title: 'member', description: 'Members (the white list), roles and identity bindings' })
export class MemberContract extends ScfContract {
  constructor() {
    super('member');
  }

  /** Registers the operator member and binds the caller as its ADMIN. Succeeds once. */
  @Transaction()
  async Bootstrap(ctx: Context, command: string): Promise<string> {
    const store = new Store(ctx.stub);
    // An identity already bound to an auditor is refused as in every write.
    const bound = await boundActor(store, ctx);
    if (bound) assertNotAuditor(bound);
    const cmd = parseCommand(BootstrapCommand, command);
    const tx = { ...txInfoOf(ctx), actor: cmd.member.id };
    const caller = callerOf(ctx);
    // Once bootstrapped, only the operator's own identities get as far as the
    // requestId lookup (a retry of the Bootstrap answers its first result):
    // the member id is the caller's to choose, and anyone else could probe
    // that member's requestIds through it.
    if (bound?.member.id !== cmd.member.id) {
      const done = await store.get<{ memberId: string }>(BOOTSTRAP_TYPE, ['scf']);
      if (done) throw new DomainError('ALREADY_EXISTS', `the ledger was already bootstrapped by ${done.memberId}`);
    }
    return this.once(ctx, store, cmd.member.id, 'member:Bootstrap', cmd, async () => {
      const done = await store.get<{ memberId: string }>(BOOTSTRAP_TYPE, ['scf']);
      if (done) throw new DomainError('ALREADY_EXISTS', `the ledger was already bootstrapped by ${done.memberId}`);
      const member = bootstrapOperator(cmd, caller.mspId, tx);
      const identity = bindIdentity(
        { memberId: member.id, mspId: caller.mspId, identityId: caller.identityId, userRole: 'ADMIN' },
        member,
        undefined,
        tx,
        'itself',
      );
      await store.put(BOOTSTRAP_TYPE, ['scf'], { memberId: member.id, txId: tx.txId });
      await store.save(MemberSpec, undefined, member);
      await store.save(IdentitySpec, undefined, identity);
      return {
        result: member,
        event: {
          name: EVENTS.LedgerBootstrapped,
          ids: { memberId: member.id },
          changes: { roles: member.roles, admin: identity.identityId },
        },
      };
    });
  }

  @Transaction()
  async Register(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'member:Register', command, RegisterMemberCommand, async ({ store, actor, tx }, cmd) => {
      assertRole(actor, 'OPERATOR');
      const existing = await store.get<Member>(MemberSpec.type, [cmd.id]);
      if (existing) throw new DomainError('ALREADY_EXISTS', `member ${cmd.id} is already registered`);
      const member = registerMember(cmd, tx);
      await store.save(MemberSpec, undefined, member);
      return {
        result: member,
        event: { name: EVENTS.MemberRegistered, ids: { memberId: member.id }, changes: { roles: member.roles, status: member.status } },
      };
    });
  }

  @Transaction()
  async Suspend(ctx: Context, command: string): Promise<string> {
    return this.changeStatus(ctx, 'member:Suspend', command, suspendMember, EVENTS.MemberSuspended);
  }

  @Transaction()
  async Reinstate(ctx: Context, command: string): Promise<string> {
    return this.changeStatus(ctx, 'member:Reinstate', command, reinstateMember, EVENTS.MemberReinstated);
  }

  /** The operator corrects a member's name or MSP (amendMember), with a reason kept in the event. */
  @Transaction()
  async Amend(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'member:Amend', command, AmendMemberCommand, async ({ store, actor, tx }, cmd) => {
      assertOperator(actor);
      const before = await store.get<Member>(MemberSpec.type, [cmd.id]);
      if (!before) throw new DomainError('NOT_FOUND', `member ${cmd.id} not found`);
      // Read as a range: a binding committed meanwhile makes this transaction conflict (phantom read).
      const hasIdentities = cmd.mspId !== undefined && cmd.mspId !== before.mspId && (await store.firstId({ index: IdentityIndex.MEMBER, attrs: [before.id] })) !== undefined;
      const after = amendMember(before, { name: cmd.name, mspId: cmd.mspId }, hasIdentities, tx);
      await store.save(MemberSpec, before, after);
      const changed = (field: 'name' | 'mspId') => (before[field] !== after[field] ? { [field]: { from: before[field], to: after[field] } } : {});
      return {
        result: after,
        event: { name: EVENTS.MemberAmended, ids: { memberId: after.id }, changes: { ...changed('name'), ...changed('mspId'), reason: cmd.reason ?? null } },
      };
    });
  }

  @Transaction()
  async BindIdentity(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'member:BindIdentity', command, BindIdentityCommand, async ({ store, actor, tx }, cmd) => {
      assertMayBindIdentity(actor, cmd.memberId, cmd.userRole);
      const member = await store.get<Member>(MemberSpec.type, [cmd.memberId]);
      if (!member) throw new DomainError('NOT_FOUND', `member ${cmd.memberId} not found`);
      const existing = await store.get<IdentityBinding>(IdentitySpec.type, [cmd.mspId, cmd.identityId]);
      const identity = bindIdentity(cmd, member, existing, tx, actor);
      await store.save(IdentitySpec, existing, identity);
      return {
        result: identity,
        event: identityEvent(EVENTS.IdentityBound, identity),
      };
    });
  }

  /**
   * The caller accepts the binding its member's ADMIN offered it
   * (acceptBinding). Not through mutate: an offered identity is nobody's
   * actor until this commits. Check order as everywhere: the caller (an
   * identity with no binding at all is FORBIDDEN), the command, then the
   * binding's member (NOT_FOUND for any other, before the requestId lookup,
   * so no identity probes another member's requests through it).
   */
  @Transaction()
  async AcceptBinding(ctx: Context, command: string): Promise<string> {
    const store = new Store(ctx.stub);
    const binding = await store.get<IdentityBinding>(...bindingRef(ctx));
    // One in force is an actor like any: an auditor never writes, whatever it sends.
    if (!binding?.pendingAcceptance) assertNotAuditor(await resolveActor(store, ctx));
    const cmd = parseCommand(AcceptBindingCommand, command);
    const tx = { ...txInfoOf(ctx), actor: cmd.memberId };
    assertBoundTo(binding, cmd.memberId);
    return this.once(ctx, store, cmd.memberId, 'member:AcceptBinding', cmd, async () => {
      const member = await store.get<Member>(MemberSpec.type, [cmd.memberId]);
      const accepted = acceptBinding(binding, cmd.memberId, member, tx);
      await assertNotFrozen(store, [{ type: 'MEMBER', id: cmd.memberId }], { own: true });
      await store.save(IdentitySpec, binding, accepted);
      return {
        result: accepted,
        event: identityEvent(EVENTS.IdentityBindingAccepted, accepted),
      };
    });
  }

  /** Removes an identity's binding (assertMayUnbind): from then on it is refused everywhere, as an unbound identity. */
  @Transaction()
  async UnbindIdentity(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'member:UnbindIdentity', command, UnbindIdentityCommand, async ({ store, actor, tx }, cmd) => {
      assertMayBindIdentity(actor, cmd.memberId);
      const existing = await store.get<IdentityBinding>(IdentitySpec.type, [cmd.mspId, cmd.identityId]);
      const binding = assertMayUnbind(actor, cmd.memberId, existing);
      await store.remove(IdentitySpec, binding);
      return {
        result: { ...binding, unboundAt: tx.now, unboundTxId: tx.txId, ...(cmd.reason !== undefined ? { reason: cmd.reason } : {}) },
        event: identityEvent(EVENTS.IdentityUnbound, binding, { reason: cmd.reason ?? null }),
      };
    });
  }

  /** Sets (or, with null, clears) the member's dual-control threshold. */
  @Transaction()
  async SetDualControl(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'member:SetDualControl', command, DualControlCommand, async ({ store, actor, tx }, cmd) => {
      const before = await store.get<Member>(MemberSpec.type, [cmd.id]);
      if (!before) throw new DomainError('NOT_FOUND', `member ${cmd.id} not found`);
      const after = setDualControlThreshold(before, cmd.threshold ?? undefined, actor, tx);
      await store.save(MemberSpec, before, after);
      return {
        result: after,
        event: {
          name: EVENTS.MemberDualControlSet,
          ids: { memberId: after.id },
          changes: { dualControlThreshold: { from: before.dualControlThreshold ?? null, to: after.dualControlThreshold ?? null } },
        },
      };
    });
  }

  /** Any bound identity may read the member directory (counterparties must be checkable), as memberAsSeenBy shows it. */
  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, MemberById, async ({ store, actor }, cmd) => {
      const member = await store.get<Member>(MemberSpec.type, [cmd.id]);
      if (!member) throw new DomainError('NOT_FOUND', `member ${cmd.id} not found`);
      return memberAsSeenBy(actor, member);
    });
  }

  /**
   * The members, in id order, of one role or status if asked (OPERATOR,
   * AUDITOR). pageSize bounds the members read per call, so a filtered page
   * may hold fewer and still have a bookmark.
   */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListMembersQuery, async ({ store, actor }, q) => {
      assertMayListMembers(actor);
      const wanted = (m: Member) => (q.role === undefined || m.roles.includes(q.role)) && (q.status === undefined || m.status === q.status);
      return store.scan(MemberSpec, { records: true, prefix: { index: MemberSpec.type, attrs: [] } }, q.pageSize ?? DEFAULT_PAGE_SIZE, q.bookmark, wanted);
    });
  }

  /**
   * A member's identities, in force and offered (pendingAcceptance), in MSP
   * and identity id order: who can sign for it (assertMayListIdentities).
   * An unbound identity is not listed; its IdentityUnbound event and the
   * binding's key history keep it.
   */
  @Transaction(false)
  async Identities(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListIdentitiesQuery, async ({ store, actor }, q) => {
      assertMayListIdentities(actor, q.memberId);
      if (!(await store.get<Member>(MemberSpec.type, [q.memberId]))) throw new DomainError('NOT_FOUND', `member ${q.memberId} not found`);
      return store.page(IdentitySpec, [{ index: IdentityIndex.MEMBER, attrs: [q.memberId] }], q.pageSize, q.bookmark, () => true);
    });
  }

  /**
   * The binding offered to the caller and the member that offers it (id,
   * name, roles, status), for the identity to see before it accepts
   * (AcceptBinding); NOT_FOUND when nothing is offered to it (unbound, or
   * its binding in force). The one thing an offered identity reads.
   */
  @Transaction(false)
  async Offer(ctx: Context, command: string): Promise<string> {
    parseCommand(Empty, command);
    const store = new Store(ctx.stub);
    const binding = await store.get<IdentityBinding>(...bindingRef(ctx));
    const member = binding?.pendingAcceptance ? await store.get<Member>(MemberSpec.type, [binding.memberId]) : undefined;
    if (!binding || !member) throw new DomainError('NOT_FOUND', 'no binding is offered to this identity');
    const offer: BindingOffer = { identity: binding, member: { id: member.id, name: member.name, roles: member.roles, status: member.status } };
    return marshalString(offer);
  }

  @Transaction(false)
  async WhoAmI(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, Empty, ({ actor }) => ({ member: actor.member, identity: actor.identity }));
  }

  private async changeStatus(
    ctx: Context,
    transaction: string,
    command: string,
    change: (m: Member, tx: ReturnType<typeof txInfoOf>, reason?: string) => Member,
    eventName: EventName,
  ): Promise<string> {
    return this.mutate(ctx, transaction, command, MemberStatusCommand, async ({ store, actor, tx }, cmd) => {
      assertRole(actor, 'OPERATOR');
      const before = await store.get<Member>(MemberSpec.type, [cmd.id]);
      if (!before) throw new DomainError('NOT_FOUND', `member ${cmd.id} not found`);
      if (before.id === actor.member.id) throw new DomainError('FORBIDDEN', 'the operator cannot change its own status');
      const after = change(before, tx, cmd.reason);
      await store.save(MemberSpec, before, after);
      return {
        result: after,
        event: { name: eventName, ids: { memberId: after.id }, changes: { status: after.status, reason: cmd.reason ?? null } },
      };
    });
  }
}
