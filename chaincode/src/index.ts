import 'reflect-metadata';
import { ApprovalContract } from './contracts/approval';
import { CreditLineContract } from './contracts/credit-line';
import { FinancingContract } from './contracts/financing';
import { FingerprintContract } from './contracts/fingerprint';
import { FreezeContract } from './contracts/freeze';
import { MaintenanceContract } from './contracts/maintenance';
import { MemberContract } from './contracts/member';
import { ReceivableContract } from './contracts/receivable';
import { VoucherContract } from './contracts/voucher';
import { WarehouseContract } from './contracts/warehouse';
import { installPeerBatching } from './ledger/peer-batch';

// Keep what a Fabric 3.1 peer offers when fabric-shim opens a stream to it
// (ledger/peer-batch.ts). In a process that never opens one (the embedded
// ledger, the tests) this changes nothing.
installPeerBatching();

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
  MaintenanceContract,
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
  MaintenanceContract,
};
