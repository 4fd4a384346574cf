import { DomainError } from './errors';
import { assertActive, assertMayWrite, assertRole, hasRole, mayBeOnePerson } from './members';
import { parseAmount } from './money';
import { newMeta, touch } from './meta';
import { nextStatus, type Transition } from './statemachine';
import type { Actor, IdentityBinding, IdentityRef, Member, Meta, TxInfo } from './types';
import { lineageIds } from './vouchers';

/*
 * Controls over the ledger: dual control (双人授权) of large operations and
 * judicial freezes (司法冻结) of members and assets.
 */

// ---- dual control ----

export const APPROVAL_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];
export type ApprovalAction = 'APPROVE' | 'REJECT';

export const APPROVAL_TRANSITIONS: readonly Transition<ApprovalStatus, ApprovalAction>[] = [
  { from: 'PENDING', action: 'APPROVE', to: 'APPROVED' },
  { from: 'PENDING', action: 'REJECT', to: 'REJECTED' },
];

/** A maker's request awaiting a checker: the operation and its validated command. */
export type Approval = {
  docType: 'approval';
  id: string;
  memberId: string;
  /** The transaction the approval executes, e.g. `voucher:Issue`. */
  transaction: string;
  command: Record<string, unknown>;
  /** The amount that crossed the member's threshold. */
  amount: string;
  threshold: string;
  status: ApprovalStatus;
  maker: string;
  checker?: string;
  reason?: string;
  decidedAt?: string;
} & Meta;

export function requestApproval(
  input: { id: string; transaction: string; command: Record<string, unknown>; amount: string },
  maker: Actor,
  tx: TxInfo,
): Approval {
  assertActive(maker);
  const threshold = maker.member.dualControlThreshold;
  if (threshold === undefined) throw new DomainError('BUSINESS_RULE', `member ${maker.member.id} has no dual-control threshold`);
  return {
    docType: 'approval',
    id: input.id,
    memberId: maker.member.id,
    transaction: input.transaction,
    command: input.command,
    amount: input.amount,
    threshold,
    status: 'PENDING',
    maker: maker.identity.identityId,
    ...newMeta(tx),
  };
}

/**
 * One decision at a time: while a request about a target (a financing's
 * approval, a credit line's adjustment, a pair's new line) awaits its
 * checker, the member's second request about it is refused, naming the one
 * pending (ALREADY_EXISTS). Two pending sets of terms for one financing
 * would let the checker approve either, and leave the other pending for
 * good. The maker withdraws (rejects) its request to ask again otherwise.
 * `open` is the approval last requested about the target, if any.
 */
export function assertNoPendingApproval(open: Approval | undefined, what: string): void {
  if (open?.status === 'PENDING') {
    throw new DomainError(
      'ALREADY_EXISTS',
      `${what} already awaits approval ${open.id} (requested by ${open.maker} at ${open.createdAt}): approve or reject it first`,
    );
  }
}

/**
 * A checker decides: a different identity of the same member with user role
 * CHECKER or ADMIN. The maker approving its own request is FORBIDDEN; the
 * maker may withdraw (reject) it. Approving is FORBIDDEN too when the two
 * identities may be one person (`makerBinding`, the maker's binding, and the
 * checker's meet in mayBeOnePerson): an ADMIN approving a request of a MAKER
 * it bound, a MAKER it bound approving the ADMIN's, or two it bound. Whoever
 * binds an identity may hold its key, so the ledger cannot tell them apart;
 * and so may whoever bound the binder (`binders`, the chains within the
 * member): an operator ADMIN that binds a second ADMIN, which binds a
 * CHECKER, does not get a checker of its own requests so.
 */
