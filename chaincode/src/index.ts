import 'reflect-metadata';
import { FingerprintContract } from './contracts/fingerprint';
import { MemberContract } from './contracts/member';
import { ReceivableContract } from './contracts/receivable';
import { VoucherContract } from './contracts/voucher';

/** The chaincode: fabric-chaincode-node serves these contracts (the first is the default). */
export const contracts = [MemberContract, FingerprintContract, ReceivableContract, VoucherContract];

export { MemberContract, FingerprintContract, ReceivableContract, VoucherContract };
