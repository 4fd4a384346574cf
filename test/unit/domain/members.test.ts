import { expect } from 'chai';
import {
  assertActive,
  assertCounterparty,
  assertMayBindIdentity,
  assertMayWrite,
  assertOperator,
  assertRole,
  bindIdentity,
  bootstrapOperator,
  hasRole,
  isReader,
  registerMember,
  reinstateMember,
  requiresDualControl,
  suspendMember,
} from '../../../chaincode/src/domain/members';
import { setDualControlThreshold } from '../../../chaincode/src/domain/controls';
import { ROLES, type BindIdentityCommand, type IdentityBinding, type RegisterMemberCommand, type Role, type UserRole } from '../../../chaincode/src/domain/types';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import { ACTORS, actorOf, deepFreeze, expectDomainError, expectJsonClean, IDS, member, MEMBERS, suspended, TX, txAt } from './fixtures';

const NEW_ID = withCheckChar('91320500MA00GY009');
const OPERATOR = actorOf(MEMBERS.operator, 'ADMIN');

function cmd(overrides: Record<string, unknown> = {}): RegisterMemberCommand {
  return deepFreeze({ id: NEW_ID, name: 'Suzhou Gear Works', mspId: 'PlatformMSP', roles: ['SUPPLIER'], ...overrides });
}

