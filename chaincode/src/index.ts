import 'reflect-metadata';
import { ApprovalContract } from './contracts/approval';
import { FingerprintContract } from './contracts/fingerprint';
import { FreezeContract } from './contracts/freeze';
import { MemberContract } from './contracts/member';
import { ReceivableContract } from './contracts/receivable';
import { VoucherContract } from './contracts/voucher';

/** The chaincode: fabric-chaincode-node serves these contracts (the first is the default). */
export const contracts = [
  MemberContract,
  FingerprintContract,
  ReceivableContract,
  VoucherContract,
  ApprovalContract,
  FreezeContract,
];

export { MemberContract, FingerprintContract, ReceivableContract, VoucherContract, ApprovalContract, FreezeContract };
