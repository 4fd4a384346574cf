import { DomainError } from './errors';
import { newMeta, touch } from './meta';
import { parseAmount, parsePositiveAmount } from './money';
import {
  ROLES,
  USER_ROLES,
  type Actor,
  type BindIdentityCommand,
  type BootstrapCommand,
  type IdentityBinding,
  type IdentityRef,
  type Member,
  type RegisterMemberCommand,
  type Role,
  type TxInfo,
} from './types';
import { assertUscc } from './uscc';
import { assertArray, assertOneOf, assertPattern, assertRecord, assertString, assertText, invalid, optionalText } from './validation';

/** Fabric MSP ids: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const MSP_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_NAME_LENGTH = 200;
export const MAX_REASON_LENGTH = 500;
export const MAX_IDENTITY_ID_LENGTH = 1024;

export function assertMspId(value: unknown, field: string): string {
  return assertPattern(value, MSP_ID_RE, field, 'an MSP id (letters, digits, ".", "_", "-"; at most 64)');
}

/**
 * Roles of a registered member: a non-empty set, stored in the canonical
 * order of ROLES. Decisions where DESIGN is silent:
 * - OPERATOR is granted only by Bootstrap, never by Register (one platform
 *   operator; no way for it to mint another).
 * - AUDITOR "never writes", so it cannot be combined with a role that writes.
 */
export function normalizeRoles(value: unknown, field = 'roles'): Role[] {
  const list = assertArray(value, field);
  if (list.length === 0) throw invalid(field, 'must name at least one role');
  const seen = new Set<Role>();
  for (const [i, r] of list.entries()) {
    const role = assertOneOf(r, ROLES, `${field}[${i}]`);
    if (seen.has(role)) throw invalid(field, `lists ${role} twice`);
    seen.add(role);
  }
  if (seen.has('OPERATOR')) throw invalid(field, 'cannot include OPERATOR: the operator is created by Bootstrap only');
  if (seen.has('AUDITOR') && seen.size > 1) throw invalid(field, 'cannot combine AUDITOR (read-only) with other roles');
  return ROLES.filter((r) => seen.has(r));
}

function assertDualControlThreshold(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return parsePositiveAmount(value, 'dualControlThreshold').toString();
}

function assertNotExisting(existing: Member | undefined, id: string): void {
  if (existing) throw new DomainError('ALREADY_EXISTS', `member ${id} already exists`);
}

/** A new ACTIVE member. The caller must be an active OPERATOR (assertOperator). `existing` is the record at that id, if any. */
export function registerMember(cmd: RegisterMemberCommand, tx: TxInfo, existing?: Member): Member {
  const c = assertRecord(cmd, 'command');
  const id = assertUscc(c.id, 'id');
  const name = assertText(c.name, 'name', MAX_NAME_LENGTH);
  const mspId = assertMspId(c.mspId, 'mspId');
  const roles = normalizeRoles(c.roles);
  const threshold = assertDualControlThreshold(c.dualControlThreshold);
  assertNotExisting(existing, id);
  return {
    docType: 'member',
    id,
    name,
    mspId,
    roles,
    status: 'ACTIVE',
    ...(threshold !== undefined ? { dualControlThreshold: threshold } : {}),
    ...newMeta(tx),
  };
}

/**
 * The operator member from the first Bootstrap. The caller's MSP must be the
 * one named in the command (FORBIDDEN otherwise); `alreadyBootstrapped` is the
 * contracts layer's knowledge that a Bootstrap has succeeded before
 * (ALREADY_EXISTS). The contracts layer then binds the caller as ADMIN with
 * bindIdentity.
 */
export function bootstrapOperator(cmd: BootstrapCommand, callerMspId: string, tx: TxInfo, alreadyBootstrapped = false): Member {
  const c = assertRecord(cmd, 'command');
  const m = assertRecord(c.member, 'member');
  const id = assertUscc(m.id, 'member.id');
  const name = assertText(m.name, 'member.name', MAX_NAME_LENGTH);
  const mspId = assertMspId(m.mspId, 'member.mspId');
  if (callerMspId !== mspId) {
    throw new DomainError('FORBIDDEN', `bootstrap must be submitted by an identity of ${mspId}, not ${callerMspId}`);
  }
  if (alreadyBootstrapped) throw new DomainError('ALREADY_EXISTS', 'the ledger is already bootstrapped');
  return { docType: 'member', id, name, mspId, roles: ['OPERATOR'], status: 'ACTIVE', ...newMeta(tx) };
}

/**
 * ACTIVE -> SUSPENDED. An OPERATOR member cannot be suspended: nobody could
 * reinstate it (decision; DESIGN is silent).
 */