describe('domain/members', () => {
  describe('registerMember', () => {
    it('creates an ACTIVE member stamped with the transaction', () => {
      const m = registerMember(cmd({ name: '  Suzhou Gear Works  ', dualControlThreshold: '50000000' }), TX);
      expect(m).to.deep.equal({
        docType: 'member',
        id: NEW_ID,
        name: 'Suzhou Gear Works',
        mspId: 'PlatformMSP',
        roles: ['SUPPLIER'],
        status: 'ACTIVE',
        dualControlThreshold: '50000000',
        createdAt: TX.now,
        updatedAt: TX.now,
        createdTxId: TX.txId,
        updatedTxId: TX.txId,
      });
      expectJsonClean(m);
    });

    it('stores roles in canonical order and leaves dual control off when no threshold is given', () => {
      const m = registerMember(cmd({ roles: ['SUPPLIER', 'CORE_ENTERPRISE'] }), TX);
      expect(m.roles).to.deep.equal(['CORE_ENTERPRISE', 'SUPPLIER']);
      expect(m).not.to.have.property('dualControlThreshold');
      expectJsonClean(m);
    });

    const invalid: [string, Record<string, unknown>, string][] = [
      ['an id with a wrong check character', { id: NEW_ID.slice(0, 17) + (NEW_ID.endsWith('0') ? '1' : '0') }, 'id'],
      ['an id in lower case', { id: NEW_ID.toLowerCase() }, 'id'],
      ['an empty name', { name: '   ' }, 'name'],
      ['a name of 201 characters', { name: 'x'.repeat(201) }, 'name'],
      ['a name with a control character', { name: 'Gear\u0000Works' }, 'name'],
      ['a name that is not a string', { name: 42 }, 'name'],
      ['an MSP id with a space', { mspId: 'Platform MSP' }, 'mspId'],
      ['an empty MSP id', { mspId: '' }, 'mspId'],
      ['no roles', { roles: [] }, 'roles'],
      ['roles that are not a list', { roles: 'SUPPLIER' }, 'roles'],
      ['an unknown role', { roles: ['SUPPLIER', 'BROKER'] }, 'roles[1]'],
      ['a role twice', { roles: ['SUPPLIER', 'SUPPLIER'] }, 'twice'],
      ['the OPERATOR role', { roles: ['OPERATOR'] }, 'Bootstrap'],
      ['AUDITOR together with a writing role', { roles: ['AUDITOR', 'BANK'] }, 'AUDITOR'],
      ['a zero dual-control threshold', { dualControlThreshold: '0' }, 'dualControlThreshold'],
      ['a fractional dual-control threshold', { dualControlThreshold: '100.5' }, 'dualControlThreshold'],
      ['a numeric dual-control threshold', { dualControlThreshold: 100 }, 'dualControlThreshold'],
    ];
    for (const [what, overrides, field] of invalid) {
      it(`rejects ${what}`, () => {
        expectDomainError(() => registerMember(cmd(overrides), TX), 'VALIDATION_FAILED', field);
      });
    }

    it('rejects a command that is not an object', () => {
      expectDomainError(() => registerMember(null as unknown as RegisterMemberCommand, TX), 'VALIDATION_FAILED', 'command');
    });

    it('rejects an id that is already a member', () => {
      expectDomainError(() => registerMember(cmd(), TX, member(NEW_ID, ['BANK'])), 'ALREADY_EXISTS', NEW_ID);
    });
  });

  describe('bootstrapOperator', () => {
    const boot = deepFreeze({ member: { id: IDS.operator, name: 'SCF Platform Co.', mspId: 'PlatformMSP' } });

    it('creates the operator member when the caller is of the named MSP', () => {
      const m = bootstrapOperator(boot, 'PlatformMSP', TX);
      expect(m).to.include({ id: IDS.operator, name: 'SCF Platform Co.', mspId: 'PlatformMSP', status: 'ACTIVE', createdTxId: TX.txId });
      expect(m.roles).to.deep.equal(['OPERATOR']);
      expectJsonClean(m);
    });

    it('refuses a caller from another MSP', () => {
      expectDomainError(() => bootstrapOperator(boot, 'CoreMSP', TX), 'FORBIDDEN', 'PlatformMSP');
    });

    it('succeeds only once', () => {
      expectDomainError(() => bootstrapOperator(boot, 'PlatformMSP', TX, true), 'ALREADY_EXISTS', 'bootstrapped');
    });

    it('validates the operator it creates', () => {
      expectDomainError(
        () => bootstrapOperator({ member: { id: 'SCF', name: 'x', mspId: 'PlatformMSP' } }, 'PlatformMSP', TX),
        'VALIDATION_FAILED',
        'member.id',
      );
      expectDomainError(() => bootstrapOperator({} as never, 'PlatformMSP', TX), 'VALIDATION_FAILED', 'member');
    });
  });

  describe('suspendMember and reinstateMember', () => {
    const later = txAt('2025-04-01', 'tx-suspend');

    it('suspends an ACTIVE member with a reason, and reinstates it without one', () => {
      const before = deepFreeze(MEMBERS.supplier);
      const s = suspendMember(before, later, 'court order 2025-17');
      expect(s).to.include({ status: 'SUSPENDED', statusReason: 'court order 2025-17', updatedTxId: 'tx-suspend', createdTxId: 'tx-setup' });
      expect(before.status).to.equal('ACTIVE');
      const r = reinstateMember(deepFreeze(s), txAt('2025-04-02', 'tx-reinstate'));
      expect(r.status).to.equal('ACTIVE');
      expect(r).not.to.have.property('statusReason');
      expect(r.updatedTxId).to.equal('tx-reinstate');
      expectJsonClean(r);
    });

    it('suspends without a reason', () => {
      const s = suspendMember(MEMBERS.supplier, later);
      expect(s.status).to.equal('SUSPENDED');
      expect(s).not.to.have.property('statusReason');
    });

    it('refuses to suspend a suspended member', () => {
      const s = suspendMember(MEMBERS.supplier, later);
      expectDomainError(() => suspendMember(s, later), 'INVALID_STATE', 'SUSPENDED');
    });

    it('refuses to reinstate an active member', () => {
      expectDomainError(() => reinstateMember(MEMBERS.supplier, later), 'INVALID_STATE', 'ACTIVE');
    });

    it('refuses to suspend the operator', () => {
      expectDomainError(() => suspendMember(MEMBERS.operator, later), 'BUSINESS_RULE', 'operator');
    });

    it('rejects a blank reason', () => {
      expectDomainError(() => suspendMember(MEMBERS.supplier, later, '  '), 'VALIDATION_FAILED', 'reason');
    });
  });

  describe('bindIdentity', () => {
    const bind = (overrides: Partial<BindIdentityCommand> = {}): BindIdentityCommand =>
      deepFreeze({ memberId: IDS.supplier, mspId: 'PlatformMSP', identityId: 'x509::/CN=alice::/CN=ca', userRole: 'MAKER' as const, ...overrides });

    it('binds a new identity to an active member of the same MSP', () => {
      const b = bindIdentity(bind(), deepFreeze(MEMBERS.supplier), undefined, TX, OPERATOR);
      expect(b).to.deep.equal({
        docType: 'identity',
        mspId: 'PlatformMSP',
        identityId: 'x509::/CN=alice::/CN=ca',
        memberId: IDS.supplier,
        userRole: 'MAKER',
        boundBy: { mspId: 'PlatformMSP', identityId: OPERATOR.identity.identityId, memberId: IDS.operator },
        createdAt: TX.now,
        updatedAt: TX.now,
        createdTxId: TX.txId,
        updatedTxId: TX.txId,
      });
    });

    it('changes the user role of an identity already bound to the same member, keeping its first binder', () => {
      const admin = actorOf(MEMBERS.supplier, 'ADMIN');
      const first = deepFreeze(bindIdentity(bind(), MEMBERS.supplier, undefined, TX, admin));
      const later = txAt('2025-03-05', 'tx-rebind');
      const b = bindIdentity(bind({ userRole: 'CHECKER' }), MEMBERS.supplier, first, later, OPERATOR);
      expect(b).to.include({ userRole: 'CHECKER', createdTxId: TX.txId, updatedTxId: 'tx-rebind' });
      // The ADMIN sent the certificate first and may hold its key still.
      expect(b.boundBy).to.deep.equal({ mspId: 'PlatformMSP', identityId: admin.identity.identityId, memberId: IDS.supplier });
    });

    it('names the identity itself as its binder for Bootstrap', () => {
      const b = bindIdentity(bind({ memberId: IDS.operator, userRole: 'ADMIN' }), MEMBERS.operator, undefined, TX, 'itself');
      expect(b.boundBy).to.deep.equal({ mspId: 'PlatformMSP', identityId: 'x509::/CN=alice::/CN=ca', memberId: IDS.operator });
    });

    it('refuses to rebind an identity bound to another member', () => {
      const other: IdentityBinding = { ...bindIdentity(bind({ memberId: IDS.supplier2 }), MEMBERS.supplier2, undefined, TX, OPERATOR) };
      expectDomainError(() => bindIdentity(bind(), MEMBERS.supplier, other, TX, OPERATOR), 'ALREADY_EXISTS', IDS.supplier2);
    });

    it("names the member an identity is bound to to the operator only, not to another member's ADMIN", () => {
      const other = bindIdentity(bind({ memberId: IDS.supplier2 }), MEMBERS.supplier2, undefined, TX, OPERATOR);
      expectDomainError(() => bindIdentity(bind(), MEMBERS.supplier, other, TX, OPERATOR), 'ALREADY_EXISTS', IDS.supplier2);
      const err = expectDomainError(() => bindIdentity(bind(), MEMBERS.supplier, other, TX, actorOf(MEMBERS.supplier, 'ADMIN')), 'ALREADY_EXISTS', 'another member');
      expect(err.message).not.to.contain(IDS.supplier2);
    });

    it('refuses an identical binding', () => {
      const first = bindIdentity(bind(), MEMBERS.supplier, undefined, TX, OPERATOR);
      expectDomainError(() => bindIdentity(bind(), MEMBERS.supplier, first, TX, OPERATOR), 'ALREADY_EXISTS', 'MAKER');
    });

    it('refuses an identity of another MSP', () => {
      expectDomainError(() => bindIdentity(bind({ mspId: 'BankMSP' }), MEMBERS.supplier, undefined, TX, OPERATOR), 'BUSINESS_RULE', 'BankMSP');
    });

    it('refuses to bind to a suspended member', () => {
      expectDomainError(
        () => bindIdentity(bind(), { ...MEMBERS.supplier, status: 'SUSPENDED' }, undefined, TX, OPERATOR),
        'INVALID_STATE',
        'SUSPENDED',
      );
    });

    const invalid: [string, Partial<BindIdentityCommand>, string][] = [
      ['a member id that does not match the record', { memberId: IDS.supplier2 }, 'memberId'],
      ['an unknown user role', { userRole: 'OWNER' as never }, 'userRole'],
      ['an empty identity id', { identityId: '' }, 'identityId'],
      ['an identity id with a NUL', { identityId: 'x509::\u0000' }, 'identityId'],
      ['an identity id of 1025 characters', { identityId: 'x'.repeat(1025) }, 'identityId'],
      ['a malformed MSP id', { mspId: '-bad' }, 'mspId'],
    ];
    for (const [what, overrides, field] of invalid) {
      it(`rejects ${what}`, () => {
        expectDomainError(() => bindIdentity(bind(overrides), MEMBERS.supplier, undefined, TX, OPERATOR), 'VALIDATION_FAILED', field);
      });
    }
  });

  describe('authorisation', () => {
    it('lets an active member through assertActive', () => {
      expect(() => assertActive(ACTORS.supplier)).not.to.throw();
    });

    it('forbids a suspended member', () => {
      expectDomainError(() => assertActive(suspended(ACTORS.supplier)), 'FORBIDDEN', 'SUSPENDED');
    });

    it('forbids an identity bound to another member than the one presented', () => {
      const a = { ...ACTORS.supplier, member: MEMBERS.supplier2 };
      expectDomainError(() => assertActive(a), 'FORBIDDEN', IDS.supplier);
    });

    it('checks roles on members and actors', () => {
      const both = member(IDS.core2, ['CORE_ENTERPRISE', 'SUPPLIER']);
      expect(hasRole(both, 'SUPPLIER')).to.equal(true);
      expect(hasRole(actorOf(both), 'CORE_ENTERPRISE')).to.equal(true);
      expect(hasRole(both, 'BANK')).to.equal(false);
      expect(() => assertRole(actorOf(both), 'SUPPLIER')).not.to.throw();
      expectDomainError(() => assertRole(ACTORS.bank, 'SUPPLIER'), 'FORBIDDEN', 'SUPPLIER');
    });

    const readers: Record<Role, boolean> = {
      OPERATOR: true,
      AUDITOR: true,
      CORE_ENTERPRISE: false,
      SUPPLIER: false,
      BANK: false,
      WAREHOUSE: false,
    };
    for (const role of ROLES) {
      it(`${readers[role] ? 'lets' : 'does not let'} a ${role} read everything`, () => {
        expect(isReader(actorOf(member(IDS.supplier3, [role])))).to.equal(readers[role]);
      });
    }

    it('lets no AUDITOR write, whatever its user role; lets other active members through assertMayWrite', () => {
      for (const userRole of ['MAKER', 'CHECKER', 'ADMIN'] as const) {
        const auditor = actorOf(MEMBERS.auditor, userRole);
        expectDomainError(() => assertMayWrite(auditor), 'FORBIDDEN', 'AUDITOR');
        expectDomainError(() => setDualControlThreshold(MEMBERS.auditor, '100', auditor, TX), 'FORBIDDEN', 'AUDITOR');
      }
      for (const a of [ACTORS.operator, ACTORS.bank, ACTORS.core, ACTORS.supplier, ACTORS.warehouse]) {
        expect(() => assertMayWrite(a)).not.to.throw();
      }
      expectDomainError(() => assertMayWrite(suspended(ACTORS.supplier)), 'FORBIDDEN', 'SUSPENDED');
      // The same switch-on by any other member's ADMIN is allowed: only the auditor is refused.
      expect(setDualControlThreshold(MEMBERS.supplier, '100', actorOf(MEMBERS.supplier, 'ADMIN'), TX).dualControlThreshold).to.equal('100');
    });

    it('admits only an active OPERATOR to member administration', () => {
      expect(() => assertOperator(ACTORS.operator)).not.to.throw();
      for (const a of [ACTORS.auditor, ACTORS.bank, ACTORS.core, ACTORS.supplier, ACTORS.warehouse]) {
        expectDomainError(() => assertOperator(a), 'FORBIDDEN', 'OPERATOR');
      }
      expectDomainError(() => assertOperator(suspended(ACTORS.operator)), 'FORBIDDEN', 'SUSPENDED');
    });
  });

  describe('assertMayBindIdentity', () => {
    // [caller, target member, allowed]
    const table: Array<[string, ReturnType<typeof actorOf>, string, boolean]> = [
      ['the operator, for any member', actorOf(MEMBERS.operator, 'ADMIN'), IDS.supplier, true],
      ["the operator's MAKER (binding is an ADMIN's job, in the operator too)", actorOf(MEMBERS.operator, 'MAKER'), IDS.bank, false],
      ["the operator's MAKER, for the operator itself (no self-promotion)", actorOf(MEMBERS.operator, 'MAKER'), IDS.operator, false],
      ["a member's ADMIN, for its own member", actorOf(MEMBERS.supplier, 'ADMIN'), IDS.supplier, true],
      ["a member's ADMIN, for another member", actorOf(MEMBERS.supplier, 'ADMIN'), IDS.supplier2, false],
      ["a member's MAKER, for its own member", actorOf(MEMBERS.supplier, 'MAKER'), IDS.supplier, false],
      ["a member's CHECKER, for its own member", actorOf(MEMBERS.bank, 'CHECKER'), IDS.bank, false],
      ["a suspended member's ADMIN, for its own member", suspended(actorOf(MEMBERS.supplier, 'ADMIN')), IDS.supplier, false],
      ['a suspended operator', suspended(actorOf(MEMBERS.operator, 'ADMIN')), IDS.supplier, false],
    ];
    for (const [who, actor, target, allowed] of table) {
      it(`${allowed ? 'lets' : 'forbids'} ${who}`, () => {
        if (allowed) expect(() => assertMayBindIdentity(actor, target)).not.to.throw();
        else expectDomainError(() => assertMayBindIdentity(actor, target), 'FORBIDDEN', actor.member.status === 'SUSPENDED' ? 'SUSPENDED' : target);
      });
    }

    // The roles that approve under dual control are the operator's to bind.
    const byRole: Array<[string, ReturnType<typeof actorOf>, UserRole, boolean]> = [
      ["a member's ADMIN binding a MAKER", actorOf(MEMBERS.core, 'ADMIN'), 'MAKER', true],
      ["a member's ADMIN binding a CHECKER", actorOf(MEMBERS.core, 'ADMIN'), 'CHECKER', false],
      ["a member's ADMIN binding an ADMIN", actorOf(MEMBERS.core, 'ADMIN'), 'ADMIN', false],
      ['the operator binding a CHECKER', actorOf(MEMBERS.operator, 'ADMIN'), 'CHECKER', true],
      ['the operator binding an ADMIN', actorOf(MEMBERS.operator, 'ADMIN'), 'ADMIN', true],
    ];
    for (const [who, actor, role, allowed] of byRole) {
      it(`${allowed ? 'lets' : 'forbids'} ${who}`, () => {
        if (allowed) expect(() => assertMayBindIdentity(actor, IDS.core, role)).not.to.throw();
        else expectDomainError(() => assertMayBindIdentity(actor, IDS.core, role), 'FORBIDDEN', 'the operator binds them');
      });
    }
  });

  describe('assertCounterparty', () => {
    it('returns an active member with the role', () => {
      expect(assertCounterparty(MEMBERS.core, IDS.core, 'CORE_ENTERPRISE', 'debtor')).to.equal(MEMBERS.core);
    });
    it('answers NOT_FOUND for an unknown member', () => {
      expectDomainError(() => assertCounterparty(undefined, IDS.core, 'CORE_ENTERPRISE', 'debtor'), 'NOT_FOUND', IDS.core);
    });
    it('refuses a suspended member', () => {
      expectDomainError(
        () => assertCounterparty({ ...MEMBERS.core, status: 'SUSPENDED' }, IDS.core, 'CORE_ENTERPRISE', 'debtor'),
        'BUSINESS_RULE',
        'SUSPENDED',
      );
    });
    it('refuses a member without the role', () => {
      expectDomainError(() => assertCounterparty(MEMBERS.bank, IDS.bank, 'CORE_ENTERPRISE', 'debtor'), 'BUSINESS_RULE', 'CORE_ENTERPRISE');
    });
  });

  describe('requiresDualControl', () => {
    const guarded = member(IDS.core, ['CORE_ENTERPRISE'], { dualControlThreshold: '1000000' });
    it('is off without a threshold', () => {
      expect(requiresDualControl(MEMBERS.core, '999999999')).to.equal(false);
    });
    it('applies at and above the threshold, not below', () => {
      expect(requiresDualControl(guarded, '999999')).to.equal(false);
      expect(requiresDualControl(guarded, '1000000')).to.equal(true);
      expect(requiresDualControl(guarded, 1000001n)).to.equal(true);
    });
  });
});
