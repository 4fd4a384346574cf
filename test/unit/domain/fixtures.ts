import { expect } from 'chai';
import { DomainError, type ErrorCode } from '../../../chaincode/src/domain/errors';
import { txInfoFrom } from '../../../chaincode/src/domain/dates';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';
import type { Actor, IdentityBinding, Member, Receivable, Role, TxInfo, UserRole, Voucher } from '../../../chaincode/src/domain/types';

/** Synthetic, valid unified social credit codes for test members. */
export const IDS = {
  operator: withCheckChar('91110000MA00PLT01'),
  core: withCheckChar('91310000MA00CR001'),
  core2: withCheckChar('91310000MA00CR002'),
  supplier: withCheckChar('91440300MA00GY001'),
  supplier2: withCheckChar('91440300MA00GY002'),
  supplier3: withCheckChar('91440300MA00GY003'),
  bank: withCheckChar('91110000MA00BK001'),
  bank2: withCheckChar('91110000MA00BK002'),
  auditor: withCheckChar('91110000MA00AD001'),
  warehouse: withCheckChar('91370200MA00WH001'),
} as const;

export const T0 = '2025-03-01';

export function txAt(day: string = T0, txId = `tx-${day}`): TxInfo {
  return txInfoFrom(txId, `${day}T08:30:00Z`);
}

export const TX = txAt();

export function member(id: string, roles: Role[], overrides: Partial<Member> = {}): Member {
  return {
    docType: 'member',
    id,
    name: `Member ${id.slice(-4)}`,
    mspId: roles.includes('CORE_ENTERPRISE') ? 'CoreMSP' : roles.includes('BANK') ? 'BankMSP' : 'PlatformMSP',
    roles,
    status: 'ACTIVE',
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-01T00:00:00Z',
    createdTxId: 'tx-setup',
    updatedTxId: 'tx-setup',
    ...overrides,
  };
}

export const MEMBERS = {
  operator: member(IDS.operator, ['OPERATOR']),
  core: member(IDS.core, ['CORE_ENTERPRISE']),
  core2: member(IDS.core2, ['CORE_ENTERPRISE']),
  supplier: member(IDS.supplier, ['SUPPLIER']),
  supplier2: member(IDS.supplier2, ['SUPPLIER']),
  supplier3: member(IDS.supplier3, ['SUPPLIER']),
  bank: member(IDS.bank, ['BANK']),
  bank2: member(IDS.bank2, ['BANK']),
  auditor: member(IDS.auditor, ['AUDITOR']),
  warehouse: member(IDS.warehouse, ['WAREHOUSE']),
} as const;

export function actorOf(m: Member, userRole: UserRole = 'MAKER'): Actor {
  const identity: IdentityBinding = {
    docType: 'identity',
    mspId: m.mspId,
    identityId: `x509::/CN=user@${m.id}::/CN=ca`,
    memberId: m.id,
    userRole,
    createdAt: m.createdAt,
    updatedAt: m.createdAt,
    createdTxId: 'tx-setup',
    updatedTxId: 'tx-setup',
  };
  return { member: m, identity };
}

export const ACTORS = Object.fromEntries(Object.entries(MEMBERS).map(([k, m]) => [k, actorOf(m)])) as {
  [K in keyof typeof MEMBERS]: Actor;
};

export function suspended(a: Actor): Actor {
  return { ...a, member: { ...a.member, status: 'SUSPENDED' } };
}

/** A lowercase hex SHA-256-shaped fingerprint derived from a small number. */
export function fp(n: number): string {
  return n.toString(16).padStart(64, '0');
}

export function receivable(overrides: Partial<Receivable> = {}): Receivable {
  return {
    docType: 'receivable',
    id: 'RCV-1',
    creditor: IDS.supplier,
    debtor: IDS.core,
    amount: '1000000',
    currency: 'CNY',
    dueDate: '2025-09-30',
    documents: [{ kind: 'INVOICE', fingerprint: fp(1) }],
    voucheredAmount: '0',
    settledAmount: '0',
    status: 'CONFIRMED',
    confirmedTxId: 'tx-confirm',
    confirmedAt: '2025-02-01T00:00:00Z',
    createdAt: '2025-02-01T00:00:00Z',
    updatedAt: '2025-02-01T00:00:00Z',
    createdTxId: 'tx-register',
    updatedTxId: 'tx-confirm',
    ...overrides,
  };
}

export function voucher(overrides: Partial<Voucher> = {}): Voucher {
  return {
    docType: 'voucher',
    id: 'VCH-1',
    rootId: 'VCH-1',
    tier: 0,
    issuer: IDS.core,
    holder: IDS.supplier,
    amount: '1000000',
    currency: 'CNY',
    maturityDate: '2025-09-30',
    receivableId: 'RCV-1',
    status: 'ACTIVE',
    createdAt: '2025-02-02T00:00:00Z',
    updatedAt: '2025-02-02T00:00:00Z',
    createdTxId: 'tx-issue',
    updatedTxId: 'tx-issue',
    ...overrides,
  };
}

/** Freezes a value and everything it holds, so that any mutation by the code under test throws. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** Runs fn, which must throw a DomainError with this code (and a detail matching `detail`, when given). */
export function expectDomainError(fn: () => unknown, code: ErrorCode, detail?: RegExp | string): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected DomainError ${code}`).to.be.instanceOf(DomainError);
  const err = caught as DomainError;
  expect(err.code, err.message).to.equal(code);
  expect(err.message).to.equal(`[${code}] ${err.detail}`);
  if (detail !== undefined) {
    if (typeof detail === 'string') expect(err.detail).to.include(detail);
    else expect(err.detail).to.match(detail);
  }
  return err;
}

/** A record must survive JSON unchanged: no undefined fields, no bigints. */
export function expectJsonClean(value: unknown): void {
  expect(JSON.parse(JSON.stringify(value))).to.deep.equal(value);
}
