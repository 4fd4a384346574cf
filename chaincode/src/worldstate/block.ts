import { createHash } from 'node:crypto';
import { marshalString } from '../ledger/codec';
import type { BlockRecord, BlockTransaction, ReadWriteSet, RwsetSummary } from './types';

/** previousHash of block 0. */
export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SHA-256 of the sorted-key JSON of the block's transactions. */
export function computeDataHash(transactions: readonly BlockTransaction[]): string {
  return sha256Hex(marshalString(transactions));
}

/** SHA-256 of the sorted-key JSON of the header `{number, previousHash, dataHash}`. */
export function computeBlockHash(header: { number: number; previousHash: string; dataHash: string }): string {
  return sha256Hex(marshalString({ number: header.number, previousHash: header.previousHash, dataHash: header.dataHash }));
}

export function buildBlock(number: number, previousHash: string, transactions: readonly BlockTransaction[]): BlockRecord {
  const dataHash = computeDataHash(transactions);
  return { number, previousHash, dataHash, hash: computeBlockHash({ number, previousHash, dataHash }), transactions };
}

/** What a block keeps of a read-write set: keys and versions, values as hashes. */
export function summariseRwset(rwset: ReadWriteSet): RwsetSummary {
  return {
    reads: rwset.reads.map((r) => ({ key: r.key, version: r.version })),
    rangeQueries: rwset.rangeQueries.map((q) => ({
      startKey: q.startKey,
      endKey: q.endKey,
      itrExhausted: q.itrExhausted,
      results: q.results.map((r) => ({ key: r.key, version: r.version })),
    })),
    writes: rwset.writes.map((w) => ({ key: w.key, isDelete: w.isDelete, valueHash: sha256Hex(w.value) })),
  };
}

export type ChainVerification =
  | { readonly valid: true; readonly height: number }
  | { readonly valid: false; readonly height: number; readonly blockNumber: number; readonly reason: string };

/**
 * Checks one block against its predecessor's hash: its number, the link, and
 * both hashes recomputed from its content. Returns the problem, if any.
 */
export function checkBlock(block: BlockRecord, expectedNumber: number, expectedPreviousHash: string): string | undefined {
  if (block.number !== expectedNumber) return `block number is ${block.number}, expected ${expectedNumber}`;
  if (block.previousHash !== expectedPreviousHash) return 'previousHash does not match the hash of the previous block';
  if (computeDataHash(block.transactions) !== block.dataHash) return 'dataHash does not match the transactions';
  if (computeBlockHash(block) !== block.hash) return 'hash does not match the block header';
  return undefined;
}
