import { type ErrorCode, parseCodedMessage } from '../../../chaincode/src/domain/errors';

/**
 * The seam between the gateway's use cases and a ledger. Two connectors
 * implement it: `embedded` (the chaincode in-process over a durable world
 * state) and `fabric` (a peer through @hyperledger/fabric-gateway).
 */
export interface Ledger {
  /** Endorse, order and wait for commit; resolves only once the transaction is committed valid. */
  submit(identity: CallerIdentity, name: string, command: object, opts?: SubmitOptions): Promise<SubmitResult>;
  /** Run a transaction against committed state without ordering it. */
  evaluate(identity: CallerIdentity, name: string, command: object, opts?: CallOptions): Promise<unknown>;
  /** Commit status of a transaction id; throws NOT_FOUND when the ledger does not know it. */
  transactionStatus(txId: string): Promise<TransactionStatus>;
  /**
   * Chaincode events of committed valid transactions, in commit order, strictly
   * after `fromCursor` (from the beginning when absent). Never ends by itself;
   * it finishes when `signal` aborts or the ledger closes. A malformed cursor
   * throws VALIDATION_FAILED synchronously, before anything is streamed; a
   * cursor that is not on this ledger (checkCursor) fails the first step with
   * NOT_FOUND, before anything is streamed.
   */
  events(fromCursor?: string, opts?: { signal?: AbortSignal }): AsyncIterable<LedgerEvent>;
  /**
   * Whether `cursor` names an event position on this ledger: VALIDATION_FAILED
   * when malformed, NOT_FOUND when it is from another chain (a network purged
   * and brought up again, another data folder). Reading on from such a cursor
   * would skip, silently, every event of this chain up to its position.
   * LEDGER_UNAVAILABLE when the ledger cannot be asked now.
   */
  checkCursor(cursor: string): Promise<void>;
  /**
   * Blocks on the channel, read from the ledger itself (the readiness probe,
   * and tests proving a request wrote nothing). LEDGER_UNAVAILABLE when the
   * ledger cannot be read.
   */
  height(): Promise<number>;
  /**
   * The height, once the ledger can take transactions now (the readiness
   * probe); LEDGER_UNAVAILABLE when it cannot be read or accepts no writes.
   */
  ready(): Promise<number>;
  close(): Promise<void>;
  /**
   * The ledger's sandbox clock (DESIGN.md section 8): the embedded ledger has
   * one, enabled or not. Absent on a connector whose transaction time cannot
   * be moved: a Fabric peer refuses proposals stamped outside its own clock's
   * time window.
   */
  readonly sandboxClock?: SandboxClock;
}

/**
 * A clock the ledger stamps its transactions with: the machine's clock plus
 * an offset that only grows. Each advance is a durable, append-only record.
 */
export interface SandboxClock {
  /** Whether advancing is allowed (configuration). A recorded offset stays in force either way. */
  readonly enabled: boolean;
  state(): ClockState;
  /** Every advance so far, oldest first. */
  advances(): ClockAdvance[];
  /**
   * Moves the clock forward by `advanceMs` and records it. A `requestId` the
   * same member used before answers the first advance (`replayed`), or
   * ALREADY_EXISTS when that was another duration.
   */
  advance(request: ClockAdvanceRequest): Promise<{ advance: ClockAdvance; replayed: boolean }>;
}

export interface ClockState {
  enabled: boolean;
  /** Milliseconds the ledger's clock is ahead of the machine's. */
  offsetMs: number;
  /** The ledger's time now (ISO 8601 UTC): what a transaction would be stamped with. */
  now: string;
}

/** Who moved the clock: the caller's identity and member as bound on the ledger. */
export interface ClockActor {
  memberId: string;
  mspId: string;
  identityId: string;
}

export interface ClockAdvanceRequest {
  /** The ISO 8601 duration as given (`P30D`). */
  duration: string;
  advanceMs: number;
  by: ClockActor;
  requestId?: string | undefined;
}