export function suspendMember(m: Member, tx: TxInfo, reason?: string): Member {
  const why = optionalText(reason, 'reason', MAX_REASON_LENGTH);
  if (m.status !== 'ACTIVE') throw new DomainError('INVALID_STATE', `member ${m.id} is ${m.status}: cannot SUSPEND (only ACTIVE -> SUSPENDED)`);
  if (m.roles.includes('OPERATOR')) throw new DomainError('BUSINESS_RULE', `member ${m.id} is the operator and cannot be suspended`);
  return { ...touch(m, tx), status: 'SUSPENDED', ...(why !== undefined ? { statusReason: why } : {}) };
}

/**
 * The operator corrects or updates a member's name (a company renamed, a
 * typo) or MSP (registered under the wrong organisation). The MSP changes
 * only while no identity is bound to the member, in force or offered: a
 * binding's MSP must be its member's (bindIdentity), so the operator
 * unbinds them first. `hasIdentities` is the contracts layer's reading of
 * the member's identity index. A command that changes nothing is refused.
 */
export function amendMember(m: Member, cmd: { name?: unknown; mspId?: unknown }, hasIdentities: boolean, tx: TxInfo): Member {
  const c = assertRecord(cmd, 'command');
  const name = c.name === undefined ? m.name : assertText(c.name, 'name', MAX_NAME_LENGTH);
  const mspId = c.mspId === undefined ? m.mspId : assertMspId(c.mspId, 'mspId');
  if (name === m.name && mspId === m.mspId) throw invalid('command', `changes nothing: member ${m.id} is already named ${JSON.stringify(m.name)} in ${m.mspId}`);
  if (mspId !== m.mspId && hasIdentities) {
    throw new DomainError(
      'BUSINESS_RULE',
      `member ${m.id} has identities of ${m.mspId} bound or offered: unbind them before moving it to ${mspId} (GET /members/${m.id}/identities lists them)`,
    );
  }
  return { ...touch(m, tx), name, mspId };
}

/** SUSPENDED -> ACTIVE; the suspension reason is dropped. */
export function reinstateMember(m: Member, tx: TxInfo): Member {
  if (m.status !== 'SUSPENDED') {
    throw new DomainError('INVALID_STATE', `member ${m.id} is ${m.status}: cannot REINSTATE (only SUSPENDED -> ACTIVE)`);
  }
  const next: Member = { ...touch(m, tx), status: 'ACTIVE' };
  delete next.statusReason; // a fresh copy: the input is untouched
  return next;
}

/**
 * Binds a Fabric identity (MSP id + getID()) to a member with a user role.
 * - The identity's MSP must be the member's MSP (BUSINESS_RULE).
 * - The member must be ACTIVE (INVALID_STATE): suspended members take part in nothing.
 * - An identity is bound to exactly one member: an existing binding to another
 *   member, or an identical one, is ALREADY_EXISTS; an existing binding to the
 *   same member with another user role is changed to the new role (by the
 *   member's own ADMIN only from MAKER: FORBIDDEN otherwise).
 * - A new binding made by the member's own ADMIN is an offer
 *   (`pendingAcceptance`): the identity acts as nobody until it accepts it
 *   (acceptBinding). One made by an ADMIN of the operator, or the
 *   Bootstrap's, is in force at once.
 * The caller must be allowed by assertMayBindIdentity (an active OPERATOR, or
 * the member's own ADMIN for a MAKER), or be the Bootstrap itself. `by` is
 * the caller, kept as the binding's `boundBy` when the identity is new; a
 * change of role keeps the first binder, who may still hold the key.
 */
