/**
 * The world-state key scheme. Every record and index entry is a Fabric
 * composite key (`\u0000TYPE\u0000attr\u0000…`), so all queries are by key
 * or key prefix and the chaincode runs on LevelDB. No key here is written by
 * every transaction: there are no global counters or lists.
 */
export const RecordType = {
  MEMBER: 'MEMBER',
  IDENTITY: 'IDENTITY',
  RECEIVABLE: 'RCV',
  VOUCHER: 'VCH',
  FINGERPRINT: 'FP',
  REQUEST: 'REQ',
  /** The approval last requested about a target, per member and operation (APR_OPEN[memberId, transaction, …target]): one pending at a time. */
  OPEN_APPROVAL: 'APR_OPEN',
} as const;

/** Index entries carry one NUL byte: Fabric treats an empty value as a delete. */
export const INDEX_VALUE = Uint8Array.of(0);

/** An index maps a record to the attributes of its index key (the record's id last). */
export interface IndexSpec<T> {
  readonly name: string;
  /** The key attributes, or undefined when the record is not in this index. */
  attrs(record: T): string[] | undefined;
}

/** How a kind of record is keyed and indexed. */
export interface RecordSpec<T> {
  readonly type: string;
  key(record: T): string[];
  readonly indexes: readonly IndexSpec<T>[];
  /**
   * How many attributes the record's key has (1 unless said): an index
   * entry ends with them, so a list through an index reads the record
   * under the entry's last `keyParts` attributes.
   */
  readonly keyParts?: number;
}

/** Maturity dates are indexed by month then day, so a date range is a few prefix scans. */
export function monthAndDay(date: string): [string, string] {
  return [date.slice(0, 7), date.slice(8, 10)];
}