/** One recorded advance of the sandbox clock. */
export interface ClockAdvance {
  /** 1 for the first advance of this ledger, then 2, 3, ... */
  sequence: number;
  duration: string;
  advanceMs: number;
  /** The offset from then on (the sum of every advance so far). */
  offsetMs: number;
  /** The ledger's time just before and just after the advance. */
  from: string;
  to: string;
  /** The machine's own clock when the advance was recorded. */
  recordedAt: string;
  /** Blocks on the ledger when it took effect: every transaction in an earlier block was stamped before it. */
  height: number;
  by: ClockActor;
  requestId?: string;
}

/** An X.509 identity the gateway signs with on behalf of a caller. */
export interface LedgerIdentity {
  readonly mspId: string;
  /** PEM certificate. */
  readonly certificate: string;
  /** PEM PKCS#8 private key. */
  readonly privateKey: string;
}

/**
 * Who a call acts as: a LedgerIdentity, or a certificate whose key its member
 * keeps (a credential issued for the member's CSR; credentials' TokenIdentity
 * has this shape). The embedded ledger runs inside the gateway and signs
 * nothing, so it acts as either; the Fabric connector signs every proposal
 * and refuses an identity without a key.
 */
export type CallerIdentity = Omit<LedgerIdentity, 'privateKey'> & { readonly privateKey?: string | undefined };

export interface CallOptions {
  /** Upper bound for the whole call, milliseconds. */
  deadlineMs?: number | undefined;
  /**
   * The proposal's transient map (Fabric's semantics): the chaincode reads it
   * at endorsement (ctx.stub.getTransient()); it is not part of the
   * transaction that is ordered, so it reaches no block and no state. The
   * canonical fields of documents travel here (key `documents`).
   */
  transient?: Readonly<Record<string, Uint8Array>> | undefined;
}
export type SubmitOptions = CallOptions;

export interface SubmitResult {
  txId: string;
  result: unknown;
  /**
   * Block holding the transaction. `undefined` when the endorsement wrote
   * nothing (an idempotent replay answered from the stored first result): such
   * a transaction is not ordered, so a replay never adds a transaction.
   */
  blockNumber: number | undefined;
}

export interface TransactionStatus {
  txId: string;
  blockNumber: number;
  /** Fabric validation code name: VALID, MVCC_READ_CONFLICT, PHANTOM_READ_CONFLICT, ... */
  validationCode: string;
  valid: boolean;
}

export interface LedgerEvent {
  /** Opaque, resumable position: pass it back to `events()` to continue after this event. */
  cursor: string;
  blockNumber: number;
  /** Position of the transaction in its block. */
  txIndex: number;
  txId: string;
  /** Event name, PastTense (`VoucherTransferred`). */
  name: string;
  /** Decoded JSON payload. */
  payload: unknown;
}

/**
 * The only error a Ledger throws. `code` is one of the stable codes; the HTTP
 * layer maps it to a status.
 */
export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  readonly code: ErrorCode;
  readonly detail: string;
  readonly txId: string | undefined;

  constructor(code: ErrorCode, detail: string, options?: { txId?: string; cause?: unknown }) {
    super(`[${code}] ${detail}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = detail;
    this.txId = options?.txId;
  }
}

/** A transaction result as JSON (an empty result is undefined), the same for every connector. */
export function decodeResult(bytes: Uint8Array | string): unknown {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  return text.length === 0 ? undefined : JSON.parse(text);
}

/** A chaincode event payload: JSON when it parses, otherwise the text. */
export function decodeEventPayload(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Turns a chaincode failure (`[CODE] detail`) into a LedgerError with that code.
 * A failure without a known code is a defect (in the chaincode or in the
 * gateway's call), not a business outcome: it stays a plain Error, which the
 * HTTP layer answers with 500.
 */
export function fromChaincodeMessage(message: string, options?: { txId?: string; cause?: unknown }): Error {
  const coded = parseCodedMessage(message);
  if (coded) return new LedgerError(coded.code, coded.detail, options);
  return new Error(`chaincode failed without an error code: ${message}`, { cause: options?.cause });
}