export function decideApproval(
  a: Approval,
  action: ApprovalAction,
  checker: Actor,
  reason: string | undefined,
  tx: TxInfo,
  makerBinding?: IdentityBinding,
  /** Who bound each of the two, up the chain within the member (contracts: bindersOf). */
  binders?: { maker: readonly IdentityRef[]; checker: readonly IdentityRef[] },
): Approval {
  assertActive(checker);
  if (checker.member.id !== a.memberId) throw new DomainError('NOT_FOUND', `approval ${a.id} not found`);
  const isMaker = checker.identity.identityId === a.maker;
  if (action === 'APPROVE' && isMaker) throw new DomainError('FORBIDDEN', `the maker of approval ${a.id} cannot approve it`);
  if (!isMaker && checker.identity.userRole === 'MAKER') {
    throw new DomainError('FORBIDDEN', `approval ${a.id} needs a CHECKER or ADMIN of member ${a.memberId}`);
  }
  if (action === 'APPROVE' && makerBinding && mayBeOnePerson(makerBinding, checker.identity)) {
    throw new DomainError(
      'FORBIDDEN',
      `approval ${a.id}: its maker and this identity were bound one by the other, or both by one ADMIN, so may be one person; another CHECKER or ADMIN of member ${a.memberId} approves it`,
    );
  }
  const among = (list: readonly IdentityRef[] | undefined, who: IdentityRef) => (list ?? []).some((x) => x.mspId === who.mspId && x.identityId === who.identityId);
  if (action === 'APPROVE' && makerBinding && (among(binders?.checker, makerBinding) || among(binders?.maker, checker.identity))) {
    throw new DomainError(
      'FORBIDDEN',
      `approval ${a.id}: its maker bound this identity, or an identity that bound it (or the other way round), so may hold its key; a CHECKER or ADMIN of member ${a.memberId} that neither bound approves it`,
    );
  }
  const status = nextStatus(APPROVAL_TRANSITIONS, `approval ${a.id}`, a.status, action);
  return {
    ...touch(a, tx),
    status,
    checker: checker.identity.identityId,
    decidedAt: tx.now,
    ...(reason !== undefined ? { reason } : {}),
  };
}

export function canReadApproval(actor: Actor, a: Approval): boolean {
  return actor.member.id === a.memberId || hasRole(actor, 'AUDITOR') || hasRole(actor, 'OPERATOR');
}

// ---- freezes ----

export const FREEZE_TARGET_TYPES = ['MEMBER', 'RECEIVABLE', 'VOUCHER', 'WAREHOUSE_RECEIPT'] as const;
export type FreezeTargetType = (typeof FREEZE_TARGET_TYPES)[number];
export interface FreezeTarget {
  type: FreezeTargetType;
  id: string;
}

/**
 * A freeze on a piece or receipt covers everything split from it: the
 * targets of one are it and each ancestor up to the root (ancestor ids are
 * prefixes of its id), named by the id alone.
 */
export function lineageTargets(type: 'VOUCHER' | 'WAREHOUSE_RECEIPT', id: string): FreezeTarget[] {
  return lineageIds(id).map((ancestor) => ({ type, id: ancestor }));
}

export const FREEZE_STATUSES = ['ACTIVE', 'LIFTED'] as const;
export type FreezeStatus = (typeof FREEZE_STATUSES)[number];
export const FREEZE_TRANSITIONS: readonly Transition<FreezeStatus, 'LIFT'>[] = [{ from: 'ACTIVE', action: 'LIFT', to: 'LIFTED' }];

export type Freeze = {
  docType: 'freeze';
  id: string;
  target: FreezeTarget;
  reason: string;
  status: FreezeStatus;
  orderedBy: string;
  liftedBy?: string;
  liftReason?: string;
  liftedAt?: string;
} & Meta;

/** The pointer kept under the target while a freeze is in force. */
export interface ActiveFreeze {
  freezeId: string;
  reason: string;
}

/**
 * Only an active OPERATOR orders or lifts freezes. The contracts check it
 * before looking anything up, so a caller without the role learns nothing
 * about which targets or freezes exist.
 */
export function assertFreezeAuthority(actor: Actor): void {
  assertActive(actor);
  assertRole(actor, 'OPERATOR');
}

/**
 * The OPERATOR freezes a member or an asset on a court order. A target has
 * at most one freeze in force; the operator member itself cannot be frozen
 * (it must stay able to lift freezes).
 */
