/**
 * The world-state engine with Hyperledger Fabric's semantics. Contract tests
 * run chaincode against it in memory; the gateway's embedded connector runs
 * it over a durable backend. Deterministic: time and tx ids are inputs.
 */
export * from './types';
export { compareKeys, inRange, keySuccessor, isWellFormed, assertValidKey } from './keys';
export {
  COMPOSITE_KEY_NAMESPACE,
  MIN_UNICODE_RUNE,
  MAX_UNICODE_RUNE,
  createCompositeKey,
  splitCompositeKey,
  partialCompositeKeyRange,
  type SplitCompositeKey,
} from './composite-key';
export { parseTimestamp, protobufTimestampToDate, timestampToDate, timestampToIso, type TimestampInput } from './timestamp';
export { MemoryBackend } from './memory-backend';
export {
  GENESIS_PREVIOUS_HASH,
  buildBlock,
  checkBlock,
  computeBlockHash,
  computeDataHash,
  sha256Hex,
  summariseRwset,
  type ChainVerification,
} from './block';
export { asyncIterablePromise, BatchedIterator, type QueryIterator, type QueryKV, type QueryKeyModification } from './iterators';
export { RwsetBuilder } from './rwset';
export { PeerRangeQuery, QUERY_BATCH_SIZE, TOTAL_QUERY_LIMIT } from './range-query';
export { WorldStateStub, type StubInit } from './stub';
export { ReadWriteLock } from './rw-lock';
export {
  DEFAULT_CHANNEL_ID,
  WorldState,
  type ChaincodeEventRecord,
  type CommitListener,
  type CommitResult,
  type CommittedBlock,
  type EndorsedTransaction,
  type FailedSimulation,
  type Simulation,
  type SubmitResult,
  type TxCommitResult,
  type TxContext,
  type TxInput,
  type WorldStateOptions,
} from './world-state';
