import type { Role, UserRole } from '../../../chaincode/src/domain/types';
import { withCheckChar } from '../../../chaincode/src/domain/uscc';

/*
 * The demo members and identities the gateway sets up on first start (through
 * ordinary transactions, never through chaincode). Member ids are valid
 * unified social credit codes made with a computed check character.
 */

export const DEMO_MSPS = ['PlatformMSP', 'CoreMSP', 'BankMSP'] as const;
export type DemoMsp = (typeof DEMO_MSPS)[number];

export interface DemoMember {
  key: string;
  id: string;
  name: string;
  mspId: DemoMsp;
  roles: Role[];
  /** Minor units; at or above it, issuance and financing approval need a checker. */
  dualControlThreshold?: string;
}

export interface DemoIdentity {
  /** Token label, also the certificate's CN. */
  label: string;
  member: string;
  mspId: DemoMsp;
  userRole: UserRole;
}

const member = (key: string, first17: string, name: string, mspId: DemoMsp, roles: Role[], dualControlThreshold?: string): DemoMember => ({
  key,
  id: withCheckChar(first17),
  name,
  mspId,
  roles,
  ...(dualControlThreshold === undefined ? {} : { dualControlThreshold }),
});

/** The first member is the operator: it bootstraps the ledger. */
export const DEMO_MEMBERS: readonly DemoMember[] = [
  member('operator', '91310000100000001', 'SCF Platform Operator', 'PlatformMSP', ['OPERATOR']),
  member('auditor', '91310000100000002', 'Huaxin Audit Partners', 'PlatformMSP', ['AUDITOR']),
  member('supplier1', '91320500100000003', 'Suzhou Precision Parts (tier 1)', 'PlatformMSP', ['SUPPLIER']),
  member('supplier2', '91320500100000004', 'Kunshan Metal Works (tier 2)', 'PlatformMSP', ['SUPPLIER']),
  member('supplier3', '91440300100000005', 'Shenzhen Fasteners (tier 3)', 'PlatformMSP', ['SUPPLIER']),
  member('warehouse', '91370200100000006', 'Qingdao Bonded Logistics', 'PlatformMSP', ['WAREHOUSE']),
  // The core enterprise and the bank each have a maker and a checker: issuing
  // 1,000,000.00 CNY or more, or approving 5,000,000.00 CNY of financing or
  // more, takes both (dual control).
  member('core', '91110000100000007', 'Beijing Heavy Machinery Group', 'CoreMSP', ['CORE_ENTERPRISE'], '100000000'),
  member('bank', '91310000100000008', 'Pudong Commercial Bank', 'BankMSP', ['BANK'], '500000000'),
];

export const DEMO_IDENTITIES: readonly DemoIdentity[] = [
  { label: 'operator-admin', member: 'operator', mspId: 'PlatformMSP', userRole: 'ADMIN' },
  { label: 'auditor', member: 'auditor', mspId: 'PlatformMSP', userRole: 'ADMIN' },
  { label: 'supplier1', member: 'supplier1', mspId: 'PlatformMSP', userRole: 'ADMIN' },
  { label: 'supplier2', member: 'supplier2', mspId: 'PlatformMSP', userRole: 'ADMIN' },
  { label: 'supplier3', member: 'supplier3', mspId: 'PlatformMSP', userRole: 'ADMIN' },
  { label: 'warehouse', member: 'warehouse', mspId: 'PlatformMSP', userRole: 'ADMIN' },
  { label: 'core-maker', member: 'core', mspId: 'CoreMSP', userRole: 'MAKER' },
  { label: 'core-checker', member: 'core', mspId: 'CoreMSP', userRole: 'CHECKER' },
  { label: 'bank-maker', member: 'bank', mspId: 'BankMSP', userRole: 'MAKER' },
  { label: 'bank-checker', member: 'bank', mspId: 'BankMSP', userRole: 'CHECKER' },
];

export function demoMember(key: string): DemoMember {
  const m = DEMO_MEMBERS.find((x) => x.key === key);
  if (!m) throw new Error(`no demo member ${key}`);
  return m;
}

/**
 * The demo's credit lines (授信, DESIGN.md section 8), granted after the
 * members: the operator's ISSUANCE line for the core enterprise (its vouchers
 * are issued within it) and the bank's FINANCING line to the core enterprise
 * (its approvals of financing on the core enterprise's vouchers and
 * receivables are reserved on it). The bank's line is above its dual-control
 * threshold, so its maker grants and its checker approves. The limits leave a
 * demo (and the HTTP suite, which runs on the demo set-up) room to work.
 */
export interface DemoCreditLine {
  key: string;
  /** The granter's identity that grants, and its checker when dual control applies. */
  maker: string;
  checker?: string;
  kind: 'ISSUANCE' | 'FINANCING';
  obligor: string;
  limit: string;
  validTo: string;
}

export const DEMO_CREDIT_LINES: readonly DemoCreditLine[] = [
  // 100,000,000,000.00 CNY of vouchers outstanding at once.
  { key: 'issuance-core', maker: 'operator-admin', kind: 'ISSUANCE', obligor: demoMember('core').id, limit: '10000000000000', validTo: '2099-12-31' },
  // 50,000,000,000.00 CNY of financing relying on the core enterprise.
  { key: 'financing-core', maker: 'bank-maker', checker: 'bank-checker', kind: 'FINANCING', obligor: demoMember('core').id, limit: '5000000000000', validTo: '2099-12-31' },
];