export function orderFreeze(
  input: { id: string; target: FreezeTarget; reason: string },
  actor: Actor,
  current: ActiveFreeze | undefined,
  targetMember: Member | undefined,
  tx: TxInfo,
): Freeze {
  assertFreezeAuthority(actor);
  if (current) {
    throw new DomainError('INVALID_STATE', `${describeTarget(input.target)} is already frozen by ${current.freezeId}`);
  }
  if (input.target.type === 'MEMBER' && targetMember && hasRole(targetMember, 'OPERATOR')) {
    throw new DomainError('BUSINESS_RULE', 'an operator member cannot be frozen');
  }
  return {
    docType: 'freeze',
    id: input.id,
    target: input.target,
    reason: input.reason,
    status: 'ACTIVE',
    orderedBy: actor.member.id,
    ...newMeta(tx),
  };
}

export function liftFreeze(f: Freeze, actor: Actor, reason: string | undefined, tx: TxInfo): Freeze {
  assertFreezeAuthority(actor);
  const status = nextStatus(FREEZE_TRANSITIONS, `freeze ${f.id}`, f.status, 'LIFT');
  return {
    ...touch(f, tx),
    status,
    liftedBy: actor.member.id,
    liftedAt: tx.now,
    ...(reason !== undefined ? { liftReason: reason } : {}),
  };
}

export function describeTarget(t: FreezeTarget): string {
  return `${t.type.toLowerCase().replace('_', ' ')} ${t.id}`;
}

/**
 * FROZEN naming the freeze and its reason, except for a member frozen that is
 * not the caller: a court order against a counterparty is the business of the
 * operator, auditors and that member, so others learn only that it is frozen.
 */
export function frozenError(target: FreezeTarget, active: ActiveFreeze, own = false): DomainError {
  if (target.type === 'MEMBER' && !own) return new DomainError('FROZEN', `${describeTarget(target)} is frozen`);
  return new DomainError('FROZEN', `${describeTarget(target)} is frozen by ${active.freezeId}: ${active.reason}`);
}

/**
 * A member's dual-control threshold is its own internal-control policy. Its
 * ADMIN may switch it on or make it stricter (a lower figure makes more
 * operations two-step); relaxing it (a higher figure, or off) would let one
 * person undo the control alone, so only the OPERATOR may relax it (on the
 * member's written request, outside the ledger). Absent = off.
 */
export function setDualControlThreshold(member: Member, threshold: string | undefined, actor: Actor, tx: TxInfo): Member {
  assertMayWrite(actor);
  const operator = hasRole(actor, 'OPERATOR');
  const ownAdmin = actor.member.id === member.id && actor.identity.userRole === 'ADMIN';
  if (!ownAdmin && !operator) {
    throw new DomainError('FORBIDDEN', `only an ADMIN of ${member.id} or the operator may set its dual-control threshold`);
  }
  const next = threshold === undefined ? undefined : parseAmount(threshold, 'threshold');
  if (next !== undefined && next < 1n) throw new DomainError('VALIDATION_FAILED', 'threshold: must be at least 1');
  const current = member.dualControlThreshold === undefined ? undefined : parseAmount(member.dualControlThreshold, 'dualControlThreshold');
  const relaxes = current !== undefined && (next === undefined || next > current);
  if (relaxes && !operator) {
    throw new DomainError('FORBIDDEN', `relaxing the dual-control threshold of ${member.id} needs the operator: one ADMIN alone could otherwise undo the control`);
  }
  const updated: Member = { ...touch(member, tx) };
  if (threshold === undefined) delete updated.dualControlThreshold;
  else updated.dualControlThreshold = threshold;
  return updated;
}

/** Who may read a freeze: the operator, auditors, and the frozen member itself (NOT_FOUND to anyone else). */
export function canReadFreeze(actor: Actor, f: Freeze): boolean {
  return (
    hasRole(actor, 'OPERATOR') ||
    hasRole(actor, 'AUDITOR') ||
    (f.target.type === 'MEMBER' && f.target.id === actor.member.id)
  );
}
