import 'reflect-metadata';
import { ApprovalContract } from './contracts/approval';
import { CreditLineContract } from './contracts/credit-line';
import { FinancingContract } from './contracts/financing';
import { FingerprintContract } from './contracts/fingerprint';
import { FreezeContract } from './contracts/freeze';
import { MemberContract } from './contracts/member';
import { ReceivableContract } from './contracts/receivable';
import { VoucherContract } from './contracts/voucher';
import { WarehouseContract } from './contracts/warehouse';

/** The chaincode: fabric-chaincode-node serves these contracts (the first is the default). */
export const contracts = [
  MemberContract,
  FingerprintContract,
  ReceivableContract,
  VoucherContract,
  ApprovalContract,
  FreezeContract,
  FinancingContract,
  WarehouseContract,
  CreditLineContract,
];

export {
  MemberContract,
  FingerprintContract,
  ReceivableContract,
  VoucherContract,
  ApprovalContract,
  FreezeContract,
  FinancingContract,
  WarehouseContract,
  CreditLineContract,
};
