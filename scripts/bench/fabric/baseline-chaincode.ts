import { BaselineContract } from '../baseline-contract';

/**
 * The trivial contract as a chaincode module for fabric-chaincode-node's
 * `server --module-path`: the benchmark runs it as a second chaincode as a
 * service beside `scf` on the real network.
 */
export const contracts = [BaselineContract];