export function bindIdentity(
  cmd: BindIdentityCommand,
  member: Member,
  existing: IdentityBinding | undefined,
  tx: TxInfo,
  by: Actor | 'itself',
): IdentityBinding {
  const c = assertRecord(cmd, 'command');
  const memberId = assertUscc(c.memberId, 'memberId');
  const mspId = assertMspId(c.mspId, 'mspId');
  const identityId = assertIdentityId(c.identityId);
  const userRole = assertOneOf(c.userRole, USER_ROLES, 'userRole');
  if (memberId !== member.id) throw invalid('memberId', `${memberId} does not match the member record ${member.id}`);
  if (member.status !== 'ACTIVE') throw new DomainError('INVALID_STATE', `member ${member.id} is ${member.status}: cannot bind identities`);
  if (mspId !== member.mspId) {
    throw new DomainError('BUSINESS_RULE', `identity of ${mspId} cannot be bound to member ${member.id} of ${member.mspId}`);
  }
  if (existing) {
    if (existing.memberId !== memberId) {
      // Which member holds an identity is the operator's to know, not a prober's.
      const whose = by !== 'itself' && hasRole(by, 'OPERATOR') ? `member ${existing.memberId}` : 'another member';
      const how = existing.pendingAcceptance ? 'offered' : 'bound';
      throw new DomainError('ALREADY_EXISTS', `identity ${mspId}/${identityId} is already ${how} to ${whose}`);
    }
    if (existing.userRole === userRole) {
      throw new DomainError('ALREADY_EXISTS', `identity ${mspId}/${identityId} is already bound to member ${memberId} as ${userRole}`);
    }
    // A change of role is checked for the role it takes away too: a member's
    // ADMIN that could make an operator-vetted CHECKER or ADMIN a MAKER could
    // then unbind it, and strip its member of every other approver.
    if (by !== 'itself' && !isOperatorAdmin(by) && existing.userRole !== 'MAKER') {
      throw new DomainError(
        'FORBIDDEN',
        `identity ${mspId}/${identityId} is bound as ${existing.userRole}: the operator, which binds the identities that approve, changes their role`,
      );
    }
    return { ...touch(existing, tx), userRole };
  }
  const boundBy = by === 'itself'
    ? { mspId, identityId, memberId }
    : { mspId: by.identity.mspId, identityId: by.identity.identityId, memberId: by.member.id };
  const binding: IdentityBinding = { docType: 'identity', mspId, identityId, memberId, userRole, boundBy, ...newMeta(tx) };
  return by === 'itself' || isOperatorAdmin(by) ? binding : { ...binding, pendingAcceptance: true };
}

/**
 * The identity accepts the binding its member's ADMIN offered it
 * (member:AcceptBinding), naming the member, so that nobody is made to act
 * for a member it did not choose. Only the identity itself can: the caller
 * is the binding. NOT_FOUND when the caller has no binding or one to another
 * member (it learns nothing of `memberId`), INVALID_STATE when there is
 * nothing to accept (already in force) or the member is not ACTIVE.
 */
export function acceptBinding(binding: IdentityBinding | undefined, memberId: string, member: Member | undefined, tx: TxInfo): IdentityBinding {
  assertBoundTo(binding, memberId);
  if (!member) throw new DomainError('NOT_FOUND', `member ${memberId} not found`);
  if (!binding.pendingAcceptance) throw new DomainError('INVALID_STATE', `this identity's binding to member ${memberId} is already in force`);
  if (member.status !== 'ACTIVE') throw new DomainError('INVALID_STATE', `member ${memberId} is ${member.status}: cannot accept identities`);
  const { pendingAcceptance: _accepted, ...rest } = binding;
  return { ...touch(rest, tx), acceptedAt: tx.now };
}

/** The caller's binding is to `memberId` (offered or in force); NOT_FOUND otherwise, naming nothing else. */
export function assertBoundTo(binding: IdentityBinding | undefined, memberId: string): asserts binding is IdentityBinding {
  if (binding?.memberId !== memberId) throw new DomainError('NOT_FOUND', `this identity has no binding to member ${memberId}`);
}

/** The error for a caller whose binding is offered and not yet accepted: it acts as nobody. */
export function offerNotAccepted(binding: IdentityBinding): DomainError {
  return new DomainError(
    'FORBIDDEN',
    `identity ${binding.identityId} of ${binding.mspId} is offered to member ${binding.memberId} as ${binding.userRole} ` +
      `and has not accepted it: it acts as nobody until it accepts (member:AcceptBinding, POST /members/${binding.memberId}/identities/accept)`,
  );
}

/**
 * The identities that may be one person with this one, as far as the ledger
 * can tell: itself, and the identity that first bound it when that was an
 * ADMIN of its own member (who may have sent its CSR and kept the key). An
 * identity bound by the operator, which vets whom it binds, is its own.
 */
export function controllersOf(binding: IdentityBinding): IdentityRef[] {
  const self = { mspId: binding.mspId, identityId: binding.identityId };
  const by = binding.boundBy;
  if (!by || by.memberId !== binding.memberId || (by.mspId === self.mspId && by.identityId === self.identityId)) return [self];
  return [self, { mspId: by.mspId, identityId: by.identityId }];
}

/** Whether two bindings may be held by one person (controllersOf meet). */
export function mayBeOnePerson(a: IdentityBinding, b: IdentityBinding): boolean {
  const theirs = controllersOf(b);
  return controllersOf(a).some((x) => theirs.some((y) => x.mspId === y.mspId && x.identityId === y.identityId));
}

