import { Context, Info, Transaction } from 'fabric-contract-api';
import { assertFreezeAuthority, canReadFreeze, liftFreeze, orderFreeze, type ActiveFreeze, type Freeze, type FreezeTarget } from '../domain/controls';
import { DomainError } from '../domain/errors';
import { EVENTS } from '../domain/events';
import type { Member } from '../domain/types';
import { activeFreeze, FROZEN_TYPE } from '../ledger/freezes';
import type { Store } from '../ledger/store';
import { AssetRecordType, FreezeIndex, FreezeSpec, MemberSpec } from '../ledger/specs';
import { ScfContract } from './base';
import { ById, FreezeCommand, ListFreezesQuery, UnfreezeCommand } from './schemas';

/**
 * Judicial freezes (司法冻结): the OPERATOR freezes a member or an asset with
 * a reason; while in force every mutation touching it fails with FROZEN.
 * The freeze record's key history shows who froze and lifted what, and why.
 */
@Info({ title: 'freeze', description: 'Judicial freezes of members and assets' })
export class FreezeContract extends ScfContract {
  constructor() {
    super('freeze');
  }

  @Transaction()
  async Freeze(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'freeze:Freeze', command, FreezeCommand, async ({ store, actor, tx }, cmd) => {
      assertFreezeAuthority(actor);
      const id = cmd.id ?? `FRZ-${tx.txId.slice(0, 16).toUpperCase()}`;
      if (await store.get<Freeze>(FreezeSpec.type, [id])) throw new DomainError('ALREADY_EXISTS', `freeze ${id} already exists`);
      const targetMember = await requireTarget(store, cmd.target);
      const freeze = orderFreeze({ id, target: cmd.target, reason: cmd.reason }, actor, await activeFreeze(store, cmd.target), targetMember, tx);
      const pointer: ActiveFreeze = { freezeId: freeze.id, reason: freeze.reason };
      await store.put(FROZEN_TYPE, [cmd.target.type, cmd.target.id], pointer);
      await store.save(FreezeSpec, undefined, freeze);
      return {
        result: freeze,
        event: { name: EVENTS.AssetFrozen, ids: { freezeId: freeze.id, targetType: cmd.target.type, targetId: cmd.target.id }, changes: { reason: freeze.reason } },
      };
    });
  }

  @Transaction()
  async Unfreeze(ctx: Context, command: string): Promise<string> {
    return this.mutate(ctx, 'freeze:Unfreeze', command, UnfreezeCommand, async ({ store, actor, tx }, cmd) => {
      assertFreezeAuthority(actor);
      const before = await store.get<Freeze>(FreezeSpec.type, [cmd.id]);
      if (!before || !canReadFreeze(actor, before)) throw new DomainError('NOT_FOUND', `freeze ${cmd.id} not found`);
      const after = liftFreeze(before, actor, cmd.reason, tx);
      await store.delete(FROZEN_TYPE, [before.target.type, before.target.id]);
      await store.save(FreezeSpec, before, after);
      return {
        result: after,
        event: {
          name: EVENTS.AssetUnfrozen,
          ids: { freezeId: after.id, targetType: after.target.type, targetId: after.target.id },
          changes: { status: { from: before.status, to: after.status }, reason: after.liftReason ?? null },
        },
      };
    });
  }

  @Transaction(false)
  async Get(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      const f = await store.get<Freeze>(FreezeSpec.type, [cmd.id]);
      if (!f || !canReadFreeze(actor, f)) throw new DomainError('NOT_FOUND', `freeze ${cmd.id} not found`);
      return f;
    });
  }

  @Transaction(false)
  async History(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ById, async ({ store, actor }, cmd) => {
      const f = await store.get<Freeze>(FreezeSpec.type, [cmd.id]);
      if (!f || !canReadFreeze(actor, f)) throw new DomainError('NOT_FOUND', `freeze ${cmd.id} not found`);
      return { id: cmd.id, versions: await store.history<Freeze>(FreezeSpec.type, [cmd.id]) };
    });
  }

  /** Freezes of one target, or by status; visible to operators, auditors and a frozen member itself. */
  @Transaction(false)
  async List(ctx: Context, command: string): Promise<string> {
    return this.query(ctx, command, ListFreezesQuery, async ({ store, actor }, q) => {
      const prefixes = q.target
        ? [{ index: FreezeIndex.TARGET, attrs: [q.target.type, q.target.id] }]
        : [{ index: FreezeIndex.STATUS, attrs: q.status ? [q.status] : [] }];
      return store.page(FreezeSpec, prefixes, q.pageSize, q.bookmark, (f) => canReadFreeze(actor, f) && (!q.status || f.status === q.status));
    });
  }
}

/** The target must exist; for a member target, returns the member. */
async function requireTarget(store: Store, target: FreezeTarget): Promise<Member | undefined> {
  if (target.type === 'MEMBER') {
    const m = await store.get<Member>(MemberSpec.type, [target.id]);
    if (!m) throw new DomainError('NOT_FOUND', `member ${target.id} not found`);
    return m;
  }
  if (!(await store.get(AssetRecordType[target.type], [target.id]))) {
    throw new DomainError('NOT_FOUND', `${target.type.toLowerCase()} ${target.id} not found`);
  }
  return undefined;
}