/**
 * Unbinds an identity from its member (a person who left, a key that must
 * stop; Fabric itself would go on accepting the certificate until its CA
 * revokes it). The binding must exist and be `memberId`'s (NOT_FOUND
 * otherwise, so a prober learns nothing of other members' identities). An
 * ADMIN of the operator unbinds any; a member's ADMIN unbinds its own
 * member's MAKERs, as it binds them (assertMayBindIdentity); nobody unbinds
 * the identity it calls with (BUSINESS_RULE), so a member cannot lock
 * itself out by mistake. What the identity did stays on the ledger, and it
 * may be bound again later, to any member.
 */
export function assertMayUnbind(actor: Actor, memberId: string, binding: IdentityBinding | undefined): IdentityBinding {
  if (!binding || binding.memberId !== memberId) throw new DomainError('NOT_FOUND', `member ${memberId} has no such identity`);
  assertMayBindIdentity(actor, memberId, binding.userRole);
  if (binding.mspId === actor.identity.mspId && binding.identityId === actor.identity.identityId) {
    throw new DomainError('BUSINESS_RULE', 'an identity cannot unbind itself: another ADMIN, or the operator, does it');
  }
  return binding;
}

/** getID() text: non-empty, bounded, and usable as a composite-key attribute (no U+0000, no U+10FFFF). */
function assertIdentityId(value: unknown): string {
  const s = assertString(value, 'identityId');
  if (s.length === 0 || s.length > MAX_IDENTITY_ID_LENGTH) throw invalid('identityId', `must be 1..${MAX_IDENTITY_ID_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(s) || s.includes('\u{10FFFF}')) throw invalid('identityId', 'must not contain control characters or U+10FFFF');
  return s;
}

// ---- authorisation of the caller ----

/** The caller's member is ACTIVE and the binding belongs to it; FORBIDDEN otherwise. */
export function assertActive(actor: Actor): void {
  if (actor.identity.memberId !== actor.member.id) {
    throw new DomainError('FORBIDDEN', `identity is bound to ${actor.identity.memberId}, not to ${actor.member.id}`);
  }
  if (actor.member.status !== 'ACTIVE') throw new DomainError('FORBIDDEN', `member ${actor.member.id} is ${actor.member.status}`);
}

/**
 * AUDITOR reads everything and never writes (DESIGN section 1): every
 * mutating transaction refuses an auditor's identity, whatever its user role
 * and whatever the command, before anything else is looked at.
 */
export function assertNotAuditor(actor: Actor): void {
  if (hasRole(actor, 'AUDITOR')) throw new DomainError('FORBIDDEN', `member ${actor.member.id} is an AUDITOR: auditors read, they never write`);
}

/** The caller of a mutating transaction: an active member that is not an auditor. */
export function assertMayWrite(actor: Actor): void {
  assertNotAuditor(actor);
  assertActive(actor);
}

export function hasRole(subject: Member | Actor, role: Role): boolean {
  const member = 'docType' in subject ? subject : subject.member;
  return member.roles.includes(role);
}

/** FORBIDDEN unless the caller's member has the role. */
export function assertRole(actor: Actor, role: Role): void {
  if (!hasRole(actor, role)) throw new DomainError('FORBIDDEN', `member ${actor.member.id} does not have role ${role}`);
}

/** An active OPERATOR: the caller of member administration (register, suspend, reinstate, bind). */
export function assertOperator(actor: Actor): void {
  assertActive(actor);
  assertRole(actor, 'OPERATOR');
}

/**
 * Who may bind an identity to member `memberId` (member:BindIdentity): an
 * ADMIN of the active OPERATOR for any member and any user role (binding is
 * user administration, an ADMIN's job in the operator too), or an identity bound as
 * ADMIN to that very member, for its own member only and, when `userRole` is
 * given, only as MAKER (decision: a member manages its own clerks; it can
 * never reach another member's). The identities that approve (CHECKER,
 * ADMIN) are bound by the operator, who vets them as it vets members: an
 * ADMIN that could mint approvers could approve its own requests, and dual
 * control would rest on one person. Without `userRole` (listing or revoking
 * a member's credentials) the ADMIN is allowed. Checked before the member is
 * looked up, so a refused caller learns nothing of it.
 */
export function assertMayBindIdentity(actor: Actor, memberId: string, userRole?: string): void {
  assertActive(actor);
  if (isOperatorAdmin(actor)) return;
  if (actor.member.id === memberId && actor.identity.userRole === 'ADMIN') {
    if (userRole === undefined || userRole === 'MAKER') return;
    throw new DomainError(
      'FORBIDDEN',
      `an ADMIN binds MAKER identities of its own member; ${userRole} identities approve under dual control, so the operator binds them`,
    );
  }
  throw new DomainError(
    'FORBIDDEN',
    actor.member.id === memberId
      ? `only an ADMIN of member ${memberId} (or the OPERATOR) binds its identities; this identity is ${actor.identity.userRole}`
      : `member ${actor.member.id} cannot bind identities of member ${memberId}: only an ADMIN of the OPERATOR or of that member may`,
  );
}

/**
 * Who may read and revoke a member's credentials: whoever may bind its
 * identities (assertMayBindIdentity), and also its own ADMIN while the member
 * is SUSPENDED. A suspension often follows a leak: revoking a token takes
 * nothing from anyone, and PRODUCT 1.3 lets a suspended member's identities
 * read. Issuing and rotating (a new token) still take an ACTIVE member.
 */
export function assertMayRevokeCredentials(actor: Actor, memberId: string): void {
  const ownAdmin = actor.identity.memberId === actor.member.id && actor.member.id === memberId && actor.identity.userRole === 'ADMIN';
  if (ownAdmin && actor.member.status === 'SUSPENDED') return;
  assertMayBindIdentity(actor, memberId);
}

/** An ADMIN identity of the OPERATOR: binds any identity to any member, at once. */
function isOperatorAdmin(actor: Actor): boolean {
  return hasRole(actor, 'OPERATOR') && actor.identity.userRole === 'ADMIN';
}

/** AUDITOR and OPERATOR read everything. */
export function isReader(actor: Actor): boolean {
  return hasRole(actor, 'AUDITOR') || hasRole(actor, 'OPERATOR');
}

/**
 * A member as the caller may read it (member:Get). Any member checks a
 * counterparty: its name, MSP, roles and whether it is ACTIVE. Why it was
 * suspended and its dual-control threshold are its own business and the
 * platform's: the member itself, the operator and auditors see them, others
 * get the record without them.
 */
export function memberAsSeenBy(actor: Actor, member: Member): Member {
  if (actor.member.id === member.id || isReader(actor)) return member;
  const { statusReason: _reason, dualControlThreshold: _threshold, ...seen } = member;
  return seen;
}

/**
 * Who may list a member's identities (who can sign for it, in force or
 * offered): the operator and auditors, and an ADMIN of that member, who
 * manages its clerks. Anyone else is FORBIDDEN, before the member is looked
 * up: which identities a member has is nobody else's business.
 */
export function assertMayListIdentities(actor: Actor, memberId: string): void {
  if (isReader(actor)) return;
  if (actor.member.id === memberId && actor.identity.userRole === 'ADMIN') return;
  throw new DomainError(
    'FORBIDDEN',
    actor.member.id === memberId
      ? `only an ADMIN of member ${memberId}, the operator and auditors list its identities; this identity is ${actor.identity.userRole}`
      : `member ${actor.member.id} cannot list the identities of member ${memberId}`,
  );
}

/**
 * The member directory as a list is the operator's and the auditors': any
 * member reads a counterparty by its id (member:Get), but the whole roster
 * (who banks on the platform, which suppliers it has) is not every member's
 * to browse.
 */
export function assertMayListMembers(actor: Actor): void {
  if (!isReader(actor)) {
    throw new DomainError('FORBIDDEN', 'only the operator and auditors list the members; any member reads one by its id');
  }
}

/**
 * A counterparty named by the caller (a debtor, a recipient): NOT_FOUND when
 * there is no such member, BUSINESS_RULE when it is not ACTIVE or lacks the role.
 */
export function assertCounterparty(member: Member | undefined, id: string, role: Role, label: string): Member {
  if (!member) throw new DomainError('NOT_FOUND', `${label} ${id} is not a member`);
  if (member.id !== id) throw invalid(label, `${id} does not match the member record ${member.id}`);
  if (member.status !== 'ACTIVE') throw new DomainError('BUSINESS_RULE', `${label} ${id} is ${member.status}`);
  if (!member.roles.includes(role)) throw new DomainError('BUSINESS_RULE', `${label} ${id} does not have role ${role}`);
  return member;
}

/** Dual control applies when the member has a threshold and the amount is at or above it. */
export function requiresDualControl(member: Member, amount: string | bigint): boolean {
  if (member.dualControlThreshold === undefined) return false;
  const value = typeof amount === 'bigint' ? amount : parseAmount(amount, 'amount');
  return value >= parseAmount(member.dualControlThreshold, 'dualControlThreshold');
}
